"""openapi/walk.py, the one walker over OpenAPI schemas, and the two conversions written
with it (emit/models.strip_for_models, emit/postman.ajv_schema): subschemas are found
where OpenAPI puts them and nowhere else, so property names and data keywords survive
whatever they spell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from openapi_schema_validator import OAS30Validator

from b2b_openapi.emit.models import prepare, strip_for_models
from b2b_openapi.emit.postman import ajv_schema
from b2b_openapi.openapi.walk import SUBSCHEMA_KEYWORDS, map_subschemas, rewrite, subschemas

# names a property (or component) may have that look like keywords
KEYWORD_NAMES = ["xml", "x-foo", "allOf", "properties", "items", "not", "$ref", "nullable",
                 "description", "example", "type"]
DATA = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3),
                    lambda inner: st.lists(inner, max_size=2)
                    | st.dictionaries(st.sampled_from(KEYWORD_NAMES), inner, max_size=2),
                    max_leaves=4)
NAMES = st.sampled_from(KEYWORD_NAMES) | st.text("ab", min_size=1, max_size=2)


def _schemas() -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["string", "integer", "object", "array"]),
        "x-note": DATA, "xml": st.just({"name": "n"}), "enum": st.lists(DATA, max_size=2),
        "default": DATA, "example": DATA})

    def extend(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries({}, optional={
            "properties": st.dictionaries(NAMES, inner, max_size=3),
            "items": inner, "not": inner,
            "additionalProperties": st.booleans() | inner,
            "allOf": st.lists(inner, max_size=2), "anyOf": st.lists(inner, max_size=2),
            "x-note": DATA, "default": DATA})
    return st.recursive(leaf, extend, max_leaves=8)


SCHEMAS = _schemas()


def _nodes(schema: Any) -> list[Any]:
    """Every schema node, by the walker's own account."""
    found = [schema]
    for _, _, sub in subschemas(schema):
        found += _nodes(sub)
    return found


def _data(schema: Any) -> list[Any]:
    """The non-subschema keyword values of every node (what no conversion may touch)."""
    return [(k, v) for node in _nodes(schema) for k, v in node.items()
            if k not in SUBSCHEMA_KEYWORDS and not k.startswith("x-") and k != "xml"]


def _names(schema: Any) -> list[Any]:
    return [sorted(node.get("properties", {})) for node in _nodes(schema)]


def test_subschemas_sit_where_openapi_puts_them() -> None:
    inner = {"type": "string"}
    schema = {"properties": {"xml": inner, "allOf": inner}, "items": inner, "not": inner,
              "additionalProperties": inner, "allOf": [inner], "anyOf": [inner],
              "oneOf": [inner], "enum": [inner], "default": inner, "example": inner,
              "x-note": inner, "xml": inner}
    assert [(k, n) for k, n, _ in subschemas(schema)] == [
        ("properties", "xml"), ("properties", "allOf"), ("items", None), ("not", None),
        ("additionalProperties", None), ("allOf", 0), ("anyOf", 0), ("oneOf", 0)]
    assert [(k, n) for k, n, _ in subschemas({"additionalProperties": False})] == []


def test_map_subschemas_replaces_only_subschemas() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}},
              "additionalProperties": False, "default": {"type": "string"}}
    assert map_subschemas(schema, lambda s: {"seen": s["type"]}) == {
        "type": "object", "properties": {"a": {"seen": "string"}},
        "additionalProperties": False, "default": {"type": "string"}}


@settings(max_examples=150, deadline=None)
@given(SCHEMAS)
def test_identity_rewrite_is_a_copy(schema: dict[str, Any]) -> None:
    assert rewrite(schema) == schema


@settings(max_examples=150, deadline=None)
@given(SCHEMAS)
def test_before_and_after_see_every_node_once(schema: dict[str, Any]) -> None:
    before: list[Any] = []
    after: list[Any] = []
    rewrite(schema, before=lambda n: before.append(n) or n,
            after=lambda n: after.append(n) or n)
    assert len(before) == len(after) == len(_nodes(schema))
    assert before[0] is schema and after[-1] == schema  # top-down, then bottom-up


@settings(max_examples=150, deadline=None)
@given(SCHEMAS)
def test_strip_for_models_keeps_names_and_data(schema: dict[str, Any]) -> None:
    stripped = strip_for_models(schema)
    assert all(not k.startswith("x-") and k != "xml" for n in _nodes(stripped) for k in n)
    assert _names(stripped) == _names(schema)
    assert _data(stripped) == _data(schema)


