"""Intermediate model types -> OpenAPI 3.0 Schema Objects (the JSON shape of jsonxml).

Shared by every emitter that needs a JSON Schema for a model type.  The schema describes
exactly what :class:`b2b_openapi.jsonxml.B2BJsonConverter` produces, and is strict
(``additionalProperties: false`` unless the XSD has a wildcard) so that anything it accepts
encodes to XSD-valid XML.  What JSON Schema cannot say (totalDigits, fractionDigits, XML
names and order) is kept in ``xml`` and ``x-xsd-*`` annotations.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import formats
from .content import local_name
from .model import Attribute, Child, ComplexType, Ref, SimpleType, TypeRef
from .xsdregex import xml_text_only, xsd_pattern_to_ecma

Schema = dict[str, Any]
COMPONENTS = "#/components/schemas/"
NULL_ONLY: Schema = {"type": "string", "nullable": True, "enum": [None],
                     "description": "xsi:nil (the element is present but nil)."}

# XSD built-in -> (JSON type, format, extra keywords).  Date/time/duration/binary values get
# XSD formats (see formats.py) and a pattern for tools that do not know them.
# XSD 1.0 lexical spaces: year 0000 does not exist, offsets stay within +-14:00
_YEAR = r"-?([1-9][0-9]{3,}|0([1-9][0-9]{2}|0[1-9][0-9]|00[1-9]))"
_DATE = _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_DURATION = (r"-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+D)?"
             r"(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?")
# Text XML can carry: JSON strings may hold C0 controls (but tab, LF, CR) and U+FFFE/U+FFFF,
# which no XML document can, so free text says so (the servers refuse them, 422)
XML_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]*$"
BUILTINS: dict[str, tuple[str, str | None, Schema]] = {
    "string": ("string", None, {}),
    "normalizedString": ("string", None, {}),
    "token": ("string", None, {}),
    "language": ("string", None, {}),
    "Name": ("string", None, {}),
    "NCName": ("string", None, {}),
    "NMTOKEN": ("string", None, {}),
    "anyURI": ("string", "uri-reference", {}),
    "QName": ("string", None, {}),
    "boolean": ("boolean", None, {}),
    "decimal": ("number", None, {}),
    "float": ("number", "float", {}),
    "double": ("number", "double", {}),
    "integer": ("integer", None, {}),
    "nonNegativeInteger": ("integer", None, {"minimum": 0}),
    "positiveInteger": ("integer", None, {"minimum": 1}),
    "nonPositiveInteger": ("integer", None, {"maximum": 0}),
    "negativeInteger": ("integer", None, {"maximum": -1}),
    # format alone is not enforced by validators: the range is spelled out
    "long": ("integer", "int64", {"minimum": -(2**63), "maximum": 2**63 - 1}),
    "int": ("integer", "int32", {"minimum": -(2**31), "maximum": 2**31 - 1}),
    "short": ("integer", None, {"minimum": -32768, "maximum": 32767}),
    "byte": ("integer", None, {"minimum": -128, "maximum": 127}),
    "unsignedLong": ("integer", None, {"minimum": 0, "maximum": 18446744073709551615}),
    "unsignedInt": ("integer", None, {"minimum": 0, "maximum": 4294967295}),
    "unsignedShort": ("integer", None, {"minimum": 0, "maximum": 65535}),
    "unsignedByte": ("integer", None, {"minimum": 0, "maximum": 255}),
    "dateTime": ("string", formats.DATE_TIME, {"pattern": f"^{_DATE}T{_TIME}{_TZ}$"}),
    "date": ("string", formats.DATE, {"pattern": f"^{_DATE}{_TZ}$"}),
    "time": ("string", formats.TIME, {"pattern": f"^{_TIME}{_TZ}$"}),
    "duration": ("string", formats.DURATION, {"pattern": f"^{_DURATION}$"}),
    "gYear": ("string", None, {"pattern": f"^{_YEAR}{_TZ}$"}),
    "gYearMonth": ("string", None, {"pattern": f"^{_YEAR}-(0[1-9]|1[0-2]){_TZ}$"}),
    "base64Binary": ("string", formats.BASE64, {
        "pattern": r"^(([A-Za-z0-9+/] ?){4})*(([A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|"
                   r"([A-Za-z0-9+/] ?){2}[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=)?$"}),
    "hexBinary": ("string", None, {"pattern": r"^([0-9a-fA-F]{2})*$"}),
    "anySimpleType": ("string", None, {}),
    "anyAtomicType": ("string", None, {}),
}


def json_number(value: Any) -> Any:
    """A facet/enumeration/default value as JSON: integral decimals as integers, other
    Decimals kept (YAML writes them exactly), XSD date/duration objects as their lexical form."""
    if isinstance(value, bool | int | str | float) or value is None:
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and "E" not in str(value):
            return int(value)
        return value
    if isinstance(value, list):
        return [json_number(v) for v in value]
    return str(value)


def _free_text(schema: Schema, patterns: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a string schema may accept text XML cannot carry: no enumeration, no
    built-in lexical pattern, and no restriction step whose XSD patterns all surely match
    XML text only (:func:`xml_text_only`; a step's patterns are OR'ed, steps AND'ed)."""
    if schema.get("type") != "string" or "enum" in schema or "pattern" in schema:
        return False
    return not any(all(xml_text_only(p) for p in step) for step in patterns)


