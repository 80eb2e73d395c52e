"""OpenAPI document -> pydantic v2 models, through datamodel-code-generator.

The emitted specs say more than pydantic models can hold, so the document is trimmed first:

* key-presence clauses derived from ``xs:choice`` (``allOf`` of ``required``/``not``) are
  dropped: the models keep every alternative optional and the server, which validates
  against the full spec, answers 422 when a choice is broken;
* ``x-*`` extensions and ``xml`` objects are dropped (they are for the gateway, not Python);
* every operation's request and response schema is made a named component, and the classes
  are named explicitly, so templates know which class each operation takes and returns.

Models accept keys they do not know (pydantic ``extra='allow'``, kept in ``model_extra``)
although the schemas say ``additionalProperties: false``: a response that gains an optional
property is a non-breaking change by the project's own diff rules, and a client generated
before it must still read the answer.  A request with a mistyped key still fails, at the
server (422), which validates against the full spec.

Values stay exactly as the JSON convention carries them: ``Decimal`` for every number, ``str``
for XSD dates, times, durations and base64 (their value spaces are wider than Python's
``datetime``/``timedelta``/``bytes``, so they would not round-trip).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from b2b_openapi.emit.view import parameters_schema, service_view
from b2b_openapi.openapi.schema import COMPONENTS
from b2b_openapi.openapi.walk import rewrite
from b2b_openapi.xsd.presence import is_presence_only

TYPE_MAPPINGS = ["number+default=decimal"]  # XSD formats (formats.py) stay plain str
ERROR_CLASS = "Error"


@dataclass(frozen=True)
class OperationModels:
    """Class names (in the generated models module) an operation takes and returns."""

    request: str
    response: str  # "" when the answer is not JSON (the runtime's BinaryAnswer)


@dataclass(frozen=True)
class GeneratedModels:
    source: str
    operations: Mapping[str, OperationModels]  # by operationId


def class_name(name: str) -> str:
    """A component name as a Python class name: PascalCase, only identifier characters."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    return text if text[0].isalpha() else f"M{text}"


def _trim(node: Mapping[str, Any]) -> dict[str, Any]:
    """One schema node without its ``x-*`` and ``xml`` keywords and presence clauses."""
    out = {k: v for k, v in node.items() if not (k.startswith("x-") or k == "xml")}
    if isinstance(out.get("allOf"), list):
        kept = [m for m in out["allOf"] if not is_presence_only(m)]
        if kept:
            out["allOf"] = kept
        else:
            del out["allOf"]
    return out


def strip_for_models(schema: Any) -> Any:
    """The schema without presence clauses, ``x-*`` extensions and ``xml`` objects, in every
    subschema (openapi/walk.py); data keywords (``enum``, ``default``, ``example``) and
    property names are kept as written, whatever they spell."""
    return rewrite(schema, before=_trim)


def _component_of(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref", "")
    return ref.removeprefix(COMPONENTS) if ref.startswith(COMPONENTS) else None


def prepare(document: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str],
                                                   dict[str, OperationModels]]:
    """The trimmed document, the class-name map for datamodel-code-generator, and the
    request/response class of each operation."""
    schemas: dict[str, Any] = dict((document.get("components") or {}).get("schemas") or {})
    if ERROR_CLASS not in schemas:  # a third-party document: its errors as they come
        schemas[ERROR_CLASS] = {"type": "object", "description": "An error answer's body."}
    operations: dict[str, OperationModels] = {}
    for view in service_view(document).operations:
        if not view.has_body:  # the query parameters as one object
            element = view.raw.get("x-soap-request-element", {}).get("name")
            name = element if element and element not in schemas else f"{view.id}Request"
            schemas[name] = parameters_schema([  # header parameters too (Call.headers)
                dict(p) for p in view.every_parameter if p["in"] in ("query", "header")])
            request = name
        else:
            body = dict(view.request_schema)
            request = _component_of(body) or _hoist(schemas, view.id, "Request", body)
        if not view.json_answer:  # bytes as they come: no model
            operations[view.id] = OperationModels(request, "")
            continue
        ok = dict(view.response_schema)
        named = _component_of(ok)
        if named is not None and schemas.get(named, {}).get("type", "object") != "object":
            named = None  # an enumeration, say: its own class is no model (RootModel then)
        response = named or _hoist(schemas, view.id, "Response", ok)
        operations[view.id] = OperationModels(request, response)
    names = {key: class_name(key) for key in schemas}
    clashes = _duplicates(names.values())
    if clashes:
        raise ValueError(f"components map to the same class name: {', '.join(clashes)}")
    stripped: dict[str, Any] = {name: strip_for_models(s) for name, s in schemas.items()}
    names.update((cls, cls) for cls in _InlineModels(stripped, names).lift())
    trimmed = {
        "openapi": document["openapi"],
        "info": {"title": document["info"]["title"], "version": document["info"]["version"]},
        "paths": {},
        "components": {"schemas": stripped},
    }
    classes = {
        op_id: OperationModels(names[m.request], names[m.response] if m.response else "")
        for op_id, m in operations.items()
    }
    return trimmed, {COMPONENTS + key: cls for key, cls in names.items()}, classes


