"""The compiled request checks (runtime/verdict.py) against jsonschema, the reference.

A server answers "valid" from the compiled check alone and asks jsonschema (``spec.Validator``)
only for an invalid request's messages, so the two must agree on every instance: on random
schemas built from every keyword the compiler handles (with the corner cases of the
OpenAPI 3.0 dialect: null and ``nullable``, booleans that are not numbers, ``exclusive*`` as
booleans, ``readOnly`` required properties, ``$ref`` siblings and recursion), and on every
request schema of the corpus and of CAISO's third-party documents, with mutated requests.
The 422 bodies are checked too: equal to what jsonschema alone wrote before the checks.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.emit.examples import first_example, schema_example
from b2b_openapi.runtime import verdict
from b2b_openapi.runtime.spec import (
    XSD_FORMATS,
    Operation,
    ServiceSpec,
    Validator,
    describe,
    pointer,
)
from support import ROOT

SPECS = sorted((ROOT / "specs").glob("*/*.yaml"))
THIRD_PARTY = sorted((ROOT.parent / "shared" / "third-party-openapi").glob("*/*.yaml"))


def reference(schema: Any, components: dict[str, Any], instance: Any) -> bool:
    """jsonschema's verdict, as the servers judged every request before the checks."""
    validator = Validator({**schema, "components": components}, format_checker=XSD_FORMATS)
    return not any(True for _ in validator.iter_errors(instance))


def jsonschema_errors(spec: ServiceSpec, schema: Any, instance: Any) -> list[dict[str, str]]:
    """``ServiceSpec.errors`` as it was before the compiled checks: jsonschema alone."""
    found = {(pointer(e.absolute_path), describe(e))
             for e in spec.validator(schema).iter_errors(instance)}
    return [{"path": path, "message": message} for path, message in sorted(found)]


def test_every_keyword_of_the_validator_is_compiled_ignored_or_refused() -> None:
    known = verdict.COMPILED | verdict.IGNORED | verdict.UNCOMPILED
    assert set(Validator.VALIDATORS) - {"id", "$schema"} <= known
    assert not verdict.COMPILED & verdict.IGNORED
    assert not (verdict.COMPILED | verdict.IGNORED) & verdict.UNCOMPILED


@pytest.mark.parametrize("schema", [
    {"discriminator": {"propertyName": "kind"}, "oneOf": [{"type": "object"}]},
    {"type": "array", "uniqueItems": True},
    {"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": False},
    {"enum": [1, 2]},
    {"$ref": "#/components/parameters/P"},
    {"$ref": "#/components/schemas/Missing"},
    {"$ref": "#/components/schemas/A~1B"},
    {"type": ["string", "null"]},
    {"pattern": "("},
], ids=repr)
def test_what_is_not_compiled_is_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert verdict.compile_check(schema, {"schemas": {"A": {}}}) is None


# ------------------------------------------------------------------ random schemas

NAMES = ("a", "b", "c")
STRINGS = ("", "a", "AB", "abc", "x\n", "12", "2026-11-24", "2026-02-30", "2026-11-24Z",
           "2026-11-24T10:00:00", "P1D", "PT", "true")
NUMBERS = st.one_of(st.integers(-3, 3), st.sampled_from(
    [Decimal("0.5"), Decimal("-1.25"), Decimal("2.0"), Decimal("1E+2"), Decimal("0.01")]))
