"""REST -> SOAP: JSON request -> XSD-valid XML in a SOAP 1.1 envelope with a CAISOWSHeader,
signed and posted over (mutual) TLS to the service endpoint with its SOAPAction (the wire side
is :mod:`.upstream`); the SOAP answer (or fault) back to JSON."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
from lxml import etree
from xmlschema import XMLSchemaValidationError

from b2b_openapi.codec import jsonxml, rpc, soap
from b2b_openapi.codec.attachments import AttachmentError
from b2b_openapi.codec.attachstream import AttachmentAnswer, PayloadStreaming
from b2b_openapi.codec.faststream import ServiceCodec
from b2b_openapi.codec.payload import CaisoErrorDocument, PayloadCodec, PayloadError
from b2b_openapi.codec.streaming import NotStreamable, StreamError
from b2b_openapi.errors import ArtifactError, one_line
from b2b_openapi.runtime import attachment_bridge, upstream_errors
from b2b_openapi.runtime.spec import Operation, Problem, clip
from b2b_openapi.runtime.streams import ClosingStream
from b2b_openapi.runtime.upstream import Upstream, retry_after, whole_answer
from b2b_openapi.xsd.wsdl import load_wsdl

XML = "text/xml; charset=utf-8"


class SoapGateway:
    """Translates calls of one service; the XSDs come from the server's bundled artifacts."""

    def __init__(self, wsdl: Path, endpoint: str, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 upstream: Upstream | None = None) -> None:
        self.schema = load_wsdl(wsdl).schema
        self.codec = ServiceCodec(wsdl)  # libxml2 + compiled plan, or the reference path
        self.endpoint = endpoint
        self.timeout = timeout  # the whole call's (upstream_errors.Deadline)
        self.upstream = upstream or Upstream()
        self.http = self.upstream.client(timeout, transport)
        self.folder = wsdl.parent  # payload XSDs sit beside the WSDL
        self._codecs: dict[str, tuple[PayloadCodec | None, PayloadCodec | None]] = {}
        self._streaming: dict[str, PayloadStreaming | None] = {}

    async def aclose(self) -> None:
        await self.http.aclose()

    def _element(self, qname: str) -> Any:
        return self.schema.maps.elements[qname]

    def attachments(self, op: Operation) -> tuple[PayloadCodec | None, PayloadCodec | None]:
        """The operation's (request, response) payload codecs (x-caiso-attachment)."""
        if op.id not in self._codecs:
            try:
                self._codecs[op.id] = attachment_bridge.codecs(op, self.folder)
            except (ArtifactError, PayloadError) as exc:  # the server's artifacts/ is broken
                raise Problem(500, "The gateway cannot load the payload XSD",
                              clip(str(exc))) from None
        return self._codecs[op.id]

    def request_content(self, op: Operation, request: Any, user: str,
                        message_id: str | None = None) -> tuple[bytes, str]:
        """(content, Content-Type) of the request: :meth:`request_xml`, unless the request
        carries an attachment (x-caiso-attachment) or is an rpc wrapper."""
        codec = self.attachments(op)[0]
        parts = (op.raw.get("x-soap-rpc") or {}).get("request")
        if codec is None and parts is None:
            return self.request_xml(op, request, user, message_id), XML
        headers: tuple[Any, ...] = (soap.caiso_header(self.upstream.username(user),
                                                      message_id),)
        if codec is None:
            try:
                body = rpc.encode(self.schema, op.request_element, rpc.parts_of(parts or ()),
                                  request)
            except (XMLSchemaValidationError, ValueError, ArithmeticError) as exc:
                raise Problem(422, "Request is not valid for the SOAP service",
                              clip(one_line(str(getattr(exc, "reason", None) or exc)))) \
                    from None
            return self.upstream.sign(soap.envelope(body, headers)), XML
        out = attachment_bridge.outgoing(codec, request)
        form = codec.form
        if form.form == "docattach":
            body = attachment_bridge.value_body(form, self.schema, out.text)
        else:  # the body holds no other part: the REST JSON is the payload alone
            body = ElementTree.Element(op.request_element)
            if form.form == "mtom":
                body = attachment_bridge.carrier_body(form, body, out.text)
        envelope = self.upstream.sign(soap.envelope(body, headers + out.headers))
        return attachment_bridge.package(codec, envelope, out.text)

    def request_xml(self, op: Operation, request: Any, user: str,
                    message_id: str | None = None) -> bytes:
        """The SOAP envelope for a (schema-valid) JSON request; 422 when XSD rules that JSON
        Schema cannot express (totalDigits) reject it, or when xmlschema cannot hold a value
        (its dates and durations overflow with an ArithmeticError): the request is what
        failed, never the server."""
        element = self._element(op.request_element)
        headers = (soap.caiso_header(self.upstream.username(user), message_id),)
        fast = self.codec.request_envelope(element, request, headers)
        if fast is not None:  # built by the plan and valid for libxml2
            return self.upstream.sign(fast)
        try:
            body = jsonxml.encode(element, request)
            # xmlschema's encoder leaves xs:QName prefixes unresolved, and the JSON binds
            # none: the XML is checked once more rather than sent invalid
            element.validate(body)
        except (XMLSchemaValidationError, ValueError, ArithmeticError) as exc:
            raise Problem(422, "Request is not valid for the SOAP service",  # may quote it
                          clip(one_line(str(getattr(exc, "reason", None) or exc)))) from None
        return self.upstream.sign(soap.envelope(body, headers))

    async def call(self, op: Operation, request: Any, user: str,
                   message_id: str | None = None) -> Any:
        """The JSON answer: an async iterator of JSON bytes when the SOAP response streams
        (see :mod:`.streaming`), else the decoded value; faults raise :class:`Problem`."""
        content, content_type = self.request_content(op, request, user, message_id)
        deadline = upstream_errors.Deadline(self.timeout, self.endpoint)
        response = await deadline.send(self.http, self.http.build_request(
            "POST", self.endpoint, content=content, headers={
                "Content-Type": content_type,
                "SOAPAction": f'"{op.soap_action}"'}))
        chunks = deadline.chunks(response)
        try:
            attached = self._attachment_answer(op, response)
        except BaseException:  # the payload XSD cannot be loaded: a 500, the answer unread
            await response.aclose()
            raise
        if attached is None and (response.status_code >= 300
                                 or whole_answer(self.upstream, response, op)):
            # a fault (500), an error that is no answer, a CAISO page, a signed answer
            try:
                problem = upstream_errors.redirect_problem(response, self.endpoint)
                if problem is not None:
                    raise problem
                data = (await upstream_errors.error_body(chunks, self.endpoint,
                                                         response.status_code)
                        if response.status_code >= 300 else
                        b"".join([c async for c in chunks]))
            finally:
                await response.aclose()
            return self._whole(op, data, response)
        if attached is not None:
            return await self._streamed(op, response, chunks, attached.feed, attached.finish,
                                        self._attachment_problem)
        streamer = self.codec.streamer(self._element(op.response_element))
        return await self._streamed(op, response, chunks, lambda c: (streamer.feed(c),),
                                    streamer.finish, _xsd_problem)

    def _attachment_answer(self, op: Operation, response: httpx.Response
                           ) -> AttachmentAnswer | None:
        """The streamed reader of an attachment answer (docs/gateway.md "Streamed
        attachment answers"), or None where the answer is read whole: no payload to
        stream, a signed answer (checked whole), an error status, another form."""
        codec = self.attachments(op)[1]
        if codec is None or self.upstream.reads_whole or response.status_code != 200:
            return None
        if op.id not in self._streaming:
            self._streaming[op.id] = PayloadStreaming.of(codec, self.folder)
        streaming = self._streaming[op.id]
        if streaming is None:
            return None
        return streaming.answer(response.headers.get("content-type", "text/xml"),
                                op.response_element)

    def _attachment_problem(self, error: Exception) -> Problem | None:
        if isinstance(error, AttachmentError | PayloadError | CaisoErrorDocument):
            return attachment_bridge.answer_problem(error, self.schema)
        return _xsd_problem(error)

    async def _streamed(self, op: Operation, response: httpx.Response,
                        chunks: AsyncIterator[bytes],
                        feed: Callable[[bytes], Iterable[bytes]], finish: Callable[[], bytes],
                        problem: Callable[[Exception], Problem | None]) -> Any:
        """A streamed answer: JSON held back until it is large (a failure before is a
        proper 502/504), then passed on as it comes; an answer that turns out not to be
        streamable (``NotStreamable``) is read on and decoded whole."""
        pieces = _pieces(chunks, feed, finish)
        first = bytearray()
        try:
            async for piece in pieces:
                first += piece
                if len(first) >= upstream_errors.HELD_BACK_BYTES:
                    break
            else:  # not large: all read already
                await response.aclose()
                return _once(bytes(first))
        except NotStreamable as exc:
            try:
                rest = b"".join([c async for c in chunks])
            finally:
                await response.aclose()
            return self._whole(op, exc.head + rest, response)
        except Exception as exc:
            await response.aclose()
            mapped = problem(exc)
            if mapped is None:
                raise
            raise mapped from None
        except BaseException:  # the deadline, a dropped connection: nothing left to read
            await response.aclose()
            raise
        return ClosingStream(_rest(bytes(first), pieces), pieces.aclose, response.aclose)

    def _whole(self, op: Operation, data: bytes, response: httpx.Response) -> Any:
        """A fault, or a response shape decoded as one document."""
        status = response.status_code
        raw = data
        data = self.upstream.check(status, response.headers, data, retry_after(op))
        try:
            message = soap.parse(data)
        except soap.SoapError as exc:
            raise upstream_errors.not_soap(status, response.headers, data,
                                           clip(str(exc))) from None
        if message.fault is not None:
            raise self._fault(op, message.fault)
        if status >= 300:
            raise upstream_errors.without_fault(status)
        assert message.body is not None
        if message.body.tag != op.response_element:
            raise Problem(502, "Invalid SOAP response",
                          f"expected {op.response_element}, got {message.body.tag}")
        codec = self.attachments(op)[1]
        if codec is not None:  # the payload document, not the envelope
            return attachment_bridge.answer_json(codec, response.headers.get(
                "content-type", ""), raw, data, self.schema)
        parts = (op.raw.get("x-soap-rpc") or {}).get("response")
        try:
            if parts is not None:
                return rpc.decode(self.schema, message.body, rpc.parts_of(parts))
            return jsonxml.decode(self._element(op.response_element), message.body)
        except (XMLSchemaValidationError, ValueError) as exc:  # ValueError: an rpc part missing
            raise Problem(502, "SOAP response does not conform to the XSD",
                          one_line(str(getattr(exc, "reason", None) or exc))) from None

    def _fault(self, op: Operation, fault: soap.SoapFault) -> Problem:
        extra: dict[str, Any] = {"soapFaultCode": fault.code}
        if fault.detail is not None and fault.detail.tag in op.fault_elements:
            # an undecodable detail still leaves code and string to report
            with contextlib.suppress(XMLSchemaValidationError):
                extra["fault"] = upstream_errors.clipped(
                    jsonxml.decode(self._element(fault.detail.tag), fault.detail))
        return Problem(400 if fault.is_client else 500, "SOAP fault",
                       clip(fault.string), upstream_errors.clipped(extra))


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _xsd_problem(error: Exception) -> Problem | None:
    if isinstance(error, StreamError | XMLSchemaValidationError | etree.XMLSyntaxError):
        return Problem(502, "SOAP response does not conform to the XSD",
                       clip(one_line(str(getattr(error, "reason", None) or error))))
    return None


async def _pieces(chunks: AsyncIterator[bytes], feed: Callable[[bytes], Iterable[bytes]],
                  finish: Callable[[], bytes]) -> AsyncGenerator[bytes, None]:
    """JSON pieces of a streamed answer as its chunks arrive (one chunk can give several:
    an attachment's gzip inflates), the streamer's last piece at the end."""
    async for chunk in chunks:
        for piece in feed(chunk):
            if piece:
                yield piece
    yield finish()


async def _rest(first: bytes, pieces: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The rest of a streamed answer.  An error from here on can only cut the connection
    (the 200 status line is sent): the client sees incomplete JSON, never wrong data.  The
    SOAP response is closed by the :class:`ClosingStream` around it, started or not."""
    yield first
    async for piece in pieces:
        yield piece
