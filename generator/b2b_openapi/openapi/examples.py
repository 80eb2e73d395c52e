"""Examples for messages that have no sample: synthesized from the schema, deterministically.

Real packages ship no sample instances, yet mock servers answer from the spec's examples
and Postman requests need a body.  So a request or 200 response without an example gets
one built from its JSON schema: enumerations take their first value, formats a fixed
CAISO-looking value (market dates in 2026, ``DAM``-style codes), patterns a shortest
matching string (:func:`_from_pattern`), numbers the nearest value the bounds allow;
objects carry their required properties and those with a default (which the XML side
fills in anyway) and, where no choice constrains them, the simple optional ones near the
top; arrays one item.  The same schema always gives the same
example, so specs stay byte-identical between builds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

try:  # Python 3.11+: the regular expression parser behind ``re``
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

SUMMARY = "Synthesized from the schema (the artifacts have no sample)"
_FORMATS: dict[str, object] = {
    "xsd-date-time": "2026-01-15T08:00:00Z", "date-time": "2026-01-15T08:00:00Z",
    "xsd-date": "2026-01-15", "date": "2026-01-15", "xsd-time": "08:00:00",
    "xsd-duration": "PT1H", "xsd-base64": "PD94bWw+", "byte": "PD94bWw+",
    "xsd-hex": "0A1B", "uri-reference": "http://www.caiso.com/soa/",
    "uri": "http://www.caiso.com/soa/", "xsd-gYear": "2026", "xsd-gYearMonth": "2026-01",
    "uuid": "00000000-0000-4000-8000-000000000000", "email": "servicedesk@caiso.com",
}
# property name fragments -> CAISO-looking strings (only used when no facet says more)
_HINTS = (("resource", "ALAMIT_7_UNIT 1"), ("market", "DAM"), ("zone", "PGE_ZONE"),
          ("name", "CAISO"), ("source", "CMRI"), ("version", "v20171001"),
          ("id", "ID-0001"), ("type", "ENERGY"), ("status", "ACTIVE"), ("unit", "MW"))
_MAX_DEPTH = 12
_OPTIONAL_DEPTH = 3


def add_examples(document: dict[str, Any]) -> list[str]:
    """Give every request body and 200 response without examples a synthesized one, and
    every query parameter without an example one; the names of the messages changed
    (``operationId input|output``), in path order."""
    schemas = document.get("components", {}).get("schemas", {})
    changed: list[str] = []
    for _path, item in sorted(document.get("paths", {}).items()):
        for _method, op in sorted(item.items()):
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            name = op["operationId"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and not body.get("examples"):
                body["examples"] = {"synthesized": {
                    "summary": SUMMARY, "value": synthesize(body["schema"], schemas)}}
                changed.append(f"{name} input")
            params = [p for p in op.get("parameters", ()) if "example" not in p]
            if params and not any("example" in p for p in op.get("parameters", ())):
                for param in params:
                    param["example"] = synthesize(param["schema"], schemas, key=param["name"])
                changed.append(f"{name} input")
            ok = op.get("responses", {}).get("200", {}).get("content", {}).get(
                "application/json")
            if ok is not None and not ok.get("examples"):
                ok["examples"] = {"synthesized": {
                    "summary": SUMMARY, "value": synthesize(ok["schema"], schemas)}}
                changed.append(f"{name} output")
    return changed


def synthesize(schema: Mapping[str, Any], schemas: Mapping[str, Any], key: str = "",
               depth: int = 0) -> Any:
    """A value valid against ``schema`` (``$ref``s into ``schemas``)."""
    if "$ref" in schema:
        target = schemas[str(schema["$ref"]).rsplit("/", 1)[-1]]
        return synthesize(target, schemas, key, depth + 1)
    if "example" in schema:  # the author's own (a third-party document's schemas carry them)
        return schema["example"]
    if "default" in schema:  # what the XML side fills in anyway
        return schema["default"]
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None]
        return values[0] if values else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, schemas, depth)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for branch in schema["allOf"]:
            value = synthesize(branch, schemas, key, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not None:
                return value
        return merged
    for choice in ("oneOf", "anyOf"):
        if choice in schema:
            branches = [b for b in schema[choice] if not _null_only(b)]
            return synthesize(branches[0] if branches else schema[choice][0], schemas, key,
                              depth + 1)
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        item = synthesize(schema.get("items", {}), schemas, key, depth + 1)
        return [item] * count
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "string":
        return _string(schema, key)
    return None if "required" in schema else "CAISO"


def _null_only(schema: Mapping[str, Any]) -> bool:
    return schema.get("enum") == [None] or schema.get("type") == "null"


def _required(schema: Mapping[str, Any]) -> list[str]:
    """The keys presence constraints require: ``required``, every ``allOf`` branch's and
    the first ``oneOf``/``anyOf`` branch's (the first alternative of a choice)."""
    keys = list(schema.get("required", ()))
    for branch in schema.get("allOf", ()):
        keys += _required(branch)
    for choice in ("oneOf", "anyOf"):
        for branch in schema.get(choice, ())[:1]:
            keys += _required(branch)
    return list(dict.fromkeys(keys))


