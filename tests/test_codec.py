"""Differential tests of the fast SOAP -> JSON path (b2b_openapi.codec) against the reference
converter (b2b_openapi.codec.jsonxml, xmlschema): the same JSON bytes for every sample and for
generated instances of every message, and the same verdict (accept/reject) for mutated
documents - each facet, enumeration, type, occurrence and order violation the schema of a
sample's elements allows.  Any divergence fails."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema
from lxml import etree
from test_property import _Translator, _untag
from xmlschema import XMLSchemaValidationError
from xmlschema.exceptions import XMLSchemaKeyError, XMLSchemaTypeError

from b2b_openapi.codec import fastjson, jsonxml
from b2b_openapi.codec.faststream import FastStreamer, ServiceCodec
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.plan import Plan
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.codec.streaming import JsonStreamer, NotStreamable, StreamError
from b2b_openapi.codec.validation import compile_error
from b2b_openapi.xsd.content import content_layout, local_name
from support import ROOT, XSD, MessageCase, document, message_cases, sample_cases

SAMPLES = sample_cases()
CASES = message_cases()
REJECT = "reject"
INVALID = (XMLSchemaValidationError, XMLSchemaKeyError, XMLSchemaTypeError, StreamError,
           etree.XMLSyntaxError)


@cache
def codec(wsdl: Path) -> ServiceCodec:
    """The fast converter of a WSDL's schemas, or of a payload XSD's (the document an
    attachment carries streams through it: codec.attachstream)."""
    return ServiceCodec(wsdl)


def envelope(body: bytes) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
            "<soapenv:Body>").encode() + body + b"</soapenv:Body></soapenv:Envelope>"


def reference(element: Any, root: Any) -> bytes | str:
    """The reference converter's JSON of a whole document, or REJECT."""
    try:
        return dumps(jsonxml.decode(element, root))
    except (*INVALID, ArithmeticError):  # xmlschema overflows on years beyond 2^31
        return REJECT


def fast(case: MessageCase, body: bytes, chunk: int = 4096, hold: int | None = None
         ) -> tuple[bytes | str, bool]:
    """The fast path's JSON of the SOAP envelope around ``body`` as the gateway produces it
    (REJECT when it fails), and whether the fast path rather than its fallback decided."""
    service = codec(case.schema_file)
    assert service.schema is not None
    streamer = FastStreamer(case.xsd_element, service.schema, service.plan,
                            **({} if hold is None else {"hold": hold, "write": hold}))
    data = envelope(body)
    try:
        out = b"".join(streamer.feed(data[i:i + chunk]) for i in range(0, len(data), chunk))
        return out + streamer.finish(), True
    except NotStreamable:  # the gateway decodes these whole, with the reference converter
        return reference(case.xsd_element, etree.fromstring(body)), False
    except INVALID:
        return REJECT, True


def test_every_service_compiles_in_libxml2() -> None:
    wsdls = sorted(XSD.glob("**/*.wsdl"))
    assert {w.name: compile_error(w) for w in wsdls} == {w.name: None for w in wsdls}


