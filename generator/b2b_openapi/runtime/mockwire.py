"""The SOAP mock's CAISO wire behaviour: the WS-Security check of each request, with the
faults CAISO answers; its own answers signed; CAISO's non-SOAP pages on demand.

Texts are those CAISO's reference client (``caisob2blib.py``) recognises in CAISO's answers;
what else CAISO writes around them the sources do not show, so the mock writes only these.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from fastapi.responses import Response
from lxml import etree

from b2b_openapi.codec import attachments, soap
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.runtime import upstream

XML = "text/xml; charset=utf-8"
FORMS = ("inline", "swa", "swa-bad-hash", "mtom")
# the CAISO element that carries a document as base64 (ISOAttachment's), which an MTOM
# answer sends as a part
_BASE64_CARRIERS = ("AttachmentValue",)
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

    def answer(self, body: ElementTree.Element,
               headers: tuple[ElementTree.Element, ...] = ()) -> Response:
        """The answer in the current form: ``inline`` (a SOAP envelope), ``swa`` (the
        envelope with an ``attachmentHash`` header, then the body as a gzip+base64 attachment
        part, as CAISO's plain retrieve services answer) or ``swa-bad-hash`` (an attachment
        that is not the one the hash names), ``mtom`` (MTOM/XOP)."""
        if self.form == "inline":
            return Response(self.sign(soap.envelope(body, headers)), 200, media_type=XML)
        if self.form == "mtom":
            return self._mtom(body, headers)
        text = attachments.encode(ElementTree.tostring(body, encoding="utf-8"))
        envelope = self.sign(soap.envelope(body, (attachments.hash_header(text),)))
        if self.form == "swa-bad-hash":
            text = attachments.encode(b"<other/>")
        content, content_type = attachments.build_swa(envelope, text)
        return Response(content, 200, headers={"Content-Type": content_type})

    def swa(self, body: ElementTree.Element, headers: tuple[ElementTree.Element, ...],
            text: str, content_id: str) -> Response:
        """A SOAP with Attachments answer of an attachment service (CAISO's plain retrieve
        variant): the envelope (``headers`` name the attachment), then the text."""
        content, content_type = attachments.build_swa(
            self.sign(soap.envelope(body, headers)), text, content_id)
        return Response(content, 200, headers={"Content-Type": content_type})

    def _mtom(self, body: ElementTree.Element, headers: tuple[ElementTree.Element, ...] = (),
              carriers: tuple[str, ...] = _BASE64_CARRIERS) -> Response:
        """MTOM/XOP (as OMS and DRRS answer): each base64 document the answer carries goes
        as a binary part its element's ``xop:Include`` names.  The signature is over the
        envelope as XOP resolves it (the base64 text inline, written without line breaks as
        the receiver will rebuild it), so it is made before the parts are taken out."""
        parts: dict[str, bytes] = {}
        for element in body.iter():
            if element.tag.rpartition("}")[2] in carriers and element.text:
                data = base64.b64decode("".join(element.text.split()))
                parts[f"part{len(parts) + 1}@mock.caiso"] = data
                element.text = base64.b64encode(data).decode("ascii")
        root = etree.fromstring(self.sign(soap.envelope(body, headers)))
        found = [e for e in root.iter() if isinstance(e.tag, str)
                 and e.tag.rpartition("}")[2] in carriers and e.text]
        for carrier, cid in zip(found, parts, strict=True):
            carrier.text = None
            carrier.append(etree.fromstring(ElementTree.tostring(attachments.xop_include(cid))))
        envelope = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        content, content_type = attachments.build_mtom(envelope, parts)
        return Response(content, 200, headers={"Content-Type": content_type})

    def mtom(self, body: ElementTree.Element, headers: tuple[ElementTree.Element, ...],
             carrier: str) -> Response:
        """An MTOM answer of an attachment service: the ``carrier`` element's text as the
        binary part."""
        return self._mtom(body, headers, (carrier,))

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
