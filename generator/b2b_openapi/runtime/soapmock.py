"""A SOAP 1.1 mock of CAISO's B2B endpoints, for gateway tests and local development.

``POST /{ServiceFullName}`` (e.g. ``/RetrieveCleanBidSet_SIBRv5``) takes a SOAP envelope and:

* answers a SOAP Client fault when the envelope, the SOAPAction, the CAISOWSHeader or the
  body is not what the WSDL/XSD require (the body is validated against the XSD);
* otherwise answers with the operation's sample output (shaped by the same behaviours as the
  JSON mock, e.g. DRRS incremental filtering);
* when the header's Username is ``fault-client`` or ``fault-server``, answers with the
  operation's sample fault of that kind, so error paths can be exercised end to end.

``GET /_received`` returns the last envelope received and ``GET /_received_payload`` the JSON of
its attachment's payload document (tests check what reached the service).

Playing CAISO (see :mod:`.mockwire` and ``docs/gateway.md``): under uvicorn with
``--ssl-ca-certs`` and client certificates required it is mutual TLS; with ``B2B_MOCK_VERIFY_CA``
it verifies every request's WS-Security signature and answers CAISO's faults to unsigned or
tampered envelopes (``Signature validation status: false``) and to a Username that is not the
certificate's (``CAISOUsernameToken Validation Error.``); with ``B2B_MOCK_SIGN_CERT`` and
``B2B_MOCK_SIGN_KEY`` it signs its answers; ``PUT /_page/{aup|forbidden}`` makes it answer
CAISO's non-SOAP pages until ``DELETE /_page``; ``PUT /_form/{inline|swa|swa-bad-hash}`` the
form of its answers (SOAP with Attachments, the hash checked).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from fastapi import FastAPI, Request
from fastapi.responses import Response
from xmlschema import XMLSchemaValidationError

from b2b_openapi.codec import attachments, jsonxml, rpc, soap
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.payload import AttachmentForm, CaisoErrorDocument, PayloadCodec, PayloadError
from b2b_openapi.errors import one_line
from b2b_openapi.model import Message, Operation, Service
from b2b_openapi.openapi.document import attachment_extension, build_document
from b2b_openapi.openapi.examples import add_examples
from b2b_openapi.runtime import attachment_bridge, behaviours, mockwire
from b2b_openapi.xsd import corpus, oasis
from b2b_openapi.xsd.wsdl import load_service, load_wsdl

XML = "text/xml; charset=utf-8"
FAULT_USERS = {"fault-client": "soap:Client", "fault-server": "soap:Server"}


@dataclass(frozen=True)
class MockService:
    service: Service
    schema: Any
    wsdl: Path | None = None  # where payload XSDs are found (beside it)
    package: Path | None = None
    _codecs: dict[tuple[str, str], PayloadCodec | None] = field(default_factory=dict)
    _examples: dict[str, Any] = field(default_factory=dict)

    def element(self, qname: str) -> Any:
        return self.schema.maps.elements[qname]

    def codec(self, op: Operation, side: str) -> PayloadCodec | None:
        """The payload codec of one side's attachment (None: none, or no payload XSD)."""
        key = (op.name, side)
        if key not in self._codecs:
            message: Message = getattr(op, side)
            form = AttachmentForm.from_extension(attachment_extension(message)) \
                if message.attachment is not None and self.wsdl is not None else None
            self._codecs[key] = None if form is None else PayloadCodec.load(
                form, self.wsdl.parent if self.wsdl else Path("."), self.package)
        return self._codecs[key]

    def example(self, op: Operation) -> Any:
        """The output's JSON (the payload document's, for an attachment): its sample, else
        the example the spec synthesizes (real packages ship no samples)."""
        if op.output.samples:
            return op.output.samples[0].value
        if not self._examples:
            document = build_document(self.service)
            add_examples(document)
            for item in document["paths"].values():
                for spec_op in item.values():
                    content = spec_op["responses"]["200"]["content"]["application/json"]
                    self._examples[spec_op["operationId"]] = next(
                        iter(content["examples"].values()))["value"]
        return self._examples[op.name]

    def by_action(self, action: str) -> Operation | None:
        return next((op for op in self.service.operations if op.soap_action == action), None)


def _fault(code: str, text: str, detail: ElementTree.Element | None = None) -> Response:
    return Response(soap.envelope(None, fault=soap.SoapFault(code, text, detail)), 500,
                    media_type=XML)


def _request_json(mock: MockService, op: Operation, body: ElementTree.Element) -> Any:
    """The JSON of a request body: an rpc wrapper's parts, or the request element's."""
    if op.input.rpc_parts is not None:
        return rpc.decode(mock.schema, body, op.input.rpc_parts)
    return jsonxml.decode(mock.element(op.input.element.qname), body)


