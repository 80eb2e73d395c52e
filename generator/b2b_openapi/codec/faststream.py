"""The gateway's fast SOAP -> JSON path: libxml2 validates while lxml parses, a compiled
:class:`~.plan.Plan` converts, orjson writes.

It streams exactly as :class:`b2b_openapi.codec.streaming.JsonStreamer` does (one child
of the response element at a time, dropped once written), with two differences that come
from libxml2: validity is known only when the document has been parsed to its end (lxml
reports validation errors of a streamed parse on close), and everything is checked, not
only each child.  So that a small invalid answer is still a clean 502 rather than a cut
connection, output is held back until :data:`HOLD_BYTES` of the document have been read: a
document shorter than that is judged whole before the first byte goes out.  A longer one
that turns out invalid ends in :class:`StreamError` after its valid-looking prefix, which
the server turns into a cut connection - the caller sees incomplete JSON, as with the
reference path.

:class:`ServiceCodec` picks the path per service: the fast one when libxml2 compiles the
service's schemas, the reference one otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from lxml import etree
from xmlschema import XMLSchemaValidationError

from b2b_openapi.codec import fastjson
from b2b_openapi.codec.encode import EncodePlan, Unplanned, envelope, namespaces
from b2b_openapi.codec.plan import Convert, Plan
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.codec.streaming import BODY, JsonStreamer, NotStreamable, StreamError
from b2b_openapi.codec.validation import compile_service
from b2b_openapi.xsd.content import content_layout

ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
HOLD_BYTES = 1 << 18  # 256 KiB: most answers are judged whole, memory stays small
WRITE_BYTES = 1 << 16


class FastStreamer(JsonStreamer):
    """:class:`JsonStreamer` over a validating parser and a compiled plan."""

    def __init__(self, xsd_element: Any, schema: etree.XMLSchema, plan: Plan,
                 hold: int = HOLD_BYTES, *, write: int = WRITE_BYTES,
                 enveloped: bool = True) -> None:
        self.write = write
        self.enveloped = enveloped  # False: the element is the document's root (an attachment)
        self.schema = schema
        self.plan = plan
        self.hold = hold
        self.read = 0
        self.pending = bytearray()
        self.converters: dict[str, Convert] = {}
        super().__init__(xsd_element)

    def _parser(self) -> Any:
        # events only for the response element and its children's tags, filtered in C:
        # the Python loop runs per child, not per element of the document
        tags = {self.element.name}
        if self.element.type.is_complex():
            tags.update(slot.element.name for slot in content_layout(self.element.type).children)
        return etree.XMLPullParser(events=("start", "end"), tag=sorted(tags),
                                   schema=self.schema, huge_tree=True,
                                   resolve_entities=False, no_network=True)

    def _check_root(self, elem: Any) -> None:
        if not self.enveloped:
            if elem.getparent() is not None:
                raise NotStreamable(f"{elem.tag} is not the document's root", bytes(self.head))
            super()._check_root(elem)
            return
        body = elem.getparent()
        if body is None or body.tag != BODY or body.getparent() is None \
                or body.getparent().tag != ENVELOPE:
            raise NotStreamable(f"not a SOAP 1.1 envelope: {elem.tag}", bytes(self.head))
        super()._check_root(elem)

    def _events(self, chunk: bytes) -> bytes:
        """Like the reference's loop, from parentage instead of depth (the events are
        filtered): the response element's start, then its children's ends."""
        if not self.started:
            self.head += chunk
        self.parser.feed(chunk)
        out = bytearray()
        root = self.root
        for event, elem in self.parser.read_events():
            if self.done:
                continue
            if root is None:
                if event == "start" and elem.tag == self.element.name:
                    self._check_root(elem)
                    root = self.root
                continue
            if event == "end":
                if elem is root:
                    self.done = True
                elif elem.getparent() is root:
                    out += self._item(elem)
        return bytes(out)

    def _value_json(self, slot: Any, elem: Any) -> bytes:
        convert = self.converters.get(slot.key)
        if convert is None:
            convert = self.converters[slot.key] = self.plan.converter(slot.element)
        try:
            return fastjson.dumps(convert(elem))
        except XMLSchemaValidationError:  # the reference's verdict on a delegated element
            raise
        except (ValueError, ArithmeticError):
            # text the plan cannot convert is invalid, which libxml2 reports only at the
            # end: the reference converter judges (and reports) this child now
            return super()._value_json(slot, elem)

    def feed(self, chunk: bytes) -> bytes:
        self.pending += self._events(chunk)
        self.read += len(chunk)
        # held back until HOLD_BYTES are read, then written in pieces of at least
        # WRITE_BYTES: fewer, larger writes (each is an HTTP chunk and a socket send)
        if self.read < self.hold or len(self.pending) < self.write:
            return b""
        out = bytes(self.pending)
        self.pending = bytearray()
        return out

    def finish(self) -> bytes:
        if self.root is None or not self.done:
            raise NotStreamable("no complete response element", bytes(self.head))
        try:
            self.parser.close()
        except etree.XMLSyntaxError as exc:
            raise StreamError(f"SOAP response does not conform to the XSD: {exc}") from None
        return bytes(self.pending) + super().finish()


class ServiceCodec:
    """The SOAP -> JSON converter of one service: fast when libxml2 compiles its schemas
    (``fast`` is true), else the reference :class:`JsonStreamer`."""

    def __init__(self, wsdl: Path) -> None:
        self.schema = compile_service(wsdl)
        self.plan = Plan()
        self.encode_plan = EncodePlan()
        self.nsmap: dict[str, str] | None = None

    @property
    def fast(self) -> bool:
        return self.schema is not None

    def streamer(self, xsd_element: Any) -> JsonStreamer:
        if self.schema is None:
            return JsonStreamer(xsd_element)
        return FastStreamer(xsd_element, self.schema, self.plan)

    def request_envelope(self, xsd_element: Any, value: Any,
                         headers: tuple[ElementTree.Element, ...]) -> bytes | None:
        """The validated SOAP envelope of a JSON request, or None when the reference
        encoder must build it (or say why it cannot): see :mod:`.encode`."""
        if self.schema is None:
            return None
        if self.nsmap is None:
            self.nsmap = namespaces(xsd_element)
        try:
            return envelope(self.encode_plan, self.schema, self.nsmap, xsd_element, value,
                            headers)
        except Unplanned:
            return None
