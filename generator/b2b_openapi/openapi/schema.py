"""Intermediate model types -> OpenAPI 3.0 Schema Objects (the JSON shape of jsonxml).

Shared by every emitter that needs a JSON Schema for a model type.  The schema describes
exactly what :class:`b2b_openapi.codec.jsonxml.B2BJsonConverter` produces, and is strict
(``additionalProperties: false`` unless the XSD has a wildcard) so that anything it accepts
encodes to XSD-valid XML.  What JSON Schema cannot say (totalDigits, fractionDigits, XML
names and order, the bounds of dates and durations, patterns on a number's or a list's
lexical form) is kept in ``xml`` and ``x-xsd-*`` annotations; the gateway's encoder (xmlschema)
enforces the facets among them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from b2b_openapi.model import Attribute, Child, ComplexType, Facets, Ref, SimpleType, TypeRef
from b2b_openapi.openapi import formats
from b2b_openapi.openapi.xsdregex import PYTHON_SPACE, xml_text_only, xsd_pattern_to_ecma
from b2b_openapi.xsd.content import local_name

Schema = dict[str, Any]
COMPONENTS = "#/components/schemas/"
NULL_ONLY: Schema = {"type": "string", "nullable": True, "enum": [None],
                     "description": "xsi:nil (the element is present but nil)."}

# XSD built-in -> (JSON type, format, extra keywords).  Date/time/duration/binary values get
# XSD formats (see formats.py) and a pattern for tools that do not know them.


def _at_most(limit: int) -> str:
    """A regex for the decimal numbers of ``limit``'s length (no leading zero) up to it:
    per digit, a smaller digit there and anything after, or that digit and go on."""
    digits = str(limit)
    branches = []
    for i, digit in enumerate(digits):
        low, high = int(i == 0), int(digit) - 1
        if high >= low:
            smaller = str(low) if low == high else f"[{low}-{high}]"
            rest = len(digits) - i - 1
            branches.append(digits[:i] + smaller + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join([*branches, digits])


# XSD 1.0 lexical spaces: year 0000 does not exist, offsets stay within +-14:00.  Years are
# unbounded in XSD, but xmlschema (elementpath) holds |year| <= 2**31 only and raises
# OverflowError beyond: the schema refuses those years rather than promise them.
MAX_YEAR = 2**31
_YEAR = (rf"-?([1-9][0-9]{{3,{len(str(MAX_YEAR)) - 2}}}|{_at_most(MAX_YEAR)}"
         r"|0([1-9][0-9]{2}|0[1-9][0-9]|00[1-9]))")
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12][0-9]|3[01])"
_DATE = f"{_YEAR}-{_MONTH}-{_DAY}"
# xs:gMonthDay has no year, so its days are exact per month (--02-29 is valid, --04-31 not)
_MONTH_DAY = (r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
              r"|02-(0[1-9]|[12][0-9]))")
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_DURATION = (r"-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+D)?"
             r"(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?")
# Text XML can carry: JSON strings may hold C0 controls (but tab, LF, CR) and U+FFFE/U+FFFF,
# which no XML document can, so free text says so (the servers refuse them, 422)
XML_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]*$"
# An xs:list item that is a string: not empty, no whitespace (see SchemaEmitter._list_item)
LIST_ITEM = f"^[^{PYTHON_SPACE}]+$"
# The XSD's own definitions of these lexical spaces (XML Schema Part 2, 3.3; QName from
# Namespaces in XML), translated like any pattern: the name classes are XML's, as
# xmlschema has them (formats.py checks names with xmlschema itself too)
_NCNAME = r"[\i-[:]][\c-[:]]*"
_LEXICAL_XSD = {"language": "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", "Name": r"\i\c*",
                "NCName": _NCNAME, "ID": _NCNAME, "IDREF": _NCNAME, "ENTITY": _NCNAME,
                "NMTOKEN": r"\c+", "QName": f"({_NCNAME}:)?{_NCNAME}"}


def lexical(builtin: str) -> Schema:
    """The pattern of a built-in's lexical space (translated on first use: the XML name
    classes need elementpath, whose import is a good part of the spec stage's start-up)."""
    xsd = _LEXICAL_XSD.get(builtin)
    return {} if xsd is None else {"pattern": _ecma(xsd)}


@cache
def _ecma(xsd: str) -> str:
    """One translation per pattern (xs:NCName, xs:ID, xs:IDREF and xs:ENTITY share one)."""
    return xsd_pattern_to_ecma((xsd,))