@pytest.mark.parametrize(("case", "path"), SAMPLES, ids=[c.id for c, _ in SAMPLES])
def test_sample_bytes_equal_reference(case: MessageCase, path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    expected = reference(case.xsd_element, root)
    assert expected != REJECT
    # the plan on the whole document (root attributes included) ...
    assert fastjson.dumps(Plan().converter(case.xsd_element)(root)) == expected
    # ... and the streamed gateway path, in small chunks and with nothing held back
    for chunk, hold in ((7, 0), (65536, None)):
        assert fast(case, etree.tostring(root), chunk, hold)[0] == expected


def test_most_samples_take_the_fast_path() -> None:
    taken = [fast(case, etree.tostring(etree.parse(str(path))))[1] for case, path in SAMPLES]
    assert sum(taken) >= len(taken) - 4


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generated_instances_bytes_equal_reference(case: MessageCase) -> None:
    translate = _Translator(document(case.service.id.full_name)["components"]["schemas"])
    strategy = from_schema(translate(case.openapi_schema), custom_formats=translate.formats)
    element = case.xsd_element

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def same_bytes(value: Any) -> None:
        value = _untag(value)
        try:
            xml = jsonxml.encode(element, value)
        except (ValueError, XMLSchemaValidationError):
            return  # text XML cannot carry, or a facet JSON Schema does not express
        body = ElementTree.tostring(xml)
        expected = reference(element, etree.fromstring(body))
        assert fast(case, body, 1024)[0] == expected

    same_bytes()


# ------------------------------------------------------------------------ mutations
BAD_VALUES = ("", "ZZZ_NOT_LISTED", "abc def", "-99999999999999999999", "99999999999999999999",
              "0.12345678901234567", "2026-13-45", "2026-11-24T25:61:00", "P", "maybe", "1.5",
              "x" * 300, " 12 ", "12345678901234567890123.5",
              # beyond what xmlschema holds (libxml2 accepts them)
              "9999999999-01-01", "9999999999-01-01T00:00:00", "P99999999999999999999Y")
_NUMERIC_FACETS = ("min_value", "max_value")


def _facets(xsd_type: Any) -> dict[str, Any]:
    """A simple type's facets with their values, own and inherited (the nearest wins)."""
    found: dict[str, Any] = {}
    while xsd_type is not None and hasattr(xsd_type, "facets"):
        for name, facet in xsd_type.facets.items():
            if name is not None and facet is not None and hasattr(facet, "value"):
                found.setdefault(local_name(name), facet.value)
        base = getattr(xsd_type, "base_type", None)
        xsd_type = None if base is xsd_type else base
    return found


def facet_values(xsd_type: Any) -> list[str]:
    """Lexical values just outside each facet of ``xsd_type``."""
    if xsd_type is None or not hasattr(xsd_type, "facets"):
        return []
    values = []
    for name, value in _facets(xsd_type).items():
        if name in ("maxLength", "length") and isinstance(value, int):
            values.append("x" * (value + 1))
        elif name == "minLength" and isinstance(value, int) and value > 0:
            values.append("x" * (value - 1))
        elif name in ("maxInclusive", "minExclusive"):
            values.append(_step(value, +1) if name == "maxInclusive" else str(value))
        elif name in ("minInclusive", "maxExclusive"):
            values.append(_step(value, -1) if name == "minInclusive" else str(value))
        elif name == "totalDigits" and isinstance(value, int):
            values.append("1" * (value + 1))
        elif name == "fractionDigits" and isinstance(value, int):
            values.append("0." + "1" * (value + 1))
    return values


def _step(value: Any, step: int) -> str:
    if isinstance(value, (int, Decimal)):
        return str(value + step)
    return str(value)  # dates, durations: the bound itself is valid; the BAD_VALUES remain


def _simple_type(xsd_type: Any) -> Any:
    return xsd_type.simple_type if xsd_type.is_complex() else xsd_type


def _declarations(root: Any, xsd_element: Any) -> Iterator[tuple[int, Any, Any]]:
    """(position in root.iter(), element, declaration) for the elements the layout knows."""
    elements = list(root.iter())  # alive, so that lxml hands out the same proxies
    positions = {id(e): i for i, e in enumerate(elements)}

    def walk(elem: Any, declaration: Any) -> Iterator[tuple[int, Any, Any]]:
        yield positions[id(elem)], elem, declaration
        xsd_type = declaration.type
        if not xsd_type.is_complex() or xsd_type.simple_type is not None:
            return
        layout = content_layout(xsd_type)
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            slot = layout.by_key.get(local_name(child.tag))
            if slot is not None and slot.element.name == child.tag:
                yield from walk(child, slot.element)

    yield from walk(root, xsd_element)


def mutations(root: Any, xsd_element: Any) -> Iterator[tuple[str, Any]]:
    """Invalid (mostly) variants of a valid document, one change each; a change is tried on
    the first element of each declaration only."""
    seen: set[tuple[int, str]] = set()

    def variant(position: int) -> tuple[Any, Any]:
        twin = copy.deepcopy(root)
        return twin, list(twin.iter())[position]

    for position, elem, declaration in _declarations(root, xsd_element):
        xsd_type = declaration.type
        name = local_name(declaration.name)
        if id(declaration) in {d for d, _ in seen}:
            continue
        seen.add((id(declaration), name))
        simple = _simple_type(xsd_type)
        if simple is not None:
            for value in (*BAD_VALUES, *facet_values(simple)):
                twin, target = variant(position)
                target.text = value
                yield f"{name} text {value[:20]!r}", twin
        for attr_name, attribute in getattr(xsd_type, "attributes", {}).items():
            if attr_name is None:
                continue
            if attr_name in elem.attrib:
                twin, target = variant(position)
                del target.attrib[attr_name]
                yield f"{name} without @{local_name(attr_name)}", twin
            for value in (*BAD_VALUES[:8], *facet_values(attribute.type)):
                twin, target = variant(position)
                target.set(attr_name, value)
                yield f"{name} @{local_name(attr_name)}={value[:20]!r}", twin
        children = [c for c in elem if isinstance(c.tag, str)]
        for index, child in enumerate(children):
            twin, target = variant(position)
            target.remove([c for c in target if isinstance(c.tag, str)][index])
            yield f"{name} without {local_name(child.tag)}", twin
            twin, target = variant(position)
            kids = [c for c in target if isinstance(c.tag, str)]
            kids[index].addnext(copy.deepcopy(kids[index]))
            yield f"{name} with {local_name(child.tag)} twice", twin
            if index + 1 < len(children) and children[index + 1].tag != child.tag:
                twin, target = variant(position)
                kids = [c for c in target if isinstance(c.tag, str)]
                kids[index].addprevious(kids[index + 1])
                yield f"{name}: {local_name(children[index + 1].tag)} before " \
                      f"{local_name(child.tag)}", twin
        if children:
            twin, target = variant(position)
            etree.SubElement(target, children[0].tag.split("}")[0] + "}notDeclared")
            yield f"{name} with an undeclared child", twin
        if simple is not None and xsd_type.is_complex() is False:
            twin, target = variant(position)
            etree.SubElement(target, "child")
            yield f"{name} (simple) with a child element", twin


OUTPUT_SAMPLES = [(c, p) for c, p in SAMPLES]


@pytest.mark.parametrize(("case", "path"), OUTPUT_SAMPLES, ids=[c.id for c, _ in OUTPUT_SAMPLES])
def test_mutated_documents_get_the_reference_verdict(case: MessageCase, path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    element = case.xsd_element
    rejected = 0
    divergent = []
    for label, twin in mutations(root, element):
        body = etree.tostring(twin)  # both judge the same bytes
        expected = reference(element, etree.fromstring(body))
        got, _ = fast(case, body)
        rejected += expected == REJECT
        if got != expected:
            divergent.append((label, "reference " + ("rejects" if expected == REJECT else
                              "accepts"), "fast " + ("rejects" if got == REJECT else
                              "accepts" if isinstance(got, bytes) and not isinstance(
                                  expected, bytes) else "differs")))
    assert divergent == []
    assert rejected > 0


def test_invalid_large_document_cuts_the_stream_after_output() -> None:
    """Past the hold-back, validity is known at the end only: the stream then fails
    (the server cuts the connection) and the JSON written so far is incomplete."""
    case, path = next((c, p) for c, p in SAMPLES if c.id.startswith(
        "RetrieveDefaultBidCurves_CMRIv2.retrieveDefaultBidCurves_v2.output"))
    body = etree.tostring(etree.parse(str(path))).replace(
        b">19</", b">99</", 1)
    assert b">99</" in body
    service = codec(case.schema_file)
    assert service.schema is not None
    streamer = FastStreamer(case.xsd_element, service.schema, service.plan, hold=0, write=0)
    data = envelope(body)
    written = b"".join(streamer.feed(data[i:i + 64]) for i in range(0, len(data), 64))
    assert written.startswith(b"{")
    with pytest.raises(StreamError, match="99"):
        streamer.finish()


def test_small_invalid_document_fails_before_any_output() -> None:
    case, path = next((c, p) for c, p in SAMPLES if c.id.startswith(
        "RetrieveDefaultBidCurves_CMRIv2.retrieveDefaultBidCurves_v2.output"))
    body = etree.tostring(etree.parse(str(path))).replace(b">19</", b">99</", 1)
    service = codec(case.schema_file)
    assert service.schema is not None
    streamer = FastStreamer(case.xsd_element, service.schema, service.plan)
    assert streamer.feed(envelope(body)) == b""
    with pytest.raises(StreamError, match="maxInclusive"):
        streamer.finish()


def test_interleaved_streams_share_one_schema_and_plan() -> None:
    """Concurrent answers of one service (interleaved on the event loop) keep their own
    validation state: one invalid answer does not taint the other."""
    case, path = next((c, p) for c, p in SAMPLES if c.id.startswith(
        "RetrieveDefaultBidCurves_CMRIv2.retrieveDefaultBidCurves_v2.output"))
    body = etree.tostring(etree.parse(str(path)))
    good, bad = envelope(body), envelope(body.replace(b">19</", b">99</", 1))
    service = codec(case.schema_file)
    assert service.schema is not None
    streams = [FastStreamer(case.xsd_element, service.schema, service.plan, hold=0, write=0)
               for _ in range(2)]
    outs = [b"", b""]
    for start in range(0, max(len(good), len(bad)), 50):
        for i, data in enumerate((good, bad)):
            outs[i] += streams[i].feed(data[start:start + 50])
    assert outs[0] + streams[0].finish() == reference(case.xsd_element, etree.fromstring(body))
    with pytest.raises(StreamError, match="99"):
        streams[1].finish()


REAL = ROOT.parent / "shared" / "real-artifacts"


@pytest.mark.skipif(not REAL.is_dir(), reason="no ../shared/real-artifacts beside the checkout")
def test_a_service_libxml2_refuses_keeps_the_reference_path() -> None:
    """ERCOT's Nodal.wsdl includes a schema from a folder libxml2 does not look in: that
    service keeps the reference streamer and encoder."""
    service = ServiceCodec(REAL / "ercot-ews-nodal" / "ews" / "wsdls" / "Nodal.wsdl")
    assert not service.fast
    element = SAMPLES[0][0].xsd_element
    assert type(service.streamer(element)) is JsonStreamer
    assert service.request_envelope(element, {}, ()) is None
