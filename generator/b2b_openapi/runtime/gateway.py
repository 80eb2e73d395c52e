"""REST -> SOAP: JSON request -> XSD-valid XML in a SOAP 1.1 envelope with a CAISOWSHeader,
signed and posted over (mutual) TLS to the service endpoint with its SOAPAction (the wire side
is :mod:`.upstream`); the SOAP answer (or fault) back to JSON."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from lxml import etree
from xmlschema import XMLSchemaValidationError

from .. import jsonxml, soap
from ..errors import one_line
from ..wsdl import load_wsdl
from .spec import Operation, Problem, clip
from .streaming import JsonStreamer, NotStreamable, StreamError
from .upstream import Upstream, describe, retry_after, whole_answer


class SoapGateway:
    """Translates calls of one service; the XSDs come from the server's bundled artifacts."""

    def __init__(self, wsdl: Path, endpoint: str, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 upstream: Upstream | None = None) -> None:
        self.schema = load_wsdl(wsdl).schema
        self.endpoint = endpoint
        self.upstream = upstream or Upstream()
        self.http = self.upstream.client(timeout, transport)

    async def aclose(self) -> None:
        await self.http.aclose()

    def _element(self, qname: str) -> Any:
        return self.schema.maps.elements[qname]

    def request_xml(self, op: Operation, request: Any, user: str,
                    message_id: str | None = None) -> bytes:
        """The SOAP envelope for a (schema-valid) JSON request; 422 when XSD rules that JSON
        Schema cannot express (totalDigits) reject it, or when xmlschema cannot hold a value
        (its dates and durations overflow with an ArithmeticError): the request is what
        failed, never the server."""
        element = self._element(op.request_element)
        try:
            body = jsonxml.encode(element, request)
            # xmlschema's encoder leaves xs:QName prefixes unresolved, and the JSON binds
            # none: the XML is checked once more rather than sent invalid
            element.validate(body)
        except (XMLSchemaValidationError, ValueError, ArithmeticError) as exc:
            raise Problem(422, "Request is not valid for the SOAP service",  # may quote it
                          clip(one_line(str(getattr(exc, "reason", None) or exc)))) from None
        header = soap.caiso_header(self.upstream.username(user), message_id)
        return self.upstream.sign(soap.envelope(body, (header,)))

    async def call(self, op: Operation, request: Any, user: str,
                   message_id: str | None = None) -> Any:
        """The JSON answer: an async iterator of JSON bytes when the SOAP response streams
        (see :mod:`.streaming`), else the decoded value; faults raise :class:`Problem`."""
        envelope = self.request_xml(op, request, user, message_id)
        try:
            response = await self.http.send(self.http.build_request(
                "POST", self.endpoint, content=envelope, headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": f'"{op.soap_action}"'}), stream=True)
        except httpx.HTTPError as exc:
            raise Problem(502, "SOAP service unreachable",
                          f"{self.endpoint}: {describe(exc)}") from None
        if whole_answer(self.upstream, response, op):
            data = await response.aread()
            await response.aclose()
            return self._whole(op, data, response)
        streamer = JsonStreamer(self._element(op.response_element))
        chunks = response.aiter_bytes()
        first = b""
        try:
            async for chunk in chunks:
                first = streamer.feed(chunk)
                if first:
                    break
            else:
                first = streamer.finish()  # small or empty: all read already
                await response.aclose()
                return _once(first)
        except NotStreamable as exc:
            rest = b"".join([c async for c in chunks])
            await response.aclose()
            return self._whole(op, exc.head + rest, response)
        except (StreamError, XMLSchemaValidationError, etree.XMLSyntaxError) as exc:
            await response.aclose()
            raise Problem(502, "SOAP response does not conform to the XSD",
                          one_line(str(getattr(exc, "reason", None) or exc))) from None
        return _rest(first, chunks, streamer, response)

    def _whole(self, op: Operation, data: bytes, response: httpx.Response) -> Any:
        """A fault, or a response shape decoded as one document."""
        status = response.status_code
        data = self.upstream.check(status, response.headers, data, retry_after(op))
        try:
            message = soap.parse(data)
        except soap.SoapError as exc:
            raise Problem(502, "Invalid SOAP response", f"HTTP {status}: {exc}") from None
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
        if fault.detail is not None and fault.detail.tag in op.fault_elements:
            # an undecodable detail still leaves code and string to report
            with contextlib.suppress(XMLSchemaValidationError):
                extra["fault"] = jsonxml.decode(self._element(fault.detail.tag), fault.detail)
        return Problem(400 if fault.is_client else 500, "SOAP fault", fault.string, extra)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _rest(first: bytes, chunks: AsyncIterator[bytes], streamer: JsonStreamer,
                response: httpx.Response) -> AsyncIterator[bytes]:
    """The rest of a streamed answer.  An error from here on can only cut the connection
    (the 200 status line is sent): the client sees incomplete JSON, never wrong data."""
    try:
        yield first
        async for chunk in chunks:
            out = streamer.feed(chunk)
            if out:
                yield out
        yield streamer.finish()
    finally:
        await response.aclose()
