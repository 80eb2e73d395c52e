"""The gateway's side of the wire to CAISO: mutual TLS with the participant's certificate,
WS-Security signing of every request, the response's signature checked, and CAISO's answers
that are not SOAP (acceptable use page, access refusal, signature and username refusals)
turned into clear problems.  See ``docs/gateway.md`` for a participant's set-up.

Configuration comes from ``B2B_SOAP_*`` environment variables (``serve`` sets them from its
options); the key's password only ever from ``B2B_SOAP_CLIENT_PASSWORD`` or the file named by
``B2B_SOAP_CLIENT_PASSWORD_FILE``, never from the command line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import ssl
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from b2b_openapi.codec import attachments
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.runtime.spec import Operation, Problem

# CAISO's hosts (protocol notes section 2): production and the MAP stage (market participant
# testing); the endpoint is <host>/sst/<system in lower case>/<API service name>_AP
PRESETS = {"production": "https://ws.caiso.com/sst", "map-stage": "https://wsmap.caiso.com/sst"}
AUP_MARK = "CAISO Acceptable Use Policy Violation"
ACCESS_MARK = "You are not authorized to access this page."
SIGNATURE_MARK = "Signature validation status: false"
USERNAME_MARK = "CAISOUsernameToken Validation Error."
PKCS12_SUFFIXES = (".p12", ".pfx")


class UpstreamError(ValueError):
    """A configuration the gateway cannot start with (one line, for the ``serve`` user)."""


def preset_endpoint(preset: str, system: str, full_name: str) -> str:
    """The CAISO endpoint of a service on a named environment, e.g. ``map-stage`` ->
    ``https://wsmap.caiso.com/sst/cmri/RetrieveGasBurnSummaryData_CMRIv1_DocAttach_AP``.
    ``system`` is the catalog system (the corpus folder: CMRI, SIBR, MRIS...)."""
    if preset not in PRESETS:
        raise UpstreamError(f"unknown endpoint preset {preset!r}; known: "
                            f"{', '.join(sorted(PRESETS))}")
    return f"{PRESETS[preset]}/{system.lower()}/{full_name}_AP"


@dataclass(frozen=True)
class UpstreamSettings:
    client_cert: Path | None = None
    client_key: Path | None = None
    password: bytes | None = None
    ca: Path | None = None
    verify_cert: Path | None = None
    algorithm: wss.Algorithm = wss.Algorithm.RSA_SHA1
    preset: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> UpstreamSettings:
        env = os.environ if env is None else env

        def path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        password: bytes | None = None
        if env.get("B2B_SOAP_CLIENT_PASSWORD_FILE"):
            source = Path(env["B2B_SOAP_CLIENT_PASSWORD_FILE"])
            try:
                password = source.read_bytes().rstrip(b"\r\n")
            except OSError as exc:
                raise UpstreamError(f"{source}: {exc.strerror}") from None
        elif "B2B_SOAP_CLIENT_PASSWORD" in env:
            password = env["B2B_SOAP_CLIENT_PASSWORD"].encode()
        preset = env.get("B2B_SOAP_ENDPOINT_PRESET") or None
        if preset is not None and preset not in PRESETS:
            raise UpstreamError(f"unknown endpoint preset {preset!r}; known: "
                                f"{', '.join(sorted(PRESETS))}")
        try:
            algorithm = wss.Algorithm.named(env.get("B2B_SOAP_SIGNATURE_ALGORITHM", "rsa-sha1"))
        except ValueError as exc:
            raise UpstreamError(str(exc)) from None
        return cls(path("B2B_SOAP_CLIENT_CERT"), path("B2B_SOAP_CLIENT_KEY"), password,
                   path("B2B_SOAP_CA"), path("B2B_SOAP_VERIFY_CERT"), algorithm, preset)

    def __repr__(self) -> str:  # never the password
        return (f"UpstreamSettings(client_cert={self.client_cert}, ca={self.ca}, "
                f"verify_cert={self.verify_cert}, algorithm={self.algorithm.name})")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UpstreamError(f"{what} {path}: {exc.strerror}") from None


def load_identity(settings: UpstreamSettings,
                  now: dt.datetime | None = None) -> wss.SigningIdentity | None:
    """The participant's certificate and key (PEM pair, one PEM holding both, or PKCS#12),
    checked now: an expired or not yet valid certificate stops the gateway at start-up."""
    if settings.client_cert is None:
        if settings.client_key is not None:
            raise UpstreamError("a client key was given without a client certificate")
        return None
    cert = _read(settings.client_cert, "client certificate")
    try:
        if settings.client_cert.suffix.lower() in PKCS12_SUFFIXES:
            identity = wss.SigningIdentity.from_pkcs12(cert, settings.password)
        else:
            if settings.client_key is None and b"PRIVATE KEY" not in cert:
                raise UpstreamError(f"{settings.client_cert}: holds no private key; give "
                                    "--soap-client-key (or a PKCS#12 .p12/.pfx file)")
            key = _read(settings.client_key, "client key") if settings.client_key else cert
            identity = wss.SigningIdentity.from_pem(cert, key, settings.password)
    except wss.WsSecurityError as exc:
        raise UpstreamError(f"{settings.client_cert}: {exc}") from None
    now = now or dt.datetime.now(dt.UTC)
    if now > identity.certificate.not_valid_after_utc:
        raise UpstreamError(f"{settings.client_cert}: the client certificate expired on "
                            f"{identity.certificate.not_valid_after_utc}")
    if now < identity.certificate.not_valid_before_utc:
        raise UpstreamError(f"{settings.client_cert}: the client certificate is not valid "
                            f"before {identity.certificate.not_valid_before_utc}")
    return identity


@contextlib.contextmanager
def _pem_files(identity: wss.SigningIdentity) -> Iterator[Path]:
    """The identity as one PEM file for ``ssl`` (which reads keys from files only), in a
    private temporary folder removed as soon as the context has loaded it."""
    with tempfile.TemporaryDirectory(prefix="b2b-tls-") as folder:
        path = Path(folder) / "identity.pem"
        path.touch(mode=0o600)
        path.write_bytes(identity.certificate_pem + identity.key_pem)
        yield path


def tls_context(settings: UpstreamSettings,
                identity: wss.SigningIdentity | None) -> ssl.SSLContext:
    """Server certificates verified against ``--soap-ca`` (else the system's CAs, never
    off); the client certificate presented when there is one."""
    try:
        context = ssl.create_default_context(
            cafile=str(settings.ca) if settings.ca is not None else None)
    except (OSError, ssl.SSLError) as exc:
        raise UpstreamError(f"CA bundle {settings.ca}: {exc}") from None
    if identity is not None:
        with _pem_files(identity) as pem:
            context.load_cert_chain(pem)
    return context


@dataclass(frozen=True)
class Upstream:
    """What the gateway does on the wire; ``Upstream()`` is the unsigned development mode."""

    identity: wss.SigningIdentity | None = None
    tls: ssl.SSLContext | None = None
    response_trust: wss.Trust | None = None
    algorithm: wss.Algorithm = wss.Algorithm.RSA_SHA1

    @classmethod
    def from_settings(cls, settings: UpstreamSettings) -> Upstream:
        identity = load_identity(settings)
        trust = None
        if settings.verify_cert is not None:
            try:
                trust = wss.Trust.from_file(settings.verify_cert)
            except wss.WsSecurityError as exc:
                raise UpstreamError(f"--soap-verify-cert: {exc}") from None
        return cls(identity, tls_context(settings, identity), trust, settings.algorithm)

    def warning(self) -> str | None:
        """The start-up warning line of a gateway that does not sign."""
        if self.identity is not None:
            return None
        return ("gateway: no --soap-client-cert, so requests go out unsigned and without a "
                "client certificate (CAISO refuses them; fine for the SOAP mock)")

    def client(self, timeout: float,
               transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=timeout, transport=transport,
                                 verify=self.tls if self.tls is not None else True)

    def username(self, caller: str) -> str:
        """The CAISOWSHeader Username: the user bound to the certificate the gateway signs
        with (CAISO checks they match), else the caller (development, the SOAP mock)."""
        if self.identity is None:
            return caller
        return wss.caiso_username(self.identity.certificate)

    def sign(self, envelope: bytes) -> bytes:
        """The envelope as it goes out: a DocAttach attachment gets its ``attachmentHash``
        header, and everything is signed when there is a certificate."""
        envelope = attachments.with_hash_header(envelope)
        if self.identity is None:
            return envelope
        return wss.sign(envelope, self.identity, self.algorithm)

    @property
    def reads_whole(self) -> bool:
        """A signed answer is checked before any of it is passed on: it cannot stream."""
        return self.response_trust is not None

    def check(self, status: int, headers: Mapping[str, str], data: bytes,
              retry_after: float) -> bytes:
        """Raise the :class:`Problem` for CAISO's refusals and, with ``--soap-verify-cert``,
        for an unsigned or tampered answer (faults included: nothing unchecked is passed on);
        return the envelope to decode."""
        problem = refusal(status, headers, data, retry_after)
        if problem is not None:
            raise problem
        try:
            data = attachments.checked_answer(headers.get("content-type", ""), data)
        except attachments.AttachmentError as exc:
            raise Problem(502, "SOAP response attachment is unusable",
                          f"{type(exc).__name__}: {exc}") from None
        if self.response_trust is None:
            return data
        try:
            wss.verify(data, self.response_trust, required=wss.RESPONSE_PARTS)
        except wss.WsSecurityError as exc:
            raise Problem(502, "SOAP response signature check failed", str(exc)) from None
        return data


def describe(exc: httpx.HTTPError) -> str:
    """One line on why the SOAP service could not be reached: the TLS error underneath when
    there is one (httpx's own message is often empty), with a hint where TLS 1.3 hides a
    refused client certificate behind a closed connection."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return f"TLS: {cause}"
        cause = cause.__cause__ or cause.__context__
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError) and \
            exc.request.url.scheme == "https":
        text += (" (the server closed the TLS connection: a client certificate it does not "
                 "accept, or none, shows so; check --soap-client-cert)")
    return text


