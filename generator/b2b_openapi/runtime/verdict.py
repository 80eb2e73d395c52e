"""A schema compiled once into a yes/no check that gives :class:`.spec.Validator`'s verdict.

jsonschema interprets a schema afresh for every instance: each keyword is looked up, each
subschema descended with its paths and scopes recorded, errors built as it goes.  Almost
every request is valid, and for a valid one all that buys is the word "valid".  So each
request schema is turned, once, into nested closures that answer only that word, and
jsonschema runs only when they say "invalid", to write the 422's messages as it always
has: the messages are jsonschema's by construction, and the verdicts are the same
(``tests/test_verdict.py`` checks both sides on every request schema of the corpus, on
generated and on mutated instances).

The closures follow the OpenAPI 3.0 dialect of ``openapi-schema-validator``
(``OAS30Validator``, draft 4 underneath) with the runtime's own ``pattern``,
``multipleOf`` and formats (:mod:`.keywords`): ``$ref`` siblings are evaluated, ``type``
refuses null unless ``nullable`` is true beside it, ``format`` passes null, ``required``
skips properties marked ``readOnly`` or ``writeOnly``, booleans are neither integers nor
numbers.  A schema using anything else (``discriminator``, ``uniqueItems``,
``patternProperties``, non-string enums, an ``id`` changing the base of references, a
``$ref`` outside ``#/components/schemas/``) is not compiled: :func:`compile_check` returns
None and jsonschema alone decides, as before.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from b2b_openapi.runtime.keywords import XSD_FORMATS, is_multiple_of, python_regex

Check = Callable[[Any], bool]
SCHEMAS_REF = "#/components/schemas/"

# keywords that only annotate (OAS30Validator does nothing with them) or are read by a
# sibling keyword's rule below (nullable by type, exclusive* by minimum/maximum)
IGNORED = frozenset({
    "xml", "externalDocs", "example", "deprecated", "readOnly", "writeOnly", "nullable",
    "exclusiveMinimum", "exclusiveMaximum", "description", "title", "default", "components",
})
# keywords with a rule here: with IGNORED, every keyword OAS30Validator knows except those
# that make a schema uncompiled (tests/test_verdict.py keeps this list honest)
COMPILED = frozenset({
    "type", "enum", "properties", "required", "additionalProperties", "items", "allOf",
    "anyOf", "oneOf", "not", "$ref", "pattern", "format", "minimum", "maximum",
    "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "minProperties",
    "maxProperties",
})
# change what other keywords mean, or are rare enough to leave to jsonschema
UNCOMPILED = frozenset({"discriminator", "uniqueItems", "patternProperties", "id", "$id",
                        "$schema"})


class Uncompiled(Exception):
    """The schema uses something :func:`compile_check` does not reproduce."""


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def compile_check(schema: Mapping[str, Any] | bool,
                  components: Mapping[str, Any]) -> Check | None:
    """``schema`` (whose ``$ref`` s point into ``components``) as a check returning
    whether an instance is valid, or None when it cannot be compiled (see the module)."""
    try:
        return _Compiler(components.get("schemas") or {}).compile(schema)
    except Uncompiled:
        return None


def passes(check: Check, instance: Any) -> bool:
    """``check(instance)``, False when it raises: whatever made it raise (a comparison
    jsonschema would fail too, say) is then jsonschema's to report, as before."""
    try:
        return check(instance)
    except Exception:  # jsonschema decides, and raises what it raises
        return False


def _every(checks: tuple[Check, ...]) -> Check:
    """All of ``checks`` (a loop: ``all()`` over a generator costs twice as much here)."""
    def every(v: Any) -> bool:
        for check in checks:  # noqa: SIM110  # all() of a generator: twice the cost
            if not check(v):
                return False
        return True
    return every


