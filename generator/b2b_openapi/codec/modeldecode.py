"""Decode a sample instance to JSON from the intermediate model alone, without xmlschema.

Why: the spec stage's fast path has no xmlschema objects (importing and building them is
most of its time), only the model (:mod:`b2b_openapi.model`) and an lxml tree that libxml2
has already found valid against the service's schemas.  This module gives exactly what
:func:`b2b_openapi.codec.jsonxml.decode` (xmlschema's strict decode with
``B2BJsonConverter``, the reference) gives for the same valid instance: the same JSON
structure, key order and Python types.  It re-states the reference's rules as xmlschema
applies them (see jsonxml's module docstring and docs/mapping.md for the mapping):

* attributes first, in document order, then the missing declared attributes with a fixed
  or default value (typed from the model); element children in document order, an array
  for a ``multiple`` child; ``$`` holds simple content; ``xsi:nil`` is ``null``;
* an empty element takes its declaration's fixed or default value, else the empty value
  of its type (``""`` for string-like types, ``[]`` for lists, ``None`` otherwise);
* values are normalised per the built-in's whiteSpace (xs:string preserves, xs:normalizedString
  replaces, everything else collapses, as xmlschema does it: ``\\s`` and ``str.strip``) and
  typed as xmlschema types them: ``Decimal``, ``int``, ``bool``, ``float`` (xs:double), dates,
  times and durations as their stripped text, base64Binary without its spaces, hexBinary
  upper-case.

Wildcard content (xs:any, xs:anyAttribute) is decoded as xmlschema decodes it, given a
:class:`Lookup` of the schema set's global declarations: a matched element or attribute
with a global declaration of its name is decoded with it (key: its local name), any other
as xs:anyType (key: its ``{namespace}local`` name; an element's attributes raw, its text
stripped under ``$``, its children again wildcard content, each an array), unless its
namespace is one xmlschema loads a bundled schema for on demand (then it stays with the
reference).  Without a lookup, or for a wildcard that is not lax or strict (the model's
``open_content_process``/``open_attributes_process``: xmlschema drops what a skip wildcard
matches, and "mixed" wildcards would need to know which one matched), wildcard content
raises :class:`Unsupported`.

Whatever else it cannot decide exactly as the reference does raises :class:`Unsupported`,
and the caller falls back to the reference for that service: ``xsi:type``,
xs:QName/xs:NOTATION/xs:ENTITY and the xs:any*Type values, xs:float (xmlschema hands over
an elementpath ``Float``, not a ``float``), the values JSON has no form for (INF, -INF,
NaN: the reference refuses them), a union whose member choice needs a check this module
does not make (a pattern it cannot evaluate exactly, a list member, a date bound), an
empty global element (the root, or a wildcard's match: the model keeps no global
element's default or fixed value), a declared element in a type that also has an
element wildcard (which of the two matched it depends on the content model's state and
the wildcard's namespaces, which the model does not keep), and two or more missing
defaulted attributes of a type with an attribute wildcard (xmlschema appends them in
declaration order, the model's ``attribute_order`` is by name there).

The model does not record an ``xs:whiteSpace`` facet: a user type restricting xs:string
with whiteSpace="collapse" would be decoded preserved here (none in the corpus; the lead's
reader should refuse such a type, see the report of this module's tests).

It imports neither xmlschema nor elementpath (that import is what the fast path saves), so
the mapping's two key conventions are restated here rather than imported from jsonxml.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from b2b_openapi.model import (
    Child,
    ComplexType,
    Element,
    Facets,
    Ref,
    SimpleType,
    TypeRef,
)

TEXT_KEY = "$"  # jsonxml.TEXT_KEY
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_XSI_NIL = _XSI + "nil"
_XSI_TYPE = _XSI + "type"
# Namespaces xmlschema's loader fetches a schema for when an instance uses them
# (SchemaLoader.fallback_locations: its bundled copies, or the web), so a lax wildcard's
# match in one of them may be decoded with a declaration the service's schemas lack.
# tests/test_modeldecode.py holds this list equal to xmlschema's.
WELL_KNOWN_NAMESPACES = frozenset({
    "http://www.w3.org/2001/XMLSchema", "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/1999/XSL/Transform",
    "http://www.w3.org/2001/XMLSchema-hasFacetAndProperty",
    "http://www.w3.org/2007/XMLSchema-versioning", "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml", "http://schemas.xmlsoap.org/wsdl/",
    "http://schemas.xmlsoap.org/wsdl/soap/", "http://schemas.xmlsoap.org/soap/envelope/",
    "http://schemas.xmlsoap.org/soap/encoding/", "http://www.w3.org/2000/09/xmldsig#",
    "http://www.w3.org/2009/xmldsig11#", "http://www.w3.org/2001/04/xmlenc#",
    "http://www.w3.org/2009/xmlenc11#",
})
# xmlschema's whiteSpace normalisation (XsdSimpleType.normalize): Python's \s and strip()
_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")

_STRINGS = frozenset({"string", "normalizedString", "token", "language", "Name", "NCName",
                      "ID", "IDREF", "NMTOKEN", "anyURI"})
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1),
    "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 65535), "unsignedByte": (0, 255),
}
_DATES = frozenset({"dateTime", "date", "time", "gYear", "gYearMonth", "gMonth", "gMonthDay",
                    "gDay", "duration"})
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
# primitive types whose empty text is "" (jsonxml._empty_value)
_EMPTY_IS_STRING = _STRINGS | {"base64Binary", "hexBinary"}

# xs:decimal's and xs:integer's lexical spaces (ASCII digits only; Python's int() and
# Decimal() take more), shared with the light reader's facet values (xsd/light.py)
DECIMAL_LEXICAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
INTEGER_LEXICAL = re.compile(r"[+-]?[0-9]+")
# XSD regexes whose meaning Python's re shares: no XSD-only escapes (\i \c \p), no \s or
# \w (Python's are wider), no class subtraction, no '.', '^' or '$' (they differ)
_PLAIN_REGEX = re.compile(r"(?:[A-Za-z0-9 _,:;/#@!'\"%&=<>~`(){}|?*+\]]|\[\^?"
                          r"|\\[dD.\-()\[\]{}*+?|\\^$]|-(?!\[))*")


class Unsupported(Exception):
    """The instance needs a decision this decoder does not make exactly as the reference
    (:func:`b2b_openapi.codec.jsonxml.decode`) would: decode it with the reference."""


class Lookup(Protocol):
    """The schema set's global declarations, as the reference's maps hold them (its
    shared parent schemas included), for the content a lax wildcard matches.

    ``element`` gives the model of the global element ``qname`` (its components added to
    the mapping the decoder was given, which is live) or None when there is none;
    ``attribute`` the type of the global attribute, or None.
    :class:`b2b_openapi.xsd.fastpath.Globals` is one."""

    def element(self, qname: str) -> Element | None: ...

    def attribute(self, qname: str) -> TypeRef | None: ...


def decode(element: Element, components: Mapping[str, TypeRef], root: Any,
           lookup: Lookup | None = None) -> object:
    """A valid lxml instance of ``element`` as the JSON :func:`jsonxml.decode` gives for it.

    ``root`` must already be valid against the service's schemas (libxml2's verdict):
    this decoder reads values, it does not check them.  ``lookup`` gives the global
    declarations wildcard content is decoded with; without it such content is left to the
    reference.  Raises :class:`Unsupported`."""
    if root.tag != element.qname:
        raise Unsupported(f"root is {root.tag}, the element is {element.qname}")
    return _Decoder(components, lookup).element(root, element.type, None)


class _Decoder:
    """One decode: the service's components, for resolving references, and the global
    declarations wildcard content is decoded with."""

    def __init__(self, components: Mapping[str, TypeRef], lookup: Lookup | None) -> None:
        self.components = components
        self.lookup = lookup

    def resolve(self, ref: TypeRef) -> SimpleType | ComplexType:
        seen = 0
        while isinstance(ref, Ref):
            found = self.components.get(ref.component)
            if found is None or seen > len(self.components):
                raise Unsupported(f"unknown component {ref.component}")
            ref, seen = found, seen + 1
        return ref

    # ------------------------------------------------------------------ elements
    def element(self, elem: Any, type_ref: TypeRef, child: Child | None) -> object:
        """One element, declared as ``child`` (None for the root or a wildcard's match: a
        global element, whose default or fixed value the model does not keep)."""
        xsd_type = self.resolve(type_ref)
        result: dict[str, object] = {}
        nil = False
        attributes = xsd_type.attributes if isinstance(xsd_type, ComplexType) else ()
        declared = {a.xml_name: a for a in attributes}
        for name, value in elem.attrib.items():
            if name.startswith(_XSI):
                if name == _XSI_TYPE:
                    raise Unsupported("xsi:type")
                nil = nil or (name == _XSI_NIL and value.strip() in ("true", "1"))
                continue
            attribute = declared.get(name)
            if attribute is not None:
                result[attribute.key] = self.simple(attribute.type, value)
                continue
            if not isinstance(xsd_type, ComplexType) or not xsd_type.open_attributes:
                raise Unsupported(f"attribute {name} is not declared")
            key = "@" + name  # jsonxml: a wildcard's match keeps its namespace
            if key in result or any(a.key == key for a in attributes):
                raise Unsupported(f"wildcard attribute {name} shares its key")
            result[key] = self.wildcard_attribute(name, value,
                                                  xsd_type.open_attributes_process)
        self.defaults(result, elem, xsd_type)

        if isinstance(xsd_type, SimpleType) or xsd_type.simple_content is not None:
            simple_ref = xsd_type if isinstance(xsd_type, SimpleType) else \
                xsd_type.simple_content
            assert simple_ref is not None
            value = None if nil else self.text(elem, simple_ref, child)
            if isinstance(xsd_type, SimpleType) or (nil and not result):
                return value
            result[TEXT_KEY] = value
            return result
        if nil:
            if not result:
                return None
            result[TEXT_KEY] = None
            return result
        self.content(elem, xsd_type, result)
        return result

    def defaults(self, result: dict[str, object], elem: Any,
                 xsd_type: SimpleType | ComplexType) -> None:
        """Missing attributes with a fixed or default value, appended as xmlschema appends
        them: in its attribute group's order (``attribute_order``: the declaration order,
        a base type's attributes first)."""
        if not isinstance(xsd_type, ComplexType):
            return
        missing = [a for a in xsd_type.attributes if a.xml_name not in elem.attrib
                   and (a.fixed is not None or a.default is not None)]
        if len(missing) > 1:
            rank = {name: i for i, name in enumerate(xsd_type.attribute_order)}
            if any(a.xml_name not in rank for a in missing):
                raise Unsupported("several defaulted attributes missing, their order is "
                                  "not in the model")
            missing.sort(key=lambda a: rank[a.xml_name])
        for attribute in missing:
            value = attribute.fixed if attribute.fixed is not None else attribute.default
            result[attribute.key] = self.typed_default(attribute.type, value)

    def typed_default(self, type_ref: TypeRef, value: object) -> object:
        """A model default/fixed value is the reference's decoded value for the atomic
        types this decoder reads; lists and unions are left to the reference."""
        simple = self.resolve(type_ref)
        if not isinstance(simple, SimpleType) or simple.variety != "atomic" or \
                simple.builtin not in _STRINGS | _DATES | set(_INTEGER_RANGES) | {
                    "boolean", "decimal", "double"}:
            raise Unsupported("default value of a type read by the reference only")
        _check_finite(value)
        return value

    def text(self, elem: Any, type_ref: TypeRef, child: Child | None) -> object:
        """The value of a simple-content element (xmlschema reads ``elem.text`` only)."""
        text = elem.text
        if not text and child is None:
            raise Unsupported("empty global element: the model keeps no default of it")
        if not text:
            assert child is not None
            constraint = child.fixed if child.fixed is not None else child.default
            if constraint is not None:
                return self.typed_default(type_ref, constraint)
            return self.empty(type_ref)
        return self.simple(type_ref, text)

    def content(self, elem: Any, xsd_type: ComplexType, result: dict[str, object]) -> None:
        """Element-only content: children in document order (whitespace and comments
        between them carry nothing), a wildcard's matches as jsonxml keys them."""
        by_name = {c.xml_name: c for c in xsd_type.children}
        declared_keys = {c.key for c in xsd_type.children}
        for node in elem:
            if not isinstance(node.tag, str):  # comment or processing instruction
                continue
            child = by_name.get(node.tag)
            if child is None:
                if not xsd_type.open_content:
                    raise Unsupported(f"element {node.tag} is not declared")
                key, value = self.wildcard_element(node, xsd_type.open_content_process)
                if key in declared_keys:
                    raise Unsupported(f"wildcard element {node.tag} shares its key")
                _put(result, key, value, xsd_type.open_content_multiple)
                continue
            if xsd_type.open_content:
                raise Unsupported(f"declared element {node.tag} beside a wildcard")
            value = self.element(node, child.type, child)
            if child.multiple:
                items = result.setdefault(child.key, [])
                assert isinstance(items, list)
                items.append(value)
            elif child.key in result:  # the same single key twice: not in valid content
                raise Unsupported(f"{node.tag} repeats")
            else:
                result[child.key] = value

    # ------------------------------------------------------------------ wildcard content
    def globals(self, process: str | None) -> Lookup:
        """The lookup the content of a lax or strict wildcard is decoded with."""
        if self.lookup is None:
            raise Unsupported("wildcard content: no global declarations known")
        if process not in ("lax", "strict"):
            raise Unsupported(f"the content of a processContents={process!r} wildcard")
        return self.lookup

    def wildcard_attribute(self, name: str, value: str, process: str | None) -> object:
        """An attribute matched by xs:anyAttribute (lax or strict): typed by its global
        declaration, else its text as it stands (xmlschema's anySimpleType)."""
        type_ref = self.globals(process).attribute(name)
        if type_ref is None:
            _not_well_known(name)
            return value
        return self.simple(type_ref, value)

    def wildcard_element(self, node: Any, process: str | None) -> tuple[str, object]:
        """An element matched by xs:any (lax or strict) as its key and value: decoded by
        its global declaration (keyed by local name), else as xs:anyType (keyed by its
        full name)."""
        declaration = self.globals(process).element(node.tag)
        if declaration is None:
            _not_well_known(node.tag)
            return node.tag, self.undeclared(node)
        if not declaration.nillable and _XSI_NIL in node.attrib:
            raise Unsupported(f"xsi:nil on {node.tag}, which is not nillable")
        return node.tag.rpartition("}")[2], self.element(node, declaration.type, None)

    def undeclared(self, elem: Any) -> object:
        """An element declared nowhere, as xmlschema decodes it (xs:anyType: attributes
        and children wildcard content, lax) and jsonxml maps it (``_undeclared_text``):
        attributes, then its stripped text under ``$`` when it has no child elements,
        else its children (text beside them has no JSON form: the reference refuses it)."""
        result: dict[str, object] = {}
        for name, value in elem.attrib.items():
            if name.startswith(_XSI):
                if name in (_XSI_TYPE, _XSI_NIL):  # a type, or nil of the non-nillable
                    raise Unsupported(f"{name} on an undeclared element")
                continue
            result["@" + name] = self.wildcard_attribute(name, value, "lax")  # xs:anyType's
        children = [node for node in elem if isinstance(node.tag, str)]
        if not children:
            text = (elem.text or "").strip()  # comments' tails are not read
            if text:
                result[TEXT_KEY] = text
            return result
        if (elem.text or "").strip() or any((node.tail or "").strip() for node in children):
            raise Unsupported(f"undeclared element {elem.tag} mixes text and elements")
        for node in children:
            _put(result, *self.wildcard_element(node, "lax"), True)  # xs:anyType's repeats
        return result

    # ------------------------------------------------------------------ simple values
    def simple(self, type_ref: TypeRef, text: str) -> object:
        """A non-empty text (or any attribute value) as the reference's decoded value."""
        simple = self.resolve(type_ref)
        if not isinstance(simple, SimpleType):
            raise Unsupported("complex type where a simple one is needed")
        if simple.variety == "list":
            assert simple.item is not None
            return [self.simple(simple.item, chunk) for chunk in collapse(text).split()]
        if simple.variety == "union":
            return self.simple(self.member(simple, text), text)
        value = _atomic(simple.builtin, text)
        _check_finite(value)
        return value

    def member(self, union: SimpleType, text: str) -> TypeRef:
        """The member type xmlschema decodes a union's text with: the first that accepts
        it."""
        for member in union.members:
            verdict = self.accepts(member, text)
            if verdict is None:
                raise Unsupported("union member choice needs full validation")
            if verdict:
                return member
        raise Unsupported("no union member accepts the text")

    def accepts(self, type_ref: TypeRef, text: str) -> bool | None:
        """Whether ``text`` is valid for a simple type; None when this module cannot tell
        exactly."""
        simple = self.resolve(type_ref)
        if not isinstance(simple, SimpleType) or simple.variety == "list":
            return None
        if simple.variety == "union":
            for member in simple.members:
                verdict = self.accepts(member, text)
                if verdict is not False:
                    return verdict
            return False
        return _atomic_accepts(simple, text)

    def empty(self, type_ref: TypeRef) -> object:
        """The JSON of an empty element (jsonxml._empty_value)."""
        simple = self.resolve(type_ref)
        if not isinstance(simple, SimpleType):
            raise Unsupported("complex type where a simple one is needed")
        if simple.variety == "list":
            return []
        if simple.variety == "union":
            for member in simple.members:
                verdict = self.accepts(member, "")
                if verdict is None:
                    raise Unsupported("union member choice needs full validation")
                if verdict:
                    return self.empty(member)
            return None
        return "" if simple.builtin in _EMPTY_IS_STRING else None


