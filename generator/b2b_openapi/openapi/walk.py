"""Where an OpenAPI 3.0 Schema Object holds other schemas, and one rewrite over them.

The emitters turn the specs' schemas into other dialects (trimmed for pydantic models,
draft-07 for ajv in the Postman tests); each used to walk the schema itself and each
recursed into every value, so data keywords (``enum``, ``default``, ``example``) were
rewritten as if they were schemas, and a map of names (``properties``, the components)
could be mistaken for a schema whose keys are keywords.  This module knows the places,
once, and maps a node transform over them:

* ``properties``: a map whose KEYS are names (a property may be called ``xml`` or
  ``x-foo`` or ``allOf``) and whose values are schemas;
* ``items``, ``not``, and ``additionalProperties`` when it is a schema (not a boolean);
* the members of ``allOf``, ``anyOf``, ``oneOf``.

Every other keyword's value is data and is left as it is.  A ``$ref`` is a leaf here: the
walker does not follow it (the caller decides what a reference becomes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Schema = Mapping[str, Any]
Node = Callable[[Schema], Schema]

NAMED = ("properties",)  # name -> schema
SINGLE = ("items", "not", "additionalProperties")  # a schema (additionalProperties: or bool)
LISTS = ("allOf", "anyOf", "oneOf")  # members
SUBSCHEMA_KEYWORDS = frozenset((*NAMED, *SINGLE, *LISTS))


def subschemas(schema: Schema) -> Iterator[tuple[str, str | int | None, Schema]]:
    """Each direct subschema of ``schema`` as ``(keyword, name or index or None, schema)``,
    in the order the keywords appear."""
    for keyword, value in schema.items():
        if keyword in NAMED and isinstance(value, Mapping):
            for name, member in value.items():
                if isinstance(member, Mapping):
                    yield keyword, name, member
        elif keyword in SINGLE and isinstance(value, Mapping):
            yield keyword, None, value
        elif keyword in LISTS and isinstance(value, list):
            for index, member in enumerate(value):
                if isinstance(member, Mapping):
                    yield keyword, index, member


def map_subschemas(schema: Schema, f: Callable[[Schema], Any]) -> dict[str, Any]:
    """A copy of ``schema`` with each direct subschema replaced by ``f`` of it; every other
    keyword (and a boolean ``additionalProperties``) as it is, in the same order."""
    out: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in NAMED and isinstance(value, Mapping):
            out[keyword] = {name: f(member) if isinstance(member, Mapping) else member
                            for name, member in value.items()}
        elif keyword in SINGLE and isinstance(value, Mapping):
            out[keyword] = f(value)
        elif keyword in LISTS and isinstance(value, list):
            out[keyword] = [f(m) if isinstance(m, Mapping) else m for m in value]
        else:
            out[keyword] = value
    return out


def _same(schema: Schema) -> Schema:
    return schema


def rewrite(schema: Any, *, before: Node = _same, after: Node = _same) -> Any:
    """``schema`` with every schema node in it rewritten: ``before`` on the node as written
    (it may drop or edit keywords, subschema ones too, before they are visited), then the
    node's remaining subschemas rewritten, then ``after`` on the result (its subschemas
    already rewritten).  A value that is not a schema object (a boolean schema) is
    returned as it is."""
    if not isinstance(schema, Mapping):
        return schema
    visited = map_subschemas(before(schema),
                             lambda sub: rewrite(sub, before=before, after=after))
    return dict(after(visited))
