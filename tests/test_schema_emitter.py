"""The schema emitter (openapi/schema.py) on model values built in a line each: one XSD
construct per test, checked both as the emitted keywords and as a validator's verdict on
values either side of the facet (the corpus-wide tests check the same against xmlschema)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from b2b_openapi.openapi.schema import COMPONENTS
from factories import attribute, child, complex_, emitter, ref, simple


def accepts(schema: dict[str, Any], value: Any, components: dict[str, Any] | None = None
            ) -> bool:
    document = {**schema, "components": {"schemas": components or {}}}
    return OAS30Validator(document).is_valid(value)


def test_fraction_digits_is_an_exact_multiple_of_and_total_digits_a_note() -> None:
    schema = emitter().simple(simple("decimal", fraction_digits=2, total_digits=5))
    assert schema["type"] == "number"
    assert schema["multipleOf"] == Decimal("0.01")
    assert schema["x-xsd-fraction-digits"] == 2 and schema["x-xsd-total-digits"] == 5
    assert accepts(schema, Decimal("12.34")) and not accepts(schema, Decimal("12.345"))


@pytest.mark.parametrize(("facets", "good", "bad"), [
    ({"length": 3}, "abc", "abcd"),
    ({"min_length": 2}, "ab", "a"),
    ({"max_length": 2}, "ab", "abc"),
    ({"enumeration": ("DAM", "RTM")}, "RTM", "HASP"),
])
def test_string_facets_give_the_xsd_verdict(facets: dict[str, Any], good: str, bad: str
                                             ) -> None:
    schema = emitter().simple(simple("string", **facets))
    assert accepts(schema, good) and not accepts(schema, bad)


def test_exclusive_numeric_bounds_use_the_openapi_30_flags() -> None:
    schema = emitter().simple(simple("integer", min_exclusive=0, max_inclusive=10))
    assert (schema["minimum"], schema["exclusiveMinimum"], schema["maximum"]) == (0, True, 10)
    assert "exclusiveMaximum" not in schema
    assert [accepts(schema, v) for v in (0, 1, 10, 11)] == [False, True, True, False]


def test_date_bounds_are_notes_not_numeric_keywords() -> None:
    """JSON Schema compares numbers only: a date bound stays an x-xsd note (the gateway's
    encoder checks it), and the value keeps the XSD date pattern."""
    schema = emitter().simple(simple("date", min_inclusive="2026-01-01"))
    assert schema["x-xsd-min-inclusive"] == "2026-01-01"
    assert "minimum" not in schema
    assert accepts(schema, "2025-12-31") and not accepts(schema, "31/12/2025")


@pytest.mark.parametrize(("min_occurs", "max_occurs", "expected"), [
    (1, 1, {"type": "string"}),
    (0, None, {"type": "array"}),
    (2, 3, {"type": "array", "minItems": 2, "maxItems": 3}),
])
def test_a_child_is_an_array_exactly_when_it_may_repeat(
        min_occurs: int, max_occurs: int | None, expected: dict[str, Any]) -> None:
    schema = emitter().child(child("Bid", simple(), min_occurs=min_occurs,
                                   max_occurs=max_occurs, order=3))
    assert {k: schema.get(k) for k in ("type", "minItems", "maxItems")} == {
        "minItems": None, "maxItems": None, **expected}
    assert schema["xml"] == {"name": "Bid"} and schema["x-xsd-order"] == 3


def test_required_children_and_attributes_and_no_unknown_keys() -> None:
    widget = complex_(child("name", simple()), child("note", simple(), min_occurs=0),
                      attributes=(attribute("id", simple("int"), required=True),))
    schema = emitter().complex(widget)
    assert schema["required"] == ["@id", "name"]
    assert schema["properties"]["@id"]["xml"] == {"name": "id", "attribute": True}
    assert schema["additionalProperties"] is False
    assert accepts(schema, {"@id": 1, "name": "x"})
    assert not accepts(schema, {"@id": 1})
    assert not accepts(schema, {"@id": 1, "name": "x", "extra": 1})


def test_a_wildcard_opens_the_object() -> None:
    schema = emitter().complex(complex_(child("a", simple()), open_content=True))
    assert schema["additionalProperties"] is True


def test_simple_content_is_an_object_with_a_required_dollar_value() -> None:
    price = complex_(attributes=(attribute("currency", simple()),),
                     simple_content=simple("decimal"))
    schema = emitter().complex(price)
    assert schema["required"] == ["$"]
    assert accepts(schema, {"$": 1.5, "@currency": "USD"}) and not accepts(schema, 1.5)


def test_nillable_simple_child_is_nullable_and_fixed_is_not() -> None:
    nillable = emitter().child(child("v", simple("decimal"), nillable=True))
    assert nillable["nullable"] is True and accepts(nillable, None)
    fixed = emitter().child(child("v", simple("string"), nillable=True, fixed="A"))
    assert fixed["enum"] == ["A"] and not accepts(fixed, None)


def test_a_documented_use_of_a_component_wraps_the_ref() -> None:
    """OpenAPI 3.0 ignores a $ref's siblings, so a use's description wraps it in allOf."""
    named = simple("string", name="MarketType", enumeration=("DAM", "RTM"))
    emit = emitter(MarketType=named)
    schema = emit.child(child("market", ref("MarketType"), doc="Which market."))
    assert schema["allOf"] == [{"$ref": COMPONENTS + "MarketType"}]
    assert schema["description"] == "Which market."
    components = {"MarketType": emit.component("MarketType")}
    assert accepts(schema, "DAM", components) and not accepts(schema, "X", components)


def test_a_default_is_emitted_as_its_json_value() -> None:
    schema = emitter().child(child("count", simple("integer"), default=5))
    assert schema["default"] == 5