class SchemaEmitter:
    """Renders model types to Schema Objects, given how components are named."""

    def __init__(self, components: Mapping[str, TypeRef], names: Mapping[str, str]) -> None:
        self.components = components
        self.names = names

    def ref(self, key: str) -> Schema:
        return {"$ref": COMPONENTS + self.names[key]}

    def resolve(self, type_ref: TypeRef) -> SimpleType | ComplexType:
        while isinstance(type_ref, Ref):
            type_ref = self.components[type_ref.component]
        return type_ref

    # ------------------------------------------------------------------ entry points
    def component(self, key: str) -> Schema:
        """The schema of one named component."""
        definition = self.resolve(Ref(key))
        schema = self.definition(definition)
        if key.startswith("element:"):
            qname = key.split(":", 1)[1]
            schema["xml"] = _xml_name(qname)
        elif definition.qname:
            schema["x-xsd-name"] = definition.qname
        return schema

    def use(self, type_ref: TypeRef) -> Schema:
        """Schema for a *use* of a type: ``$ref`` for components, inline otherwise."""
        if isinstance(type_ref, Ref):
            return self.ref(type_ref.component)
        return self.definition(type_ref)

    def definition(self, definition: SimpleType | ComplexType) -> Schema:
        if isinstance(definition, SimpleType):
            return self.simple(definition)
        return self.complex(definition)

    # ------------------------------------------------------------------ simple types
    def simple(self, simple: SimpleType) -> Schema:
        schema: Schema = {}
        f = simple.facets
        description = join_docs(simple.doc, _enumeration_list(f.enumeration_docs))
        if description:
            schema["description"] = description
        if simple.variety == "list":
            assert simple.item is not None
            schema.update(type="array", items=self.use(simple.item))
            length_keys = ("minItems", "maxItems")
        elif simple.variety == "union":
            schema["anyOf"] = [self.use(m) for m in simple.members]
            length_keys = ("minLength", "maxLength")
        else:
            json_type, fmt, extra = BUILTINS.get(simple.builtin, ("string", None, {}))
            schema["type"] = json_type
            if fmt:
                schema["format"] = fmt
            schema.update(extra)
            schema["x-xsd-type"] = "xs:" + simple.builtin
            length_keys = ("minLength", "maxLength")
        if f.length is not None:
            schema[length_keys[0]] = schema[length_keys[1]] = f.length
        if f.min_length is not None:
            schema[length_keys[0]] = f.min_length
        if f.max_length is not None:
            schema[length_keys[1]] = f.max_length
        if f.min_inclusive is not None:
            schema["minimum"] = json_number(f.min_inclusive)
        if f.max_inclusive is not None:
            schema["maximum"] = json_number(f.max_inclusive)
        if f.min_exclusive is not None:
            schema.update(minimum=json_number(f.min_exclusive), exclusiveMinimum=True)
        if f.max_exclusive is not None:
            schema.update(maximum=json_number(f.max_exclusive), exclusiveMaximum=True)
        if f.total_digits is not None:
            schema["x-xsd-total-digits"] = f.total_digits
        if f.fraction_digits is not None:
            # Exact in JSON Schema semantics; validate with decimal numbers, not floats.
            schema["multipleOf"] = Decimal(1).scaleb(-f.fraction_digits)
            schema["x-xsd-fraction-digits"] = f.fraction_digits
        if f.enumeration is not None:
            schema["enum"] = [json_number(v) for v in f.enumeration]
        own = [xsd_pattern_to_ecma(step) for step in f.patterns]
        lexical = [schema["pattern"]] if "pattern" in schema else []
        if _free_text(schema, f.patterns):
            own.append(XML_TEXT)
        if own:
            own += lexical  # the built-in's lexical pattern also applies
            schema.pop("pattern", None)
            schema["pattern"] = own[0]
            if len(own) > 1:
                schema["allOf"] = [{"pattern": p} for p in own[1:]]
        return schema

    # ------------------------------------------------------------------ complex types
    def complex(self, complex_type: ComplexType) -> Schema:
        schema: Schema = {"type": "object"}
        if complex_type.doc:
            schema["description"] = complex_type.doc
        properties: Schema = {}
        for attribute in complex_type.attributes:
            properties[attribute.key] = self.attribute(attribute)
        required = [a.key for a in complex_type.attributes if a.required]
        if complex_type.simple_content is not None:
            properties["$"] = self._described(self.use(complex_type.simple_content),
                                              "The element's value.")
            required.append("$")
        for child in complex_type.children:
            properties[child.key] = self.child(child)
        required += [k for k in complex_type.required if k not in required]
        if properties:
            schema["properties"] = properties
        if required:
            schema["required"] = required
        if complex_type.open_content_min:  # required xs:any content has no key to name
            schema["minProperties"] = len(required) + 1
        if complex_type.presence:
            schema["allOf"] = [dict(p) for p in complex_type.presence]
        schema["additionalProperties"] = bool(
            complex_type.open_content or complex_type.open_attributes)
        if complex_type.base:
            schema["x-xsd-base"] = complex_type.base
            schema["x-xsd-derivation"] = complex_type.derivation
        if complex_type.compositor:
            schema["x-xsd-compositor"] = complex_type.compositor
        return schema

    def attribute(self, attribute: Attribute) -> Schema:
        schema = self._described(self.use(attribute.type), attribute.doc)
        if attribute.fixed is not None:
            schema = _fixed(schema, attribute.fixed)
        if attribute.default is not None or attribute.fixed is not None:
            schema = _merge(schema, {"default": json_number(
                attribute.fixed if attribute.fixed is not None else attribute.default)})
        return _merge(schema, {"xml": {**_xml_name(attribute.xml_name), "attribute": True}})

    def child(self, child: Child) -> Schema:
        item = self._described(self.use(child.type), child.doc)
        if child.nillable:
            item = self._nullable(child.type, item)
        if child.fixed is not None:
            item = _fixed(item, child.fixed)
        if child.default is not None:
            item = _merge(item, {"default": json_number(child.default)})
        extra: Schema = {"xml": _xml_name(child.xml_name), "x-xsd-order": child.order}
        if child.substitution_of:
            extra["x-xsd-substitution-group"] = child.substitution_of
        if not child.multiple:
            return _merge(item, extra)
        schema: Schema = {"type": "array", "items": item}
        if child.min_items > 0:
            schema["minItems"] = child.min_items
        if child.max_occurs is not None:
            schema["maxItems"] = child.max_occurs
        schema.update(extra)
        return schema

    def _nullable(self, type_ref: TypeRef, schema: Schema) -> Schema:
        """Schema of a nillable element: null, or for simple content ``"$": null``."""
        definition = self.resolve(type_ref)
        if isinstance(type_ref, Ref):  # inline a copy: $ref siblings are ignored in 3.0
            schema = {**self.definition(definition),
                      **{k: v for k, v in schema.items() if k != "$ref"}}
        if isinstance(definition, ComplexType):
            if definition.simple_content is not None:
                value = dict(schema["properties"]["$"])
                schema = {**schema, "properties": {**schema["properties"],
                                                   "$": self._nullable_inline(value)}}
            if any(a.required for a in definition.attributes):
                return schema  # a nil element still carries its required attributes
        return self._nullable_inline(schema)

    @staticmethod
    def _nullable_inline(schema: Schema) -> Schema:
        """OpenAPI 3.0 ``nullable`` only works beside ``type``; otherwise add a null branch."""
        if "type" in schema:
            return {**schema, "nullable": True}
        return {"anyOf": [schema, NULL_ONLY]}

    @staticmethod
    def _described(schema: Schema, doc: str | None) -> Schema:
        """The schema of a use (element, attribute) described by the use's documentation,
        then by its inline type's own (a ``$ref``'d type keeps its description in its
        component)."""
        if not doc:
            return schema
        return _merge(schema, {"description": join_docs(doc, schema.get("description"))})