class _InlineModels:
    """datamodel-code-generator names a model written inline (a property's own complex
    type, or a component copied in so that ``nullable`` beside it counts) after its
    property (``amount`` -> ``Amount``, array items ``AmountItem``), and refuses the name
    map when that is also a component's class (element ``amount`` of type ``Amount`` made
    nillable).  Such a model becomes a component of its own here, named after its owner
    (``WidgetAmount``); every other inline model keeps the name the generator gives it."""

    def __init__(self, schemas: dict[str, Any], names: Mapping[str, str]) -> None:
        self.schemas = schemas
        self.components = frozenset(names.values())
        self.taken = set(names.values())
        self.added: list[str] = []

    def lift(self) -> list[str]:
        """Hoist in place; the added components, each named as its class."""
        queue = list(self.schemas)
        while queue:
            key = queue.pop(0)
            owner = class_name(key)  # an added component's name already is a class name
            self.schemas[key] = self._walk(self.schemas[key], owner, owner, queue,
                                           inline=False)
        return self.added

    def _walk(self, schema: Any, hint: str, owner: str, queue: list[str], *,
              inline: bool = True) -> Any:
        if not isinstance(schema, dict):
            return schema
        if inline and hint in self.components and schema.get("type") == "object" and (
                "properties" in schema):
            return self._hoisted(schema, hint, owner, queue)
        out = dict(schema)
        if "properties" in out:
            out["properties"] = {name: self._walk(value, class_name(name), owner, queue)
                                 for name, value in out["properties"].items()}
        if "items" in out:
            out["items"] = self._walk(out["items"], hint + "Item", owner, queue)
        for key in ("anyOf", "oneOf", "allOf"):
            if key in out:
                out[key] = [self._walk(member, hint, owner, queue) for member in out[key]]
        return out

    def _hoisted(self, schema: dict[str, Any], hint: str, owner: str,
                 queue: list[str]) -> dict[str, Any]:
        cls = self._fresh(hint, owner)
        self.taken.add(cls)
        self.added.append(cls)
        self.schemas[cls] = {k: v for k, v in schema.items() if k != "nullable"}
        queue.append(cls)
        ref = {"$ref": COMPONENTS + cls}
        return {"allOf": [ref], "nullable": True} if schema.get("nullable") else ref

    def _fresh(self, hint: str, owner: str) -> str:
        base = owner + hint
        name, n = base, 1
        while name in self.taken or name in self.schemas:
            n += 1
            name = f"{base}{n}"
        return name


def _hoist(schemas: dict[str, Any], operation_id: str, suffix: str,
           schema: dict[str, Any]) -> str:
    name = f"{operation_id}{suffix}"
    schemas[name] = schema
    return name


def _duplicates(values: Iterable[str]) -> list[str]:
    return sorted(name for name, count in Counter(values).items() if count > 1)


def generate_models(document: Mapping[str, Any]) -> GeneratedModels:
    """Pydantic v2 models for every component of one service document."""
    # imported here: the build stack (the `build` extra), which importing this module (the
    # command line does, for every command) must not need
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator.enums import (
        DataModelType,
        ExtraFields,
        FieldTypeCollisionStrategy,
    )
    from datamodel_code_generator.format import Formatter

    trimmed, name_map, operations = prepare(document)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # naming hints; the name map settles names
        source = generate(
            trimmed,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            model_name_map=name_map,
            use_annotated=True,
            field_constraints=True,
            use_standard_collections=True,
            use_union_operator=True,
            disable_timestamp=True,
            formatters=[Formatter.BUILTIN] if hasattr(Formatter, "BUILTIN") else None,
            type_mappings=TYPE_MAPPINGS,
            use_decimal_for_multiple_of=True,
            use_schema_description=True,
            allow_population_by_field_name=True,
            set_default_enum_member=True,
            collapse_root_models=True,
            # fields keep their XML names; a clashing class is renamed instead
            field_type_collision_strategy=FieldTypeCollisionStrategy.RenameType,
            strict_nullable=True,  # honour OpenAPI 3.0 `nullable` (xsi:nil) on required keys
            extra_fields=ExtraFields.Allow.value,  # newer services' keys: see the docstring
        )
    if not isinstance(source, str):
        raise TypeError("datamodel-code-generator returned several modules")
    missing = [cls for m in operations.values() for cls in (m.request, m.response)
               if cls and not re.search(rf"^class {cls}\(", source, re.M)]
    if missing or not re.search(rf"^class {ERROR_CLASS}\(", source, re.M):
        raise ValueError(f"generated models lack classes {missing or [ERROR_CLASS]}")
    return GeneratedModels(source, operations)
