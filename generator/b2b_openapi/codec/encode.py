"""The gateway's fast JSON -> SOAP path: a plan compiled per element declaration builds the
lxml tree directly, libxml2 validates it, lxml serialises it.

xmlschema's encoder (:func:`b2b_openapi.codec.jsonxml.encode`) walks the content model for every
element and checks every value as it goes, ~1 MB/s; a large submit (a SubmitRawBidSet of
tens of MB) waits on it.  The plan here knows, per complex type, the XML name, order and
arity of each JSON key (:func:`b2b_openapi.xsd.content.content_layout`) and writes numbers in
their XSD lexical form with the reference's own :func:`~b2b_openapi.codec.jsonxml.xml_number`.

It is only a fast path: whatever it does not handle plainly (wildcards, mixed content,
an unknown key, a value of an unexpected JSON type) and whatever libxml2 finds invalid goes
to the reference encoder, which then produces the XML or the 422 reason exactly as before.
So the fast path changes no verdict that it does not also confirm with libxml2 (tests in
tests/test_codec_encode.py: the same JSON decoded from both XMLs, the same verdicts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableSequence
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from lxml import etree
from xmlschema.names import XSI_NAMESPACE, XSI_NIL
from xmlschema.validators import XsdList

from b2b_openapi.codec import jsonxml
from b2b_openapi.codec.plan import simple_leaf
from b2b_openapi.codec.soap import ENV_PREFIX, SOAP_ENV
from b2b_openapi.xsd.content import content_layout, local_name

Build = Callable[[Any, Any], None]  # (lxml parent, JSON value) -> a child appended
_XSD_NAMESPACES = ("http://www.w3.org/2001/XMLSchema", "http://www.w3.org/XML/1998/namespace",
                   XSI_NAMESPACE)


class Unplanned(Exception):
    """The plan does not handle this value: the reference encoder must."""


Write = Callable[[Any], str]  # a JSON leaf -> its XML text


def writer(xsd_type: Any) -> Write:
    """How a JSON leaf becomes the text the reference encoder writes for ``xsd_type``.

    A JSON type that is not the one the schema gives the leaf (an array for an xs:list, a
    number for a numeric type, a boolean for xs:boolean) is left to the reference, which
    judges some of those differently from XSD (it refuses ``""`` for a list of integers,
    an empty list in XSD).  So are the types the decoding plan leaves to xmlschema (see
    :func:`.plan.simple_leaf`): their text is checked by xmlschema here as well, since
    libxml2 is more lenient with some of them (it accepts ``ab_c`` as xs:base64Binary)."""
    checked = simple_leaf(xsd_type) is None
    if xsd_type.is_list():
        item_type = jsonxml._built_on(xsd_type, XsdList).item_type

        def write(value: Any) -> str:
            if not isinstance(value, list):
                raise Unplanned(f"not an array for {xsd_type}")
            return " ".join(_item(item, item_type) for item in value)
    else:
        def write(value: Any) -> str:
            return _item(value, xsd_type)
    if not checked:
        return write

    def check(value: Any) -> str:
        text = write(value)
        if not xsd_type.is_valid(text):
            raise Unplanned(f"{text[:40]!r} is not valid for {xsd_type}")
        return text
    return check


def _item(value: Any, xsd_type: Any) -> str:
    numeric = _number_kind(xsd_type)
    if isinstance(value, bool):
        if numeric or not _is_boolean(xsd_type):
            raise Unplanned(f"a boolean for {xsd_type}")
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        if not numeric:
            raise Unplanned(f"a number for {xsd_type}")
        text = jsonxml.xml_number(value, xsd_type)
        if not isinstance(text, str):
            raise Unplanned(f"{value} for {xsd_type}")
        return text
    if not isinstance(value, str) or numeric or xsd_type.is_list() or xsd_type.is_union():
        raise Unplanned(f"a {type(value).__name__} for {xsd_type}")
    return value


def _number_kind(xsd_type: Any) -> bool:
    primitive = getattr(xsd_type, "primitive_type", None)
    return primitive is not None and local_name(primitive.name) in ("decimal", "float",
                                                                      "double")


def _is_boolean(xsd_type: Any) -> bool:
    primitive = getattr(xsd_type, "primitive_type", None)
    return primitive is not None and local_name(primitive.name) == "boolean"


class EncodePlan:
    """Builders for the element declarations of one schema, compiled on first use."""

    def __init__(self) -> None:
        self._compiled: dict[int, Build] = {}

    def builder(self, xsd_element: Any) -> Build:
        key = id(xsd_element)
        found = self._compiled.get(key)
        if found is None:
            cell: list[Build] = []
            self._compiled[key] = lambda parent, value: cell[0](parent, value)
            found = self._compile(xsd_element)
            cell.append(found)
            self._compiled[key] = found
        return found

    def _compile(self, xsd_element: Any) -> Build:
        xsd_type = xsd_element.type
        tag = xsd_element.name
        nil = {XSI_NIL: "true"} if xsd_element.nillable else {}
        if not xsd_type.is_complex():
            write = writer(xsd_type)

            def simple(parent: Any, value: Any) -> None:
                if value is None:
                    etree.SubElement(parent, tag, nil)
                else:
                    etree.SubElement(parent, tag).text = write(value)
            return simple
        if xsd_type.mixed or None in xsd_type.attributes:
            return _unplanned
        attributes = {local_name(name): (name, writer(attribute.type))
                      for name, attribute in xsd_type.attributes.items()}
        if xsd_type.simple_type is not None:
            content = writer(xsd_type.simple_type)

            def with_text(parent: Any, value: Any) -> None:
                if value is None:
                    etree.SubElement(parent, tag, nil)
                    return
                if not isinstance(value, Mapping):
                    raise Unplanned("not an object")
                elem = etree.SubElement(parent, tag)
                _set_attributes(elem, value, attributes, nil, text_allowed=True)
                text = value.get("$")
                if text is not None:
                    elem.text = content(text)
            return with_text
        layout = content_layout(xsd_type)
        if layout.wildcards or layout.clashes:
            return _unplanned
        slots = [(slot.key, slot.multiple, self.builder(slot.element))
                 for slot in layout.children]
        known = {slot.key for slot in layout.children}
        # members of one substitution group stand at one place of the model: like the
        # reference encoder, write them in the JSON object's order, not the layout's
        heads = [slot.via_substitution_of for slot in layout.children]
        grouped = any(head is not None and heads.count(head) > 1 for head in heads)

        def ordered(value: Mapping[str, Any]) -> list[tuple[str, bool, Build]]:
            if not grouped:
                return slots
            position = {key: i for i, key in enumerate(value)}
            runs: list[list[int]] = []
            for index, head in enumerate(heads):
                if runs and head is not None and heads[runs[-1][-1]] == head:
                    runs[-1].append(index)
                else:
                    runs.append([index])
            return [slots[i] for run in runs for i in sorted(
                run, key=lambda i: position.get(slots[i][0], len(position)))]

        def element_only(parent: Any, value: Any) -> None:
            if value is None:
                etree.SubElement(parent, tag, nil)
                return
            if not isinstance(value, Mapping):
                raise Unplanned("not an object")
            elem = etree.SubElement(parent, tag)
            _set_attributes(elem, value, attributes, nil, text_allowed=False, known=known)
            for key, multiple, build in ordered(value):
                item = value.get(key)
                if item is None and key not in value:
                    continue
                if multiple:
                    if not isinstance(item, MutableSequence):
                        raise Unplanned(f"{key} is not an array")
                    for one in item:
                        build(elem, one)
                else:
                    build(elem, item)
        return element_only


def _set_attributes(elem: Any, value: Mapping[str, Any],
                    attributes: dict[str, tuple[str, Write]], nil: dict[str, str], *,
                    text_allowed: bool, known: set[str] | None = None) -> None:
    """The ``@`` keys of an object as attributes; any other key that is neither ``$`` (where
    allowed) nor a child key is left to the reference encoder."""
    for key, item in value.items():
        if key[:1] == "@":
            found = attributes.get(key[1:])
            if found is None or item is None:
                raise Unplanned(f"attribute {key}")
            elem.set(found[0], found[1](item))
        elif key == "$":
            if not text_allowed and item is not None:
                raise Unplanned("text in element-only content")
            if item is None:
                if not nil:
                    raise Unplanned("null text of a non-nillable element")
                elem.set(XSI_NIL, "true")
        elif known is None or key not in known:
            raise Unplanned(f"key {key}")


def _unplanned(parent: Any, value: Any) -> None:
    raise Unplanned("a type the plan leaves to the reference encoder")


def namespaces(xsd_element: Any) -> dict[str, str]:
    """Prefixes for a service's namespaces, declared once on the envelope (lxml would
    otherwise declare one on every element that uses one)."""
    found = sorted(ns for ns in xsd_element.maps.namespaces if ns and ns not in _XSD_NAMESPACES
                   and ns != SOAP_ENV)
    prefixes = {f"ns{i}": ns for i, ns in enumerate(found, 1)}
    return {ENV_PREFIX: SOAP_ENV, "xsi": XSI_NAMESPACE, **prefixes}


def envelope(plan: EncodePlan, schema: etree.XMLSchema, nsmap: dict[str, str],
             xsd_element: Any, value: Any, headers: tuple[ElementTree.Element, ...]) -> bytes:
    """The SOAP envelope of a JSON request, validated by libxml2.  Raises
    :class:`Unplanned` when the reference encoder must decide (the value has a shape the
    plan leaves to it, or libxml2 finds the XML invalid)."""
    if jsonxml.xml_text_errors(value):
        raise Unplanned("text XML cannot carry")
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    if headers:
        head = etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
        for header in headers:
            head.append(etree.fromstring(ElementTree.tostring(header)))
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    try:
        plan.builder(xsd_element)(body, value)
    except ValueError as exc:  # xml_number refused a number; the reference says so too
        raise Unplanned(str(exc)) from None
    if not schema.validate(env):
        raise Unplanned("invalid for libxml2: the reference says why")
    return etree.tostring(env, encoding="utf-8", xml_declaration=True)
