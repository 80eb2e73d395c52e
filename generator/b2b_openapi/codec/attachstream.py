"""Attachment answers (CAISO's DocAttach form: the payload document gzip-compressed, then
base64 text inside the SOAP body) to the payload's JSON, streamed end to end.

The attachment text is never held whole: an lxml parser *target* receives the envelope's
character data as it is parsed, the base64 text of the attachment element is decoded in
4-character-aligned slices, gunzipped incrementally (plain XML is passed through: a
``compressFlag`` of ``no``), and the payload bytes feed the same validating fast parser
as an inline answer (:class:`~.faststream.FastStreamer` with the payload element as the
document's root).  Memory stays at a few parser buffers, whatever the payload's size.
"""

from __future__ import annotations

import binascii
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lxml import etree

from b2b_openapi.codec.faststream import FastStreamer, ServiceCodec

GZIP_MAGIC = b"\x1f\x8b"
PIECE = 1 << 18  # inflated bytes per step: a gzip of repetitive XML expands ~1000x
SLICE = 1 << 10  # answer bytes parsed per step
_SPACE = re.compile(rb"\s+")


class AttachmentError(ValueError):
    """The attachment is not base64 text of a (gzip-compressed) document, or is missing."""


class Base64Gunzip:
    """Incremental base64 -> (gunzip) -> bytes.  Whether the payload is compressed is seen
    from its first bytes (gzip's magic number)."""

    def __init__(self) -> None:
        self.pending = b""
        self.inflate: Any = None
        self.started = False

    def feed(self, text: bytes) -> Iterator[bytes]:
        """The payload bytes of more base64 text, in pieces of at most :data:`PIECE`."""
        data = self.pending + _SPACE.sub(b"", text)
        usable = len(data) - len(data) % 4
        self.pending = data[usable:]
        if not usable:
            return
        try:
            raw = binascii.a2b_base64(data[:usable], strict_mode=True)
        except binascii.Error as exc:
            raise AttachmentError(f"the attachment is not base64 text: {exc}") from None
        if not self.started:
            self.started = True
            if raw.startswith(GZIP_MAGIC):
                self.inflate = zlib.decompressobj(wbits=31)
        if self.inflate is None:
            yield raw
            return
        try:
            while raw:
                yield bytes(self.inflate.decompress(raw, PIECE))
                raw = self.inflate.unconsumed_tail
        except zlib.error as exc:
            raise AttachmentError(f"the attachment is not valid gzip data: {exc}") from None

    def finish(self) -> bytes:
        if self.pending:
            raise AttachmentError("the attachment's base64 text is truncated")
        if self.inflate is None:
            return b""
        tail = bytes(self.inflate.flush())
        if not self.inflate.eof:
            raise AttachmentError("the attachment's gzip data is truncated")
        return tail


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
                raise AttachmentError(f"more than one {tag}")
            self.inside = self.seen = True
        elif self.inside:
            raise AttachmentError(f"an element inside {self.value_tag}")

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
            raise AttachmentError(f"no {self.value_tag} in the answer")


def stream_attachment_json(chunks: Iterable[bytes], codec: ServiceCodec, payload_element: Any,
                           value_tag: str) -> Iterator[bytes]:
    """JSON of the payload document attached to a SOAP answer, chunk by chunk.

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
        # in slices: a few KB of base64 gzip can inflate to MBs, whose JSON is held until
        # the slice is parsed
        for start in range(0, len(chunk), SLICE):
            parser.feed(chunk[start:start + SLICE])
            out = b"".join(target.out)
            target.out.clear()
            if out:
                yield out
    parser.close()
    yield b"".join(target.out) + streamer.finish()
