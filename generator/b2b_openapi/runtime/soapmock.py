"""A SOAP 1.1 mock of CAISO's B2B endpoints, for gateway tests and local development.

``POST /{ServiceFullName}`` (e.g. ``/RetrieveCleanBidSet_SIBRv5``) takes a SOAP envelope and:

* answers a SOAP Client fault when the envelope, the SOAPAction, the CAISOWSHeader or the
  body is not what the WSDL/XSD require (the body is validated against the XSD);
* otherwise answers with the operation's sample output (shaped by the same behaviours as the
  JSON mock, e.g. DRRS incremental filtering);
* when the header's Username is ``fault-client`` or ``fault-server``, answers with the
  operation's sample fault of that kind, so error paths can be exercised end to end.

``GET /_received`` returns the last envelope received (tests check what reached the service).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from fastapi import FastAPI, Request
from fastapi.responses import Response

from b2b_openapi.codec import jsonxml, soap
from b2b_openapi.errors import one_line
from b2b_openapi.model import Operation, Service
from b2b_openapi.runtime import behaviours, mockwire
from b2b_openapi.xsd import corpus
from b2b_openapi.xsd.wsdl import load_service, load_wsdl

XML = "text/xml; charset=utf-8"
FAULT_USERS = {"fault-client": "soap:Client", "fault-server": "soap:Server"}


@dataclass(frozen=True)
class MockService:
    service: Service
    schema: Any

    def element(self, qname: str) -> Any:
        return self.schema.maps.elements[qname]

    def by_action(self, action: str) -> Operation | None:
        return next((op for op in self.service.operations if op.soap_action == action), None)


def _fault(code: str, text: str, detail: ElementTree.Element | None = None) -> Response:
    return Response(soap.envelope(None, fault=soap.SoapFault(code, text, detail)), 500,
                    media_type=XML)


def _sample_root(path: Path) -> ElementTree.Element:
    return ElementTree.parse(path).getroot()


class SoapMockBackend:
    def __init__(self, services: Mapping[str, MockService],
                 wire: mockwire.MockWire | None = None) -> None:
        self.services = services
        self.received: bytes | None = None
        self.wire = wire or mockwire.MockWire()

    @classmethod
    def from_corpus(cls, xsd_root: Path, names: list[str] | None = None,
                    wire: mockwire.MockWire | None = None) -> SoapMockBackend:
        wsdls = corpus.select(corpus.discover(xsd_root), names or ())
        return cls({w.full_name: MockService(load_service(w), load_wsdl(w).schema) for w in wsdls},
                   wire)

    def answer(self, name: str, action: str, data: bytes) -> Response:
        self.received = data
        page = self.wire.page()
        if page is not None:
            return page
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
        if body is None or body.tag != op.input.element.qname:
            return _fault("soap:Client", f"{op.name} expects {op.input.element.qname} in Body")
        error = next(mock.element(op.input.element.qname).iter_errors(body), None)
        if error is not None:
            return _fault("soap:Client", f"request is not valid: {one_line(error.reason or '')}")
        if user in FAULT_USERS:
            return self._sample_fault(op, FAULT_USERS[user])
        return self.wire.answer(self._output(mock, op, body))

    def _check_header(self, mock: MockService, op: Operation,
                      message: soap.SoapMessage) -> str | Response:
        if op.header is None:
            return ""
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
        sample = _sample_root(op.output.samples[0].path)
        if op.name not in behaviours.BEHAVIOURS:
            return sample
        element = mock.element(op.output.element.qname)
        request = jsonxml.decode(mock.element(op.input.element.qname), body)
        shaped = behaviours.shape(op.name, request, jsonxml.decode(element, sample))
        encoded: ElementTree.Element = jsonxml.encode(element, shaped)
        return encoded

    def _sample_fault(self, op: Operation, code: str) -> Response:
        samples = [s for f in op.faults for s in f.message.samples]
        detail = _sample_root(samples[0].path) if samples else None
        return _fault(code, f"{op.name} failed (mock {code.split(':')[1]} fault)", detail)


def create_soap_mock_app(backend: SoapMockBackend) -> FastAPI:
    app = FastAPI(title="CAISO SOAP mock", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/{name}")
    async def endpoint(name: str, request: Request) -> Response:
        return backend.answer(name, request.headers.get("soapaction", ""), await request.body())

    @app.get("/_received")
    async def received() -> Response:
        return Response(backend.received or b"", media_type=XML)

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
