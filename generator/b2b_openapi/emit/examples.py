"""Sample values for a document that carries no ``examples``: what the Postman requests send
and the mock servers answer for a third-party document (docs/third-party.md).

The project's own documents carry sample instances (``examples`` from the corpus); a
document written elsewhere may have only ``example`` keywords on its schemas and parameters,
or nothing.  A sample is then built from the schema: its ``example``, else ``default``, else
the first ``enum`` value, else an object of its required and exemplified properties, a
one-item array, or a plain value of the type.  Deterministic: same schema, same sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SCHEMAS = "#/components/schemas/"
MAX_DEPTH = 8  # a recursive schema stops here (an empty object)
_PLAIN: dict[str, Any] = {"string": "string", "integer": 0, "number": 0, "boolean": True,
                          "array": [], "object": {}}
_FORMATS: dict[str, str] = {"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01",
                            "uuid": "00000000-0000-4000-8000-000000000000",
                            "email": "user@example.com", "uri": "https://example.com/"}


def first_example(container: Mapping[str, Any]) -> tuple[bool, Any]:
    """(found, value) of a media type or parameter object's own ``examples``/``example``."""
    examples = container.get("examples") or {}
    for example in examples.values():
        if isinstance(example, Mapping) and "value" in example:
            return True, example["value"]
    if "example" in container:
        return True, container["example"]
    return False, None


def schema_example(schema: Mapping[str, Any] | None, components: Mapping[str, Any],
                   depth: int = 0) -> Any:
    """A value for ``schema`` built from its ``example`` keywords (see the module)."""
    if not isinstance(schema, Mapping) or depth > MAX_DEPTH:
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMAS):
        return schema_example(components.get(ref.removeprefix(SCHEMAS)), components,
                              depth + 1)
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("allOf", "oneOf", "anyOf"):
        members = schema.get(key)
        if members:
            if key != "allOf":
                return schema_example(members[0], components, depth + 1)
            merged: dict[str, Any] = {}
            for member in members:
                value = schema_example(member, components, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object":
        required = set(schema.get("required", ()))
        return {name: schema_example(sub, components, depth + 1)
                for name, sub in (schema.get("properties") or {}).items()
                if name in required or _exemplified(sub)}
    if kind == "array":  # as many items as it must have (the same one)
        item = schema_example(schema.get("items"), components, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "string" and schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    if kind in ("number", "integer") and "minimum" in schema:
        return schema["minimum"]
    return _PLAIN.get(str(kind), "string")


def _exemplified(schema: Any) -> bool:
    return isinstance(schema, Mapping) and ("example" in schema or "$ref" in schema)