def _put(result: dict[str, object], key: str, value: object, multiple: bool) -> None:
    """A wildcard's match added as jsonxml's converter adds it: appended to an array when
    a wildcard repeats, else a second match of one key makes an array of both."""
    if multiple:
        items = result.setdefault(key, [])
        if not isinstance(items, list):
            raise Unsupported(f"{key} is both a single value and an array")
        items.append(value)
    elif key in result:
        previous = result[key]
        result[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
    else:
        result[key] = value


def _not_well_known(qname: str) -> None:
    """xmlschema loads a schema of its own for a well-known namespace when an instance
    uses one (SchemaLoader.fallback_locations): a name declared nowhere in the service's
    schemas may be declared there."""
    if qname.startswith("{") and qname[1:].partition("}")[0] in WELL_KNOWN_NAMESPACES:
        raise Unsupported(f"{qname} is in a namespace xmlschema loads a schema for")


def collapse(text: str) -> str:
    """whiteSpace="collapse" as xmlschema applies it (Python's whitespace, not only XML's)."""
    return _SPACES.sub(" ", text).strip()


def normalize(builtin: str, text: str) -> str:
    """A text under the whiteSpace facet of built-in ``builtin``, as xmlschema normalises
    it (shared with the light reader's facet and default values, xsd/light.py)."""
    if builtin == "string":
        return text
    if builtin == "normalizedString":
        return _SPACE.sub(" ", text)
    return collapse(text)


def _atomic(builtin: str, text: str) -> object:
    """A valid atomic text as xmlschema's decoded value of the built-in."""
    if builtin in _DATES:
        return text.strip()  # the converter keeps dates as their text, stripped
    value = normalize(builtin, text)
    if builtin in _STRINGS:
        return value
    if builtin == "boolean":
        return _BOOLEANS[value]
    if builtin == "decimal":
        return Decimal(value)
    if builtin in _INTEGER_RANGES:
        return int(value)
    if builtin == "double":
        return float(value)
    if builtin == "base64Binary":
        return value.replace(" ", "")
    if builtin == "hexBinary":
        return value.upper()
    raise Unsupported(f"xs:{builtin} values are decoded by the reference only")


def _check_finite(value: object) -> None:
    """INF, -INF and NaN have no JSON form: the reference refuses them."""
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, float) and not math.isfinite(item) for item in items):
        raise Unsupported("a float value JSON numbers cannot hold")