KEYWORDS: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["string", "number", "integer", "boolean", "array", "object"]),
    "nullable": st.booleans(),
    "enum": st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3),
    "pattern": st.sampled_from(["^[A-Z]{2}$", "b", "^a|c$", "[0-9]+$", "^$"]),
    "format": st.sampled_from(["xsd-date", "xsd-date-time", "xsd-duration", "int32",
                               "xsd-ncname", "date", "no-such-format"]),
    "minimum": NUMBERS, "maximum": NUMBERS,
    "exclusiveMinimum": st.booleans(), "exclusiveMaximum": st.booleans(),
    "multipleOf": st.sampled_from([1, 2, Decimal("0.5"), Decimal("0.01")]),
    "minLength": st.integers(0, 3), "maxLength": st.integers(0, 3),
    "minItems": st.integers(0, 2), "maxItems": st.integers(0, 2),
    "minProperties": st.integers(0, 2), "maxProperties": st.integers(0, 2),
    "required": st.lists(st.sampled_from(NAMES), unique=True, max_size=2),
    "readOnly": st.booleans(), "writeOnly": st.booleans(),
    "description": st.just("words"), "x-xsd-type": st.just("xs:string"),
}
LEAF = st.fixed_dictionaries({}, optional=KEYWORDS)  # type: ignore[arg-type]
REF = st.sampled_from(["#/components/schemas/S0", "#/components/schemas/S1"]).map(
    lambda ref: {"$ref": ref})


def _composite(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    parts = st.fixed_dictionaries({}, optional={  # type: ignore[arg-type]
        "properties": st.dictionaries(st.sampled_from(NAMES), children, max_size=3),
        "additionalProperties": st.one_of(st.booleans(), children),
        "items": children,
        "allOf": st.lists(children, min_size=1, max_size=3),
        "anyOf": st.lists(children, min_size=1, max_size=3),
        "oneOf": st.lists(children, min_size=1, max_size=3),
        "not": children,
        "$ref": REF.map(lambda r: r["$ref"]),  # with siblings: OAS 3.0 evaluates them
    })
    return st.builds(lambda a, b: {**a, **b}, LEAF, parts)


SCHEMAS = st.recursive(st.one_of(LEAF, REF), _composite, max_leaves=8)
INSTANCES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, st.sampled_from(STRINGS),
              st.text(max_size=3)),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from((*NAMES, "z")), children, max_size=3)),
    max_leaves=8)


@given(schema=SCHEMAS, s0=SCHEMAS, s1=SCHEMAS, instances=st.lists(INSTANCES, min_size=1,
                                                                  max_size=8))
def test_random_schemas_get_jsonschemas_verdict(schema: Any, s0: Any, s1: Any,
                                                 instances: list[Any]) -> None:
    components = {"schemas": {"S0": s0, "S1": s1}}  # S0 and S1 may refer to themselves
    check = verdict.compile_check(schema, components)
    assert check is not None
    for instance in instances:
        try:
            expected = reference(schema, components, instance)
        except RecursionError:  # a schema that is only a loop of references
            continue
        assert verdict.passes(check, instance) is expected, instance


@pytest.mark.parametrize(("schema", "instance", "valid"), [
    ({"type": "string"}, None, False),
    ({"type": "string", "nullable": True}, None, True),
    ({"nullable": True, "allOf": [{"type": "string"}]}, None, False),  # nullable is local
    ({"format": "xsd-date"}, None, True),  # format passes null; type is another keyword
    ({"type": "integer"}, True, False),
    ({"type": "number"}, False, False),
    ({"type": "integer"}, Decimal("2.0"), False),  # a JSON 2.0 is not an integer here
    ({"type": "number", "minimum": 0, "exclusiveMinimum": True}, 0, False),
    ({"type": "number", "maximum": 1, "exclusiveMaximum": False}, 1, True),
    ({"multipleOf": Decimal("0.01")}, Decimal("1E+400"), True),
    ({"required": ["a"], "properties": {"a": {"readOnly": True}}}, {}, True),
    ({"required": ["a"], "properties": {"a": {"type": "string"}}}, {}, False),
    ({"enum": ["1"]}, 1, False),
    ({"pattern": "^W[0-9]{3}$"}, "W001\n", False),  # ECMAScript's $, not Python's
    ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}, False),
    ({"$ref": "#/components/schemas/S0", "type": "object"}, "text", False),  # siblings
    ({"not": {"$ref": "#/components/schemas/S0"}}, {"a": 1}, False),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, False),
], ids=repr)
def test_dialect_corners(schema: dict[str, Any], instance: Any, valid: bool) -> None:
    components = {"schemas": {"S0": {"type": "object"}}}
    check = verdict.compile_check(schema, components)
    assert check is not None
    assert reference(schema, components, instance) is valid
    assert verdict.passes(check, instance) is valid


