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
from xmlschema.names import XSD_INTEGER, XSI_NAMESPACE, XSI_NIL
from xmlschema.validators import XsdList

from b2b_openapi.codec import jsonxml
from b2b_openapi.codec.plan import plain_lexical, simple_leaf, xmlschema_accepts
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
    libxml2 is more lenient with some of them (it accepts ``ab_c`` as xs:base64Binary), and
    so are dates and durations beyond :func:`.plan.plain_lexical`."""
    write: Write
    if xsd_type.is_list():
        item = _item_writer(jsonxml._built_on(xsd_type, XsdList).item_type)

        def write_list(value: Any) -> str:
            if not isinstance(value, list):
                raise Unplanned(f"not an array for {xsd_type}")
            return " ".join([item(one) for one in value])
        write = write_list
    else:
        write = _item_writer(xsd_type)
    plain = plain_lexical(xsd_type)
    if simple_leaf(xsd_type) is not None and plain is None:
        return write

    def check(value: Any) -> str:
        text = write(value)
        if (plain is None or not plain(text)) and not xmlschema_accepts(xsd_type, text):
            raise Unplanned(f"{text[:40]!r} is not valid for {xsd_type}")
        return text
    return check


def _item_writer(xsd_type: Any) -> Write:
    """The writer of one atomic value, specialised on the type's kind: the common JSON type
    of each kind is written inline, anything else goes the general way (:func:`_item`)."""
    kind = _kind(xsd_type)
    if kind == "integer":
        def integer(value: Any) -> str:
            if type(value) is int and -_BIG < value < _BIG:
                return str(value)
            return _item(value, xsd_type, kind)
        return integer
    if kind == "decimal":
        def decimal(value: Any) -> str:
            if type(value) is Decimal and value.is_finite():
                text = str(value)  # exact; plain unless the exponent is large
                if "E" not in text and len(text) < jsonxml.MAX_NUMBER_DIGITS:
                    return text
            elif type(value) is int and -_BIG < value < _BIG:
                return str(value)
            return _item(value, xsd_type, kind)
        return decimal
    if kind is None and not xsd_type.is_union():
        def string(value: Any) -> str:
            if type(value) is str and not jsonxml.NOT_XML_CHAR.search(value):
                return value
            return _item(value, xsd_type, kind)
        return string
    return lambda value: _item(value, xsd_type, kind)


_BIG = 10 ** 18


def _item(value: Any, xsd_type: Any, kind: str | None) -> str:
    if isinstance(value, bool):
        if kind != "boolean":
            raise Unplanned(f"a boolean for {xsd_type}")
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        if kind not in ("integer", "decimal", "float"):
            raise Unplanned(f"a number for {xsd_type}")
        text = jsonxml.xml_number(value, xsd_type)
        if not isinstance(text, str):
            raise Unplanned(f"{value} for {xsd_type}")
        return text
    if not isinstance(value, str) or kind not in (None, "boolean") or xsd_type.is_union() \
            or jsonxml.NOT_XML_CHAR.search(value):
        raise Unplanned(f"a {type(value).__name__} for {xsd_type}")
    return value


def _kind(xsd_type: Any) -> str | None:
    """integer, decimal, float (xs:float and xs:double), boolean, or None (text)."""
    primitive = getattr(xsd_type, "primitive_type", None)
    name = local_name(getattr(primitive, "name", None) or "")
    if name == "decimal":
        integer = xsd_type.is_derived(xsd_type.maps.types[XSD_INTEGER])
        return "integer" if integer else "decimal"
    if name in ("float", "double"):
        return "float"
    return "boolean" if name == "boolean" else None


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
        runs: list[list[int]] = []
        for index, head in enumerate(heads):
            if runs and head is not None and heads[runs[-1][-1]] == head:
                runs[-1].append(index)
            else:
                runs.append([index])
        groups = [[slots[i][0] for i in run] for run in runs if len(run) > 1]

        def ordered(value: Mapping[str, Any]) -> list[tuple[str, bool, Build]]:
            if not groups or all(sum(key in value for key in group) < 2 for group in groups):
                return slots
            position = {key: i for i, key in enumerate(value)}
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
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    if headers:
        head = etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
        for header in headers:
            head.append(etree.fromstring(ElementTree.tostring(header)))
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    try:
        plan.builder(xsd_element)(body, value)
    except ValueError as exc:  # xml_number refused a number, lxml a string: as the reference
        raise Unplanned(str(exc)) from None
    if not schema.validate(env):
        raise Unplanned("invalid for libxml2: the reference says why")
    return etree.tostring(env, encoding="utf-8", xml_declaration=True)