def _atomic_accepts(simple: SimpleType, text: str) -> bool | None:
    """Whether an atomic type accepts ``text``: its built-in's lexical space, then the
    facets of the model (None when one of them cannot be checked exactly here)."""
    builtin = simple.builtin
    value_text = normalize(builtin, text)
    value: object
    if builtin in _INTEGER_RANGES:
        if not INTEGER_LEXICAL.fullmatch(value_text):
            return False
        number = int(value_text)
        low, high = _INTEGER_RANGES[builtin]
        if (low is not None and number < low) or (high is not None and number > high):
            return False
        value = number
    elif builtin == "decimal":
        if not DECIMAL_LEXICAL.fullmatch(value_text):
            return False
        value = Decimal(value_text)
    elif builtin == "boolean":
        if value_text not in _BOOLEANS:
            return False
        value = _BOOLEANS[value_text]
    elif builtin in ("string", "normalizedString", "token"):
        value = value_text
    else:
        return None
    return _facets_accept(simple, value_text, value)


def _facets_accept(simple: SimpleType, text: str, value: object) -> bool | None:
    facets = simple.facets
    if facets.enumeration is not None and not any(
            type(option) is type(value) and option == value for option in facets.enumeration):
        return False
    if isinstance(value, str):
        size = len(value)
        if (facets.length is not None and size != facets.length) or (
                facets.min_length is not None and size < facets.min_length) or (
                facets.max_length is not None and size > facets.max_length):
            return False
    elif any(v is not None for v in (facets.length, facets.min_length, facets.max_length)):
        return None
    bounds = _bounds_accept(facets, value)
    if bounds is not True:
        return bounds
    digits = _digits_accept(facets.total_digits, facets.fraction_digits, value)
    if digits is not True:
        return digits
    for step in facets.patterns:
        verdict = _pattern_accepts(step, text)
        if verdict is not True:
            return verdict
    return True