def _sample_root(path: Path) -> ElementTree.Element:
    return ElementTree.parse(path).getroot()


class SoapMockBackend:
    def __init__(self, services: Mapping[str, MockService],
                 wire: mockwire.MockWire | None = None) -> None:
        self.services = services
        self.received: bytes | None = None
        self.received_payload: Any = None  # the payload JSON of the last attachment request
        self.wire = wire or mockwire.MockWire()

    @classmethod
    def from_corpus(cls, xsd_root: Path, names: list[str] | None = None,
                    wire: mockwire.MockWire | None = None) -> SoapMockBackend:
        wsdls = [a for a in corpus.select(corpus.discover(xsd_root), names or ())
                 if not oasis.is_report(a)]  # OASIS is HTTP GET + ZIP, not SOAP
        return cls({w.full_name: MockService(load_service(w), load_wsdl(w).schema, w.wsdl,
                                             w.package) for w in wsdls}, wire)

    def answer(self, name: str, action: str, data: bytes,
               content_type: str = XML) -> Response:
        self.received = data
        self.received_payload = None
        page = self.wire.page()
        if page is not None:
            return page
        raw = data
        if content_type.strip().lower().startswith("multipart/"):
            try:  # SwA or MTOM: the envelope (XOP resolved), its attachment checked below
                parsed = attachments.parse_multipart(content_type, data)
                data = attachments.resolve_xop(parsed) if parsed.is_mtom else parsed.envelope
            except attachments.AttachmentError as exc:
                return _fault("soap:Client", f"{type(exc).__name__}: {exc}")
            self.received = data
        signer, refused = self.wire.check(data)
        if refused is not None:
            return _fault("soap:Client", refused)
        mock = self.services.get(name)
        if mock is None:
            return _fault("soap:Client", f"no such service: {name}")
        try:
            message = soap.parse(data)
        except soap.SoapError as exc:
            return _fault("soap:Client", str(exc))
        op = mock.by_action(action.strip().strip('"'))
        if op is None:
            return _fault("soap:Client", f"unknown SOAPAction {action!r} for {name}")
        user = self._check_header(mock, op, message)
        if isinstance(user, Response):
            return user
        if signer is not None and user != signer:
            return _fault("soap:Client", mockwire.USERNAME_FAULT)
        body = message.body
        expected = (op.input.soap_element or op.input.element).qname
        if body is None or body.tag != expected:
            return _fault("soap:Client", f"{op.name} expects {expected} in Body")
        error = _body_error(mock, op, body)
        if error is not None:
            return _fault("soap:Client", f"request is not valid: {error}")
        codec = mock.codec(op, "input")
        if codec is not None:
            refused = self._take_attachment(codec, content_type, raw, data)
            if refused is not None:
                return _fault("soap:Client", refused)
        if user in FAULT_USERS:
            return self._sample_fault(op, FAULT_USERS[user])
        codec = mock.codec(op, "output")
        if codec is not None:
            return self._attached(mock, op, codec, body)
        return self.wire.answer(self._output(mock, op, body))

    def _take_attachment(self, codec: PayloadCodec, content_type: str, raw: bytes,
                         envelope: bytes) -> str | None:
        """A request's attachment checked as CAISO does (the hash is required, then base64,
        gzip, the payload XSD); the fault text, or None with the payload JSON kept in
        :attr:`received_payload` for tests."""
        expected = attachments.hash_value(envelope)
        if expected is None:
            return "attachment: no attachmentHash header"
        try:
            text = attachment_bridge.attachment_text(codec.form, content_type, raw, envelope)
            self.received_payload = codec.decode(text, expected)
        except (attachments.AttachmentError, PayloadError, CaisoErrorDocument) as exc:
            return f"attachment: {type(exc).__name__}: {exc}"
        return None

    def _attached(self, mock: MockService, op: Operation, codec: PayloadCodec,
                  body: ElementTree.Element) -> Response:
        """An attachment service's answer in its own wire form, the payload from the sample
        (or the synthesized example, shaped by the operation's behaviour) encoded as the
        gateway will decode it."""
        form = codec.form
        value = mock.example(op)
        if behaviours.applies(op.name):
            value = behaviours.shape(op.name, _request_json(mock, op, body), value)
        text = codec.encode(value)
        headers = (attachments.hash_header(text), *attachment_bridge.info_header(form))
        if form.form == "docattach":
            return self.wire.answer(attachment_bridge.value_body(form, mock.schema, text),
                                    headers)
        wrapper = ElementTree.Element((op.output.soap_element or op.output.element).qname)
        if form.form == "mtom":
            return self.wire.mtom(attachment_bridge.carrier_body(form, wrapper, text),
                                  headers, form.part or form.value_element)
        return self.wire.swa(wrapper, headers, text, attachment_bridge.content_id(form))

    def _check_header(self, mock: MockService, op: Operation,
                      message: soap.SoapMessage) -> str | Response:
        if op.header is None:  # CAISO's real WSDLs declare none, yet every call carries it
            found = next((h for h in message.headers
                          if h.tag == f"{{{soap.CAISO_HEADER_NS}}}CAISOWSHeader"), None)
            name = found.find(f".//{{{soap.CAISO_HEADER_NS}}}Username") \
                if found is not None else None
            return (name.text or "") if name is not None else ""
        header = next((h for h in message.headers if h.tag == op.header.qname), None)
        if header is None:
            return _fault("soap:Client", f"missing SOAP header {op.header.qname}")
        error = next(mock.element(op.header.qname).iter_errors(header), None)
        if error is not None:
            return _fault("soap:Client", f"invalid CAISOWSHeader: {one_line(error.reason or '')}")
        username = header.find(f".//{{{soap.CAISO_HEADER_NS}}}Username")
        return (username.text or "") if username is not None else ""

    def _output(self, mock: MockService, op: Operation,
                body: ElementTree.Element) -> ElementTree.Element:
        if not op.output.samples:  # encoded from the synthesized example
            value = mock.example(op)
            if op.output.rpc_parts is not None:
                return rpc.encode(mock.schema, op.output.element.qname, op.output.rpc_parts,
                                  value)
            encoded: ElementTree.Element = jsonxml.encode(mock.element(
                op.output.element.qname), value)
            return encoded
        sample = _sample_root(op.output.samples[0].path)
        if not behaviours.applies(op.name):
            return sample
        element = mock.element(op.output.element.qname)
        shaped = behaviours.shape(op.name, _request_json(mock, op, body),
                                  jsonxml.decode(element, sample))
        reshaped: ElementTree.Element = jsonxml.encode(element, shaped)
        return reshaped

    def _sample_fault(self, op: Operation, code: str) -> Response:
        samples = [s for f in op.faults for s in f.message.samples]
        detail = _sample_root(samples[0].path) if samples else None
        return _fault(code, f"{op.name} failed (mock {code.split(':')[1]} fault)", detail)