def join_docs(*docs: str | None) -> str | None:
    """Several documentation texts as one, most specific first, each once."""
    kept: list[str] = []
    for doc in docs:
        if doc and doc not in kept:
            kept.append(doc)
    return "\n\n".join(kept) or None


def _enumeration_list(docs: tuple[tuple[Any, str], ...]) -> str | None:
    """Documented enumeration values as a Markdown list (OpenAPI 3.0 has no per-value
    description): ``- `A`: Actual``."""
    return "\n".join(f"- `{_lexical(value)}`: {doc}" for value, doc in docs) or None


def _lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(json_number(value))


def _fixed(schema: Schema, value: Any) -> Schema:
    """A fixed value as a one-value enumeration (the free-text pattern then says nothing)."""
    if schema.get("pattern") == XML_TEXT:
        schema = {k: v for k, v in schema.items() if k != "pattern"}
    return _merge(schema, {"enum": [json_number(value)]})


def _merge(schema: Schema, extra: Schema) -> Schema:
    """Add keywords to a schema; a bare ``$ref`` is wrapped since 3.0 ignores its siblings."""
    if "$ref" in schema and len(schema) == 1:
        return {"allOf": [schema], **extra}
    return {**schema, **extra}


def _xml_name(qname: str) -> Schema:
    xml: Schema = {"name": local_name(qname)}
    if qname.startswith("{"):
        xml["namespace"] = qname[1:].split("}", 1)[0]
    return xml
