"""Diff rules: one case per rule of the table (each must fire, with its verdict), the corpus's
version changes, and the `diff` command."""

from __future__ import annotations

import copy
import datetime
import json
import re
import subprocess
import sys
from html import escape
from pathlib import Path
from typing import Any

import openapi_spec_validator
import pytest
from markdown_it import MarkdownIt

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.diff.compare import (
    CannotCompare,
    ExternalReference,
    UnresolvedReference,
    diff_documents,
)
from b2b_openapi.diff.report import diff_files, render_report
from b2b_openapi.diff.rules import RULES
from support import ROOT

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
API_KEY = {"apiKey": []}
OAUTH_READ = {"oauth": ["read"]}
OAUTH_READ_WRITE = {"oauth": ["read", "write"]}


def document(request: dict[str, Any], response: dict[str, Any], method: str = "post",
             path: str = "/retrieveThing", body_required: bool = False, **op: Any
             ) -> dict[str, Any]:
    """A minimal service document: one operation, request and response as given."""
    operation: dict[str, Any] = {"operationId": "retrieveThing", "responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": response}}}}, **op}
    if method == "post":
        operation["requestBody"] = {"content": {"application/json": {"schema": request}}}
        if body_required:
            operation["requestBody"]["required"] = True
    else:
        operation["parameters"] = [
            {"name": k, "in": "query", "required": k in request.get("required", ()),
             "schema": v} for k, v in request.get("properties", {}).items()]
    return {"openapi": "3.0.3", "info": {"title": "T", "version": "1.0.0"},
            "paths": {path: {method: operation}}, "components": {"schemas": {}}}


