"""The REST front door's caller identity from the TLS client certificate.

uvicorn verifies client certificates (``ssl_cert_reqs=required``) but does not hand them to
the app, so :class:`PeerCertH11Protocol` (``uvicorn.run(..., http=PeerCertH11Protocol)``, as
``serve`` does with TLS) records each connection's certificate under its client address, the
address the ASGI scope carries, for the length of the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from uvicorn.protocols.http.h11_impl import H11Protocol

from b2b_openapi.runtime.spec import Problem

_PEERS: dict[tuple[str, int], bytes] = {}


class PeerCertH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, remembering the connection's client certificate (DER)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if der and self.client is not None:
            _PEERS[self.client] = der

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client is not None:
            _PEERS.pop(self.client, None)
        super().connection_lost(exc)


def peer_certificate(scope: Mapping[str, Any]) -> x509.Certificate | None:
    client = scope.get("client")
    der = _PEERS.get(tuple(client)) if client else None
    return x509.load_der_x509_certificate(der) if der else None


def certificate_user(certificate: x509.Certificate) -> str:
    """The user a client certificate names: its subject's common name (API keys are issued
    to that name: ``key=<CN>``), else the whole subject."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else certificate.subject.rfc4514_string()
    return value if isinstance(value, str) else value.decode()


def caller(scope: Mapping[str, Any], key_user: str) -> str:
    """The caller: the certificate's user when the connection presented one (the API key
    must be issued to that same user, else 401), otherwise the API key's user."""
    certificate = peer_certificate(scope)
    if certificate is None:
        return key_user
    user = certificate_user(certificate)
    if user != key_user:
        raise Problem(401, "Unauthorized",
                      f"the API key is not issued to the client certificate's subject "
                      f"({certificate.subject.rfc4514_string()})")
    return user
