"""Attachment answers (the payload document gzip-compressed, then base64 text) to the
payload's JSON, streamed end to end: the gateway's attachment path (docs/gateway.md,
"Streamed attachment answers").

The answer is never held whole.  Each wire form is parsed as it arrives by a library
parser: DocAttach's envelope by an lxml parser *target* (the ``AttachmentValue`` text is
handed on as it is parsed), SwA's and MTOM's ``multipart/related`` by ``multipart``'s
``PushMultipartParser`` (the envelope part first, then the attachment part's bytes as
they come).  The attachment goes through :class:`AttachmentDecoder`: SHA-1 for the
``attachmentHash`` over the text as it streams, base64 in 4-character-aligned slices,
gunzip in bounded pieces (a gzip of repetitive XML inflates ~1000x per input chunk), and
the payload bytes feed the validating :class:`~.faststream.FastStreamer` with the payload
element as the document's root (:class:`PayloadJson`).

The verdicts are those of the whole-document path (:mod:`.attachments`, :mod:`.payload`):
the hash is compared first, then base64, gzip and the payload XSD, so an answer whose text
fails the hash is a :class:`~.attachments.HashMismatch` whatever else is wrong with it.  The
hash is known only at the attachment's end: an error found there, or anywhere after output
started, can only end the stream (the caller cuts the connection).  Until the attachment's
text starts, the bytes read are kept (``head``): an answer that is not the expected shape (a
fault, another body element, no attachment, a MIME layout this path does not take) raises
:class:`~.streaming.NotStreamable` with them, for the whole-document path to judge.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import importlib
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree
from xmlschema import XMLSchemaValidationError

from b2b_openapi.codec import attachments
from b2b_openapi.codec.attachments import (
    AttachmentError,
    BadBase64,
    BadGzip,
    BadMime,
    HashMismatch,
)
from b2b_openapi.codec.faststream import FastStreamer, ServiceCodec
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.payload import PayloadCodec, PayloadError
from b2b_openapi.codec.plan import Plan
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.codec.streaming import BODY, FAULT, NotStreamable, StreamError
from b2b_openapi.codec.validation import compile_document
from b2b_openapi.xsd.content import content_layout

GZIP_MAGIC = b"\x1f\x8b"
PIECE = 1 << 18  # inflated bytes per step: a gzip of repetitive XML expands ~1000x
SLICE = 1 << 10  # answer bytes parsed per step
ERROR_DOCUMENT_BYTES = 1 << 22  # a payload that is not the payload element, judged whole
_SPACE = re.compile(rb"\s+")
_BLANKS = b" \t\r\n"
_HASH_VALUE = f"{{{attachments.ATTACHMENT_HASH_NS}}}hashValue"
_INCLUDE = f"{{{attachments.XOP_NS}}}Include"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_XSD_ERRORS = (StreamError, NotStreamable, XMLSchemaValidationError, etree.XMLSyntaxError)


class Base64Text:
    """Incremental base64 -> bytes, in 4-character-aligned slices (blanks ignored, as
    MIME's 76-character lines have them)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, text: bytes) -> bytes:
        data = self.pending + _SPACE.sub(b"", text)
        usable = len(data) - len(data) % 4
        self.pending = data[usable:]
        if not usable:
            return b""
        try:
            return binascii.a2b_base64(data[:usable], strict_mode=True)
        except binascii.Error as exc:
            raise BadBase64(f"the attachment is not base64: {exc}") from None

    def finish(self) -> None:
        if self.pending:
            raise BadBase64("the attachment is not base64: its text is truncated")


class Gunzip:
    """Incremental gunzip in pieces of at most :data:`PIECE` bytes.  ``require`` (the
    gateway's rule, as :func:`.attachments.decode`): the data must be gzip; else plain XML
    (a ``compressFlag`` of ``no``) is passed through, told by gzip's magic number."""

    def __init__(self, require: bool = True) -> None:
        self.require = require
        self.inflate: Any = None
        self.started = False
        self.plain = False
        self.head = b""

    def feed(self, raw: bytes) -> Iterator[bytes]:
        if not self.started:
            self.head += raw
            if len(self.head) < len(GZIP_MAGIC):
                return
            raw, self.head, self.started = self.head, b"", True
            if raw.startswith(GZIP_MAGIC):
                self.inflate = zlib.decompressobj(wbits=31)
            elif self.require:
                raise BadGzip(f"the attachment is not gzip data: Not a gzipped file "
                              f"({raw[:2]!r})")
            else:
                self.plain = True
        if self.plain:
            yield raw
            return
        try:
            while raw:
                if self.inflate.eof:  # a further gzip member, as gzip.decompress reads on
                    if not raw.strip(b"\0"):  # gzip's trailing padding
                        return
                    self.inflate = zlib.decompressobj(wbits=31)
                yield bytes(self.inflate.decompress(raw, PIECE))
                raw = self.inflate.unconsumed_tail or (
                    self.inflate.unused_data if self.inflate.eof else b"")
        except zlib.error as exc:
            raise BadGzip(f"the attachment is not gzip data: {exc}") from None

    def finish(self) -> bytes:
        if not self.started:  # nothing at all is no document, as the whole path says
            if self.head:
                raise BadGzip("the attachment is not gzip data: it is too short")
            return b""
        if self.plain:
            return b""
        tail = bytes(self.inflate.flush())
        if not self.inflate.eof:
            raise BadGzip("the attachment is not gzip data: it is truncated")
        return tail


class Base64Gunzip:
    """Incremental base64 -> (gunzip) -> bytes (the in-process decoder; whether the payload
    is compressed is seen from its first bytes)."""

    def __init__(self, require_gzip: bool = False) -> None:
        self.text = Base64Text()
        self.gunzip = Gunzip(require_gzip)

    def feed(self, text: bytes) -> Iterator[bytes]:
        """The payload bytes of more base64 text, in pieces of at most :data:`PIECE`."""
        yield from self.gunzip.feed(self.text.feed(text))

    def finish(self) -> bytes:
        self.text.finish()
        return self.gunzip.finish()


class TextHash:
    """The attachment text's ``attachmentHash`` as it streams: SHA-1 of the text, blanks at
    its ends left out (:func:`.attachments.attachment_hash`'s rule); ``binary`` (MTOM): of
    the base64 text XOP resolution writes for the part's bytes."""

    def __init__(self, binary: bool = False) -> None:
        self.sha = hashlib.sha1()
        self.binary = binary
        self.started = False
        self.blanks = b""
        self.rest = b""  # binary: bytes not yet a multiple of 3

    def update(self, data: bytes) -> None:
        if self.binary:
            data = self.rest + data
            usable = len(data) - len(data) % 3
            self.rest = data[usable:]
            self.sha.update(binascii.b2a_base64(data[:usable], newline=False))
            return
        if not self.started:
            data = data.lstrip(_BLANKS)
            if not data:
                return
            self.started = True
        body = data.rstrip(_BLANKS)
        if body:
            self.sha.update(self.blanks)
            self.sha.update(body)
            self.blanks = data[len(body):]
        else:
            self.blanks += data

    def check(self, expected: str | None) -> None:
        if self.binary:
            self.sha.update(binascii.b2a_base64(self.rest, newline=False))
            self.rest = b""
        got = base64.b64encode(self.sha.digest()).decode()
        if expected is not None and got != expected.strip():
            raise HashMismatch(f"the attachment's SHA-1 is {got}, its attachmentHash says "
                               f"{expected.strip()}")


class PayloadJson:
    """Payload XML bytes -> the payload's JSON, streamed by the validating
    :class:`FastStreamer`, the same bytes as ``dumps(PayloadCodec.to_json(xml))``.  A
    document whose root is another element (CAISO's error document, anything else) is
    judged whole by :meth:`PayloadCodec.to_json`, as before; any other failure is a
    :class:`PayloadError` naming the payload XSD."""

    def __init__(self, streaming: PayloadStreaming) -> None:
        self.streaming = streaming
        self.probe: etree.XMLPullParser | None = etree.XMLPullParser(
            events=("start",), resolve_entities=False, no_network=True, huge_tree=True)
        self.head = bytearray()
        self.streamer: FastStreamer | None = None
        self.whole = False
        self.root = ""

    def _invalid(self, exc: Exception) -> PayloadError:
        reason = str(getattr(exc, "reason", None) or exc).removeprefix(
            "SOAP response does not conform to the XSD: ")
        return PayloadError(f"{self.streaming.codec.form.schema_file}: {reason}")

    def _stream(self, xml: bytes) -> bytes:
        assert self.streamer is not None
        try:
            return self.streamer.feed(xml)
        except _XSD_ERRORS as exc:
            raise self._invalid(exc) from None

    def feed(self, xml: bytes) -> bytes:
        if self.streamer is not None:
            return self._stream(xml)
        self.head += xml
        if self.whole:
            if len(self.head) > ERROR_DOCUMENT_BYTES:
                raise PayloadError(f"the attachment holds {self.root}, not "
                                   f"{self.streaming.codec.form.element}")
            return b""
        assert self.probe is not None
        try:
            self.probe.feed(xml)
            events = list(self.probe.read_events())
        except etree.XMLSyntaxError:
            self.whole, self.root, self.probe = True, "no XML", None  # to_json says why
            return b""
        if not events:
            return b""
        first: Any = events[0][1]
        self.root, self.probe = first.tag, None
        if self.root != self.streaming.codec.form.element:
            self.whole = True
            return b""
        self.streamer = self.streaming.streamer()
        head, self.head = bytes(self.head), bytearray()
        return self._stream(head)

    def finish(self) -> bytes:
        if self.streamer is None:  # not the payload element: the whole path's verdict
            return dumps(self.streaming.codec.to_json(bytes(self.head)))
        try:
            return self.streamer.finish()
        except _XSD_ERRORS as exc:
            raise self._invalid(exc) from None


class AttachmentDecoder:
    """The attachment's text (or MTOM's binary part) -> hash, base64, gunzip -> JSON.

    A failure is kept, not raised, while the text can still fail its hash (which wins, as
    in the whole path); it is raised by :meth:`finish`, or at once when there is no hash
    to compare."""

    def __init__(self, streaming: PayloadStreaming, binary: bool = False,
                 expected_hash: Callable[[], str | None] = lambda: None) -> None:
        self.hash = TextHash(binary)
        self.binary = binary
        self.text = Base64Text()
        self.gunzip = Gunzip()
        self.payload = PayloadJson(streaming)
        self.expected_hash = expected_hash
        self.failed: Exception | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        self.hash.update(data)
        if self.failed is not None:
            return
        try:
            for xml in self.gunzip.feed(data if self.binary else self.text.feed(data)):
                out = self.payload.feed(xml)
                if out:
                    yield out
        except (AttachmentError, PayloadError) as exc:
            if self.expected_hash() is None:
                raise
            self.failed = exc

    def finish(self) -> bytes:
        self.hash.check(self.expected_hash())
        if self.failed is not None:
            raise self.failed
        if not self.binary:
            self.text.finish()
        tail = self.gunzip.finish()
        return (self.payload.feed(tail) if tail else b"") + self.payload.finish()


@dataclass(frozen=True)
class PayloadStreaming:
    """What streaming one operation's answer payload needs: its codec, the payload XSD
    compiled for libxml2 and a conversion plan."""

    codec: PayloadCodec
    schema: etree.XMLSchema
    plan: Plan

    @classmethod
    def of(cls, codec: PayloadCodec, folder: Path) -> PayloadStreaming | None:
        """None when the payload cannot stream: libxml2 refuses its XSD, or the payload
        element is not an element-only type without wildcards (the whole path then)."""
        xsd_type = codec.element.type
        if not xsd_type.is_complex() or xsd_type.simple_type is not None \
                or content_layout(xsd_type).wildcards:
            return None
        schema = compile_document(folder / codec.form.schema_file)
        return None if schema is None else cls(codec, schema, Plan())

    def streamer(self) -> FastStreamer:
        return FastStreamer(self.codec.element, self.schema, self.plan, enveloped=False)

    def answer(self, content_type: str, response_element: str) -> AttachmentAnswer | None:
        """The streamed reader of an answer with this Content-Type, or None when its form
        is not the one the operation declares (the whole path judges it)."""
        media = content_type.partition(";")[0].strip().lower()
        form = self.codec.form.form
        if form == "docattach" and "xml" in media:
            return DocAttachAnswer(self, response_element)
        if form in ("swa", "mtom") and media == "multipart/related" and push_multipart():
            return MultipartAnswer(self, response_element, content_type)
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class AttachmentAnswer:
    """A SOAP answer carrying an attachment, fed as it arrives: :meth:`feed` yields JSON
    pieces, :meth:`finish` the last one.  ``head`` keeps the bytes read until the
    attachment's text starts (then nothing is kept)."""

    def __init__(self, streaming: PayloadStreaming, response_element: str) -> None:
        self.streaming = streaming
        self.response_element = response_element
        form = streaming.codec.form
        self.names = {form.value_element, form.part} - {None}
        self.head = bytearray()
        self.committed = False
        self.hash: str | None = None
        self.decoder: AttachmentDecoder | None = None
        self.out: list[bytes] = []

    def _fallback(self, reason: str) -> NotStreamable:
        return NotStreamable(reason, bytes(self.head))

    def _commit(self, binary: bool) -> AttachmentDecoder:
        self.committed = True
        self.head = bytearray()
        self.decoder = AttachmentDecoder(self.streaming, binary, lambda: self.hash)
        return self.decoder

    def _body_check(self, tag: str) -> None:
        if tag == FAULT or tag != self.response_element:
            raise self._fallback(f"the body holds {tag}")

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if not self.committed:
            self.head += chunk
        # in slices: a few KB of base64 gzip can inflate to MBs, whose JSON is held until
        # the slice is parsed
        for start in range(0, len(chunk), SLICE):
            self._write(chunk[start:start + SLICE])
            if self.out:
                out = b"".join(self.out)
                self.out.clear()
                yield out

    def _decode(self, data: bytes) -> None:
        assert self.decoder is not None
        self.out.extend(self.decoder.feed(data))

    def finish(self) -> bytes:
        raise NotImplementedError


class _DocAttachTarget:
    """lxml parser target of a DocAttach envelope: the body element checked, the
    ``attachmentHash`` read, the value element's text handed on as it is parsed."""

    def __init__(self, answer: DocAttachAnswer) -> None:
        self.answer = answer
        self.path: list[str] = []
        self.checked = False
        self.inside = False
        self.seen = False
        self.hash: list[str] | None = None

    def start(self, tag: str, attrib: Any) -> None:
        answer = self.answer
        if self.inside:
            raise BadBase64(f"the attachment is not base64: an element {tag} inside it")
        if len(self.path) == 2 and self.path[1] == BODY and not self.checked:
            answer._body_check(tag)
            self.checked = True
        self.path.append(tag)
        if tag == _HASH_VALUE:
            self.hash = []
        elif self.checked and not self.seen and _local(tag) in answer.names:
            self.inside = self.seen = True
            answer._commit(binary=False)

    def end(self, tag: str) -> None:
        self.path.pop()
        if tag == _HASH_VALUE and self.hash is not None:
            self.answer.hash = "".join(self.hash).strip()
            self.hash = None
        elif self.inside:
            self.inside = False

    def data(self, text: str) -> None:
        if self.hash is not None:
            self.hash.append(text)
        elif self.inside:
            self.answer._decode(text.encode("ascii", "replace"))

    def close(self) -> None:
        pass


class DocAttachAnswer(AttachmentAnswer):
    """DocAttach: the base64 text is the body's value element (``AttachmentValue``)."""

    def __init__(self, streaming: PayloadStreaming, response_element: str) -> None:
        super().__init__(streaming, response_element)
        self.target = _DocAttachTarget(self)
        self.parser = etree.XMLParser(target=self.target,  # type: ignore[arg-type]
                                      huge_tree=True, resolve_entities=False,
                                      no_network=True)

    def _write(self, data: bytes) -> None:
        try:
            self.parser.feed(data)
        except etree.XMLSyntaxError as exc:
            if not self.committed:
                raise self._fallback(str(exc)) from None
            raise StreamError(f"SOAP response is not well-formed XML: {exc}") from None

    def finish(self) -> bytes:
        try:
            self.parser.close()
        except etree.XMLSyntaxError as exc:
            if not self.committed:
                raise self._fallback(str(exc)) from None
            raise StreamError(f"SOAP response is not well-formed XML: {exc}") from None
        if self.decoder is None:
            raise self._fallback("no attachment in the answer")
        return b"".join(self.out) + self.decoder.finish()


@functools.cache
def push_multipart() -> Any | None:
    """``multipart``'s module (its push parser reads ``multipart/related`` as it arrives,
    folded MIME headers included), or None where it is missing or shadowed by
    python-multipart's compatibility package of the same import name (which has no push
    parser): SwA and MTOM answers are then read whole, as before."""
    try:
        module = importlib.import_module("multipart")
    except ImportError:
        return None
    return module if hasattr(module, "PushMultipartParser") else None


class MultipartAnswer(AttachmentAnswer):
    """SwA and MTOM: a ``multipart/related`` answer parsed by ``multipart``'s push parser
    as it arrives.  The root part (the envelope) must come first; SwA's one attachment
    part, or the part MTOM's ``xop:Include`` names, is decoded as its bytes arrive (its
    transfer encoding base64 or none)."""

    def __init__(self, streaming: PayloadStreaming, response_element: str,
                 content_type: str) -> None:
        super().__init__(streaming, response_element)
        self.mtom = streaming.codec.form.form == "mtom"
        mime = push_multipart()
        assert mime is not None  # PayloadStreaming.answer makes no MultipartAnswer without
        self.mime: Any = mime
        _, params = self.mime.parse_options_header(content_type)
        self.start = params.get("start", "").strip().strip("<>")
        self.parser: Any = None
        if params.get("boundary"):
            with contextlib.suppress(self.mime.MultipartError):  # unusable: no parser
                self.parser = self.mime.PushMultipartParser(params["boundary"])
                # multipart/related parts carry no Content-Disposition: the segment hook
                # multipart's documentation names for other multipart types
                self.parser._create_segment = self.mime.MultipartSegment
        self.parts = 0
        self.envelope: bytearray | None = None
        self.wanted: str | None = None  # MTOM: the Content-ID the carrier names
        self.includes: set[str] = set()
        self.seen: set[str] = set()
        self.role = "skip"
        self.transfer: Base64Text | None = None

    def _segment(self, segment: Any) -> None:
        self.parts += 1
        headers = {name.lower(): value for name, value in segment.headerlist}
        cid = headers.get("content-id", "").strip().strip("<>")
        if self.parts == 1:
            if self.start and cid != self.start:
                raise self._fallback("the envelope is not the first part")
            self.role, self.envelope = "envelope", bytearray()
            return
        self.seen.add(cid)
        encoding = headers.get("content-transfer-encoding", "binary").strip().lower()
        if not (self.wanted == cid if self.mtom else self.parts == 2):
            self.role = "skip"
            return
        if encoding not in ("base64", "binary", "8bit", "7bit"):
            raise self._fallback(f"a {encoding} attachment part")
        self.transfer = Base64Text() if encoding == "base64" else None
        self.role = "attachment"
        self._commit(binary=self.mtom)

    def _data(self, data: bytes) -> None:
        if self.role == "envelope":
            assert self.envelope is not None
            self.envelope += data
        elif self.role == "attachment":
            self._decode(self.transfer.feed(data) if self.transfer is not None else data)

    def _part_end(self) -> None:
        if self.role == "envelope":
            self._read_envelope()
        elif self.role == "attachment" and self.transfer is not None:
            self.transfer.finish()
        self.role = "skip"

    def _read_envelope(self) -> None:
        """The root part: the body element checked, the hash and (MTOM) the carrier's
        Content-ID read; anything unexpected goes to the whole path."""
        assert self.envelope is not None
        try:
            root = etree.fromstring(bytes(self.envelope), etree.XMLParser(
                resolve_entities=False, no_network=True, huge_tree=True))
        except etree.XMLSyntaxError as exc:
            raise self._fallback(str(exc)) from None
        body = root.find(BODY)
        if root.tag != _ENVELOPE or body is None or len(body) == 0:
            raise self._fallback("no SOAP 1.1 body")
        self._body_check(body[0].tag)
        found = root.find(f".//{_HASH_VALUE}")
        self.hash = (found.text or "").strip() if found is not None else None
        self.includes = {unquote(e.get("href", "")[4:]) for e in root.iter(_INCLUDE)}
        if self.mtom:
            carrier = next((e for e in root.iter() if isinstance(e.tag, str)
                            and _local(e.tag) in self.names), None)
            include = carrier.find(_INCLUDE) if carrier is not None else None
            if include is None or not include.get("href", "").startswith("cid:"):
                raise self._fallback("no xop:Include in the carrier element")
            self.wanted = unquote(include.get("href", "")[4:])
        self.envelope = None

    def _parse(self, data: bytes) -> None:
        if self.parser is None:
            raise self._fallback("a multipart answer without a usable boundary")
        try:
            for event in self.parser.parse(data):
                if isinstance(event, self.mime.MultipartSegment):
                    self._segment(event)
                elif event is None:
                    self._part_end()
                else:
                    self._data(bytes(event))
        except self.mime.MultipartError as exc:
            if not self.committed:
                raise self._fallback(str(exc)) from None
            raise BadMime(f"malformed multipart answer: {exc}") from None

    def _write(self, data: bytes) -> None:
        if data:
            self._parse(data)

    def finish(self) -> bytes:
        self._parse(b"")  # the end: an unfinished stream is malformed
        if self.decoder is None:
            raise self._fallback("no attachment part in the answer")
        if not self.mtom and self.parts != 2:
            raise BadMime(f"a SOAP with Attachments answer has one attachment part, not "
                          f"{self.parts - 1}")
        missing = sorted(self.includes - self.seen)
        if missing:
            raise BadMime(f"xop:Include names part {missing[0]!r}, which the answer does "
                          "not hold")
        return b"".join(self.out) + self.decoder.finish()


class _Envelope:
    """lxml parser target: the character data of the attachment element goes to a
    decoder as it arrives; everything else of the envelope is skipped."""

    def __init__(self, value_tag: str, sink: Callable[[bytes], bytes]) -> None:
        self.value_tag = value_tag
        self.sink = sink  # payload bytes -> JSON bytes
        self.inside = False
        self.seen = False
        self.decoder = Base64Gunzip()
        self.out: list[bytes] = []

    def start(self, tag: str, attrib: Any) -> None:
        if tag == self.value_tag:
            if self.seen:
                raise BadMime(f"more than one {tag}")
            self.inside = self.seen = True
        elif self.inside:
            raise BadBase64(f"the attachment is not base64: an element inside "
                            f"{self.value_tag}")

    def end(self, tag: str) -> None:
        if tag == self.value_tag:
            self.inside = False
            self.out.append(self.sink(self.decoder.finish()))

    def data(self, text: str) -> None:
        if self.inside:
            for piece in self.decoder.feed(text.encode("ascii", "replace")):
                self.out.append(self.sink(piece))

    def close(self) -> None:
        if not self.seen:
            raise BadMime(f"no {self.value_tag} in the answer")


def stream_attachment_json(chunks: Iterable[bytes], codec: ServiceCodec, payload_element: Any,
                           value_tag: str) -> Iterator[bytes]:
    """JSON of the payload document attached to a SOAP answer, chunk by chunk, where the
    payload element is declared by the service itself (no payload XSD, no hash).

    ``value_tag`` names the element holding the base64 text (``AttachmentValue`` of
    CAISO's ISOAttachment); ``codec`` is the service, or the payload XSD, that declares
    ``payload_element``, whose schemas libxml2 must compile."""
    if codec.schema is None:
        raise AttachmentError("the payload's schemas do not compile in libxml2")
    streamer = FastStreamer(payload_element, codec.schema, codec.plan, enveloped=False)
    target = _Envelope(value_tag, streamer.feed)
    parser = etree.XMLParser(target=target,  # type: ignore[arg-type]  # stubs: all callbacks
                             huge_tree=True, resolve_entities=False, no_network=True)
    for chunk in chunks:
        for start in range(0, len(chunk), SLICE):
            parser.feed(chunk[start:start + SLICE])
            out = b"".join(target.out)
            target.out.clear()
            if out:
                yield out
    parser.close()
    yield b"".join(target.out) + streamer.finish()