BUILTINS: dict[str, tuple[str, str | None, Schema]] = {
    "string": ("string", None, {}),
    "normalizedString": ("string", None, {}),
    "token": ("string", None, {}),
    "language": ("string", None, {}),  # the lexical spaces' patterns: lexical()
    "Name": ("string", formats.NAME, {}),
    "NCName": ("string", formats.NCNAME, {}),
    "ID": ("string", formats.NCNAME, {}),
    "IDREF": ("string", formats.NCNAME, {}),
    "ENTITY": ("string", formats.NCNAME, {}),
    "NMTOKEN": ("string", formats.NMTOKEN, {}),
    "anyURI": ("string", "uri-reference", {}),
    "QName": ("string", formats.QNAME, {}),
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
    "gYearMonth": ("string", None, {"pattern": f"^{_YEAR}-{_MONTH}{_TZ}$"}),
    "gMonth": ("string", None, {"pattern": f"^--{_MONTH}{_TZ}$"}),
    "gMonthDay": ("string", None, {"pattern": f"^--{_MONTH_DAY}{_TZ}$"}),
    "gDay": ("string", None, {"pattern": f"^---{_DAY}{_TZ}$"}),
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
            schema.update(type="array", items=self._list_item(simple.item))
            if simple.builtin != "list":  # xs:NMTOKENS, xs:IDREFS, xs:ENTITIES
                schema["x-xsd-type"] = "xs:" + simple.builtin
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
            schema.update(lexical(simple.builtin))
            schema["x-xsd-type"] = "xs:" + simple.builtin
            length_keys = ("minLength", "maxLength")
        if f.length is not None:
            schema[length_keys[0]] = schema[length_keys[1]] = f.length
        if f.min_length is not None:
            schema[length_keys[0]] = f.min_length
        if f.max_length is not None:
            schema[length_keys[1]] = f.max_length
        _bounds(schema, f)
        if f.total_digits is not None:
            schema["x-xsd-total-digits"] = f.total_digits
        if f.fraction_digits is not None:
            # Exact in JSON Schema semantics; validate with decimal numbers, not floats.
            schema["multipleOf"] = Decimal(1).scaleb(-f.fraction_digits)
            schema["x-xsd-fraction-digits"] = f.fraction_digits
        if f.enumeration is not None:
            schema["enum"] = [json_number(v) for v in f.enumeration]
        self._patterns(schema, simple)
        return schema

    def _patterns(self, schema: Schema, simple: SimpleType) -> None:
        """The XSD patterns of a simple type, and the free-text rule.

        JSON Schema applies ``pattern`` to strings only, and the XSD applies it to the
        lexical form, which a JSON number, boolean or array does not keep (``012`` decodes
        to 12): for those the patterns stay ``x-xsd-pattern`` notes (one XSD regex per
        restriction step, all must match), checked when the gateway encodes to XML (422).
        A union gets ``pattern`` for its string members and the note for the others."""
        steps = simple.facets.patterns
        kinds = self._json_types(simple)
        if steps and kinds - {"string"}:
            schema["x-xsd-pattern"] = ["|".join(step) for step in steps]
        own = [xsd_pattern_to_ecma(step) for step in steps] if "string" in kinds else []
        lexical = [schema["pattern"]] if "pattern" in schema else []
        if _free_text(schema, steps):
            own.append(XML_TEXT)
        if own:
            own += lexical  # the built-in's lexical pattern also applies
            schema.pop("pattern", None)
            schema["pattern"] = own[0]
            if len(own) > 1:
                schema["allOf"] = [{"pattern": p} for p in own[1:]]

    def _json_types(self, type_ref: TypeRef) -> set[str]:
        """The JSON types a value of a type can take (a union: any of its members')."""
        definition = self.resolve(type_ref)
        if isinstance(definition, ComplexType):
            return {"object"}
        if definition.variety == "list":
            return {"array"}
        if definition.variety == "union":
            return set().union(*(self._json_types(m) for m in definition.members))
        return {BUILTINS.get(definition.builtin, ("string",))[0]}

    def _list_item(self, item: TypeRef) -> Schema:
        """An xs:list item.  The list's text is split at whitespace (xmlschema's split takes
        Python's, more than XML's four characters), so a string item holds none and is not
        empty: ``"a b"`` or ``""`` would come back as two items or none (an enumeration of
        such words says so already)."""
        schema = self.use(item)
        definition = self.resolve(item)
        words = isinstance(definition, SimpleType) and definition.facets.enumeration and all(
            isinstance(v, str) and re.fullmatch(LIST_ITEM, v)
            for v in definition.facets.enumeration)
        if "string" in self._json_types(item) and not words:
            schema = _with_pattern(schema, LIST_ITEM)
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
        fixed = attribute.fixed
        schema = self._value_use(attribute.type, attribute.doc, fixed=fixed,
                                 default=fixed if fixed is not None else attribute.default)
        return _merge(schema, {"xml": {**_xml_name(attribute.xml_name), "attribute": True}})

    def child(self, child: Child) -> Schema:
        item = self._value_use(child.type, child.doc, nillable=child.nillable,
                               fixed=child.fixed, default=child.default)
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

    def _value_use(self, type_ref: TypeRef, doc: str | None, *, nillable: bool = False,
                   fixed: Any = None, default: Any = None) -> Schema:
        """One use of a type by an element or attribute declaration: its documentation and
        what the declaration says of the value (nillable, fixed, default).  Of a type with
        simple content these are said of its ``$`` value (the object itself is no number);
        its component is then copied in, since OpenAPI 3.0 ignores a ``$ref``'s siblings.
        An element with a fixed value is never nil (XSD: xsi:nil needs no fixed value), so
        its ``nillable`` says nothing."""
        nillable = nillable and fixed is None
        schema = self._described(self.use(type_ref), doc)
        definition = self.resolve(type_ref)
        if not (isinstance(definition, ComplexType) and definition.simple_content is not None):
            if nillable:
                schema = self._nullable(type_ref, schema)
            return _constrained(schema, fixed, default)
        if not (nillable or fixed is not None or default is not None):
            return schema
        schema = self._inline(type_ref, schema)
        value = schema["properties"]["$"]
        if nillable:  # "$": null, with or without the attributes
            value = self._nullable_inline(value)
        schema = {**schema, "properties": {**schema["properties"],
                                           "$": _constrained(value, fixed, default)}}
        if nillable and not any(a.required for a in definition.attributes):
            schema = self._nullable_inline(schema)
        return schema

    def _nullable(self, type_ref: TypeRef, schema: Schema) -> Schema:
        """The schema of a nillable element of a simple or element-only type: ``null``.  A
        nil element keeps its attributes, which the converter decodes as ``{"@a": ..,
        "$": null}``; a required attribute rules out plain ``null``."""
        definition = self.resolve(type_ref)
        if not (isinstance(definition, ComplexType)
                and (definition.attributes or definition.open_attributes)):
            return self._nullable_inline(self._inline(type_ref, schema))
        use = dict(schema)
        doc = use.pop("description", None)
        if list(use) == ["allOf"] and len(use["allOf"]) == 1:  # the $ref wrapper
            use = use["allOf"][0]
        branches = [use, self._nil_object(definition)]
        if not any(a.required for a in definition.attributes):
            branches.append(NULL_ONLY)
        return {"description": doc, "anyOf": branches} if doc else {"anyOf": branches}

    def _nil_object(self, definition: ComplexType) -> Schema:
        """A nil element of an element-only type that carries attributes, as decoded."""
        properties = {a.key: self.attribute(a) for a in definition.attributes}
        properties["$"] = NULL_ONLY
        return {"type": "object", "properties": properties,
                "required": [a.key for a in definition.attributes if a.required] + ["$"],
                "additionalProperties": definition.open_attributes}

    def _inline(self, type_ref: TypeRef, schema: Schema) -> Schema:
        """A use's schema with its component copied in (an inline type already is), so
        that keywords beside it apply: OpenAPI 3.0 ignores a ``$ref``'s siblings."""
        if not isinstance(type_ref, Ref):
            return schema
        use = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
        return {**self.definition(self.resolve(type_ref)), **use}

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


# facet -> (JSON Schema bound, its OpenAPI 3.0 exclusive flag, the note for other types)
_BOUNDS = (("min_inclusive", "minimum", None, "x-xsd-min-inclusive"),
           ("max_inclusive", "maximum", None, "x-xsd-max-inclusive"),
           ("min_exclusive", "minimum", "exclusiveMinimum", "x-xsd-min-exclusive"),
           ("max_exclusive", "maximum", "exclusiveMaximum", "x-xsd-max-exclusive"))


def _bounds(schema: Schema, facets: Facets) -> None:
    """Range facets: ``minimum``/``maximum`` for numbers.  JSON Schema compares nothing
    else, so the bounds of dates, times, durations and the g* types stay ``x-xsd-*``
    notes with their XSD lexical value, checked when the gateway encodes to XML (422)."""
    numeric = schema.get("type") in ("number", "integer")
    for field, keyword, flag, note in _BOUNDS:
        value = getattr(facets, field)
        if value is None:
            continue
        if not numeric:
            schema[note] = json_number(value)
            continue
        schema[keyword] = json_number(value)
        if flag:
            schema[flag] = True


def _with_pattern(schema: Schema, pattern: str) -> Schema:
    """A schema that also requires ``pattern``, keeping any pattern it has."""
    if "pattern" not in schema:
        return _merge(schema, {"pattern": pattern})
    return {**schema, "allOf": [*schema.get("allOf", []), {"pattern": pattern}]}


def _constrained(schema: Schema, fixed: Any, default: Any) -> Schema:
    """A value schema with a declaration's fixed value (the only one allowed) and default."""
    if fixed is not None:
        schema = _fixed(schema, fixed)
    if default is not None:
        schema = _merge(schema, {"default": json_number(default)})
    return schema


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