def _body_error(mock: MockService, op: Operation, body: Any) -> str | None:
    """Why a request body is not what the WSDL/XSD require (an rpc wrapper part by part)."""
    if op.input.rpc_parts is not None:
        try:
            rpc.decode(mock.schema, body, op.input.rpc_parts)
        except (XMLSchemaValidationError, ValueError) as exc:
            return one_line(str(getattr(exc, "reason", None) or exc))
        return None
    error = next(mock.element(body.tag).iter_errors(body), None)
    return None if error is None else one_line(error.reason or "")


def create_soap_mock_app(backend: SoapMockBackend) -> FastAPI:
    app = FastAPI(title="CAISO SOAP mock", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/{name}")
    async def endpoint(name: str, request: Request) -> Response:
        return backend.answer(name, request.headers.get("soapaction", ""), await request.body(),
                              request.headers.get("content-type", XML))

    @app.get("/_received")
    async def received() -> Response:
        return Response(backend.received or b"", media_type=XML)

    @app.get("/_received_payload")
    async def received_payload() -> Response:
        """The payload JSON of the last request's attachment (null when it had none)."""
        return Response(dumps(backend.received_payload), media_type="application/json")

    @app.put("/_page/{page}")
    async def set_page(page: str) -> Response:
        try:
            backend.wire.show(page)
        except ValueError as exc:
            return Response(str(exc), 404, media_type="text/plain")
        return Response(status_code=204)

    @app.put("/_form/{form}")
    async def set_form(form: str) -> Response:
        try:
            backend.wire.use_form(form)
        except ValueError as exc:
            return Response(str(exc), 404, media_type="text/plain")
        return Response(status_code=204)

    @app.delete("/_page")
    async def clear_page() -> Response:
        backend.wire.show(None)
        return Response(status_code=204)

    return app


def app_from_env() -> FastAPI:
    """uvicorn factory: ``B2B_XSD_ROOT`` (default ``xsd``), optional ``B2B_SERVICES``."""
    names = [n for n in os.environ.get("B2B_SERVICES", "").split(",") if n]
    root = Path(os.environ.get("B2B_XSD_ROOT", "xsd"))
    return create_soap_mock_app(SoapMockBackend.from_corpus(root, names,
                                                            mockwire.MockWire.from_env()))