class _Compiler:
    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas
        self.named: dict[str, Check] = {}  # one check per component, recursion included

    def compile(self, schema: Mapping[str, Any] | bool) -> Check:
        if schema is True:
            return lambda _: True
        if schema is False:
            return lambda _: False
        if not isinstance(schema, Mapping):
            raise Uncompiled(f"a schema that is a {type(schema).__name__}")
        unknown = set(schema) & UNCOMPILED
        if unknown:
            raise Uncompiled(f"keyword {sorted(unknown)[0]}")
        found = (self._keyword(keyword, value, schema) for keyword, value in schema.items()
                 if keyword in COMPILED)
        checks = [check for check in found if check is not None]
        if not checks:
            return lambda _: True
        return checks[0] if len(checks) == 1 else _every(tuple(checks))

    def _reference(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith(SCHEMAS_REF):
            raise Uncompiled(f"$ref {ref!r}")
        name = ref[len(SCHEMAS_REF):]
        if "/" in name or "~" in name or "%" in name or name not in self.schemas:
            raise Uncompiled(f"$ref {ref!r}")
        if name not in self.named:
            cell: list[Check] = []
            self.named[name] = lambda v: cell[0](v)  # a recursive reference finds this
            cell.append(self.compile(self.schemas[name]))
            self.named[name] = cell[0]
        return self.named[name]

    def _keyword(self, keyword: str, value: Any, schema: Mapping[str, Any]) -> Check | None:
        rule = getattr(self, "_" + keyword.lstrip("$"))
        check: Check | None = rule(value, schema)
        return check

    def _ref(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return self._reference(value)

    def _type(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(value, str) or value not in TYPES:
            raise Uncompiled(f"type {value!r}")
        is_type = TYPES[value]
        nullable = schema.get("nullable") is True
        raw_bytes = value == "string" and schema.get("format") == "binary"
        return lambda v: (nullable if v is None else
                          is_type(v) or (raw_bytes and isinstance(v, bytes)))

    def _enum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise Uncompiled("enum of other than strings")
        members = frozenset(value)
        return lambda v: isinstance(v, str) and v in members

    def _properties(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(value, Mapping):
            raise Uncompiled("properties")
        each = tuple((name, self.compile(sub)) for name, sub in value.items())

        def properties(v: Any) -> bool:
            if isinstance(v, dict):
                for name, check in each:
                    if name in v and not check(v[name]):
                        return False
            return True
        return properties

    def _required(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(value, list):
            raise Uncompiled("required")
        declared = schema.get("properties", {})
        if not isinstance(declared, Mapping) or not all(
                isinstance(sub, Mapping) for sub in declared.values()):
            raise Uncompiled("properties")
        # OAS30Validator (neither reading nor writing) lets read-only and write-only go
        names = tuple(n for n in value if not (
            declared.get(n) and (declared[n].get("readOnly", False)
                                 or declared[n].get("writeOnly", False))))
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)

    def _additionalProperties(self, value: Any, schema: Mapping[str, Any]) -> Check | None:
        declared = frozenset(schema.get("properties", {}))  # as jsonschema finds extras
        if value is False:
            return lambda v: not isinstance(v, dict) or all(k in declared for k in v)
        if isinstance(value, Mapping):
            extra = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(
                extra(item) for k, item in v.items() if k not in declared)
        return None  # true, or anything else jsonschema ignores here

    def _items(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(value, Mapping) and not isinstance(value, bool):
            raise Uncompiled("items that is not one schema")
        item = self.compile(value)
        return lambda v: not isinstance(v, list) or all(item(i) for i in v)

    def _subschemas(self, value: Any, schema: Mapping[str, Any]) -> tuple[Check, ...]:
        if not isinstance(value, list):
            raise Uncompiled("a composition that is not a list")
        return tuple(self.compile(sub) for sub in value)

    def _allOf(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = self._subschemas(value, schema)
        return lambda v: all(part(v) for part in parts)

    def _anyOf(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = self._subschemas(value, schema)
        return lambda v: any(part(v) for part in parts)

    def _oneOf(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = self._subschemas(value, schema)
        return lambda v: sum(1 for part in parts if part(v)) == 1

    def _not(self, value: Any, schema: Mapping[str, Any]) -> Check:
        inner = self.compile(value)
        return lambda v: not inner(v)

    def _pattern(self, value: Any, schema: Mapping[str, Any]) -> Check:
        try:
            search = python_regex(value).search
        except Exception as exc:  # not a pattern re takes: jsonschema's
            raise Uncompiled("pattern") from exc
        return lambda v: not isinstance(v, str) or search(v) is not None

    def _format(self, value: Any, schema: Mapping[str, Any]) -> Check | None:
        if not isinstance(value, str):
            raise Uncompiled("format")
        if value not in XSD_FORMATS.checkers:
            return None  # unknown formats pass
        conforms = XSD_FORMATS.conforms
        return lambda v: v is None or conforms(v, value)

    def _minimum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if schema.get("exclusiveMinimum", False):
            return lambda v: not _is_number(v) or not v <= value
        return lambda v: not _is_number(v) or not v < value

    def _maximum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if schema.get("exclusiveMaximum", False):
            return lambda v: not _is_number(v) or not v >= value
        return lambda v: not _is_number(v) or not v > value

    def _multipleOf(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not _is_number(v) or is_multiple_of(v, value)

    def _minLength(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or not len(v) < value

    def _maxLength(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or not len(v) > value

    def _minItems(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or not len(v) < value

    def _maxItems(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or not len(v) > value

    def _minProperties(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or not len(v) < value

    def _maxProperties(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or not len(v) > value
