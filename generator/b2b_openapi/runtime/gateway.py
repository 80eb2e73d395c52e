"""REST -> SOAP: JSON request -> XSD-valid XML in a SOAP 1.1 envelope with a CAISOWSHeader,
posted to the service endpoint with its SOAPAction; the SOAP answer (or fault) back to JSON."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import httpx
from xmlschema import XMLSchemaValidationError

from .. import jsonxml, soap
from ..errors import one_line
from ..wsdl import load_wsdl
from .spec import Operation, Problem


class SoapGateway:
    """Translates calls of one service; the XSDs come from the server's bundled artifacts."""

    def __init__(self, wsdl: Path, endpoint: str, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.schema = load_wsdl(wsdl).schema
        self.endpoint = endpoint
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self.http.aclose()

    def _element(self, qname: str) -> Any:
        return self.schema.maps.elements[qname]

    def request_xml(self, op: Operation, request: Any, user: str) -> bytes:
        """The SOAP envelope for a (schema-valid) JSON request; 422 when XSD rules that JSON
        Schema cannot express (totalDigits) reject it."""
        try:
            body = jsonxml.encode(self._element(op.request_element), request)
        except (XMLSchemaValidationError, ValueError) as exc:
            raise Problem(422, "Request is not valid for the SOAP service",
                          one_line(str(getattr(exc, "reason", None) or exc))) from None
        return soap.envelope(body, (soap.caiso_header(user),))

    async def call(self, op: Operation, request: Any, user: str) -> Any:
        envelope = self.request_xml(op, request, user)
        try:
            response = await self.http.post(self.endpoint, content=envelope, headers={
                "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{op.soap_action}"'})
        except httpx.HTTPError as exc:
            raise Problem(502, "SOAP service unreachable",
                          f"{self.endpoint}: {one_line(str(exc)) or type(exc).__name__}") from None
        try:
            message = soap.parse(response.content)
        except soap.SoapError as exc:
            raise Problem(502, "Invalid SOAP response",
                          f"HTTP {response.status_code}: {exc}") from None
        if message.fault is not None:
            raise self._fault(op, message.fault)
        assert message.body is not None
        if message.body.tag != op.response_element:
            raise Problem(502, "Invalid SOAP response",
                          f"expected {op.response_element}, got {message.body.tag}")
        try:
            return jsonxml.decode(self._element(op.response_element), message.body)
        except XMLSchemaValidationError as exc:
            raise Problem(502, "SOAP response does not conform to the XSD",
                          one_line(str(exc.reason or exc))) from None

    def _fault(self, op: Operation, fault: soap.SoapFault) -> Problem:
        extra: dict[str, Any] = {"soapFaultCode": fault.code}
        declared = {f"{{{f['namespace']}}}{f['name']}" for f in op.raw.get("x-soap-faults", ())}
        if fault.detail is not None and fault.detail.tag in declared:
            # an undecodable detail still leaves code and string to report
            with contextlib.suppress(XMLSchemaValidationError):
                extra["fault"] = jsonxml.decode(self._element(fault.detail.tag), fault.detail)
        return Problem(400 if fault.is_client else 500, "SOAP fault", fault.string, extra)