def whole_answer(upstream: Upstream, response: httpx.Response, op: Operation) -> bool:
    """Whether an answer is read whole rather than streamed: a signed answer is checked
    before any of it is passed on, an attachment (multipart, or DocAttach's one
    ``AttachmentValue``) is checked against its hash first, and what is not XML is a CAISO
    page to map, not a document to stream."""
    content_type = response.headers.get("content-type", "text/xml").lower()
    docattach = op.response_element.startswith(f"{{{attachments.ISO_ATTACHMENT_NS}}}") \
        or bool((op.raw.get("x-caiso-attachment") or {}).get("response")) \
        or "response" in (op.raw.get("x-soap-rpc") or {})  # read part by part, not streamed
    return (upstream.reads_whole or docattach or "xml" not in content_type
            or content_type.startswith("multipart/") or response.status_code in (403, 429))


def retry_after(op: Operation) -> float:
    """Seconds a caller refused for acceptable use waits: the operation's window, else
    CAISO's usual 30."""
    window = (op.acceptable_use or {}).get("windowSeconds", 30)
    return float(window)


def refusal(status: int, headers: Mapping[str, str], data: bytes,
            retry_after: float) -> Problem | None:
    """CAISO's answers that are refusals rather than results (the texts are those CAISO's
    reference client ``caisob2blib.py`` looks for)."""
    text = data[:65536].decode("utf-8", "replace")
    if AUP_MARK in text:
        wait = headers.get("retry-after") or str(max(1, round(retry_after)))
        return Problem(429, "CAISO Acceptable Use Policy Violation",
                       f"CAISO refused the request: {AUP_MARK}; retry after {wait} s",
                       headers={"Retry-After": wait})
    if status == 403 or ACCESS_MARK in text:
        return Problem(403, "Forbidden by CAISO",
                       "CAISO refused access (HTTP 403): the gateway's client certificate "
                       "has no access to this service or environment")
    if SIGNATURE_MARK in text:
        return Problem(502, "CAISO refused the request signature",
                       f"{SIGNATURE_MARK}: CAISO could not verify the WS-Security signature; "
                       "check the client certificate and key the gateway signs with")
    if USERNAME_MARK in text:
        return Problem(502, "CAISO refused the CAISOWSHeader username",
                       f"{USERNAME_MARK} The Username must be the user bound to the client "
                       "certificate")
    return None
