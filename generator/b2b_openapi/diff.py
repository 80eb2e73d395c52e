"""Compare two OpenAPI documents of one service (e.g. CMRIv1 -> CMRIv2) into classified changes.

Operations are paired by path and method; each operation's request (body, or the query
parameters as one object) and 200 response are walked side by side, following ``$ref``s in
each document.  Every component pair is compared once per direction, which bounds recursive
types and keeps a change to a shared type from being reported at every place it is used.
Classification is the rule table's (:mod:`b2b_openapi.diffrules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .apiview import HTTP_METHODS, parameters_schema
from .diffrules import Direction, Rule, rule_for
from .presence import is_presence_only

Schema = Mapping[str, Any]
_DOC_KEYS = ("description",)
# facet -> which way is tighter: +1 when a larger value is tighter, -1 when smaller is
_FACETS = {"minLength": 1, "maxLength": -1, "minItems": 1, "maxItems": -1, "minimum": 1,
           "maximum": -1, "x-xsd-total-digits": -1, "minProperties": 1}


@dataclass(frozen=True)
class Change:
    rule: Rule
    operation: str  # "POST /retrieveDefaultBidCurves"
    path: str  # "DefaultBidCurve[].segment[].price", "" for the message itself
    message: str
    old: Any = None
    new: Any = None

    @property
    def breaking(self) -> bool:
        return self.rule.breaking

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule.id, "kind": self.rule.kind, "direction": self.rule.direction,
                "breaking": self.breaking, "operation": self.operation, "path": self.path,
                "message": self.message, "old": _plain(self.old), "new": _plain(self.new)}


@dataclass
class Report:
    old_title: str
    new_title: str
    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    def as_json(self) -> dict[str, Any]:
        return {
            "schemaVersion": 1,
            "old": {"title": self.old_title, "version": self.old_version},
            "new": {"title": self.new_title, "version": self.new_version},
            "summary": {"changes": len(self.changes), "breaking": len(self.breaking),
                        "nonBreaking": len(self.changes) - len(self.breaking)},
            "changes": [c.as_json() for c in self.changes],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Walker:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.seen: set[tuple[str, str, str]] = set()

    # --------------------------------------------------------------------------- helpers
    def add(self, kind: str, direction: Direction, operation: str, path: str, message: str,
            old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(rule_for(kind, direction), operation, path, message, old,
                                   new))

    @staticmethod
    def _component(document: Schema, schema: Schema) -> tuple[str | None, Schema]:
        """Follow ``$ref`` (and a lone ``allOf: [$ref]`` wrapper) to the schema it names."""
        name = None
        while True:
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = document["components"]["schemas"][name]
            elif "allOf" in schema and len(schema["allOf"]) == 1 and "$ref" in schema["allOf"][0]:
                schema = schema["allOf"][0]
            else:
                return name, schema

    @staticmethod
    def _nullable_split(schema: Schema) -> tuple[Schema, bool]:
        """Our emitter writes a nillable value as ``anyOf: [value, {enum: [null]}]``."""
        branches = schema.get("anyOf")
        if branches and len(branches) == 2 and branches[1].get("enum") == [None]:
            return branches[0], True
        return schema, bool(schema.get("nullable"))

    # ----------------------------------------------------------------------------- walk
    def compare(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        self._doc(old, new, op, path, d, path or "body")
        old, old_null = self._nullable_split(old)
        new, new_null = self._nullable_split(new)
        if old_null != new_null:
            self.add("nullable-added" if new_null else "nullable-removed", d, op, path,
                     f"{path or 'body'} {'may now' if new_null else 'may no longer'} be null")
        old_name, old = self._component(self.old, old)
        new_name, new = self._component(self.new, new)
        if old_name is not None or new_name is not None:
            key = (old_name or path, new_name or path, d)
            if key in self.seen:
                return
            self.seen.add(key)
            self._doc(old, new, op, path, d, f"type {new_name or old_name}")
        self._type(old, new, op, path, d)

    def _doc(self, old: Schema, new: Schema, op: str, path: str, d: Direction,
             what: str) -> None:
        for key in _DOC_KEYS:
            if old.get(key) != new.get(key):
                verb = "added" if key not in old else "removed" if key not in new else "changed"
                self.add("doc-changed", d, op, path, f"{key} of {what} {verb}", old.get(key),
                         new.get(key))

    def _type(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        old_type, new_type = _type_of(old), _type_of(new)
        if old_type != new_type:
            self.add("type-changed", d, op, path,
                     f"{path or 'body'} changed type {old_type} -> {new_type}", old_type,
                     new_type)
            return
        if old.get("format") != new.get("format"):
            self.add("format-changed", d, op, path, f"{path} format changed",
                     old.get("format"), new.get("format"))
        self._enum(old, new, op, path, d)
        self._facets(old, new, op, path, d)
        if old_type == "object":
            self._object(old, new, op, path, d)
        elif old_type == "array":
            self.compare(old.get("items", {}), new.get("items", {}), op, path + "[]", d)
        elif old_type == "union":
            for index, (a, b) in enumerate(zip(old["anyOf"], new["anyOf"], strict=False)):
                self.compare(a, b, op, f"{path}<{index}>", d)

    def _enum(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        if "enum" not in old and "enum" not in new:
            return
        if "enum" not in new:
            self.add("constraint-loosened", d, op, path, f"{path}: enumeration dropped")
            return
        if "enum" not in old:
            self.add("constraint-tightened", d, op, path, f"{path}: now an enumeration")
            return
        before, after = list(old["enum"]), list(new["enum"])
        for value in after:
            if value not in before:
                self.add("enum-value-added", d, op, path, f"{path}: value {value!r} added",
                         None, value)
        for value in before:
            if value not in after:
                self.add("enum-value-removed", d, op, path, f"{path}: value {value!r} removed",
                         value, None)

    def _facets(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        for facet, tighter in _FACETS.items():
            a, b = old.get(facet), new.get(facet)
            if a == b:
                continue
            # adding a bound tightens, dropping one loosens
            tightened = a is None if a is None or b is None else (b > a) == (tighter > 0)
            self.add("constraint-tightened" if tightened else "constraint-loosened", d, op,
                     path, f"{path}: {facet} {a} -> {b}", a, b)
        a, b = old.get("multipleOf"), new.get("multipleOf")
        if a != b:
            if a is None or b is None:
                tightened = a is None
            else:
                ratio = Fraction(str(b)) / Fraction(str(a))
                tightened = ratio.denominator == 1
                if not tightened and (1 / ratio).denominator != 1:
                    tightened = True  # neither divides the other: some old values refused
            self.add("constraint-tightened" if tightened else "constraint-loosened", d, op,
                     path, f"{path}: multipleOf {a} -> {b}", a, b)
        if old.get("pattern") != new.get("pattern"):
            if new.get("pattern") is None:
                self.add("constraint-loosened", d, op, path, f"{path}: pattern dropped",
                         old.get("pattern"), None)
            else:
                self.add("pattern-changed", d, op, path, f"{path}: pattern changed",
                         old.get("pattern"), new.get("pattern"))

    def _object(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        before, after = old.get("properties", {}), new.get("properties", {})
        req_before, req_after = set(old.get("required", ())), set(new.get("required", ()))
        removed = [k for k in before if k not in after]
        added = [k for k in after if k not in before]
        renamed = self._renames(before, after, removed, added, req_before, req_after)
        for old_key, new_key in renamed.items():
            self.add("property-renamed", d, op, _join(path, new_key),
                     f"{_join(path, old_key)} renamed to {new_key}", old_key, new_key)
            self.compare(before[old_key], after[new_key], op, _join(path, new_key), d)
        for key in removed:
            if key not in renamed:
                self.add("property-removed", d, op, _join(path, key),
                         f"{_join(path, key)} removed")
        for key in added:
            if key not in renamed.values():
                kind = "property-added-required" if key in req_after else \
                    "property-added-optional"
                self.add(kind, d, op, _join(path, key),
                         f"{_join(path, key)} added ({kind.rsplit('-', 1)[1]})")
        for key in before:
            if key in after:
                if key in req_after and key not in req_before:
                    self.add("required-added", d, op, _join(path, key),
                             f"{_join(path, key)} is now required")
                elif key in req_before and key not in req_after:
                    self.add("required-removed", d, op, _join(path, key),
                             f"{_join(path, key)} is now optional")
                self.compare(before[key], after[key], op, _join(path, key), d)
        if _presence(old) != _presence(new):
            self.add("choice-changed", d, op, path,
                     f"{path or 'body'}: which properties may appear together changed")

    def _renames(self, before: Schema, after: Schema, removed: list[str], added: list[str],
                 req_before: set[str], req_after: set[str]) -> dict[str, str]:
        """A removed and an added property of the same type at the same XSD position, or
        whose new documentation names the old one, is a rename."""
        renames: dict[str, str] = {}
        for old_key in removed:
            candidates = [
                k for k in added if k not in renames.values()
                and self._signature(self.old, before[old_key]) ==
                self._signature(self.new, after[k])
                and (before[old_key].get("x-xsd-order") == after[k].get("x-xsd-order")
                     or old_key in after[k].get("description", ""))
                and (old_key in req_before) == (k in req_after)
            ]
            if len(candidates) == 1:
                renames[old_key] = candidates[0]
        return renames

    def _signature(self, document: Schema, schema: Schema) -> Any:
        schema, nullable = self._nullable_split(schema)
        name, resolved = self._component(document, schema)
        return name or _type_of(resolved), nullable


def _type_of(schema: Schema) -> str:
    if "type" in schema:
        return str(schema["type"])
    if "anyOf" in schema or "oneOf" in schema:
        return "union"
    if "properties" in schema:
        return "object"
    return "any"


def _presence(schema: Schema) -> Any:
    return [c for c in schema.get("allOf", ()) if is_presence_only(c)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _operations(document: Schema) -> dict[str, tuple[str, Schema]]:
    """``{"/path": (METHOD, operation)}``."""
    found = {}
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                found[path] = (method.upper(), item[method])
    return found


def _request(operation: Schema) -> Schema:
    if "requestBody" in operation:
        schema: Schema = operation["requestBody"]["content"]["application/json"]["schema"]
        return schema
    return parameters_schema(list(operation.get("parameters", ())))


def _response(operation: Schema) -> Schema:
    schema: Schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def diff_documents(old: Schema, new: Schema) -> Report:
    """Every change from ``old`` to ``new``, classified."""
    walker = _Walker(old, new)
    before, after = _operations(old), _operations(new)
    for path, (method, op) in before.items():
        label = f"{method} {path}"
        if path not in after:
            walker.add("operation-removed", "operation", label, "", f"{label} removed")
            continue
        new_method, new_op = after[path]
        if new_method != method:
            walker.add("operation-method-changed", "operation", label, "",
                       f"{path}: {method} -> {new_method}", method, new_method)
            continue
        for key in ("summary", "description"):
            if op.get(key) != new_op.get(key):
                walker.add("doc-changed", "operation", label, "", f"{label}: {key} changed",
                           op.get(key), new_op.get(key))
        walker.compare(_request(op), _request(new_op), label, "", "request")
        walker.compare(_response(op), _response(new_op), label, "", "response")
    for path, (method, _) in after.items():
        if path not in before:
            walker.add("operation-added", "operation", f"{method} {path}", "",
                       f"{method} {path} added")
    return Report(old["info"]["title"], new["info"]["title"], old["info"]["version"],
                  new["info"]["version"], walker.changes)

