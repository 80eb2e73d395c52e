"""A conversion plan: XML element -> JSON-ready value, compiled once per element declaration.

The reference converter (:mod:`b2b_openapi.codec.jsonxml`) asks xmlschema to walk the content
model, decode and check every value, for every element of every document; that is ~95% of
the streamed gateway's time (docs/performance.md).  A plan asks the schema once: for each
element declaration, which child tags map to which JSON keys and whether each is an array
(:func:`b2b_openapi.xsd.content.content_layout`, the same decision the OpenAPI emitter uses),
which attributes it has and their defaults, and how each leaf's text becomes its JSON value.

A plan does **not** validate: it runs on documents libxml2 validates while parsing
(:mod:`.validation`), so it only converts.  It follows xmlschema's decoding rules for the
types it knows - strings with their whiteSpace facet, booleans, decimals (exact, as raw
JSON text), integers, dates, times and durations (their trimmed lexical form), lists of
those - and hands any element whose type it does not know (floats, unions, QNames, IDs,
binary types, mixed content, wildcards, ``xsi:type``...) to the reference converter, which
then also decides its validity.  The JSON bytes are therefore the reference's by
construction, which tests/test_codec.py checks on every sample and on generated instances.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from xmlschema import XMLSchemaValidationError
from xmlschema.names import XSD_INTEGER, XSI_NAMESPACE, XSI_NIL, XSI_TYPE
from xmlschema.validators import XsdList

from b2b_openapi.codec import fastjson, jsonxml
from b2b_openapi.xsd.content import attribute_key, content_layout, local_name

Leaf = Callable[[str], Any]  # a leaf's (non-empty) lexical value -> its JSON value
Convert = Callable[[Any], Any]  # an lxml element -> its JSON value

_XSI = "{" + XSI_NAMESPACE + "}"
_STRINGS = {"string"}  # decoded as their normalised text (anyURI: an elementpath type)
_DATES = {"date", "dateTime", "time", "duration", "gYear", "gYearMonth", "gMonth",
          "gMonthDay", "gDay"}
# xmlschema does more than convert these (ID uniqueness, QName prefixes, NOTATION checks)
_DELEGATED_NAMES = {"ID", "IDREF", "IDREFS", "ENTITY", "ENTITIES", "QName", "NOTATION"}
_SPACES = re.compile(r"[\t\n\r]")
_RUNS = re.compile(r"[ \t\n\r]+")
# xmlschema refuses years beyond 2^31 and huge durations, which libxml2 accepts: values
# with a year of more than four digits, or a duration with a number of ten digits or more,
# are checked by xmlschema as well
_LONG_NUMBER = re.compile(r"\d{10}")


def _plain_year(text: str) -> bool:
    """A four-digit year first (a regex costs 4x): anything else is checked by xmlschema."""
    return text[:4].isdigit() and not text[4:5].isdigit()


def plain_lexical(xsd_type: Any) -> Callable[[str], bool] | None:
    """For a date, time or duration type: a test that a lexical value is within what both
    libxml2 and xmlschema accept (a value failing it is checked by xmlschema); else None."""
    primitive = local_name(getattr(getattr(xsd_type, "primitive_type", None), "name", "") or "")
    if primitive in ("date", "dateTime", "gYear", "gYearMonth"):
        return _plain_year
    if primitive == "duration":
        return lambda text: _LONG_NUMBER.search(text) is None
    return None


def xmlschema_accepts(xsd_type: Any, text: str) -> bool:
    """xmlschema's verdict on a lexical value (an overflow is a refusal, as the gateway's
    422 for a value xmlschema cannot hold)."""
    try:
        return bool(xsd_type.is_valid(text))
    except ArithmeticError:
        return False


def _normaliser(white_space: str | None) -> Leaf:
    if white_space == "collapse":
        return lambda text: _RUNS.sub(" ", text).strip()
    if white_space == "replace":
        return lambda text: _SPACES.sub(" ", text)
    return lambda text: text


def _date_leaf(xsd_type: Any) -> Leaf:
    """Dates, times and durations keep their trimmed lexical form (what xmlschema gives);
    values beyond :func:`plain_lexical` are checked by xmlschema too."""
    plain = plain_lexical(xsd_type)
    if plain is None:
        return str.strip

    def convert(text: str) -> Any:
        if not plain(text) and not xmlschema_accepts(xsd_type, text):
            raise XMLSchemaValidationError(xsd_type, text, "value out of range")
        return text.strip()
    return convert


def _ancestry(xsd_type: Any) -> set[str]:
    names: set[str] = set()
    while xsd_type is not None:
        if xsd_type.name:
            names.add(local_name(xsd_type.name))
        base = getattr(xsd_type, "base_type", None)
        xsd_type = None if base is xsd_type else base
    return names


def atomic_leaf(xsd_type: Any) -> Leaf | None:
    """How the text of an atomic simple type becomes its JSON value, or None when the
    reference converter must decode it."""
    if xsd_type.is_list() or xsd_type.is_union() or _ancestry(xsd_type) & _DELEGATED_NAMES:
        return None
    primitive = getattr(xsd_type, "primitive_type", None)
    kind = local_name(getattr(primitive, "name", None) or "")
    if kind in _STRINGS:
        return _normaliser(xsd_type.white_space)
    if kind == "boolean":
        return lambda text: text.strip() in ("true", "1")
    if kind == "decimal":
        if xsd_type.is_derived(xsd_type.maps.types[XSD_INTEGER]):
            return fastjson.integer
        return fastjson.decimal_text
    if kind in _DATES:
        return _date_leaf(xsd_type)
    return None  # float, double, binary types: the reference decodes them


def simple_leaf(xsd_type: Any) -> Leaf | None:
    """:func:`atomic_leaf`, or a list of such items split on whitespace."""
    if xsd_type.is_list():
        base = xsd_type
        while not isinstance(base, XsdList):
            base = base.base_type
        item = atomic_leaf(base.item_type)
        if item is None:
            return None
        return lambda text: [item(chunk) for chunk in text.split()]
    return atomic_leaf(xsd_type)


class Plan:
    """Converters for the element declarations of one schema, compiled on first use
    (recursive types refer to their own converter through the cache)."""

    def __init__(self) -> None:
        self._compiled: dict[int, Convert] = {}

    def converter(self, xsd_element: Any) -> Convert:
        key = id(xsd_element)
        found = self._compiled.get(key)
        if found is None:
            cell: list[Convert] = []
            self._compiled[key] = lambda elem: cell[0](elem)  # placeholder for recursion
            found = self._compile(xsd_element)
            cell.append(found)
            self._compiled[key] = found
        return found

    def _compile(self, xsd_element: Any) -> Convert:
        xsd_type = xsd_element.type
        delegate = _delegate(xsd_element)
        if getattr(xsd_element, "alternatives", None) or xsd_type.abstract:
            return delegate
        if not xsd_type.is_complex():
            leaf = simple_leaf(xsd_type)
            if leaf is None:
                return delegate
            return _simple(xsd_element, leaf, None, delegate)
        attributes = _attributes(xsd_type)
        if attributes is None or xsd_type.mixed:
            return delegate
        if xsd_type.simple_type is not None:
            leaf = simple_leaf(xsd_type.simple_type)
            if leaf is None:
                return delegate
            return _simple(xsd_element, leaf, attributes, delegate)
        layout = content_layout(xsd_type)
        if layout.wildcards or layout.clashes:
            return delegate
        children = {slot.element.name: (slot.key, slot.multiple, self.converter(slot.element))
                    for slot in layout.by_key.values()}
        return _complex(xsd_element, attributes, children, delegate)


def _delegate(xsd_element: Any) -> Convert:
    return lambda elem: fastjson.reference(jsonxml.decode(xsd_element, elem))


class _Attributes:
    """The declared attributes of a type: qname -> (JSON key, leaf), and the values of the
    absent ones that have a default or a fixed value, appended in declaration order."""

    def __init__(self, declared: dict[str, tuple[str, Leaf]],
                 defaults: list[tuple[str, str, Any]]) -> None:
        self.declared = declared
        self.defaults = defaults

    def read(self, attrib: Any, result: dict[str, Any]) -> tuple[bool, bool]:
        """Fill ``result`` from ``attrib``; (nil, needs the reference converter)."""
        nil = False
        declared = self.declared
        for name, value in attrib.items():
            entry = declared.get(name)
            if entry is None:
                if not name.startswith(_XSI):
                    return nil, True
                if name == XSI_TYPE:
                    return nil, True
                if name == XSI_NIL:
                    nil = nil or value.strip() in ("true", "1")
                continue
            result[entry[0]] = entry[1](value)
        for name, key, value in self.defaults:
            if name not in attrib:
                result[key] = value
        return nil, False


def _attributes(xsd_type: Any) -> _Attributes | None:
    """The attribute plan of a complex type, or None when the reference must decode it
    (an attribute wildcard, a type the plan does not know)."""
    declared: dict[str, tuple[str, Leaf]] = {}
    defaults: list[tuple[str, str, Any]] = []
    group = xsd_type.attributes
    if None in group:
        return None
    for name, attribute in group.items():
        if attribute.use == "prohibited":
            continue
        leaf = simple_leaf(attribute.type)
        if leaf is None:
            return None
        key = attribute_key(name, True)
        declared[name] = (key, leaf)
    for name, value in group.iter_value_constraints(True):
        defaults.append((name, declared[name][0], declared[name][1](value)))
    return _Attributes(declared, defaults)


def _empty(xsd_element: Any, leaf: Leaf, simple: Any) -> Callable[[], Any]:
    """The value of an empty element: its fixed or default value, else what the reference
    converter makes of empty text (``""``, ``[]`` or None)."""
    constraint = xsd_element.fixed if xsd_element.fixed is not None else xsd_element.default
    if constraint is not None:
        value = leaf(constraint)
        return lambda: value
    value = jsonxml._empty_value(simple)
    return lambda: list(value) if isinstance(value, list) else value


def _simple(xsd_element: Any, leaf: Leaf, attributes: _Attributes | None,
            delegate: Convert) -> Convert:
    """An element of a simple type (bare value) or of simple content (object with ``$``)."""
    simple = xsd_element.type.simple_type if attributes is not None else xsd_element.type
    empty = _empty(xsd_element, leaf, simple)
    nillable = xsd_element.nillable

    if attributes is None:
        def bare(elem: Any) -> Any:
            if elem.attrib:  # only xsi:nil or xsi:type can be there
                if elem.get(XSI_TYPE) is not None:
                    return delegate(elem)
                if nillable and elem.get(XSI_NIL, "").strip() in ("true", "1"):
                    return None
            text = elem.text
            return leaf(text) if text else empty()
        return bare

    def with_text(elem: Any) -> Any:
        result: dict[str, Any] = {}
        nil, fallback = attributes.read(elem.attrib, result)
        if fallback:
            return delegate(elem)
        if nil:
            if not result:
                return None
            result["$"] = None
            return result
        text = elem.text
        result["$"] = leaf(text) if text else empty()
        return result
    return with_text


def _complex(xsd_element: Any, attributes: _Attributes,
             children: dict[str, tuple[str, bool, Convert]], delegate: Convert) -> Convert:
    """An element-only complex type: attributes, then one key per child element."""
    def convert(elem: Any) -> Any:
        result: dict[str, Any] = {}
        attrib = elem.attrib
        if attrib:
            nil, fallback = attributes.read(attrib, result)
            if fallback:
                return delegate(elem)
            if nil:
                return None if not result else {**result, "$": None}
        elif attributes.defaults:
            attributes.read(attrib, result)
        for child in elem:
            entry = children.get(child.tag)
            if entry is None:
                if not isinstance(child.tag, str):  # comments, processing instructions
                    continue
                return delegate(elem)
            key, multiple, inner = entry
            if multiple:
                items = result.get(key)
                if items is None:
                    result[key] = [inner(child)]
                else:
                    items.append(inner(child))
            else:
                result[key] = inner(child)
        return result
    return convert