def obj(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


BASE = obj(("a",), a=STRING, b={"type": "integer", "minimum": 0, "maximum": 10})
ENUM = {"type": "string", "enum": ["X", "Y"]}


def property_case(direction: str, old: dict[str, Any], new: dict[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    if direction == "request":
        return document(old, BASE), document(new, BASE)
    return document(BASE, old), document(BASE, new)


def both(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(f"{d}-{name}", lambda d=d: property_case(d, old, new))
            for d in ("request", "response")]


CASES: list[tuple[str, Any]] = [
    ("operation-added", lambda: (document(BASE, BASE, path="/a"),
                                 _two_paths(document(BASE, BASE, path="/a")))),
    ("operation-removed", lambda: (_two_paths(document(BASE, BASE, path="/a")),
                                   document(BASE, BASE, path="/a"))),
    ("operation-method-changed", lambda: (document(BASE, BASE), document(BASE, BASE, "get"))),
    ("operation-doc-changed", lambda: (document(BASE, BASE, description="one"),
                                       document(BASE, BASE, description="two"))),
    ("document-doc-changed", lambda: described("one", "two")),
    ("request-property-added-optional", lambda: property_case(
        "request", obj(a=STRING), obj(a=STRING, c=STRING))),
    ("request-property-added-required", lambda: property_case(
        "request", obj(a=STRING), obj(("c",), a=STRING, c=STRING))),
    ("response-property-added", lambda: property_case(
        "response", obj(a=STRING), obj(a=STRING, c=STRING))),
    ("response-property-added-required", lambda: property_case(
        "response", obj(a=STRING), obj(("c",), a=STRING, c=STRING))),
    *both("property-removed", obj(a=STRING, c={"type": "integer"}), obj(a=STRING)),
    *both("property-renamed", obj(a=STRING, c={"type": "integer", "x-xsd-order": 1}),
          obj(a=STRING, d={"type": "integer", "x-xsd-order": 1})),
    ("request-property-became-required", lambda: property_case(
        "request", obj(a=STRING), obj(("a",), a=STRING))),
    ("response-property-became-required", lambda: property_case(
        "response", obj(a=STRING), obj(("a",), a=STRING))),
    ("request-property-became-optional", lambda: property_case(
        "request", obj(("a",), a=STRING), obj(a=STRING))),
    ("response-property-became-optional", lambda: property_case(
        "response", obj(("a",), a=STRING), obj(a=STRING))),
    *both("type-changed", obj(a=STRING), obj(a={"type": "integer"})),
    *both("format-changed", obj(a={"type": "string", "format": "xsd-date"}),
          obj(a={"type": "string", "format": "xsd-date-time"})),
    *both("enum-value-added", obj(a=ENUM), obj(a={**ENUM, "enum": ["X", "Y", "Z"]})),
    *both("enum-value-removed", obj(a=ENUM), obj(a={**ENUM, "enum": ["X"]})),
    *both("constraint-tightened", obj(a={"type": "string", "maxLength": 10}),
          obj(a={"type": "string", "maxLength": 5})),
    *both("constraint-loosened", obj(a={"type": "number", "multipleOf": 0.01}),
          obj(a={"type": "number", "multipleOf": 0.0001})),
    *both("pattern-changed", obj(a={"type": "string", "pattern": "^[A-Z]$"}),
          obj(a={"type": "string", "pattern": "^[A-Z0-9]$"})),
    *both("bound-changed",
          obj(a={"type": "string", "x-xsd-type": "xs:duration", "x-xsd-max-inclusive": "P1M"}),
          obj(a={"type": "string", "x-xsd-type": "xs:duration", "x-xsd-max-inclusive": "P30D"})),
    *both("nullable-added", obj(a=STRING), obj(a={**STRING, "nullable": True})),
    *both("nullable-removed", obj(a={**STRING, "nullable": True}), obj(a=STRING)),
    *both("choice-changed", obj(a=STRING, c=STRING),
          {**obj(a=STRING, c=STRING), "allOf": [{"anyOf": [{"required": ["a"]},
                                                            {"required": ["c"]}]}]}),
    *both("doc-changed", obj(a={**STRING, "description": "old"}),
          obj(a={**STRING, "description": "new"})),
    *both("default-changed", obj(a={**STRING, "default": "X"}), obj(a={**STRING, "default": "Y"})),
    *both("union-member-added", obj(a={"anyOf": [STRING, INTEGER]}),
          obj(a={"anyOf": [STRING, INTEGER, BOOLEAN]})),
    *both("union-member-removed", obj(a={"anyOf": [STRING, INTEGER, BOOLEAN]}),
          obj(a={"anyOf": [STRING, INTEGER]})),
    ("request-body-added-optional", lambda: (without_body(document(BASE, BASE)),
                                             document(BASE, BASE))),
    ("request-body-added-required", lambda: (without_body(document(BASE, BASE)),
                                             document(BASE, BASE, body_required=True))),
    ("request-body-removed", lambda: (document(BASE, BASE), without_body(document(BASE, BASE)))),
    ("request-media-type-added", lambda: (document(BASE, BASE),
                                          with_media(document(BASE, BASE), "request"))),
    ("request-media-type-removed", lambda: (with_media(document(BASE, BASE), "request"),
                                            document(BASE, BASE))),
    ("response-media-type-added", lambda: (document(BASE, BASE),
                                           with_media(document(BASE, BASE), "response"))),
    ("response-media-type-removed", lambda: (with_media(document(BASE, BASE), "response"),
                                             document(BASE, BASE))),
    ("response-success-status-added", lambda: (document(BASE, BASE),
                                               with_status(document(BASE, BASE), "201"))),
    ("response-success-status-removed", lambda: (with_status(document(BASE, BASE), "201"),
                                                 document(BASE, BASE))),
    ("response-error-status-added", lambda: (document(BASE, BASE),
                                             with_status(document(BASE, BASE), "400"))),
    ("response-error-status-removed", lambda: (with_status(document(BASE, BASE), "400"),
                                               document(BASE, BASE))),
    ("request-security-alternative-added", lambda: secured([API_KEY], [API_KEY, OAUTH_READ])),
    ("request-security-alternative-removed", lambda: secured([API_KEY, OAUTH_READ], [API_KEY])),
    ("request-security-scheme-added", lambda: secured([OAUTH_READ], [OAUTH_READ_WRITE])),
    ("request-security-scheme-removed", lambda: secured([{**API_KEY, **OAUTH_READ}],
                                                        [API_KEY])),
    ("request-security-definition-changed", lambda: defined({"name": "Authorization"})),
    ("response-header-added", lambda: (document(BASE, BASE),
                                       with_header(document(BASE, BASE), "Retry-After"))),
    ("response-header-removed", lambda: (with_header(document(BASE, BASE), "Retry-After"),
                                         document(BASE, BASE))),
]


def the_operation(doc: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = next(iter(next(iter(doc["paths"].values())).values()))
    return operation


def without_body(doc: dict[str, Any]) -> dict[str, Any]:
    del the_operation(doc)["requestBody"]
    return doc


def with_media(doc: dict[str, Any], where: str) -> dict[str, Any]:
    """``doc`` whose request body or 200 response is also offered as XML."""
    operation = the_operation(doc)
    holder = operation["requestBody"] if where == "request" else operation["responses"]["200"]
    holder["content"]["application/xml"] = {"schema": STRING}
    return doc


def with_status(doc: dict[str, Any], status: str) -> dict[str, Any]:
    media = "application/json" if status.startswith("2") else "application/problem+json"
    the_operation(doc)["responses"][status] = {
        "description": status, "content": {media: {"schema": obj(("title",), title=STRING)}}}
    return doc


def described(old: str | None, new: str | None, tag: bool = False
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Documents whose description (of the API, else of their tag ``Things``) changes."""
    docs = document(BASE, BASE), document(BASE, BASE)
    for doc, text in zip(docs, (old, new), strict=True):
        holder = doc["info"]
        if tag:
            holder = {"name": "Things"}
            doc["tags"] = [holder, {"name": "Other", "description": "same"}]
        if text is not None:
            holder["description"] = text
    return docs


def secured(old: list[dict[str, Any]], new: list[dict[str, Any]]
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = document(BASE, BASE), document(BASE, BASE)
    before["security"], after["security"] = old, new
    return before, after


API_KEY_SCHEME = {"type": "apiKey", "in": "header", "name": "X-API-Key"}


def defined(change: dict[str, Any], used: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """Documents whose apiKey scheme's definition changes (used by the operation, or not)."""
    before, after = secured([API_KEY] if used else [], [API_KEY] if used else [])
    before["components"]["securitySchemes"] = {"apiKey": API_KEY_SCHEME}
    after["components"]["securitySchemes"] = {"apiKey": {**API_KEY_SCHEME, **change}}
    return before, after


def with_header(doc: dict[str, Any], name: str, schema: Any = INTEGER, **header: Any
                ) -> dict[str, Any]:
    the_operation(doc)["responses"]["200"]["headers"] = {name: {"schema": schema, **header}}
    return doc


def _two_paths(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["paths"]["/b"] = copy.deepcopy(doc["paths"]["/a"])
    return doc


def test_every_rule_has_a_case() -> None:
    assert sorted(name for name, _ in CASES) == sorted(r.id for r in RULES)


@pytest.mark.parametrize(("rule_id", "make"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_with_its_verdict(rule_id: str, make: Any) -> None:
    old, new = make()
    report = diff_documents(old, new)
    fired = {c.rule.id: c for c in report.changes}
    assert rule_id in fired, [c.rule.id for c in report.changes]
    rule = next(r for r in RULES if r.id == rule_id)
    assert fired[rule_id].breaking is rule.breaking


@pytest.mark.parametrize("spec", sorted(p.relative_to(ROOT).as_posix()
                                         for p in (ROOT / "specs").glob("*/*.yaml")))
def test_identical_documents_have_no_changes(spec: str) -> None:
    doc = load_yaml(ROOT / spec)
    assert diff_documents(doc, copy.deepcopy(doc)).changes == []


def test_recursive_types_terminate() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"},
                                             "name": STRING}}
    old = document(BASE, {"$ref": "#/components/schemas/Node"})
    old["components"]["schemas"]["Node"] = node
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Node"]["properties"]["extra"] = STRING
    changes = diff_documents(old, new).changes
    assert [(c.rule.id, c.path) for c in changes] == [("response-property-added", "extra")]


def found(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, path) of every change, in report order."""
    return [(c.rule.id, c.path) for c in diff_documents(old, new).changes]


def with_components(doc: dict[str, Any], **schemas: Any) -> dict[str, Any]:
    doc["components"]["schemas"].update(schemas)
    return doc


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_each_inline_use_is_compared_when_it_becomes_a_shared_component() -> None:
    """Two operations whose responses move from inline schemas to one $ref: the second's
    removed property must not be lost to the first's comparison."""
    old = _two_paths(document(BASE, obj(a=STRING), path="/a"))
    the_b = old["paths"]["/b"]["post"]["responses"]["200"]["content"]["application/json"]
    the_b["schema"] = obj(a=STRING, b=STRING)
    new = _two_paths(document(BASE, ref("R"), path="/a"))
    with_components(new, R=obj(a=STRING))
    assert [(c.rule.id, c.operation, c.path) for c in diff_documents(old, new).changes] == [
        ("response-property-removed", "POST /b", "b")]


def test_a_shared_component_change_is_reported_once() -> None:
    old = with_components(_two_paths(document(BASE, ref("R"), path="/a")), R=obj(a=STRING))
    new = with_components(_two_paths(document(BASE, ref("R"), path="/a")),
                          R=obj(a=STRING, c=STRING))
    assert found(old, new) == [("response-property-added", "c")]


def wrapped(name: str, **siblings: Any) -> dict[str, Any]:
    """Our generator's use of a component: ``allOf: [$ref]`` with keywords beside it."""
    return {"allOf": [ref(name)], **siblings}


@pytest.mark.parametrize(("before", "after", "rule"), [
    ({"maxLength": 10}, {"maxLength": 3}, "request-constraint-tightened"),
    ({}, {"enum": ["A"]}, "request-constraint-tightened"),
    ({"enum": ["A"]}, {"enum": ["A", "B"]}, "request-enum-value-added"),
    ({}, {"default": "A"}, "request-default-changed"),
    ({}, {"nullable": True}, "request-nullable-added"),
])
def test_keywords_beside_a_wrapper_are_compared(before: Any, after: Any, rule: str) -> None:
    def doc(siblings: dict[str, Any]) -> dict[str, Any]:
        return with_components(document(obj(p=wrapped("Str", **siblings)), BASE), Str=STRING)

    assert found(doc(before), doc(after)) == [(rule, "p")]


def test_keywords_beside_a_wrapper_belong_to_each_use() -> None:
    """Two uses of one component narrowed in the new version: both are reported (the
    component pair is compared once, the use sites are not shared)."""
    def doc(limit: int) -> dict[str, Any]:
        request = obj(p=wrapped("Str", maxLength=limit), q=wrapped("Str", maxLength=limit))
        return with_components(document(request, BASE), Str=STRING)

    assert found(doc(10), doc(3)) == [("request-constraint-tightened", "p"),
                                       ("request-constraint-tightened", "q")]


@pytest.mark.parametrize("component", [
    {**ENUM, "default": "X", "description": "a flag"},
    {"anyOf": [STRING, {"enum": [None]}]},
])
def test_a_component_inlined_is_no_change(component: dict[str, Any]) -> None:
    old = with_components(document(obj(f=ref("F")), BASE), F=component)
    new = with_components(document(obj(f=copy.deepcopy(component)), BASE), F=component)
    assert found(old, new) == []
    assert found(new, old) == []


def test_a_wrapped_component_inlined_in_its_wrapper_is_no_change() -> None:
    component = {**ENUM, "default": "X", "description": "a flag"}
    old = with_components(document(obj(f=wrapped("F", description="use")), BASE), F=component)
    new = with_components(document(obj(f=composed(component, description="use")), BASE),
                          F=component)
    assert found(old, new) == []
    narrowed = composed({**component, "enum": ["X"]}, description="use")
    assert found(old, with_components(document(obj(f=narrowed), BASE), F=component)) == [
        ("request-enum-value-removed", "f")]


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
@pytest.mark.parametrize("value", [STRING, {"$ref": "#/components/schemas/A"}])
def test_the_null_alternative_may_come_first(keyword: str, value: dict[str, Any]) -> None:
    def doc(members: list[Any]) -> dict[str, Any]:
        return with_components(document(obj(v={keyword: members}), BASE), A=obj(a=STRING))

    null = {"enum": [None]}
    assert found(doc([value, null]), doc([null, value])) == []
    plain = with_components(document(obj(v=value), BASE), A=obj(a=STRING))
    assert found(plain, doc([null, value])) == [("request-nullable-added", "v")]


# ---------------------------------------------------------------------------------- allOf
def composed(*members: Any, **siblings: Any) -> dict[str, Any]:
    return {"allOf": list(members), **siblings}


def test_an_allof_composition_is_compared_inside() -> None:
    def doc(extension: dict[str, Any]) -> dict[str, Any]:
        return with_components(document(BASE, composed(ref("Base"), extension)),
                               Base=obj(("id",), id=STRING))

    old, new = doc(obj(x=STRING, y=INTEGER)), doc(obj(x=INTEGER))
    assert sorted(found(old, new)) == [("response-property-removed", "y"),
                                       ("response-type-changed", "x")]
    assert found(old, doc(obj(("x",), x=STRING, y=INTEGER))) == [
        ("response-property-became-required", "x")]


def test_a_composition_equals_its_flattened_schema() -> None:
    flat = obj(("id",), id=STRING, x=STRING)
    old = with_components(document(BASE, flat), Base=obj(("id",), id=STRING))
    new = with_components(document(BASE, composed(ref("Base"), obj(x=STRING))),
                          Base=obj(("id",), id=STRING))
    assert found(old, new) == []
    changed = copy.deepcopy(new)
    changed["components"]["schemas"]["Base"]["properties"]["id"] = INTEGER
    assert found(new, changed) == [("response-type-changed", "id")]


def test_presence_clauses_beside_a_composition_are_still_choices() -> None:
    choice = {"anyOf": [{"required": ["x"]}, {"required": ["id"]}]}

    def doc(*clauses: Any) -> dict[str, Any]:
        return with_components(document(composed(ref("Base"), obj(x=STRING), *clauses), BASE),
                               Base=obj(id=STRING))

    assert found(doc(), doc(choice)) == [("request-choice-changed", "")]
    assert found(doc(choice), doc(choice)) == []


def test_a_recursive_composition_terminates() -> None:
    node = composed(ref("Node"), obj(name=STRING))
    old = with_components(document(BASE, ref("Node")), Node=node)
    new = with_components(document(BASE, ref("Node")),
                          Node=composed(ref("Node"), obj(name=STRING, extra=STRING)))
    assert found(old, new) == [("response-property-added", "extra")]


# ------------------------------------------------------------------------------------- unions
@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
def test_union_members_are_matched_not_zipped(keyword: str) -> None:
    members = [STRING, ref("Price"), {"type": "integer", "minimum": 1}]
    price = {"type": "number", "multipleOf": 0.01}

    def doc(order: list[Any]) -> dict[str, Any]:
        return with_components(document(obj(a={keyword: order}), BASE), Price=price)

    assert found(doc(members), doc(members[::-1])) == []  # reordered: no change
    tightened = [*members[:2], {"type": "integer", "minimum": 2}]
    assert found(doc(members), doc(tightened[::-1])) == [
        ("request-constraint-tightened", "a<0>")]  # matched member, new position


def test_union_member_removed_from_a_request_breaks() -> None:
    old = document(obj(a={"anyOf": [STRING, INTEGER, BOOLEAN]}), BASE)
    new = document(obj(a={"anyOf": [BOOLEAN, STRING]}), BASE)
    changes = diff_documents(old, new).changes
    assert [(c.rule.id, c.breaking, c.old) for c in changes] == [
        ("request-union-member-removed", True, "integer")]
    response = diff_documents(document(BASE, obj(a={"anyOf": [STRING, INTEGER]})),
                              document(BASE, obj(a={"anyOf": [STRING]}))).changes
    assert [(c.rule.id, c.breaking) for c in response] == [
        ("response-union-member-removed", False)]


def test_value_becoming_a_union_is_a_member_added() -> None:
    assert found(document(obj(a=STRING), BASE),
                 document(obj(a={"anyOf": [STRING, INTEGER]}), BASE)) == [
        ("request-union-member-added", "a")]


def test_anyof_oneof_switch_is_reported() -> None:
    old = document(obj(a={"anyOf": [STRING, INTEGER]}), BASE)
    new = document(obj(a={"oneOf": [STRING, INTEGER]}), BASE)
    assert found(old, new) == [("request-constraint-tightened", "a")]
    assert found(new, old) == [("request-constraint-loosened", "a")]


# ------------------------------------------------------------------------------------- facets
DATE = {"type": "string", "format": "xsd-date", "x-xsd-type": "xs:date"}
DATE_TIME = {"type": "string", "format": "xsd-date-time", "x-xsd-type": "xs:dateTime"}


@pytest.mark.parametrize(("before", "after"), [
    ({**DATE, "x-xsd-min-inclusive": "2020-01-01"},
     {**DATE, "x-xsd-min-inclusive": datetime.date(2020, 1, 1)}),  # YAML, unquoted
    ({**DATE, "x-xsd-min-exclusive": "2020-01-01"},
     {**DATE, "x-xsd-min-exclusive": datetime.date(2020, 1, 1)}),
    ({**DATE_TIME, "x-xsd-max-inclusive": "2020-01-01T00:00:00Z"},
     {**DATE_TIME, "x-xsd-max-inclusive": "2020-01-01T00:00:00+00:00"}),
    ({"type": "string", "x-xsd-type": "xs:decimal", "x-xsd-max-exclusive": "1.50"},
     {"type": "string", "x-xsd-type": "xs:decimal", "x-xsd-max-exclusive": "1.5"}),
])
def test_a_note_bound_written_another_way_is_no_change(before: dict[str, Any],
                                                       after: dict[str, Any]) -> None:
    assert diff_documents(document(obj(a=before), BASE),
                          document(obj(a=after), BASE)).changes == []


@pytest.mark.parametrize(("before", "after", "rule", "message"), [
    # ordered as XSD orders dates, not as text ("2024-1..." < "2024-9..." either way here,
    # but 2024-01-01T00:00:00-08:00 is later than 2024-01-01T07:00:00Z)
    ({**DATE, "x-xsd-min-inclusive": "2024-01-01"}, {**DATE, "x-xsd-min-inclusive": "2025-01-01"},
     "request-constraint-tightened", "a: min 2024-01-01 -> 2025-01-01"),
    ({**DATE, "x-xsd-min-inclusive": "2025-01-01"}, {**DATE, "x-xsd-min-inclusive": "2024-01-01"},
     "request-constraint-loosened", "a: min 2025-01-01 -> 2024-01-01"),
    ({**DATE_TIME, "x-xsd-max-inclusive": "2024-01-01T07:00:00Z"},
     {**DATE_TIME, "x-xsd-max-inclusive": "2024-01-01T00:00:00-08:00"},
     "request-constraint-loosened",
     "a: max 2024-01-01T07:00:00Z -> 2024-01-01T00:00:00-08:00"),
    ({**DATE, "x-xsd-min-inclusive": "2024-01-01"}, {**DATE, "x-xsd-min-exclusive": "2024-01-01"},
     "request-constraint-tightened", "a: min 2024-01-01 -> 2024-01-01 (exclusive)"),
    (DATE, {**DATE, "x-xsd-max-exclusive": "2030-01-01"},
     "request-constraint-tightened", "a: max None -> 2030-01-01 (exclusive)"),
    ({**INTEGER, "x-xsd-pattern": ["[0-9]{3}"]}, INTEGER,
     "request-constraint-loosened", "a: x-xsd-pattern removed"),
    ({**INTEGER, "x-xsd-pattern": ["[0-9]{3}"]}, {**INTEGER, "x-xsd-pattern": ["[0-9]{4}"]},
     "request-pattern-changed", "a: x-xsd-pattern changed"),
])
def test_facets_kept_as_notes_are_compared(before: dict[str, Any], after: dict[str, Any],
                                           rule: str, message: str) -> None:
    """The bounds and patterns JSON Schema cannot check (the gateway does) change the API
    as much as the ones it can."""
    changes = diff_documents(document(obj(a=before), BASE), document(obj(a=after), BASE)).changes
    assert [(c.rule.id, c.message) for c in changes] == [(rule, message)]


def test_exclusive_minimum_flip() -> None:
    inclusive = obj(a={"type": "number", "minimum": 0})
    exclusive = obj(a={"type": "number", "minimum": 0, "exclusiveMinimum": True})
    change = diff_documents(document(inclusive, BASE), document(exclusive, BASE)).changes
    assert [(c.rule.id, c.breaking, c.message) for c in change] == [
        ("request-constraint-tightened", True, "a: minimum 0 -> 0 (exclusive)")]
    assert found(document(exclusive, BASE), document(inclusive, BASE)) == [
        ("request-constraint-loosened", "a")]
    assert found(document(BASE, inclusive), document(BASE, exclusive)) == [
        ("response-constraint-tightened", "a")]
    lower = obj(a={"type": "number", "maximum": 9, "exclusiveMaximum": True})
    assert found(document(lower, BASE), document(obj(a={"type": "number", "maximum": 9}),
                                                 BASE)) == [("request-constraint-loosened", "a")]


@pytest.mark.parametrize(("before", "after", "rule"), [
    (True, False, "request-constraint-tightened"),
    (None, False, "request-constraint-tightened"),  # absent means true
    (False, True, "request-constraint-loosened"),
    (True, STRING, "request-constraint-tightened"),
    (STRING, None, "request-constraint-loosened"),
])
def test_additional_properties(before: Any, after: Any, rule: str) -> None:
    def doc(value: Any) -> dict[str, Any]:
        schema = obj(a=STRING)
        if value is not None:
            schema["additionalProperties"] = value
        return document(schema, BASE)

    changes = diff_documents(doc(before), doc(after)).changes
    assert [(c.rule.id, c.path) for c in changes] == [(rule, "")]
    assert changes[0].breaking is (rule == "request-constraint-tightened")


def test_additional_properties_schemas_are_compared() -> None:
    old = document({"type": "object", "additionalProperties": STRING}, BASE)
    new = document({"type": "object", "additionalProperties": INTEGER}, BASE)
    assert found(old, new) == [("request-type-changed", "*")]


def test_unique_items_and_max_properties() -> None:
    array = {"type": "array", "items": STRING}
    assert found(document(obj(a=array), BASE),
                 document(obj(a={**array, "uniqueItems": True}), BASE)) == [
        ("request-constraint-tightened", "a")]
    assert found(document(obj(a={"type": "object", "maxProperties": 3}), BASE),
                 document(obj(a={"type": "object", "maxProperties": 2}), BASE)) == [
        ("request-constraint-tightened", "a")]


@pytest.mark.parametrize(("before", "after", "tightened"), [
    (STRING, {**STRING, "pattern": "^[A-Z]+$"}, True),  # a pattern where there was none
    ({**STRING, "pattern": "^[A-Z]+$"}, STRING, False),
    (INTEGER, {"type": "number"}, False),  # every integer is a number
    ({"type": "number", "maximum": 5}, {**INTEGER, "maximum": 9}, True),
])
def test_narrowing_is_classified_by_direction(before: Any, after: Any, tightened: bool) -> None:
    kind = "constraint-tightened" if tightened else "constraint-loosened"
    request = diff_documents(document(obj(a=before), BASE), document(obj(a=after), BASE))
    response = diff_documents(document(BASE, obj(a=before)), document(BASE, obj(a=after)))
    first = request.changes[0], response.changes[0]  # (a maximum may change too)
    assert [(c.rule.id, c.path) for c in first] == [(f"request-{kind}", "a"),
                                                    (f"response-{kind}", "a")]
    assert request.changes[0].breaking is tightened  # old requests may be refused
    assert response.changes[0].breaking is not tightened  # clients may get fractions


def test_title_is_documentation() -> None:
    changes = diff_documents(document(obj(a={**STRING, "title": "A"}), BASE),
                             document(obj(a={**STRING, "title": "Alpha"}), BASE)).changes
    assert [(c.rule.id, c.breaking, c.message) for c in changes] == [
        ("request-doc-changed", False, "title of a changed")]


# ---------------------------------------------------------------------- responses, operations
def test_error_response_added_and_removed() -> None:
    old, new = document(BASE, BASE), with_status(document(BASE, BASE), "400")
    assert [(c.rule.id, c.path, c.breaking) for c in diff_documents(old, new).changes] == [
        ("response-error-status-added", "400", False)]
    assert found(new, old) == [("response-error-status-removed", "400")]


def test_error_responses_are_compared_under_their_status() -> None:
    old = with_status(document(BASE, BASE), "400")
    new = copy.deepcopy(old)
    error = the_operation(new)["responses"]["400"]["content"]["application/problem+json"]
    error["schema"]["properties"]["detail"] = STRING
    assert found(old, new) == [("response-property-added", "400: detail")]


def test_success_status_changed() -> None:
    old = document(BASE, BASE)
    new = copy.deepcopy(old)
    responses = the_operation(new)["responses"]
    responses["201"] = responses.pop("200")
    changes = diff_documents(old, new).changes
    assert [(c.rule.id, c.path, c.breaking) for c in changes] == [
        ("response-success-status-removed", "200", True),
        ("response-success-status-added", "201", True)]


def test_a_change_of_the_primary_response_keeps_its_path() -> None:
    old = with_media(with_status(document(BASE, obj(a=STRING)), "400"), "response")
    new = copy.deepcopy(old)
    the_operation(new)["responses"]["200"]["content"]["application/json"]["schema"] = \
        obj(a=INTEGER)
    the_operation(new)["responses"]["200"]["content"]["application/xml"]["schema"] = INTEGER
    assert found(old, new) == [("response-type-changed", "a"),
                               ("response-type-changed", "200 application/xml:")]


def test_security_requirements_follow_the_document_and_the_operation() -> None:
    old, new = secured([API_KEY], [API_KEY])
    the_operation(new)["security"] = []  # this operation is now open
    assert found(old, new) == [("request-security-scheme-removed", "")]
    assert found(new, old) == [("request-security-scheme-added", "")]


def test_security_definitions_compare_as_clients_send_credentials() -> None:
    assert found(*defined({"name": "x-api-key"})) == []  # header names: any case
    assert found(*defined({"name": "Authorization"}, used=False)) == []
    changes = diff_documents(*defined({"in": "query"})).changes
    assert [(c.rule.id, c.operation, c.path, c.message, c.breaking) for c in changes] == [
        ("request-security-definition-changed", "components", "securitySchemes.apiKey",
         "security scheme apiKey: in header -> query", True)]
    http = {"type": "http", "scheme": "Bearer", "in": None, "name": None}
    assert found(*defined(http))[0] == ("request-security-definition-changed",
                                        "securitySchemes.apiKey")


@pytest.mark.parametrize(("tag", "where"), [(False, ("info", "description")),
                                            (True, ("tags", "Things"))])
def test_api_and_tag_descriptions_are_doc_only_changes(tag: bool, where: tuple[str, str]
                                                       ) -> None:
    for old, new, verb in (("one", "two", "changed"), (None, "two", "added"),
                           ("one", None, "removed")):
        changes = diff_documents(*described(old, new, tag)).changes
        assert [(c.rule.id, c.breaking, c.operation, c.path, c.old, c.new) for c in changes] \
            == [("document-doc-changed", False, *where, old, new)]
        assert changes[0].message.endswith(f" {verb}")
    assert found(*described("same", "same", tag)) == []


def test_response_headers_are_compared() -> None:
    old = with_header(with_status(document(BASE, BASE), "429"), "Retry-After")
    new = with_header(with_status(document(BASE, BASE), "429"), "retry-after", STRING,
                      required=True)
    assert found(old, new) == [("response-property-became-required", "header retry-after"),
                               ("response-type-changed", "header retry-after")]
    error = the_operation(new)["responses"]["429"]
    error["headers"] = {"Retry-After": {"schema": INTEGER}}
    assert ("response-header-added", "429: header Retry-After") in found(old, new)


def petstore() -> dict[str, Any]:
    """A generic (not CAISO) OpenAPI 3.0 document: several methods per path, path-level
    parameters, a 201-only POST, a 204 DELETE, oneOf with a discriminator."""
    pet = {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "kind"}}
    animal = {"kind": STRING, "name": STRING}
    error = {"description": "error", "content": {"application/json": {"schema": ref("Error")}}}
    pet_id = {"name": "petId", "in": "path", "required": True, "schema": INTEGER}
    return {
        "openapi": "3.0.3", "info": {"title": "Petstore", "version": "1.0.0"},
        "paths": {
            "/pets": {
                "get": {"parameters": [{"name": "limit", "in": "query", "schema": INTEGER}],
                        "responses": {"200": {"description": "pets", "content": {
                            "application/json": {"schema": {"type": "array",
                                                            "items": ref("Pet")}}}},
                                      "default": error}},
                "post": {"requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("Pet")}}},
                         "responses": {"201": {"description": "created"}, "default": error}},
            },
            "/pets/{petId}": {
                "parameters": [pet_id],
                "get": {"responses": {"200": {"description": "a pet", "content": {
                    "application/json": {"schema": ref("Pet")}}}, "default": error}},
                "delete": {"responses": {"204": {"description": "deleted"}, "default": error}},
            },
        },
        "components": {"schemas": {
            "Pet": pet,
            "Cat": {"type": "object", "required": ["kind"],
                    "properties": {**animal, "indoor": BOOLEAN}},
            "Dog": {"type": "object", "required": ["kind"],
                    "properties": {**animal, "breed": STRING}},
            "Error": {"type": "object", "properties": {"code": INTEGER, "message": STRING}},
        }},
    }


def test_a_generic_document_diffs_without_crashing() -> None:
    old = petstore()
    openapi_spec_validator.validate(old)
    assert diff_documents(old, copy.deepcopy(old)).changes == []
    new = copy.deepcopy(old)
    del new["paths"]["/pets/{petId}"]["delete"]
    new["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "maxItems"] = 100
    new["paths"]["/pets/{petId}"]["parameters"][0]["schema"] = {"type": "string"}
    new["components"]["schemas"]["Pet"]["oneOf"].pop()  # no more dogs
    openapi_spec_validator.validate(new)
    changes = diff_documents(old, new).changes
    assert [(c.operation, c.rule.id, c.path) for c in changes] == [
        ("GET /pets", "response-constraint-tightened", ""),
        ("GET /pets", "response-union-member-removed", "[]"),
        ("POST /pets", "request-union-member-removed", ""),
        ("GET /pets/{petId}", "request-type-changed", "path petId"),
        ("DELETE /pets/{petId}", "operation-removed", ""),
    ]


def test_no_components_and_a_parameter_only_get() -> None:
    def doc(limit: dict[str, Any]) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {"/x": {
            "get": {"parameters": [{"name": "limit", "in": "query", "schema": limit}],
                    "responses": {"204": {"description": "nothing"}}}}}}

    assert found(doc(INTEGER), doc({**INTEGER, "minimum": 1})) == [
        ("request-constraint-tightened", "limit")]


def test_a_renamed_path_parameter_is_the_same_operation() -> None:
    def doc(path: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {path: {
            "get": {"parameters": [{"name": name, "in": "path", "required": True,
                                    "schema": schema}],
                    "responses": {"204": {"description": "nothing"}}}}}}

    old = doc("/i/{id}", "id", STRING)
    assert found(old, doc("/i/{itemId}", "itemId", STRING)) == []
    changes = diff_documents(old, doc("/i/{itemId}", "itemId", INTEGER)).changes
    assert [(c.operation, c.rule.id, c.path) for c in changes] == [
        ("GET /i/{itemId}", "request-type-changed", "path itemId")]
    assert found(old, doc("/j/{id}", "id", STRING)) == [("operation-removed", ""),
                                                         ("operation-added", "")]


def test_header_names_are_case_insensitive() -> None:
    def doc(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {"/x": {
            "get": {"parameters": [{"name": name, "in": "header", "required": True,
                                    "schema": schema}],
                    "responses": {"204": {"description": "nothing"}}}}}}

    assert found(doc("X-Request-Id", STRING), doc("x-request-id", STRING)) == []
    assert found(doc("X-Request-Id", STRING), doc("x-request-id", INTEGER)) == [
        ("request-type-changed", "header x-request-id")]


@pytest.mark.parametrize("clauses", [
    [{"required": ["c"]}, {"required": ["a"]}],  # alternatives in another order
    [{"required": ["a"]}, {"required": ["c"]}],
])
def test_choices_in_another_order_are_no_change(clauses: list[Any]) -> None:
    def doc(alternatives: list[Any], both: list[str]) -> dict[str, Any]:
        request = {**obj(a=STRING, c=STRING, e=STRING),
                   "allOf": [{"anyOf": alternatives}, {"anyOf": [{"required": both}]}]}
        return document(request, BASE)

    old = doc([{"required": ["a"]}, {"required": ["c"]}], ["a", "e"])
    assert found(old, doc(clauses, ["e", "a"])) == []
    assert found(old, doc(clauses, ["e", "c"])) == [("request-choice-changed", "")]


def test_one_of_several_methods_changing() -> None:
    old = _two_paths(document(BASE, BASE, path="/a"))
    old["paths"]["/a"]["get"] = copy.deepcopy(old["paths"]["/a"]["post"])
    new = copy.deepcopy(old)
    new["paths"]["/a"]["put"] = new["paths"]["/a"].pop("post")
    assert [(c.rule.id, c.operation) for c in diff_documents(old, new).changes] == [
        ("operation-removed", "POST /a"), ("operation-added", "PUT /a")]


def test_reference_cycles_do_not_crash() -> None:
    old = with_components(document(obj(a=STRING), ref("Loop")), Loop=ref("Loop"))
    new = copy.deepcopy(old)
    new["paths"]["/retrieveThing"]["post"]["requestBody"]["content"]["application/json"][
        "schema"]["properties"]["a"] = INTEGER
    assert found(old, new) == [("request-type-changed", "a")]


def path_item_ref(response: dict[str, Any], target: str = "#/x-paths/X") -> dict[str, Any]:
    """A document whose only path is a ``$ref`` to a Path Item kept under ``x-paths``."""
    doc = document(BASE, response, "get")
    doc["x-paths"] = {"X": doc["paths"].pop("/retrieveThing")}
    doc["paths"]["/retrieveThing"] = {"$ref": target}
    return doc


def test_a_path_item_reference_is_followed() -> None:
    old, new = path_item_ref(obj(a=STRING)), path_item_ref(obj(a=INTEGER))
    assert found(old, new) == [("response-type-changed", "a")]
    gone = copy.deepcopy(old)
    gone["paths"] = {}
    assert found(old, gone) == [("operation-removed", "")]
    inline = document(BASE, obj(a=STRING), "get")
    assert found(inline, old) == [] and found(old, inline) == []
    chained = path_item_ref(obj(a=INTEGER), "#/x-paths/Y")
    chained["x-paths"]["Y"] = {"$ref": "#/x-paths/X"}
    assert found(old, chained) == [("response-type-changed", "a")]


def test_what_a_path_item_reference_names_is_checked() -> None:
    """The Path Item sits under an x- key, which is data, unless a $ref names it."""
    bad = path_item_ref(obj(a=ref("Nope")))
    with pytest.raises(UnresolvedReference, match="Nope") as caught:
        diff_documents(bad, bad)
    assert caught.value.where.startswith("#/x-paths/X/get/responses/200/")
    with pytest.raises(UnresolvedReference, match="#/x-paths/Z"):
        diff_documents(path_item_ref(BASE, "#/x-paths/Z"), bad)


@pytest.mark.slow  # the command in a fresh process
@pytest.mark.parametrize("at", ["path item", "schema", "parameter", "scheme"])
def test_a_reference_to_another_file_is_trouble(tmp_path: Path, at: str) -> None:
    """diff reads two files only; what another file holds would silently drop out."""
    good = document(BASE, BASE, "get")
    bad = copy.deepcopy(good)
    if at == "path item":
        bad["paths"]["/retrieveThing"] = {"$ref": "paths.yaml#/Thing"}
    elif at == "schema":
        the_operation(bad)["responses"]["200"]["content"]["application/json"]["schema"] = \
            obj(a={"$ref": "other.yaml#/A"})
    elif at == "parameter":
        the_operation(bad)["parameters"].append({"$ref": "common.yaml#/Id"})
    else:
        bad["components"]["securitySchemes"] = {"key": {"$ref": "auth.yaml#/Key"}}
    with pytest.raises(ExternalReference, match="names another document"):
        diff_documents(good, bad)
    files = [tmp_path / "good.json", tmp_path / "bad.json"]
    for file, doc in zip(files, (good, bad), strict=True):
        file.write_text(json.dumps(doc))
    proc = diff_cli(str(files[1]), str(files[0]), "--fail-on", "breaking")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {files[1]}: reference ") and \
        "cannot compare" in proc.stderr


@pytest.mark.parametrize("name", ["example", "examples", "default", "enum", "const", "x-id"])
def test_a_property_named_like_a_literal_keyword_is_checked(name: str) -> None:
    """example, default, enum, x-... are data as keywords, but names inside properties."""
    doc = document(BASE, obj(**{name: ref("Nope")}))
    with pytest.raises(UnresolvedReference, match="Nope") as caught:
        diff_documents(doc, doc)
    assert caught.value.where.endswith(f"/schema/properties/{name}")


def test_names_that_look_like_keywords_are_checked_where_they_are_names() -> None:
    """A ``default`` response, a component called ``x-Thing``: names, not data; an
    example value holding a ``$ref`` key: data."""
    doc = document(BASE, BASE)
    the_operation(doc)["responses"]["default"] = {"$ref": "#/components/responses/Nope"}
    with pytest.raises(UnresolvedReference, match="responses/Nope"):
        diff_documents(doc, doc)
    doc = with_components(document(BASE, BASE), **{"x-Thing": obj(a=ref("Nope"))})
    with pytest.raises(UnresolvedReference, match="Nope"):
        diff_documents(doc, doc)
    data = document(BASE, {**obj(a=STRING), "example": {"a": {"$ref": "#/nowhere"}},
                           "x-note": {"$ref": "elsewhere.yaml"}})
    assert diff_documents(data, data).changes == []


@pytest.mark.slow  # the command in a fresh process
@pytest.mark.parametrize(("header", "shown"), [
    ({"swagger": "2.0"}, "swagger: 2.0"),
    ({"openapi": "3.1.0"}, "openapi: 3.1.0"),
    ({"openapi": 3.0}, "openapi: 3.0"),  # YAML's unquoted 3.0 is a number
    ({}, "no openapi field"),
])
def test_only_openapi_3_0_is_compared(tmp_path: Path, header: dict[str, Any],
                                      shown: str) -> None:
    """Swagger 2.0 keeps bodies in parameters and schemas beside responses; read as 3.0 a
    changed body type would be no change.  3.1 writes null and bounds differently."""
    good = document(BASE, BASE)
    other = {**header, **{k: v for k, v in copy.deepcopy(good).items() if k != "openapi"}}
    with pytest.raises(CannotCompare, match=r"not an OpenAPI 3\.0 document"):
        diff_documents(good, other)
    path = tmp_path / "other.yaml"
    path.write_text(json.dumps(other))
    proc = diff_cli("specs/OASIS/RetrieveCrrAggRevAdj_OASISv1.yaml", str(path),
                    "--fail-on", "breaking")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: {path}: not an OpenAPI 3.0 document ({shown}); diff compares "
        "`openapi: 3.0.x` documents only"]


# --------------------------------------------------------------------------------- the corpus
def corpus_report(system: str, name: str, old: int, new: int,
                  variant: str = "") -> dict[str, Any]:
    a = load_yaml(ROOT / f"specs/{system}/{name}v{old}{variant}.yaml")
    b = load_yaml(ROOT / f"specs/{system}/{name}v{new}{variant}.yaml")
    report: dict[str, Any] = json.loads(render_report(diff_documents(a, b), "json"))
    return report


def test_oasis_new_columns_are_non_breaking_additions() -> None:
    """OASIS report versions (docs/oasis.md): the 200 answer is the rows array, so v2's four
    new columns are optional properties added to each row, nothing else changed."""
    report = corpus_report("OASIS", "RetrieveCrrAggRevAdj_OASIS", 1, 2)
    added = {c["path"]: c for c in report["changes"] if c["rule"] != "document-doc-changed"}
    assert set(added) == {f"[].{c}" for c in ("DIRECTION", "IFM_NET_FLOW_MW", "CLAWBACK_REV",
                                              "CIR_SCH_REV")}
    assert all(c["rule"] == "response-property-added" and not c["breaking"]
               and c["operation"] == "GET /retrieveCrrAggRevAdj" for c in added.values())
    assert [(c["operation"], c["path"]) for c in report["changes"]
            if c["rule"] == "document-doc-changed"] == [("info", "description")]  # "(version 2)"
    assert report["summary"] == {"changes": 5, "breaking": 0, "nonBreaking": 5}


def test_cmri_v2_changes_are_all_reported() -> None:
    report = corpus_report("CMRI", "RetrieveDefaultBidCurves_CMRI", 1, 2)
    found = {(c["rule"], c["path"].split(".")[-1]) for c in report["changes"]}
    assert {("response-property-renamed", "defaultBidType"),
            ("response-property-removed", "fuelRegion"),
            ("response-property-added", "gasPriceIndex"),
            ("response-property-added", "costBasisVersion"),
            ("response-enum-value-added", "defaultBidType"),
            ("response-enum-value-removed", "defaultBidType"),
            ("response-constraint-tightened", "price")} <= found
    # the other five: summary and description, the rpc wrapper's and two types' documentation
    assert report["summary"]["breaking"] == 3 and report["summary"]["changes"] == 12
    docattach = corpus_report("CMRI", "RetrieveDefaultBidCurves_CMRI", 1, 2, "_DocAttach")
    assert {(c["rule"], c["path"].split(".")[-1]) for c in docattach["changes"]} >= {
        change for change in found if not change[0].endswith("-doc-changed")}


def test_yaml_dates_are_reported_as_iso_text() -> None:
    """YAML reads an unquoted 2024-01-01 in a default or enum as a date."""
    def doc(day: datetime.date) -> dict[str, Any]:
        return document(BASE, {"type": "string", "format": "date", "default": day,
                               "enum": [day, datetime.datetime(2030, 1, 1, 12, 0)]})

    report = diff_documents(doc(datetime.date(2024, 1, 1)), doc(datetime.date(2024, 2, 2)))
    changes = json.loads(render_report(report, "json"))["changes"]
    assert [(c["rule"], c["old"], c["new"]) for c in changes] == [
        ("response-default-changed", "2024-01-01", "2024-02-02"),
        ("response-enum-value-added", None, "2024-02-02"),
        ("response-enum-value-removed", "2024-01-01", None)]
    assert "value '2024-02-02' added" in render_report(report, "md")


@pytest.mark.parametrize("name", ["a|b", "x`y", "`z`", "``", "*e*", "_u_", "a\\", "~~s~~",
                                  "[l](http://x)", "<b>", "&amp;", "two\nlines", "HYDRO_DEB"])
def test_the_markdown_report_shows_any_property_name_literally(name: str) -> None:
    """Property names are the API's: a pipe must not split the table cell, a backtick not
    end the code span, nothing may turn into emphasis, a link or HTML (read back with
    markdown-it, GFM tables)."""
    old = document(BASE, obj(a=STRING))
    new = document(BASE, obj(a=STRING, **{name: STRING}))
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(
        render_report(diff_documents(old, new), "md"))
    cells = re.findall(r"<td>(.*?)</td>", html, re.S)
    shown = escape(" ".join(name.splitlines()), quote=False)
    assert cells == [
        "<code>response-property-added</code>", "<code>POST /retrieveThing</code>",
        f"response <code>{shown}</code>", f"{shown} added (optional)"]


def test_build_reports_every_multi_version_service() -> None:
    documents = [load_yaml(p) for p in sorted((ROOT / "specs").glob("*/*.yaml"))]
    files = diff_files(documents)
    assert sorted(files) == sorted(
        Path(f"{stem}.{fmt}") for stem in ("CMRI/RetrieveDefaultBidCurves_v1_to_v2",
                                           "CMRI/RetrieveDefaultBidCurves_DocAttach_v1_to_v2",
                                           "OASIS/RetrieveCrrAggRevAdj_v1_to_v2")
        for fmt in ("md", "json", "html"))
    html = files[Path("CMRI/RetrieveDefaultBidCurves_v1_to_v2.html")]
    assert "<td>breaking</td>" in html and "&#39;HYDRO_DEB&#39;" in html  # escaped


# ------------------------------------------------------------------------------- the command
def diff_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "b2b_openapi", "diff", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


@pytest.mark.slow  # the command in a fresh process
def test_fail_on_breaking_sets_the_exit_code() -> None:
    cmri = ["specs/CMRI/RetrieveDefaultBidCurves_CMRIv1.yaml",
            "specs/CMRI/RetrieveDefaultBidCurves_CMRIv2.yaml"]
    oasis = ["specs/OASIS/RetrieveCrrAggRevAdj_OASISv1.yaml",
             "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml"]
    assert diff_cli(*cmri).returncode == 0
    breaking = diff_cli(*cmri, "--fail-on", "breaking")
    assert breaking.returncode == 1 and "3 breaking" in breaking.stderr
    assert "## Breaking changes" in breaking.stdout
    assert diff_cli(*oasis, "--fail-on", "breaking").returncode == 0


@pytest.mark.slow  # the command in a fresh process
def test_diff_writes_json_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = diff_cli("specs/OASIS/RetrieveCrrAggRevAdj_OASISv1.yaml",
                    "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml", "--format", "json",
                    "--out", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text())["schemaVersion"] == 1


@pytest.mark.slow  # the command in a fresh process
def test_diff_bad_input_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\npaths: [\n")
    proc = diff_cli(str(bad), "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml")
    assert proc.returncode == 2  # trouble, as diff(1): 1 means breaking changes found
    assert proc.stderr.startswith(f"error: {bad}:3: not valid YAML/JSON")
    missing = diff_cli(str(tmp_path / "nope.yaml"), str(bad))
    assert missing.returncode == 2 and "nope.yaml: file not found" in missing.stderr
    not_openapi = tmp_path / "list.yaml"
    not_openapi.write_text("- 1\n")
    proc = diff_cli(str(not_openapi), str(not_openapi), "--fail-on", "breaking")
    assert proc.returncode == 2 and "not an OpenAPI document" in proc.stderr
    folder = diff_cli(str(tmp_path), str(not_openapi))
    assert folder.returncode == 2 and folder.stderr.startswith("error: ")


@pytest.mark.slow  # the command in a fresh process
@pytest.mark.parametrize(("where", "target", "at"), [
    ("parameters", "#/components/parameters/missing", "parameters/0"),
    ("requestBody", "#/components/requestBodies/missing", "requestBody"),
    ("schema", "#/components/schemas/Missing",
     "requestBody/content/application~1json/schema/properties/a"),
])
def test_an_unresolved_reference_is_trouble(tmp_path: Path, where: str, target: str,
                                            at: str) -> None:
    good = document(BASE, BASE)
    bad = copy.deepcopy(good)
    operation = the_operation(bad)
    if where == "parameters":
        operation["parameters"] = [{"$ref": target}]
    elif where == "requestBody":
        operation["requestBody"] = {"$ref": target}
    else:
        operation["requestBody"]["content"]["application/json"]["schema"] = obj(a={"$ref": target})
    with pytest.raises(UnresolvedReference, match=target):
        diff_documents(good, bad)
    files = [tmp_path / "good.json", tmp_path / "bad.json"]
    for file, doc in zip(files, (good, bad), strict=True):
        file.write_text(json.dumps(doc))
    for args in ([str(files[0]), str(files[1])], [str(files[1]), str(files[0])]):
        proc = diff_cli(*args, "--format", "json")
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.splitlines() == [f"error: {files[1]}: unresolved reference {target} "
                                            f"(at #/paths/~1retrieveThing/post/{at})"]


@pytest.mark.slow  # the command in a fresh process
def test_diff_cannot_compare_is_trouble_not_breaking(tmp_path: Path) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: [1]\n")
    proc = diff_cli(str(odd), str(odd), "--fail-on", "breaking")
    assert proc.returncode == 2 and proc.stderr.startswith("error: could not compare")
    generic = tmp_path / "petstore.json"
    generic.write_text(json.dumps(petstore()))
    assert diff_cli(str(generic), str(generic), "--fail-on", "breaking").returncode == 0
