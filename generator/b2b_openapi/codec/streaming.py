"""Decode a SOAP response to JSON while it arrives, in bounded memory.

CMRI and OASIS answers reach tens of megabytes, nearly all of it a long run of repeated
children of the response element (``DefaultBidCurve``, ``REPORT_ITEM``...).  Instead of
building the whole tree, decoding it and serialising the result, the envelope is fed to
lxml's pull parser chunk by chunk; every child of the response element is decoded on its
own with the same converter (so the bytes equal :func:`b2b_openapi.codec.jsonio.dumps` of
the full decode) and dropped from the tree once written.  Memory stays at one child plus
the parser's buffers.

What a per-child decode cannot check - the response element's own content model (which
children, how many) - is checked from the counts at the end; a violation raises
:class:`StreamError` mid-stream, which a server turns into a dropped connection (the status
line has been sent), never into silently truncated data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree
from xmlschema.validators.exceptions import XMLSchemaChildrenValidationError

from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.jsonxml import B2BJsonConverter
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.xsd.content import content_layout, local_name

BODY = f"{{{SOAP_ENV}}}Body"
FAULT = f"{{{SOAP_ENV}}}Fault"


class NotStreamable(Exception):
    """The answer is a fault or not of a streamable shape; ``head`` holds the bytes read."""

    def __init__(self, reason: str, head: bytes) -> None:
        super().__init__(reason)
        self.head = head


class StreamError(ValueError):
    """The streamed document turned out invalid after output had started."""


def _root_attributes(xsd_element: Any, start: Any) -> dict[str, Any]:
    """The root's attributes decoded exactly as the full decode does (defaults included):
    decode an empty shell and ignore only the missing-children errors."""
    shell = etree.Element(start.tag, dict(start.attrib), nsmap=start.nsmap)
    value, errors = xsd_element.decode(shell, converter=B2BJsonConverter, validation="lax")
    real = [e for e in errors if not isinstance(e, XMLSchemaChildrenValidationError)]
    if real:
        raise StreamError(f"invalid response element attributes: {real[0].reason}")
    return value if isinstance(value, dict) else {}


class JsonStreamer:
    """Push-style decoder: :meth:`feed` envelope bytes, get JSON bytes back; :meth:`finish`
    at the end.  Raises :class:`NotStreamable` before producing any output when the body is
    a fault or the response type is not an element-only type without wildcards (callers
    fall back to the whole-document path with ``head``, the bytes read so far)."""

    def __init__(self, xsd_element: Any) -> None:
        self.element = xsd_element
        xsd_type = xsd_element.type
        self.layout = content_layout(xsd_type) if xsd_type.is_complex() else None
        self.simple = xsd_type.simple_type is not None
        self.parser = self._parser()
        self.head = bytearray()
        self.started = False
        self.done = False
        self.depth = 0
        self.root: Any = None
        self.counts: dict[str, int] = {}
        self.current: str | None = None
        self.separator = b""

    def _parser(self) -> Any:
        return etree.XMLPullParser(events=("start", "end"), huge_tree=True,
                                   resolve_entities=False, no_network=True)

    def _value_json(self, slot: Any, elem: Any) -> bytes:
        """JSON of one child of the response element, checked against its declaration."""
        return dumps(slot.element.decode(elem, converter=B2BJsonConverter, validation="strict"))

    def feed(self, chunk: bytes) -> bytes:
        if not self.started:
            self.head += chunk
        self.parser.feed(chunk)
        out = bytearray()
        for event, elem in self.parser.read_events():
            if self.done:
                continue
            if event == "start":
                self.depth += 1
                if self.depth == 3 and self.root is None:
                    self._check_root(elem)
                continue
            self.depth -= 1
            if self.root is None:
                continue
            if self.depth == 2 and elem is self.root:
                self.done = True
            elif self.depth == 3:
                out += self._item(elem)
        return bytes(out)

    def _check_root(self, elem: Any) -> None:
        layout = self.layout
        if elem.tag == FAULT or elem.tag != self.element.name or layout is None \
                or layout.wildcards or self.simple:
            raise NotStreamable(f"not streamable: {elem.tag}", bytes(self.head))
        self.root = elem

    def _item(self, elem: Any) -> bytes:
        assert self.layout is not None
        out = bytearray()
        if not self.started:
            attributes = _root_attributes(self.element, self.root)
            out += dumps(attributes)[:-1]  # "{...attrs" without the closing brace
            self.started = True
            self.separator = b"," if attributes else b""
        key = local_name(elem.tag)
        slot = self.layout.by_key.get(key)
        if slot is None or slot.element.name != elem.tag:
            raise StreamError(f"unexpected element {elem.tag} in {self.element.name}")
        value = self._value_json(slot, elem)
        if key != self.current:
            if self.current is not None and _multiple(self.layout, self.current):
                out += b"]"
            if key in self.counts:
                raise StreamError(f"{key} out of schema order in {self.element.name}")
            out += self.separator + dumps(key) + (b":[" if slot.multiple else b":")
            self.separator = b","
            self.current = key
        elif slot.multiple:
            out += b","
        else:
            raise StreamError(f"{key} repeated in {self.element.name}")
        out += value
        self.counts[key] = self.counts.get(key, 0) + 1
        elem.clear()
        while elem.getprevious() is not None:
            del self.root[0]
        return bytes(out)

    def finish(self) -> bytes:
        if self.root is None or not self.done:
            raise NotStreamable("no complete response element", bytes(self.head))
        if not self.started:  # an empty response element
            return dumps(_root_attributes(self.element, self.root))
        assert self.layout is not None
        out = b"]" if self.current is not None and _multiple(self.layout, self.current) else b""
        for key, slot in self.layout.by_key.items():
            count = self.counts.get(key, 0)
            if count < slot.min_occurs or 0 < count < slot.min_items:
                raise StreamError(f"{self.element.name}: {key} occurs {count} times, fewer "
                                  "than the schema requires")
        return out + b"}"


def stream_json(chunks: Iterable[bytes], xsd_element: Any) -> Iterator[bytes]:
    """JSON text of the SOAP response body element ``xsd_element``, chunk by chunk."""
    streamer = JsonStreamer(xsd_element)
    for chunk in chunks:
        out = streamer.feed(chunk)
        if out:
            yield out
    yield streamer.finish()


def _multiple(layout: Any, key: str) -> bool:
    return bool(layout.by_key[key].multiple)
