"""The SOAP mock's CAISO wire behaviour: the WS-Security check of each request, with the
faults CAISO answers; its own answers signed; CAISO's non-SOAP pages on demand.

Texts are those CAISO's reference client (``caisob2blib.py``) recognises in CAISO's answers;
what else CAISO writes around them the sources do not show, so the mock writes only these.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from fastapi.responses import Response

from .. import soap
from ..codec import attachments
from ..codec import wssecurity as wss
from . import upstream

XML = "text/xml; charset=utf-8"
FORMS = ("inline", "swa", "swa-bad-hash")
SIGNATURE_FAULT = upstream.SIGNATURE_MARK
USERNAME_FAULT = upstream.USERNAME_MARK
PAGES = {
    "aup": (200, f"<html><body><h1>{upstream.AUP_MARK}</h1><p>Too many requests for this "
                 "service; wait before the next one.</p></body></html>"),
    "forbidden": (403, "<html><head><title>403 - Forbidden</title></head><body><h2>"
                       f"{upstream.ACCESS_MARK}</h2></body></html>"),
}


@dataclass
class MockWire:
    """``trust``: request signatures must verify against it (else no check, as before);
    ``signer``: answers are signed with it."""

    trust: wss.Trust | None = None
    signer: wss.SigningIdentity | None = None
    algorithm: wss.Algorithm = wss.Algorithm.RSA_SHA1
    shown: str | None = field(default=None)
    form: str = "inline"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MockWire:
        """``B2B_MOCK_VERIFY_CA`` (PEM bundle), ``B2B_MOCK_SIGN_CERT`` + ``B2B_MOCK_SIGN_KEY``
        (PEM; the key unencrypted: a throw-away test identity)."""
        env = os.environ if env is None else env
        trust = wss.Trust.from_file(Path(env["B2B_MOCK_VERIFY_CA"])) \
            if env.get("B2B_MOCK_VERIFY_CA") else None
        signer = None
        if env.get("B2B_MOCK_SIGN_CERT"):
            signer = wss.SigningIdentity.from_pem(
                Path(env["B2B_MOCK_SIGN_CERT"]).read_bytes(),
                Path(env.get("B2B_MOCK_SIGN_KEY") or env["B2B_MOCK_SIGN_CERT"]).read_bytes())
        return cls(trust, signer)

    def check(self, envelope: bytes) -> tuple[str | None, str | None]:
        """(the Username the signing certificate binds, the fault text) of a request: both
        None when signatures are not checked."""
        if self.trust is None:
            return None, None
        try:
            verified = wss.verify(envelope, self.trust, required=wss.REQUEST_PARTS)
        except wss.WsSecurityError as exc:
            return None, f"{SIGNATURE_FAULT} ({exc})"
        return wss.caiso_username(verified.certificate), None

    def sign(self, envelope: bytes) -> bytes:
        return envelope if self.signer is None else wss.sign(envelope, self.signer,
                                                              self.algorithm)

    def answer(self, body: ElementTree.Element) -> Response:
        """The answer in the current form: ``inline`` (a SOAP envelope), ``swa`` (the
        envelope with an ``attachmentHash`` header, then the body as a gzip+base64 attachment
        part, as CAISO's plain retrieve services answer) or ``swa-bad-hash`` (an attachment
        that is not the one the hash names)."""
        if self.form == "inline":
            return Response(self.sign(soap.envelope(body)), 200, media_type=XML)
        text = attachments.encode(ElementTree.tostring(body, encoding="utf-8"))
        envelope = self.sign(soap.envelope(body, (attachments.hash_header(text),)))
        if self.form == "swa-bad-hash":
            text = attachments.encode(b"<other/>")
        content, content_type = attachments.build_swa(envelope, text)
        return Response(content, 200, headers={"Content-Type": content_type})

    def use_form(self, form: str) -> None:
        if form not in FORMS:
            raise ValueError(f"no such answer form {form!r}; known: {', '.join(FORMS)}")
        self.form = form

    def show(self, page: str | None) -> None:
        if page is not None and page not in PAGES:
            raise ValueError(f"no such page {page!r}; known: {', '.join(sorted(PAGES))}")
        self.shown = page

    def page(self) -> Response | None:
        if self.shown is None:
            return None
        status, html = PAGES[self.shown]
        return Response(html, status, media_type="text/html")