def _bounds_accept(facets: Facets, value: object) -> bool | None:
    checks: tuple[tuple[object, Callable[[Any, Any], bool]], ...] = (
        (facets.min_inclusive, operator.ge), (facets.max_inclusive, operator.le),
        (facets.min_exclusive, operator.gt), (facets.max_exclusive, operator.lt))
    for bound, holds in checks:
        if bound is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or \
                isinstance(bound, bool) or not isinstance(bound, (int, Decimal)):
            return None
        if not holds(value, bound):
            return False
    return True


def _digits_accept(total: int | None, fraction: int | None, value: object) -> bool | None:
    if total is None and fraction is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    integer, fractional = _count_digits(value)
    if fraction is not None and fractional > fraction:
        return False
    return total is None or integer + fractional <= total


def _count_digits(value: int | Decimal) -> tuple[int, int]:
    """Digits of the integer and of the fractional part, counted as xmlschema's
    totalDigits/fractionDigits facets count them (``utils.decoding.count_digits``): from
    ``str()``, leading zeros of the integer part and trailing ones of the fraction not
    counted."""
    number = str(value).lstrip("-+")
    if "E" not in number:
        if "." not in number:
            return len(number.lstrip("0")), 0
        integer, _, fractional = number.partition(".")
        return len(integer.lstrip("0")), len(fractional.rstrip("0"))
    significand, _, exponent_text = number.partition("E")
    significand = significand.strip("0")
    exponent = int(exponent_text)
    digits = len(significand) - 1 if "." in significand else len(significand)
    return (digits + exponent, 0) if exponent > 0 else (0, digits - exponent - 1)


def _pattern_accepts(step: tuple[str, ...], text: str) -> bool | None:
    """One restriction step's patterns (an OR), when each is plain enough for Python's
    re to read as XSD does."""
    if not all(_PLAIN_REGEX.fullmatch(pattern) for pattern in step):
        return None
    try:
        return any(re.fullmatch(pattern, text) for pattern in step)
    except re.error:
        return None