def test_recursive_components_compile() -> None:
    components = {"schemas": {"Tree": {"type": "object", "additionalProperties": False,
                                       "properties": {"kids": {"type": "array", "items": {
                                           "$ref": "#/components/schemas/Tree"}}}}}}
    check = verdict.compile_check({"$ref": "#/components/schemas/Tree"}, components)
    assert check is not None
    assert check({"kids": [{"kids": []}, {}]})
    assert not check({"kids": [{"kids": [{"leaf": 1}]}]})


# ------------------------------------------------------------------ the corpus's requests

def _operations() -> Iterator[tuple[Path, str]]:
    for path in [*SPECS, *THIRD_PARTY]:
        for op_id in ServiceSpec(load_yaml(path), path).operations:
            yield path, op_id


OPERATIONS = list(_operations())


def _seed(spec: ServiceSpec, op: Operation) -> Any:
    """A valid request of ``op``: its body's example, else one built from the schema."""
    if op.has_body:
        found, value = first_example(op.raw["requestBody"]["content"]["application/json"])
        if found:
            return copy.deepcopy(value)
    return schema_example(op.request_schema, spec.components.get("schemas", {}))


def _locations(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _locations(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _locations(item, (*at, index))


@st.composite
def mutated(draw: st.DrawFn, seed: Any) -> Any:
    """``seed`` with one to three edits: a value replaced (by any JSON value, or by another
    of the request's own values), a key or item removed, a key added."""
    value = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        places = list(_locations(value))
        where = draw(st.sampled_from(places))
        parent = value
        for part in where[:-1]:
            parent = parent[part]
        own = [v for p in places if p for v in [_at(value, p)]]
        new = draw(st.one_of(INSTANCES, st.sampled_from(own)) if own else INSTANCES)
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if not where:
            value = copy.deepcopy(new) if action == "replace" else value
        elif action == "replace":
            parent[where[-1]] = copy.deepcopy(new)
        elif action == "remove":
            del parent[where[-1]]
        else:
            target = _at(value, where)
            if isinstance(target, dict):
                target[draw(st.sampled_from([*target, "extra"]) if target else
                            st.just("extra"))] = copy.deepcopy(new)
            elif isinstance(target, list):
                target.append(copy.deepcopy(new))
    return value


def _at(value: Any, where: tuple[Any, ...]) -> Any:
    for part in where:
        value = value[part]
    return value


def test_every_request_schema_compiles_and_its_example_passes() -> None:
    for path, op_id in OPERATIONS:
        spec = ServiceSpec(load_yaml(path), path)
        op = spec.operations[op_id]
        check = spec.check(op.request_schema)
        assert check is not None, f"{path.name} {op_id}: served by jsonschema alone"
        seed = _seed(spec, op)
        assert verdict.passes(check, seed) is reference(op.request_schema, spec.components,
                                                        seed), f"{path.name} {op_id}"
        for param in op.headers:
            assert spec.check(param.get("schema", {})) is not None


@pytest.mark.parametrize(("path", "op_id"), OPERATIONS,
                         ids=[f"{p.stem}-{o}" for p, o in OPERATIONS])
@given(data=st.data())
def test_mutated_requests_get_jsonschemas_verdict_and_messages(path: Path, op_id: str,
                                                               data: st.DataObject) -> None:
    spec = _spec(path)
    op = spec.operations[op_id]
    instance = data.draw(mutated(_seed(spec, op)))
    assert spec.errors(op.request_schema, instance) == jsonschema_errors(
        spec, op.request_schema, instance)
    check = spec.check(op.request_schema)
    assert check is not None
    assert verdict.passes(check, instance) is reference(op.request_schema, spec.components,
                                                        instance)


_SPECS: dict[Path, ServiceSpec] = {}


def _spec(path: Path) -> ServiceSpec:
    if path not in _SPECS:
        _SPECS[path] = ServiceSpec(load_yaml(path), path)
    return _SPECS[path]
