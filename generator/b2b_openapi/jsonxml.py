"""The one JSON convention of b2b-openapi: an xmlschema converter, plus decode/encode helpers.

Why a converter of our own: xmlschema's default converter produces shapes that vary with the
instance (a simple-content element is a bare value or a dict depending on whether an attribute
happened to be present, ``xsi:nil`` shows up as an ``@nil`` key, empty elements become
``None``) and, once namespaces are stripped, cannot encode back.  A REST API needs one shape
per schema type, fixed in advance, so the OpenAPI document can describe it.  The rules:

* element and attribute keys are local names; attributes are prefixed ``@``; names matched
  only by a wildcard (``xs:any``/``xs:anyAttribute``) and not declared anywhere in the schema
  keep their namespace as ``{namespace}local``; such an undeclared element's text is under
  ``$`` (text beside its child elements is refused: its position has no JSON form);
* an element whose effective maxOccurs > 1 is always a JSON array, otherwise a single value
  (see :func:`b2b_openapi.content.content_layout`);
* a complex type with simple content is always an object, its value under ``$``;
* an element-only complex type is always an object (``{}`` when empty);
* ``xsi:nil="true"`` is JSON ``null`` (or ``"$": null`` when the nil element has attributes);
* values are xmlschema's decoded Python values (``Decimal`` for xs:decimal, ``int``, ``bool``,
  lists for xs:list, strings for dates, durations and base64Binary).

Namespaces are restored on encode from the schema itself, so any JSON body valid against the
emitted OpenAPI schema encodes back to schema-valid XML - provided its strings are XML text:
JSON can carry control characters that no XML document can (:func:`xml_text_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, MutableSequence
from typing import Any

from xmlschema import XMLSchemaConverter
from xmlschema.aliases import BaseXsdType
from xmlschema.converters import ElementData
from xmlschema.names import XSI_NIL

from .content import attribute_key, content_layout, is_xsi, local_name

TEXT_KEY = "$"
ATTR_PREFIX = "@"
# outside XML 1.0's Char production: C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class B2BJsonConverter(XMLSchemaConverter):
    """xmlschema converter implementing the b2b-openapi JSON mapping (see module docstring)."""

    def __init__(self, namespaces: Any = None, **kwargs: Any) -> None:
        kwargs.update(attr_prefix=ATTR_PREFIX, text_key=TEXT_KEY, cdata_prefix=None,
                      preserve_root=False, force_dict=True, force_list=False)
        kwargs.pop("strip_namespaces", None)
        super().__init__(namespaces, **kwargs)

    @property
    def lossy(self) -> bool:
        return False

    # ----------------------------------------------------------------- decode (XML -> JSON)
    def element_decode(self, data: ElementData, xsd_element: Any,
                       xsd_type: BaseXsdType | None = None, level: int = 0) -> Any:
        xsd_type = xsd_type or xsd_element.type
        nil = False
        result: dict[str, Any] = {}
        declared = getattr(xsd_type, "attributes", {})
        for name, value in data.attributes or ():
            if is_xsi(name):
                nil = nil or (name == XSI_NIL and value in (True, "true", "1"))
                continue
            result[attribute_key(name, name in declared)] = value

        if xsd_type.simple_type is not None:  # simple type, or complex type with simple content
            text = None if nil else _empty_text(data.text, xsd_type)
            if not xsd_type.is_complex():
                return text
            result[TEXT_KEY] = text
            return result

        if nil:
            if not result:
                return None
            result[TEXT_KEY] = None
            return result

        if xsd_type.mixed and not _is_global(xsd_element.name, xsd_element):
            text = _undeclared_text(data, xsd_element)
            if text is not None:
                result[TEXT_KEY] = text
        layout = content_layout(xsd_type)
        for name, value, xsd_child in data.content or ():
            if isinstance(name, int):  # character data: not produced for element-only types
                continue
            slot = layout.by_key.get(local_name(name))
            if slot is not None and slot.element.name in (name, getattr(xsd_child, "name", None)):
                key, multiple = slot.key, slot.multiple
            else:  # matched by xs:any
                key = local_name(name) if _is_global(name, xsd_element) else name
                multiple = any(w.multiple for w in layout.wildcards)
            if multiple:
                result.setdefault(key, []).append(value)
            elif key in result:  # undeclared name repeated under a single wildcard
                prev = result[key]
                result[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                result[key] = value
        return result

    # ----------------------------------------------------------------- encode (JSON -> XML)
    def element_encode(self, obj: Any, xsd_element: Any, level: int = 0) -> ElementData:
        xsd_type = xsd_element.type
        tag = xsd_element.name
        if obj is None:
            if xsd_element.nillable:
                return ElementData(tag, None, None, {XSI_NIL: "true"}, None)
            return ElementData(tag, None, None if xsd_type.simple_type is not None else {},
                               {}, None)
        if not xsd_type.is_complex():
            return ElementData(tag, obj, None, {}, None)
        if not isinstance(obj, Mapping):
            raise ValueError(
                f"element {local_name(tag)!r} expects a JSON object, got {type(obj).__name__}"
            )

        attributes: dict[str, Any] = {}
        content: dict[str, list[Any]] = {}
        text: Any = None
        layout = content_layout(xsd_type)
        for key, value in obj.items():
            if key == TEXT_KEY:
                if value is None and xsd_element.nillable:
                    attributes[XSI_NIL] = "true"
                text = value
            elif key.startswith(ATTR_PREFIX):
                attributes[_attribute_qname(key[1:], xsd_type)] = value
            else:
                slot = layout.by_key.get(key)
                qname = slot.element.name if slot else _wildcard_qname(key, xsd_element, layout)
                if slot is not None and slot.multiple and not isinstance(value, MutableSequence):
                    raise ValueError(f"{key!r} is a repeating element: expected a JSON array")
                items = value if isinstance(value, MutableSequence) and (
                    slot is None or slot.multiple) else [value]
                if items:  # an empty array means no occurrence at all
                    content.setdefault(qname, []).extend(items)
        if xsd_type.simple_type is not None:
            return ElementData(tag, text, None, attributes, None)
        return ElementData(tag, text if xsd_type.mixed else None, content, attributes, None)


def _undeclared_text(data: ElementData, xsd_element: Any) -> Any:
    """The text of an element matched by a lax wildcard and declared nowhere (xmlschema
    gives it xs:anyType, which is mixed; declared mixed content is refused at build): kept
    under ``$`` when it has no child elements.  Beside child elements its position would be
    lost, so that is an error rather than a silent loss."""
    items = data.content or ()
    if all(isinstance(name, int) for name, _, _ in items):
        return data.text if not items else "".join(str(v) for _, v, _ in items)
    if (data.text or "").strip() or any(
            isinstance(name, int) and str(value).strip() for name, value, _ in items):
        raise ValueError(f"undeclared element {xsd_element.name} mixes text with child "
                         "elements, which has no JSON form")
    return None


def _empty_text(text: Any, xsd_type: Any) -> Any:
    """An empty element of a string-like type is ``""``, not ``None`` (None means nil)."""
    if text is None:
        simple = xsd_type.simple_type
        if simple.is_list():
            return []
        if simple.primitive_type is not None and local_name(simple.primitive_type.name) in (
            "string", "anyURI", "base64Binary", "hexBinary"
        ):
            return ""
    return text


def _is_global(name: str, xsd_element: Any) -> bool:
    return name in xsd_element.maps.elements


def _attribute_qname(key: str, xsd_type: Any) -> str:
    if key.startswith("{"):
        return key
    for name in xsd_type.attributes:
        if name is not None and local_name(name) == key:
            return str(name)
    return key


def _wildcard_qname(key: str, xsd_element: Any, layout: Any) -> str:
    """Resolve a JSON key matched by ``xs:any`` back to a namespaced element name."""
    if key.startswith("{"):
        return key
    for wildcard in layout.wildcards:
        for qname in _globals_named(key, xsd_element):
            if wildcard.wildcard.is_matching(qname):
                return qname
    raise ValueError(f"unknown element {key!r} in {local_name(xsd_element.name)!r}")


def _globals_named(key: str, xsd_element: Any) -> Iterable[str]:
    return sorted(n for n in xsd_element.maps.elements if local_name(n) == key)


def decode(xsd_element: Any, source: Any) -> Any:
    """XML (an ElementTree element, path or string) -> JSON-ready Python value."""
    return xsd_element.decode(source, converter=B2BJsonConverter, validation="strict")


def encode(xsd_element: Any, value: Any) -> Any:
    """JSON value -> ElementTree element, validated strictly against the schema.  Raises
    ValueError for text XML cannot hold (xmlschema would serialise it into broken XML)."""
    errors = xml_text_errors(value)
    if errors:
        raise ValueError(f"{errors[0]['path']}: {errors[0]['message']}")
    return xsd_element.encode(value, converter=B2BJsonConverter, validation="strict")


def xml_text_errors(value: Any) -> list[dict[str, str]]:
    """Strings (keys included) of a JSON value that XML cannot carry, as
    ``{"path": "/a/0/b", "message": ...}``: valid JSON, yet no SOAP message can hold them."""
    return [{"path": path, "message": f"character U+{ord(char):04X} is not allowed in XML"}
            for path, char in _bad_chars(value, "")]


def _bad_chars(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        found = NOT_XML_CHAR.search(value)
        if found:
            yield path or "/", found.group()
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _bad_chars(key, path or "/")
            yield from _bad_chars(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_chars(item, f"{path}/{index}")
