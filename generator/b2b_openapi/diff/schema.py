"""Walk two schemas side by side (one use of a value in an old and a new OpenAPI document)
and record each difference as a :class:`Change`, classified by :mod:`b2b_openapi.diff.rules`.

``$ref``s are followed in each document.  Every component pair is compared once per
direction, which bounds recursive types and keeps a change to a shared type from being
reported at every place it is used.  Paths: ``a.b``, ``a[]``, ``a.*`` (additionalProperties)
and ``a<1>`` (union member) go down from the path a walk starts at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import unquote

import xmlschema

from b2b_openapi.diff.rules import Direction, Rule, rule_for
from b2b_openapi.openapi.formats import builtin_type
from b2b_openapi.xsd.presence import is_presence_only

Schema = Mapping[str, Any]
_DOC_KEYS = ("title", "description")
_ABSENT: Any = object()  # "no default", unlike ``default: null``
# facet -> which way is tighter: +1 when a larger value is tighter, -1 when smaller is
_FACETS = {"minLength": 1, "maxLength": -1, "minItems": 1, "maxItems": -1,
           "x-xsd-total-digits": -1, "minProperties": 1, "maxProperties": -1}
# bound -> (its OpenAPI 3.0 exclusive flag, +1 when a larger value is tighter)
_BOUNDS = {"minimum": ("exclusiveMinimum", 1), "maximum": ("exclusiveMaximum", -1)}
# the bounds JSON Schema cannot compare (dates, durations...), kept as notes in XSD lexical
# form: (inclusive note, exclusive note, +1 when a larger value is tighter)
_NOTE_BOUNDS = (("x-xsd-min-inclusive", "x-xsd-min-exclusive", 1),
                ("x-xsd-max-inclusive", "x-xsd-max-exclusive", -1))


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


def _plain(value: Any) -> Any:
    """A value as JSON has it: YAML reads exact decimals as ``Decimal`` and unquoted dates
    (``default: 2024-01-01``) as ``date``/``datetime``; they become numbers and ISO text."""
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------------ references
def pointer(document: Schema, ref: str, missing: Any = None) -> Any:
    """The value a local JSON pointer (``#/components/schemas/X``) names, else ``missing``
    (another file's reference is not ours to read)."""
    if ref == "#":
        return document
    if not ref.startswith("#/"):
        return missing
    node: Any = document
    for part in ref[2:].split("/"):
        part = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return missing
    return node


def deref(document: Schema, value: Any) -> Any:
    """Follow ``$ref`` (a parameter, request body or response); unresolvable: ``{}``."""
    seen: set[str] = set()
    while isinstance(value, Mapping) and isinstance(value.get("$ref"), str):
        ref = value["$ref"]
        if ref in seen:
            return {}
        seen.add(ref)
        value = pointer(document, ref) or {}
    return value


def _ref_name(ref: str) -> str:
    prefix = "#/components/schemas/"
    return ref[len(prefix):] if ref.startswith(prefix) else ref


# ------------------------------------------------------------------------------- views
# keywords that make ``allOf: [$ref]`` a composition (an extended type), not a wrapper
_STRUCTURE = frozenset({"properties", "additionalProperties", "items", "required", "not"})


@dataclass(frozen=True)
class _View:
    """A schema as one use sees it.  ``name``: the component it names (the first ``$ref``
    followed; an unresolvable one, another file or a cycle, names itself).  ``use``: what
    the use site writes around it, beside ``$ref`` or an ``allOf: [$ref]`` wrapper or
    around a null alternative (``nullable: true``); it belongs to this use, not to the
    component.  ``body``: the value's own schema, with the component's null alternative
    split off as ``nullable`` and an ``allOf`` composition flattened."""

    name: str | None
    use: Schema
    body: Schema

    @property
    def merged(self) -> Schema:
        """The effective schema of this use: the use site's keywords over the body's."""
        return _over(self.use, self.body)


def _over(outer: Schema, inner: Schema) -> Schema:
    """``inner`` with ``outer``'s keywords on top; either layer's null makes it nullable."""
    merged = {**inner, **outer}
    if inner.get("nullable") or outer.get("nullable"):
        merged["nullable"] = True
    return merged


def _view(document: Schema, schema: Schema, seen: frozenset[str] = frozenset()) -> _View:
    """Peel the layers of a use (null alternatives, ``$ref``, one-member ``allOf``
    wrappers) down to the value's schema; the layers above the first component are the
    use's."""
    name: str | None = None
    use: Schema = {}
    extra: Schema = {}  # layers inside the component (an alias's wrapper): the component's
    node = schema
    while True:
        node, layer = _peel(document, node, seen)
        if layer is None:
            break
        keys, ref = layer
        if name is None:
            use = _over(use, keys)
        else:
            extra = _over(extra, keys)
        if ref is not None:
            name, seen = name or _ref_name(ref), seen | {ref}
    if isinstance(node.get("$ref"), str):  # unresolvable: its identity is the reference
        return _View(name or _ref_name(node["$ref"]), use, node)
    return _View(name, use, _over(extra, _flatten(document, node, seen)))


def _peel(document: Schema, node: Schema, seen: frozenset[str]
          ) -> tuple[Schema, tuple[Schema, str | None] | None]:
    """One layer off ``node``: ``(inner, (the layer's own keywords, the $ref followed))``,
    or ``(node, None)`` when ``node`` is the value itself."""
    inner, outer = _null_split(node)
    if inner is not None:
        return inner, ({**outer, "nullable": True}, None)
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = pointer(document, ref)
        if isinstance(target, Mapping) and ref not in seen:
            return target, ({k: v for k, v in node.items() if k != "$ref"}, ref)
        return node, None
    members = node.get("allOf")  # a wrapper: allOf with one member, [$ref] or inline
    if isinstance(members, list) and len(members) == 1 and isinstance(members[0], Mapping) \
            and not is_presence_only(members[0]) and not _STRUCTURE & set(node):
        return members[0], ({k: v for k, v in node.items() if k != "allOf"}, None)
    return node, None


def _null_split(node: Schema) -> tuple[Schema | None, Schema]:
    """A nillable value (``anyOf``/``oneOf`` with a ``{enum: [null]}`` member, in any
    position): ``(the value without it, the keywords around the union)``; else
    ``(None, {})``."""
    for keyword in ("anyOf", "oneOf"):
        members = node.get(keyword)
        if not isinstance(members, list) or len(members) < 2:
            continue
        rest = [m for m in members if not _is_null(m)]
        if rest and len(rest) < len(members):
            outer = {k: v for k, v in node.items() if k != keyword}
            return (rest[0], outer) if len(rest) == 1 else ({**outer, keyword: rest}, {})
    return None, {}


def _is_null(member: Any) -> bool:
    return isinstance(member, Mapping) and (member.get("enum") == [None]
                                            or member.get("type") == "null")


def _flatten(document: Schema, schema: Schema, seen: frozenset[str]) -> Schema:
    """An ``allOf`` composition (``allOf: [$ref Base, {properties: ...}]``) as one schema, so
    what is inside is compared: properties merged, required united, other keywords taken
    where the members agree.  Our generator's presence clauses (members that only say which
    keys may appear together) stay in ``allOf``, where :func:`_presence` finds them."""
    members = schema.get("allOf")
    if not isinstance(members, list) or all(is_presence_only(m) for m in members):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    presence = [m for m in members if is_presence_only(m)]
    conflicts: set[str] = set()
    for member in members:
        if is_presence_only(member) or not isinstance(member, Mapping):
            continue
        for key, value in _view(document, member, seen).merged.items():
            if key not in (*_DOC_KEYS, "default", "$ref"):  # a member's notes are its own
                _merge(merged, key, value, presence, conflicts)
    for key in conflicts:
        merged.pop(key, None)
    if presence:
        merged["allOf"] = presence
    return merged


def _merge(merged: dict[str, Any], key: str, value: Any, presence: list[Any],
           conflicts: set[str]) -> None:
    """One keyword of an ``allOf`` member into the composition."""
    if key not in merged or merged[key] == value:
        merged[key] = value
    elif key == "properties":
        properties = dict(merged[key])
        for name, schema in value.items():  # a property in two members must match both
            known = properties.get(name)
            properties[name] = schema if known is None or known == schema else \
                {"allOf": [known, schema]}
        merged[key] = properties
    elif key == "required":
        merged[key] = [*merged[key], *(k for k in value if k not in merged[key])]
    elif key in ("anyOf", "oneOf") and is_presence_only({key: value}):
        presence.append({key: value})
    else:
        conflicts.add(key)


# ------------------------------------------------------------------------------ the walker
class Walker:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.seen: set[tuple[Any, Any, Direction]] = set()

    # --------------------------------------------------------------------------- helpers
    def add(self, kind: str, direction: Direction, operation: str, path: str, message: str,
            old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(rule_for(kind, direction), operation, path, message, old,
                                   new))

    def narrowed(self, tightened: bool, d: Direction, op: str, path: str, message: str,
                 old: Any = None, new: Any = None) -> None:
        self.add("constraint-tightened" if tightened else "constraint-loosened", d, op, path,
                 message, old, new)

    # ----------------------------------------------------------------------------- walk
    def compare(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        """One use of a value.  Two components are compared once per pair (a change to a
        shared type is reported once, and recursion ends), but what the use site writes
        around them (a wrapper's keywords, its null alternative) belongs to this use and is
        compared every time.  With an inline side there is no shared type: the whole
        effective schema is compared, keyed by operation and path."""
        a, b = _view(self.old, old), _view(self.new, new)
        if a.name is not None and b.name is not None:
            self._use(a.use, b.use, op, path, d)
            if self._once(a.name, b.name, d):
                self._value(a.body, b.body, op, path, d, f"type {b.name}")
            return
        if (a.name is not None or b.name is not None) and \
                not self._once(a.name or (op, path), b.name or (op, path), d):
            return
        self._value(a.merged, b.merged, op, path, d, path or "body")

    def _once(self, old: Any, new: Any, d: Direction) -> bool:
        """True the first time a pair (component names, or an inline use) is compared."""
        key = (old, new, d)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _value(self, old: Schema, new: Schema, op: str, path: str, d: Direction,
               what: str) -> None:
        self._head(old, new, op, path, d, what)
        self._type(old, new, op, path, d)

    def _use(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        """The keywords a use site writes beside a shared component (our generator's
        ``allOf: [$ref]`` with a fixed value's enum, a default, a description; other tools'
        facets): they narrow or document this use only."""
        self._head(old, new, op, path, d, path or "body")
        self._constraints(old, new, op, path, d)

    def _head(self, old: Schema, new: Schema, op: str, path: str, d: Direction,
              what: str) -> None:
        """What any value has: notes and nullability."""
        self._notes(old, new, op, path, d, what)
        was, now = bool(old.get("nullable")), bool(new.get("nullable"))
        if was != now:
            self.add("nullable-added" if now else "nullable-removed", d, op, path,
                     f"{path or 'body'} {'may now' if now else 'may no longer'} be null")

    def _notes(self, old: Schema, new: Schema, op: str, path: str, d: Direction,
               what: str) -> None:
        """Documentation (doc-only) and the default value (what an omitted value means)."""
        for key in _DOC_KEYS:
            if old.get(key) != new.get(key):
                self.add("doc-changed", d, op, path, f"{key} of {what} {verb(old, new, key)}",
                         old.get(key), new.get(key))
        before, after = old.get("default", _ABSENT), new.get("default", _ABSENT)
        if before != after:
            self.add("default-changed", d, op, path,
                     f"default of {what} {verb(old, new, 'default')}",
                     None if before is _ABSENT else before, None if after is _ABSENT else after)

    def _type(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        old_type, new_type = _type_of(old), _type_of(new)
        if {old_type, new_type} == {"integer", "number"}:  # every integer is a number
            self.narrowed(new_type == "integer", d, op, path,
                          f"{path or 'body'}: {old_type} -> {new_type}", old_type, new_type)
        elif old_type != new_type:
            if "union" in (old_type, new_type):  # a value became a union or back: by member
                self._members(_members(old), _members(new), op, path, d)
            else:
                self.add("type-changed", d, op, path,
                         f"{path or 'body'} changed type {old_type} -> {new_type}", old_type,
                         new_type)
            return
        self._constraints(old, new, op, path, d)
        if old_type == "object":
            self._object(old, new, op, path, d)
        elif old_type == "array":
            self.compare(old.get("items", {}), new.get("items", {}), op, path + "[]", d)
        self._union(old, new, op, path, d)

    def _constraints(self, old: Schema, new: Schema, op: str, path: str,
                     d: Direction) -> None:
        """The keywords that narrow a value of a given type: format, enum, facets."""
        if old.get("format") != new.get("format"):
            self.add("format-changed", d, op, path, f"{path} format changed",
                     old.get("format"), new.get("format"))
        self._enum(old, new, op, path, d)
        self._facets(old, new, op, path, d)

    # --------------------------------------------------------------------------- unions
    def _union(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        """anyOf/oneOf alternatives of two schemas of the same type."""
        before, after = _union_of(old), _union_of(new)
        if before is None:  # alternatives added: values must now match one of them
            if after is not None:
                self.narrowed(True, d, op, path, f"{path or 'body'}: {after[0]} added")
            return
        if after is None:
            self.narrowed(False, d, op, path, f"{path or 'body'}: {before[0]} dropped")
            return
        if before[0] != after[0]:  # oneOf refuses what matches several members, anyOf not
            self.narrowed(after[0] == "oneOf", d, op, path,
                          f"{path or 'body'}: {before[0]} -> {after[0]}", before[0], after[0])
        self._members(before[1], after[1], op, path, d)

    def _members(self, old: list[Schema], new: list[Schema], op: str, path: str,
                 d: Direction) -> None:
        pairs, removed, added = self._match(old, new)
        for i, j in pairs:
            self.compare(old[i], new[j], op, f"{path}<{j}>", d)
        for i in removed:
            label = self._label(self.old, old[i])
            self.add("union-member-removed", d, op, path,
                     f"{path or 'body'}: union member {label} removed", label, None)
        for j in added:
            label = self._label(self.new, new[j])
            self.add("union-member-added", d, op, path,
                     f"{path or 'body'}: union member {label} added", None, label)

    def _match(self, old: list[Schema], new: list[Schema]
               ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Pair union members by identity, not position: equal schemas first, then the same
        signature (component name or type), then an inline member with a member of its type."""
        left_old, left_new = list(range(len(old))), list(range(len(new)))
        pairs: list[tuple[int, int]] = []
        tests: list[Callable[[Schema, Schema], bool]] = [
            lambda a, b: a == b,
            lambda a, b: self._signature(self.old, a) == self._signature(self.new, b),
            self._same_kind]
        for same in tests:
            for i in list(left_old):
                j = next((j for j in left_new if same(old[i], new[j])), None)
                if j is not None:
                    pairs.append((i, j))
                    left_old.remove(i)
                    left_new.remove(j)
        return sorted(pairs, key=lambda p: p[1]), left_old, left_new

    def _same_kind(self, old: Schema, new: Schema) -> bool:
        a, b = _view(self.old, old), _view(self.new, new)
        return (a.name is None or b.name is None) and _type_of(a.body) == _type_of(b.body)

    def _label(self, document: Schema, schema: Schema) -> str:
        name, nullable = self._signature(document, schema)
        return f"{name} (nullable)" if nullable else str(name)

    # ------------------------------------------------------------------- values, facets
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
                self.add("enum-value-added", d, op, path,
                         f"{path or 'body'}: value {_plain(value)!r} added", None, value)
        for value in before:
            if value not in after:
                self.add("enum-value-removed", d, op, path,
                         f"{path or 'body'}: value {_plain(value)!r} removed", value, None)

    def _facets(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        for facet, tighter in _FACETS.items():
            a, b = old.get(facet), new.get(facet)
            if a != b:  # adding a bound tightens, dropping one loosens
                tightened = a is None if a is None or b is None else (b > a) == (tighter > 0)
                self.narrowed(tightened, d, op, path, f"{path}: {facet} {a} -> {b}", a, b)
        for facet in _BOUNDS:
            self._bound(old, new, facet, op, path, d)
        self._multiple_of(old, new, op, path, d)
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            self.narrowed(bool(new.get("uniqueItems")), d, op, path,
                          f"{path}: uniqueItems {bool(old.get('uniqueItems'))} -> "
                          f"{bool(new.get('uniqueItems'))}",
                          bool(old.get("uniqueItems")), bool(new.get("uniqueItems")))
        for keyword in ("pattern", "x-xsd-pattern"):
            self._pattern(old, new, keyword, op, path, d)
        for inclusive, exclusive, sign in _NOTE_BOUNDS:
            self._note_bound(old, new, inclusive, exclusive, sign, op, path, d)

    def _pattern(self, old: Schema, new: Schema, keyword: str, op: str, path: str,
                 d: Direction) -> None:
        """``pattern``, or the ``x-xsd-pattern`` note the gateway checks (numbers, lists)."""
        a, b = old.get(keyword), new.get(keyword)
        if a == b:
            return
        if a is None or b is None:  # one added/dropped
            self.narrowed(a is None, d, op, path,
                          f"{path or 'body'}: {keyword} {verb(old, new, keyword)}", a, b)
        else:
            self.add("pattern-changed", d, op, path, f"{path}: {keyword} changed", a, b)

    def _note_bound(self, old: Schema, new: Schema, inclusive: str, exclusive: str,
                    sign: int, op: str, path: str, d: Direction) -> None:
        """A bound kept as an ``x-xsd-*`` note, ordered as its XSD type orders values
        (xmlschema's own datatypes); ``P1M`` against ``P30D`` has no order, so that change
        is reported without a direction."""
        a, b = _note_bound_of(old, inclusive, exclusive), _note_bound_of(new, inclusive,
                                                                        exclusive)
        if a == b:
            return
        message = f"{path or 'body'}: {inclusive[6:-10]} {_show(a)} -> {_show(b)}"
        if a is None or b is None:
            self.narrowed(a is None, d, op, path, message, _bound_value(a), _bound_value(b))
            return
        try:
            before, after = _xsd_value(old, a[0]), _xsd_value(new, b[0])
        except (TypeError, ValueError, KeyError, xmlschema.XMLSchemaValidationError):
            before = after = None
        if before is not None and after == before:  # the same value written another way
            if a[1] != b[1]:  # and the exclusive flag flipped
                self.narrowed(b[1], d, op, path, message, _bound_value(a), _bound_value(b))
        elif before is not None and (after > before or after < before):
            self.narrowed((after > before) == (sign > 0), d, op, path, message,
                          _bound_value(a), _bound_value(b))
        else:  # not ordered: elementpath answers False to <, > and == alike
            self.add("bound-changed", d, op, path, message, _bound_value(a), _bound_value(b))

    def _bound(self, old: Schema, new: Schema, facet: str, op: str, path: str,
               d: Direction) -> None:
        """minimum/maximum with their exclusive flags: the same bound becoming exclusive
        tightens it, a larger minimum (smaller maximum) tightens it."""
        a, b = _bound_of(old, facet), _bound_of(new, facet)
        if a == b:
            return
        sign = _BOUNDS[facet][1]
        tightened = a is None if a is None or b is None else \
            (sign * b[0], b[1]) > (sign * a[0], a[1])
        self.narrowed(tightened, d, op, path, f"{path}: {facet} {_show(a)} -> {_show(b)}",
                      _bound_value(a), _bound_value(b))

    def _multiple_of(self, old: Schema, new: Schema, op: str, path: str,
                     d: Direction) -> None:
        a, b = old.get("multipleOf"), new.get("multipleOf")
        if a == b:
            return
        if a is None or b is None:
            tightened = a is None
        else:
            ratio = Fraction(str(b)) / Fraction(str(a))
            tightened = ratio.denominator == 1
            if not tightened and (1 / ratio).denominator != 1:
                tightened = True  # neither divides the other: some old values refused
        self.narrowed(tightened, d, op, path, f"{path}: multipleOf {a} -> {b}", a, b)

    # -------------------------------------------------------------------------- objects
    def _object(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        before, after = old.get("properties", {}), new.get("properties", {})
        req_before, req_after = set(old.get("required", ())), set(new.get("required", ()))
        removed = [k for k in before if k not in after]
        added = [k for k in after if k not in before]
        renamed = self._renames(before, after, removed, added, req_before, req_after)
        for old_key, new_key in renamed.items():
            self.add("property-renamed", d, op, join(path, new_key),
                     f"{join(path, old_key)} renamed to {new_key}", old_key, new_key)
            self.compare(before[old_key], after[new_key], op, join(path, new_key), d)
        for key in removed:
            if key not in renamed:
                self.add("property-removed", d, op, join(path, key),
                         f"{join(path, key)} removed")
        for key in added:
            if key not in renamed.values():
                kind = "property-added-required" if key in req_after else \
                    "property-added-optional"
                self.add(kind, d, op, join(path, key),
                         f"{join(path, key)} added ({kind.rsplit('-', 1)[1]})")
        for key in before:
            if key in after:
                self._kept(key, old, new, op, path, d)
        self._additional(old, new, op, path, d)
        if _canonical(_presence(old)) != _canonical(_presence(new)):
            self.add("choice-changed", d, op, path,
                     f"{path or 'body'}: which properties may appear together changed")

    def _kept(self, key: str, old: Schema, new: Schema, op: str, path: str,
              d: Direction) -> None:
        """A property on both sides: its requiredness and its schema."""
        where = join(path, key)
        was, now = key in old.get("required", ()), key in new.get("required", ())
        if now and not was:
            self.add("required-added", d, op, where, f"{where} is now required")
        elif was and not now:
            self.add("required-removed", d, op, where, f"{where} is now optional")
        self.compare(old["properties"][key], new["properties"][key], op, where, d)

    def _additional(self, old: Schema, new: Schema, op: str, path: str, d: Direction) -> None:
        """additionalProperties: absent (or ``{}``) means any; ``false`` refuses unknown keys;
        a schema constrains their values (compared as ``path.*``)."""
        a, b = _additional_of(old), _additional_of(new)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            self.compare(a, b, op, join(path, "*"), d)
        elif a != b:
            a_text, b_text = (v if isinstance(v, bool) else "schema" for v in (a, b))
            self.narrowed(a is True or b is False, d, op, path,
                          f"{path or 'body'}: additionalProperties {a_text} -> {b_text}",
                          a_text, b_text)

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
                and (_same_position(before[old_key], after[k])
                     or _names(after[k].get("description"), old_key))
                and (old_key in req_before) == (k in req_after)
            ]
            if len(candidates) == 1:
                renames[old_key] = candidates[0]
        return renames

    @staticmethod
    def _signature(document: Schema, schema: Schema) -> tuple[str, bool]:
        """What identifies a value: its component (else its type), and whether it may be
        null."""
        view = _view(document, schema)
        return view.name or _type_of(view.body), bool(view.merged.get("nullable"))


# ------------------------------------------------------------------------ schema helpers
def _type_of(schema: Schema) -> str:
    if "type" in schema:
        return str(schema["type"])
    if isinstance(schema.get("$ref"), str):
        return f"$ref {schema['$ref']}"  # unresolvable: its identity is the reference
    if _union_of(schema) is not None:
        return "union"
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    return "any"


def _union_of(schema: Schema) -> tuple[str, list[Schema]] | None:
    """``("anyOf"|"oneOf", members)`` of a value union (not a choice of present keys)."""
    for keyword in ("oneOf", "anyOf"):
        members = schema.get(keyword)
        if members and not all(is_presence_only(m) for m in members):
            return keyword, list(members)
    return None


def _members(schema: Schema) -> list[Schema]:
    """A union's members; any other schema is a union of itself (its notes already
    compared)."""
    union = _union_of(schema)
    if union is not None:
        return union[1]
    return [{k: v for k, v in schema.items() if k not in (*_DOC_KEYS, "default")}]


def _presence(schema: Schema) -> Any:
    found: list[Any] = [c for c in schema.get("allOf", ()) if is_presence_only(c)]
    for keyword in ("anyOf", "oneOf"):
        members = schema.get(keyword)
        if members and all(is_presence_only(m) for m in members):
            found.append({keyword: members})
    return found


def _canonical(value: Any) -> Any:
    """Presence clauses in a comparable form: their alternatives, conjuncts and required
    names are sets, so their order does not matter."""
    if isinstance(value, Mapping):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    return value


def _bound_of(schema: Schema, facet: str) -> tuple[Any, bool] | None:
    """``(value, exclusive)``: OpenAPI 3.0's boolean flag, or 3.1's numeric form."""
    flag = schema.get(_BOUNDS[facet][0])
    if isinstance(flag, (int, float, Decimal)) and not isinstance(flag, bool):
        return flag, True
    if schema.get(facet) is None:
        return None
    return schema[facet], flag is True


def _note_bound_of(schema: Schema, inclusive: str, exclusive: str) -> tuple[Any, bool] | None:
    """``(value, exclusive)`` of a note bound, the value as JSON text has it (an unquoted
    YAML date is read as a ``date``: it is the same bound as the quoted one)."""
    if schema.get(exclusive) is not None:
        return _plain(schema[exclusive]), True
    if schema.get(inclusive) is not None:
        return _plain(schema[inclusive]), False
    return None


def _xsd_value(schema: Schema, lexical: Any) -> Any:
    """An XSD lexical value as xmlschema decodes it for the schema's ``x-xsd-type``
    (elementpath's Date, DateTime, Duration... values, ordered as XSD orders them)."""
    xsd_type = builtin_type(str(schema["x-xsd-type"]).removeprefix("xs:"))
    return xsd_type.decode(str(_plain(lexical)))


def _show(bound: tuple[Any, bool] | None) -> str:
    if bound is None:
        return "None"
    return f"{bound[0]} (exclusive)" if bound[1] else str(bound[0])


def _bound_value(bound: tuple[Any, bool] | None) -> Any:
    return None if bound is None else _show(bound) if bound[1] else bound[0]


def _additional_of(schema: Schema) -> Any:
    value = schema.get("additionalProperties", True)
    return True if isinstance(value, Mapping) and not value else value


def _same_position(old: Schema, new: Schema) -> bool:
    order = old.get("x-xsd-order")
    return order is not None and order == new.get("x-xsd-order")


def _names(description: Any, key: str) -> bool:
    """The text mentions ``key`` as a word (not as part of another name)."""
    return isinstance(description, str) and re.search(
        rf"(?<![\w@]){re.escape(key)}(?!\w)", description) is not None


def verb(old: Schema, new: Schema, key: str) -> str:
    """How ``key`` differs: added, removed or changed."""
    return "added" if key not in old else "removed" if key not in new else "changed"


def join(path: str, key: str) -> str:
    if not path:
        return key
    return f"{path} {key}" if path.endswith(":") else f"{path}.{key}"