def test_strip_for_models_property_and_component_named_like_keywords() -> None:
    """The old walker took the components map for a schema: a component called ``xml`` or
    ``x-foo`` vanished and one called ``allOf`` was mangled; data values lost their
    ``x-`` keys."""
    widget = {"type": "object", "x-xsd-type": "W", "xml": {"name": "w"},
              "properties": {"xml": {"type": "string", "xml": {"attribute": True}},
                             "x-foo": {"type": "string", "x-note": 1}},
              "default": {"x-foo": "kept", "xml": "kept"},
              "enum": [{"x-a": 1}]}
    assert strip_for_models(widget) == {
        "type": "object", "properties": {"xml": {"type": "string"},
                                         "x-foo": {"type": "string"}},
        "default": {"x-foo": "kept", "xml": "kept"}, "enum": [{"x-a": 1}]}
    document = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {},
                "components": {"schemas": {"xml": {"type": "string"},
                                           "x-foo": {"type": "integer"},
                                           "allOf": {"type": "object"}}}}
    trimmed, _, _ = prepare(document)
    assert {k: v for k, v in trimmed["components"]["schemas"].items() if k != "Error"} == {
        "xml": {"type": "string"}, "x-foo": {"type": "integer"}, "allOf": {"type": "object"}}


def test_strip_for_models_drops_presence_clauses_only() -> None:
    presence = {"not": {"required": ["a", "b"]}}
    schema = {"allOf": [presence, {"$ref": "#/components/schemas/Base"}]}
    assert strip_for_models(schema) == {"allOf": [{"$ref": "#/components/schemas/Base"}]}
    assert strip_for_models({"type": "object", "allOf": [presence]}) == {"type": "object"}


def test_ajv_schema_converts_schemas_not_data() -> None:
    schema = {"type": "object", "properties": {
        "description": {"type": "string", "description": "dropped"},
        "nullable": {"$ref": "#/components/schemas/Amount", "nullable": True},
        "x-foo": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}},
        "default": {"nullable": True, "$ref": "data", "x-a": 1}}
    converted = ajv_schema(schema, {"Amount": {"type": "number", "x-xsd-type": "decimal"}})
    assert converted["allOf"] == [{"type": "object", "properties": {
        "description": {"type": "string"},
        "nullable": {"anyOf": [{"$ref": "#/definitions/Amount"}, {"type": "null"}]},
        "x-foo": {"type": "integer", "exclusiveMinimum": 0}},
        "default": {"nullable": True, "$ref": "data", "x-a": 1}}]
    assert converted["definitions"] == {"Amount": {"type": "number"}}


BOUNDED = st.fixed_dictionaries(
    {"type": st.sampled_from(["number", "integer"])},
    optional={"minimum": st.integers(-3, 3), "maximum": st.integers(-3, 3),
              "exclusiveMinimum": st.booleans(), "exclusiveMaximum": st.booleans(),
              "nullable": st.booleans(), "enum": st.lists(st.integers(-3, 3), min_size=1,
                                                          max_size=3)})
INSTANCES = st.none() | st.integers(-4, 4) | st.decimals(-4, 4, places=1) | st.text(max_size=1)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({"type": st.just("object"),
                              "properties": st.fixed_dictionaries({"v": BOUNDED})}),
       INSTANCES)
def test_ajv_schema_judges_like_the_openapi_schema(schema: dict[str, Any], value: Any) -> None:
    """Differential: draft-07 (what ajv runs) of the converted schema against OpenAPI 3.0's
    own validator, on bounds, exclusive bounds, nullable and enums."""
    bound = schema["properties"]["v"]
    for exclusive, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if exclusive in bound and plain not in bound:  # OpenAPI requires the bound beside
            del bound[exclusive]
    if bound.get("nullable") and "enum" in bound:
        # ajv_schema adds null to the enum; openapi-schema-validator (the servers) follows
        # OpenAPI 3.0.3 and wants null listed (the specs spell a nil as an explicit
        # ``enum: [null]`` alternative, which both read alike).
        bound["enum"] = [*bound["enum"], None]
    instance = {"v": value}
    oas = OAS30Validator(schema).is_valid(instance)
    draft7 = Draft7Validator(ajv_schema(schema, {})).is_valid(instance)
    assert oas == draft7, (schema, instance)


def test_ajv_schema_decimal_bounds_stay_exact() -> None:
    schema = {"type": "number", "minimum": Decimal("0.1"), "exclusiveMinimum": True}
    assert ajv_schema(schema, {})["allOf"] == [{"type": "number",
                                                "exclusiveMinimum": Decimal("0.1")}]
