"""Intermediate model types -> OpenAPI 3.0 Schema Objects (the JSON shape of jsonxml).

Shared by every emitter that needs a JSON Schema for a model type.  The schema describes
exactly what :class:`b2b_openapi.jsonxml.B2BJsonConverter` produces, and is strict
(``additionalProperties: false`` unless the XSD has a wildcard) so that anything it accepts
encodes to XSD-valid XML.  What JSON Schema cannot say (totalDigits, fractionDigits, XML
names and order) is kept in ``xml`` and ``x-xsd-*`` annotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from elementpath.regex import translate_pattern

from . import formats
from .content import local_name
from .model import Attribute, Child, ComplexType, Ref, SimpleType, TypeRef

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


class UnsupportedPattern(ValueError):
    """An XSD pattern that has no faithful ECMA-262 (OpenAPI 3.0) form."""


# XSD's multi-character escapes: translated by :func:`_escape`, but copied with Python's
# meaning by elementpath
_MULTI_CHARACTER = frozenset(("\\s", "\\S", "\\d", "\\D", "\\w", "\\W"))
_PYTHON_ANCHORS = re.compile(r"\^\(\?:(.*)\)\$\(\?!\\n\\Z\)", re.DOTALL)


def _escapes(pattern: str) -> Iterator[tuple[int, str]]:
    r"""Each escape of an XSD regex with its position, ``\p{...}`` whole."""
    i = 0
    while i < len(pattern):
        if pattern[i] != "\\":
            i += 1
            continue
        if pattern[i + 1:i + 3] in ("p{", "P{"):
            end = pattern.find("}", i)
            escape = pattern[i:end + 1] if end > 0 else pattern[i:]
        else:
            escape = pattern[i:i + 2]
        yield i, escape
        i += len(escape)


def _elementpath_construct(pattern: str) -> str | None:
    r"""The first construct of an XSD regex that elementpath translates and ECMAScript
    lacks: ``\i`` ``\c`` (name characters), ``\p{Is...}`` (a Unicode block, one range),
    class subtraction (``[a-z-[aeiou]]``)."""
    escapes = dict(_escapes(pattern))
    depth = 0  # character class nesting
    i = 0
    while i < len(pattern):
        if i in escapes:
            escape = escapes[i]
            if escape[1:] in ("i", "c", "I", "C") or escape[1:4] in ("p{I", "P{I"):
                return escape
            i += len(escape)
            continue
        ch = pattern[i]
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif ch == "-" and depth and pattern[i + 1:i + 2] == "[":
            return "class subtraction (-[)"
        i += 1
    return None


def _plain_xsd_regex(pattern: str) -> str:
    r"""An XSD regex without elementpath-only constructs, as ECMAScript (and Python) syntax.

    XSD regexes have no anchors: ``^`` and ``$`` are ordinary characters outside a class
    (inside one, ``^`` is special only as its first character, in both dialects), so they
    are escaped; ``.`` is XSD's any character but newline and carriage return, which in
    ECMAScript also excludes U+2028/U+2029 and in Python includes ``\r``, so it is spelled
    out; ``\-`` outside a class is a plain ``-`` (an escaped ``-`` there is a syntax error
    in ECMAScript's unicode mode).  Other escapes are copied (``\^`` stays literal) but the
    multi-character ones, see :func:`_escape`.
    """
    out: list[str] = []
    depth = 0  # character class nesting (only class subtraction nests, see above)
    range_open = False  # the last token was a range's "-" (after a character, in a class)
    previous = ""  # the class's last token: "" at its start, else "char" or "-"
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        escaped_start = ch == "\\" and depth and pattern[i + 2:i + 3] == "-" \
            and pattern[i + 3:i + 4] not in ("", "]", "[")
        if ch == "\\":
            if escaped_start or range_open:  # [\t-\r], [a-\]]
                raise UnsupportedPattern(
                    f'pattern "{pattern}" has a range with an escaped endpoint, which '
                    "xmlschema reads differently from the XSD standard (so the spec and the "
                    "gateway would disagree); write the endpoints unescaped or list them")
            out.append(_escape(pattern, pattern[i:i + 2], depth > 0))
            previous, range_open = "char", False
            i += 2
            continue
        range_open = depth > 0 and ch == "-" and previous == "char"
        if not (ch == "^" and previous == "" and out and out[-1] == "["):  # [^ negates
            previous = "-" if ch == "-" else "char"
        if ch == "[":
            depth += 1
            previous = ""
        elif ch == "]" and depth:
            depth -= 1
        elif depth == 0 and ch in "^$":
            ch = "\\" + ch
        elif depth == 0 and ch == ".":
            ch = "[^\\n\\r]"
        out.append(ch)
        i += 1
    return "".join(out)


# XSD's \s is exactly these four (ECMAScript's also takes \v, \f, NBSP, U+2028...)
_XSD_SPACE = " \\t\\n\\r"
# ...but xmlschema (through elementpath) reads a \s outside a class as Python's, which
# also takes these: what the gateway's encoder accepts is bounded by both
_PYTHON_SPACE = _XSD_SPACE + ("\\f\\v\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028"
                              "\\u2029\\u202f\\u205f\\u3000")


def _escape(pattern: str, escape: str, in_class: bool) -> str:
    r"""One XSD escape in ECMAScript, accepting only what both the XSD specification (a
    SOAP service) and xmlschema (the gateway's encoder) accept.  ``\s`` is the XSD's four
    characters; ``\S`` refuses Python's whitespace too; ``\d`` (XSD: any Unicode decimal
    digit) is ASCII ``[0-9]``.  ``\w``, ``\W``, ``\D`` and ``\S`` inside a class have no
    exact ECMA-262 5.1 form (Unicode category sets, complements) and are refused."""
    if escape == "\\-" and not in_class:
        return "-"
    if escape == "\\s":
        return _XSD_SPACE if in_class else f"[{_XSD_SPACE}]"
    if escape == "\\S" and not in_class:
        return f"[^{_PYTHON_SPACE}]"
    if escape == "\\d":
        return "0-9" if in_class else "[0-9]"
    if escape in ("\\w", "\\W", "\\D", "\\S"):
        raise UnsupportedPattern(
            f'pattern "{pattern}" uses {escape}{" in a character class" if in_class else ""}, '
            "which has no exact OpenAPI 3.0 (ECMA-262 5.1) form; list the characters or "
            "ranges instead")
    return escape


def _category_escape(pattern: str) -> str | None:
    r"""The first Unicode general category escape (``\p{Lu}``, ``\P{L}``...) of a pattern."""
    return next((escape for _, escape in _escapes(pattern)
                 if escape[1:3] in ("p{", "P{") and not escape[3:].startswith("Is")), None)


def xsd_regex_to_ecma(pattern: str) -> str:
    """One XSD regex as an unanchored ECMA-262 regex that accepts the same strings.

    Raises :class:`UnsupportedPattern` for what ECMA-262 5.1 (the dialect OpenAPI 3.0 names)
    cannot say exactly and compactly: Unicode category escapes (``\\p{Lu}`` is hundreds of
    ranges, and which ones depends on the Unicode version), characters beyond the Basic
    Multilingual Plane (UTF-16 surrogate pairs cannot sit in a character class), and
    multi-character escapes in a pattern elementpath translates (it copies them with
    Python's meaning, which is neither the XSD's nor ECMAScript's).
    """
    category = _category_escape(pattern)
    if category is not None:
        raise UnsupportedPattern(
            f'pattern "{pattern}" uses the Unicode category escape {category}, which OpenAPI '
            "3.0 (ECMA-262 5.1) patterns cannot express; list the characters or ranges instead")
    construct = _elementpath_construct(pattern)
    if construct is not None:
        multi = next((e for _, e in _escapes(pattern) if e in _MULTI_CHARACTER), None)
        if multi is not None:
            raise UnsupportedPattern(
                f'pattern "{pattern}" combines {multi} with {construct}, which has no exact '
                "OpenAPI 3.0 (ECMA-262 5.1) form here; list the characters or ranges "
                f"instead of {multi}")
        translated = translate_pattern(pattern, back_references=False, anchors=False)
        # elementpath wraps the result in Python-only anchors (\Z)
        wrapped = _PYTHON_ANCHORS.fullmatch(translated)
        translated = wrapped.group(1) if wrapped else translated
    else:
        translated = _plain_xsd_regex(pattern)
    if any(ord(ch) > 0xFFFF for ch in translated):
        raise UnsupportedPattern(
            f'pattern "{pattern}" needs characters beyond U+FFFF, which OpenAPI 3.0 '
            "(ECMA-262 5.1) patterns cannot express")
    return translated


def xml_text_only(pattern: str) -> bool:
    r"""Whether an XSD regex surely matches only characters XML can carry (not C0 controls
    but tab, LF, CR; not U+FFFE, U+FFFF), so a string it bounds needs no :data:`XML_TEXT`.

    Conservative: a pattern elementpath translates is never sure (its classes come out as
    raw ranges, ``\p{IsBasicLatin}`` is ``[\x00-\x7f]``), nor is one whose translation has
    a negated class (XSD's ``.``, ``[^,]``), an escape but the plain single-character ones
    (``\x``, ``\u``, ``\f``...), a range with an escaped endpoint (``[\t-\r]``) or one from
    a control character, or such a character itself.
    """
    if _elementpath_construct(pattern) is not None:
        return False
    try:
        translated = _plain_xsd_regex(pattern)
    except UnsupportedPattern:
        return False
    return _closed(translated)


# escapes whose character is printable (or tab, LF, CR)
_PLAIN_ESCAPES = frozenset("\\" + c for c in "nrt\\|.-^$?*+(){}[]/")


def _closed(ecma: str) -> bool:
    """Whether a plain translated regex matches XML characters only, see
    :func:`xml_text_only`: only positive classes of plain atoms and ranges between
    unescaped printable characters."""
    tokens: list[str] = []
    i = 0
    while i < len(ecma):
        token = ecma[i:i + 2] if ecma[i] == "\\" else ecma[i]
        i += len(token)
        if (len(token) == 2 and token not in _PLAIN_ESCAPES) or _control(token):
            return False
        tokens.append(token)
    in_class: list[str] | None = None
    for token in tokens:
        if in_class is None:
            if token == "[":
                in_class = []
            continue
        if token == "]":
            if in_class[:1] == ["^"] or not _closed_class(in_class):
                return False
            in_class = None
            continue
        in_class.append(token)
    return True


def _closed_class(atoms: list[str]) -> bool:
    """A class body (ECMAScript: ``a-b`` between two atoms is a range) with no range from
    or to an escape or a character XML cannot carry."""
    j = 0
    while j < len(atoms):
        if j + 2 < len(atoms) and atoms[j + 1] == "-":
            low, high = atoms[j], atoms[j + 2]
            if len(low) > 1 or len(high) > 1 or ord(low) < 0x20 or ord(high) >= 0xFFFE:
                return False
            j += 3
        else:
            j += 1
    return True


def _control(token: str) -> bool:
    """A raw character XML cannot carry (tab, LF, CR excepted) or that makes a range."""
    return len(token) == 1 and ((ord(token) < 0x20 and token not in "\t\n\r")
                                or ord(token) >= 0xFFFE)


def xsd_pattern_to_ecma(patterns: tuple[str, ...]) -> str:
    """One restriction step's patterns (OR'ed, implicitly anchored) as an anchored regex."""
    translated = [xsd_regex_to_ecma(pattern) for pattern in patterns]
    body = translated[0] if len(translated) == 1 else "|".join(f"(?:{p})" for p in translated)
    return f"^(?:{body})$"


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
