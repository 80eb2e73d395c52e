"""Differential tests of the fast JSON -> SOAP path (b2b_openapi.codec.encode) against the
reference encoder (b2b_openapi.codec.jsonxml.encode, xmlschema): what the fast path builds decodes
to the same JSON as what the reference builds, and it never accepts what the reference
refuses (it hands everything it does not build itself, and everything libxml2 refuses, to
the reference, so those verdicts are the reference's by construction)."""

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

from b2b_openapi.codec import jsonxml, soap
from b2b_openapi.codec.faststream import ServiceCodec
from b2b_openapi.codec.jsonio import dumps
from support import MessageCase, document, message_cases, sample_cases

INPUTS = [(c, p) for c, p in sample_cases(body_only=True) if c.kind == "input"]
CASES = message_cases(body_only=True)
HEADER = (soap.caiso_header("bench", "0" * 32),)


@cache
def codec(wsdl: Path) -> ServiceCodec:
    return ServiceCodec(wsdl)


def reference(element: Any, value: Any) -> bytes | None:
    """The reference's XML decoded back to JSON, or None when it refuses the value (as the
    gateway does: encode strictly, then validate once more)."""
    try:
        xml = jsonxml.encode(element, value)
        element.validate(xml)
    except (XMLSchemaValidationError, ValueError, ArithmeticError):
        return None
    return dumps(jsonxml.decode(element, xml))


def fast(case: MessageCase, value: Any) -> bytes | None:
    """The fast path's envelope body decoded back to JSON, or None when it hands over."""
    data = codec(case.service.wsdl).request_envelope(case.xsd_element, value, HEADER)
    if data is None:
        return None
    body = etree.fromstring(data).find(f"{{{soap.SOAP_ENV}}}Body")[0]
    return dumps(jsonxml.decode(case.xsd_element, body))


def sample_json(case: MessageCase, path: Path) -> Any:
    return jsonxml.decode(case.xsd_element, ElementTree.parse(path).getroot())


@pytest.mark.parametrize(("case", "path"), INPUTS, ids=[c.id for c, _ in INPUTS])
def test_sample_requests_build_the_reference_xml(case: MessageCase, path: Path) -> None:
    value = sample_json(case, path)
    expected = reference(case.xsd_element, value)
    assert expected is not None
    assert fast(case, value) == expected


def test_envelope_is_soap_11_with_the_header() -> None:
    case, path = INPUTS[0]
    data = codec(case.service.wsdl).request_envelope(
        case.xsd_element, sample_json(case, path), HEADER)
    assert data is not None
    root = etree.fromstring(data)
    assert root.tag == f"{{{soap.SOAP_ENV}}}Envelope"
    message = soap.parse(data)
    assert [h.tag for h in message.headers] == [HEADER[0].tag]
    assert message.body is not None and message.body.tag == case.xsd_element.name


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generated_instances_build_equivalent_xml(case: MessageCase) -> None:
    translate = _Translator(document(case.service.id.full_name)["components"]["schemas"])
    strategy = from_schema(translate(case.openapi_schema), custom_formats=translate.formats)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def equivalent(value: Any) -> None:
        value = _untag(value)
        got = fast(case, value)
        if got is not None:
            assert got == reference(case.xsd_element, value)

    equivalent()


BAD = ("x" * 300, "ZZZ_NOT_LISTED", "", Decimal("-1e30"), 10 ** 30, Decimal("0.123456789123"),
       None, [], {}, True, "2026-13-45", -1, Decimal("1.5"))


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:1]):
            yield from _paths(item, (*path, index))


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    twin = copy.deepcopy(value)
    target = twin
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return twin


def _drop(value: Any, path: tuple[Any, ...]) -> Any:
    twin = copy.deepcopy(value)
    target = twin
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return twin


def mutations(value: Any) -> Iterator[tuple[str, Any]]:
    for path in _paths(value):
        if not path:
            continue
        for bad in BAD:
            yield f"{path} = {bad!r:.20}", _set(value, path, bad)
        yield f"without {path}", _drop(value, path)
        parent = value
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            yield f"{path[:-1]} + unknown key", _set(value, (*path[:-1], "notDeclared"), "x")


@pytest.mark.parametrize(("case", "path"), INPUTS, ids=[c.id for c, _ in INPUTS])
def test_mutated_requests_never_accepted_against_the_reference(case: MessageCase,
                                                                path: Path) -> None:
    value = sample_json(case, path)
    divergent = []
    for label, twin in mutations(value):
        got = fast(case, twin)
        if got is None:
            continue  # the gateway asks the reference: its verdict by construction
        if got != reference(case.xsd_element, twin):
            divergent.append(label)
    assert divergent == []