def _constrained(schema: Mapping[str, Any]) -> bool:
    """Presence constraints beyond plain ``required`` (choices, exclusions)."""
    if any(k in schema for k in ("oneOf", "anyOf", "not", "dependencies")):
        return True
    return any(_constrained(b) for b in schema.get("allOf", ()))


def _object(schema: Mapping[str, Any], schemas: Mapping[str, Any],
            depth: int) -> dict[str, Any]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = _required(schema)
    constrained = _constrained(schema)
    wanted = [k for k in properties if k in required or "default" in properties[k] or (
        not constrained and depth < _OPTIONAL_DEPTH and _simple(properties[k]))]
    out: dict[str, Any] = {}
    for name in wanted:
        if depth >= _MAX_DEPTH and name not in required:
            continue
        out[name] = synthesize(properties[name], schemas, name, depth + 1)
    return out


def _simple(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") in ("string", "number", "integer", "boolean") or "enum" in schema


def _number(schema: Mapping[str, Any], kind: str) -> int | float | Decimal:
    low = schema.get("minimum")
    high = schema.get("maximum")
    step = Decimal(str(schema.get("multipleOf", 1 if kind == "integer" else "0.5")))
    value = Decimal(10)
    if low is not None:
        value = Decimal(str(low)) + (step if schema.get("exclusiveMinimum") else 0)
    elif high is not None:
        value = min(value, Decimal(str(high)) - (step if schema.get("exclusiveMaximum") else 0))
    if high is not None and value > Decimal(str(high)):
        value = Decimal(str(high))
    if step and value % step:
        value = (value // step + 1) * step
    if kind == "integer":
        return int(value)
    floats = any(isinstance(schema.get(k), float) for k in ("minimum", "maximum", "multipleOf"))
    return float(value) if floats else value  # exact, like the specs' own numbers


def _string(schema: Mapping[str, Any], key: str) -> str:
    pattern = schema.get("pattern")
    candidates: list[str] = []
    known = _FORMATS.get(str(schema.get("format", "")))
    if isinstance(known, str):
        candidates.append(known)
    lowered = key.lower()
    candidates += [value for fragment, value in _HINTS if fragment in lowered]
    candidates.append("CAISO")
    if pattern:
        candidates.append(_from_pattern(str(pattern)))
    for candidate in candidates:
        fitted = _fit(candidate, schema)
        if not pattern or _matches(str(pattern), fitted):
            return fitted
    return _fit(candidates[-1], schema)


def _fit(text: str, schema: Mapping[str, Any]) -> str:
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    if len(text) < low:
        text = text + "X" * (low - len(text))
    if high is not None and len(text) > int(high):
        text = text[: int(high)]
    return text


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _from_pattern(pattern: str) -> str:
    """A short string matching ``pattern`` (anchors and lookarounds ignored), or ''."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, ValueError, OverflowError):
        return ""
    return _emit(parsed)


def _emit(items: Any) -> str:
    out = []
    for op, arg in items:
        if op is sre_constants.LITERAL:
            out.append(chr(arg))
        elif op is sre_constants.IN:
            out.append(_first_in(arg))
        elif op is sre_constants.ANY:
            out.append("A")
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, _high, sub = arg
            out.append(_emit(sub) * int(low))
        elif op is sre_constants.SUBPATTERN:
            out.append(_emit(arg[-1]))
        elif op is sre_constants.BRANCH:
            out.append(_emit(arg[1][0]))
        elif op is sre_constants.CATEGORY:
            out.append(_category(arg))
    return "".join(out)


def _first_in(arg: Any) -> str:
    negated = any(op is sre_constants.NEGATE for op, _a in arg)
    if negated:
        return "A"
    for op, value in arg:
        if op is sre_constants.LITERAL:
            return chr(value)
        if op is sre_constants.RANGE:
            return chr(value[0])
        if op is sre_constants.CATEGORY:
            return _category(value)
    return "A"


def _category(value: Any) -> str:
    name = str(value)
    if "DIGIT" in name and "NOT" not in name:
        return "0"
    if "SPACE" in name and "NOT" not in name:
        return " "
    return "A"
