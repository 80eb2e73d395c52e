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
  (see :func:`b2b_openapi.xsd.content.content_layout`);
* a complex type with simple content is always an object, its value under ``$``;
* an element-only complex type is always an object (``{}`` when empty);
* ``xsi:nil="true"`` is JSON ``null`` (or ``"$": null`` when the nil element has attributes);
* values are xmlschema's decoded Python values (``Decimal`` for xs:decimal, ``int``, ``bool``,
  ``float`` for xs:float/xs:double, lists for xs:list, strings for dates, durations and
  base64Binary).

Some valid XML has no JSON form under these rules, and decoding refuses it
(:class:`NotRepresentable`) rather than produce JSON the OpenAPI schema does not describe:
the xs:float/xs:double values ``INF``, ``-INF`` and ``NaN`` (JSON numbers have none), and an
``xsi:type`` that substitutes a derived type (the JSON has no key to carry it, so the
derived type's extra content could not be told apart or encoded back).

Namespaces are restored on encode from the schema itself, so any JSON body valid against the
emitted OpenAPI schema encodes back to schema-valid XML - provided its strings are XML text:
JSON can carry control characters that no XML document can (:func:`xml_text_errors`).  JSON
numbers are written in the lexical form of their XSD type (:func:`xml_number`): a JSON
parser hands over ``1e2`` as ``Decimal('1E+2')``, which xs:decimal must spell ``100``.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence
from decimal import Decimal
from typing import Any

from xmlschema import XMLSchemaConverter, XMLSchemaValidationError
from xmlschema.aliases import BaseXsdType
from xmlschema.converters import ElementData
from xmlschema.exceptions import XMLSchemaKeyError, XMLSchemaTypeError
from xmlschema.names import XSD_INTEGER, XSI_NIL, XSI_TYPE
from xmlschema.utils.etree import is_etree_element
from xmlschema.validators import XsdList, XsdUnion

from b2b_openapi.xsd.content import attribute_key, content_layout, is_xsi, local_name

TEXT_KEY = "$"
ATTR_PREFIX = "@"
# outside XML 1.0's Char production: C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A JSON number of 1 KB can say 1e20000000, whose xs:decimal form is 20 MB of digits: numbers
# whose plain decimal form would be longer than this are refused instead of expanded.
MAX_NUMBER_DIGITS = 1000
_FLOAT_KINDS = ("float", "double")  # IEEE 754 binary32/binary64


class NotRepresentable(ValueError):
    """Valid XML without a JSON form under the mapping (see the module docstring).

    Raised by the converter; xmlschema reports it as an ``XMLSchemaValidationError`` on
    the element, raised while handling it, so it stays that error's ``__context__`` (see
    :func:`is_not_representable`)."""


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

    def map_qname(self, qname: str) -> str:
        """Names stay ``{namespace}local`` whatever prefixes the document declares (an lxml
        source carries its declarations): the mapping's keys are made from those.  The
        declarations are still collected, for xmlschema to resolve ``xsi:type`` QNames."""
        return qname

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
                if name == XSI_TYPE and xsd_type is not xsd_element.type:
                    raise NotRepresentable(
                        f"xsi:type {value!r} substitutes a type for the declared one of "
                        f"<{local_name(xsd_element.name)}>: the JSON mapping has no form for "
                        "type substitution")
                continue
            _check_finite(value, f"attribute {local_name(name)!r}")
            result[attribute_key(name, name in declared)] = value

        if xsd_type.simple_type is not None:  # simple type, or complex type with simple content
            text = None if nil else _empty_text(data.text, xsd_type)
            _check_finite(text, f"<{local_name(xsd_element.name)}>")
            if not xsd_type.is_complex() or (nil and not result):  # nil, no attributes: null
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
            return ElementData(tag, xml_number(obj, xsd_type), None, {}, None)
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
                qname = _attribute_qname(key[1:], xsd_type)
                attribute = xsd_type.attributes.get(qname) or xsd_element.maps.attributes.get(
                    qname)
                attributes[qname] = value if attribute is None else xml_number(
                    value, attribute.type)
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
            return ElementData(tag, xml_number(text, xsd_type.simple_type), None, attributes,
                               None)
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


def _check_finite(value: Any, where: str) -> None:
    """Refuse the xs:float/xs:double values JSON numbers cannot hold."""
    items = value if isinstance(value, list) else (value,)
    for item in items:
        if isinstance(item, float) and not math.isfinite(item):
            lexical = "NaN" if math.isnan(item) else ("INF" if item > 0 else "-INF")
            raise NotRepresentable(f"{where} value {lexical}: JSON numbers have no "
                                   "infinities and no NaN")


def is_not_representable(exc: BaseException) -> bool:
    """Whether an xmlschema error reports a :class:`NotRepresentable` (valid XML that has
    no JSON form) rather than invalid XML."""
    return isinstance(exc.__context__, NotRepresentable)


def xml_number(value: Any, xsd_type: Any) -> Any:
    """A JSON number as text in the lexical form of the simple type ``xsd_type``; anything
    else (and numbers for non-numeric types) unchanged, for xmlschema to judge.

    xmlschema encodes an xs:float/xs:double only from a Python ``float`` and writes a
    ``Decimal`` as ``str()`` does (``1E+2``, not a valid xs:decimal), while JSON parsers give
    ``int`` or ``Decimal``.  Raises ValueError when the number has no value of the type: out
    of xs:float/xs:double range (it would become INF), not integral for an integer type, or
    a plain form longer than :data:`MAX_NUMBER_DIGITS`."""
    if isinstance(value, list) and xsd_type.is_list():
        item_type = _built_on(xsd_type, XsdList).item_type
        return [xml_number(item, item_type) for item in value]
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    if xsd_type.is_union():
        errors = []
        for member in _built_on(xsd_type, XsdUnion).member_types:
            try:
                text = xml_number(value, member)
            except ValueError as exc:
                errors.append(exc)
                continue
            if isinstance(text, str):  # the first numeric member able to hold it
                return text
        if errors:
            raise errors[0]
        return value
    kind = _number_kind(xsd_type)
    if kind in _FLOAT_KINDS:
        return _float_text(value, kind)
    if kind == "integer":
        return _integer_text(value)
    if kind == "decimal":
        return _decimal_text(value)
    return value


def _built_on(xsd_type: Any, kind: type) -> Any:
    """The xs:list or xs:union a (possibly restricted) list or union type derives from."""
    while not isinstance(xsd_type, kind):
        xsd_type = xsd_type.base_type
    return xsd_type


def _number_kind(xsd_type: Any) -> str | None:
    primitive = getattr(xsd_type, "primitive_type", None)
    name = local_name(getattr(primitive, "name", None) or "")
    if name == "decimal" and xsd_type.is_derived(xsd_type.maps.types[XSD_INTEGER]):
        return "integer"
    return name if name in ("decimal", "float", "double") else None


def _exact(value: int | float | Decimal) -> Decimal:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value} is not a finite number")
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    length = len(digits) + exponent if exponent > 0 else max(len(digits), -exponent)
    if length > MAX_NUMBER_DIGITS:
        raise ValueError(f"{number:.6g} needs {length} digits in plain notation; more than "  # not
                         f"{MAX_NUMBER_DIGITS} digits are refused")  # str(): it may be as long
    return number


def _float_text(value: int | float | Decimal, kind: str) -> str:
    """The number as xs:float/xs:double text, refused when it rounds to an infinity: as
    IEEE 754 reads it (round to nearest), not by comparing it with the largest finite
    value, which ``3.4028235e38`` (xs:float's maximum, as written) exceeds as a double."""
    try:
        number = float(value)
        if kind == "float":
            struct.pack(">f", number)  # OverflowError when it rounds to INF in 32 bits
    except OverflowError:  # or an int beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{value} is outside the range of xs:{kind}")
    return repr(number)


def _integer_text(value: int | float | Decimal) -> str:
    number = _exact(value)  # a JSON integer's digits are counted too
    if isinstance(value, int):
        return str(value)
    if number != int(number):
        raise ValueError(f"{value} is not an integer")
    return str(int(number))


def _decimal_text(value: int | float | Decimal) -> str:
    number = _exact(value)
    return str(value) if isinstance(value, int) else format(number, "f")


def _empty_text(text: Any, xsd_type: Any) -> Any:
    """An empty element of a string-like type is ``""``, not ``None`` (None means nil)."""
    return _empty_value(xsd_type.simple_type) if text is None else text


def _empty_value(simple: Any) -> Any:
    """The JSON of empty text for a simple type: ``[]`` for a list, ``""`` for a string-like
    type, for a union what its first member that accepts empty text makes of it (the member
    xmlschema decodes with), else None (empty text is no value of the type)."""
    if simple.is_list():
        return []
    if simple.is_union():
        for member in _built_on(simple, XsdUnion).member_types:
            if member.is_valid(""):
                return _empty_value(member)
        return None
    primitive = getattr(simple, "primitive_type", None)
    if primitive is not None and local_name(primitive.name) in (
        "string", "anyURI", "base64Binary", "hexBinary"
    ):
        return ""
    return None


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
    """XML (an lxml or ElementTree element, path or string) -> JSON-ready Python value.

    An ``xsi:type`` QName resolves only against the namespace declarations of the document,
    which lxml elements keep and ElementTree ones drop.  xmlschema checks an xsi:type met
    inside a content model apart from its element: it lets the KeyError of an unknown type
    escape and reports a type that does not derive from the declared one on the parent.
    Both become a validation error on the element carrying the xsi:type."""
    try:
        return xsd_element.decode(source, converter=B2BJsonConverter, validation="strict")
    except (XMLSchemaKeyError, XMLSchemaTypeError, XMLSchemaValidationError) as exc:
        cause = exc.__context__ if isinstance(exc, XMLSchemaValidationError) else exc
        if not isinstance(cause, (XMLSchemaKeyError, XMLSchemaTypeError)) or not \
                is_etree_element(source):
            raise
        culprit = _bad_xsi_type(xsd_element, source)
        if culprit is None:
            raise
        reason = cause.args[0] if cause.args else cause  # a KeyError's str() adds quotes
        raise XMLSchemaValidationError(
            xsd_element, culprit, f"invalid xsi:type {culprit.get(XSI_TYPE)!r}: {reason}"
        ) from None


def _bad_xsi_type(xsd_element: Any, elem: Any) -> Any:
    """The first element (document order) whose xsi:type xmlschema refuses for its
    declaration, or None."""
    value = elem.get(XSI_TYPE)
    if value is not None:
        namespaces = {prefix or "": uri for prefix, uri in getattr(elem, "nsmap", {}).items()}
        try:
            xsd_element.maps.get_instance_type(value, xsd_element.type, namespaces)
        except (KeyError, TypeError):
            return elem
    for child in elem:
        if not isinstance(child.tag, str):  # lxml comments and processing instructions
            continue
        declaration = _child_declaration(xsd_element, child.tag)
        found = None if declaration is None else _bad_xsi_type(declaration, child)
        if found is not None:
            return found
    return None


def _child_declaration(xsd_element: Any, tag: str) -> Any:
    slot = content_layout(xsd_element.type).by_key.get(local_name(tag))
    if slot is not None and slot.element.name == tag:
        return slot.element
    return xsd_element.maps.elements.get(tag)  # a substitute or a wildcard match


def encode(xsd_element: Any, value: Any) -> Any:
    """JSON value -> ElementTree element, validated strictly against the schema.  Raises
    ValueError for text XML cannot hold (xmlschema would serialise it into broken XML)."""
    errors = xml_text_errors(value)
    if errors:
        raise ValueError(f"{errors[0]['path']}: {errors[0]['message']}")
    return xsd_element.encode(value, converter=B2BJsonConverter, validation="strict")


def _json_pointer(parts: tuple[object, ...]) -> str:
    """``/a/0/b``: where a value sits in a JSON document."""
    return "/" + "/".join(str(part) for part in parts)


def xml_text_errors(value: Any, path_of: Callable[[tuple[object, ...]], str] = _json_pointer
                    ) -> list[dict[str, str]]:
    """Strings (keys included) of a JSON value that XML cannot carry, as
    ``{"path": "/a/0/b", "message": ...}``: valid JSON, yet no SOAP message can hold them.
    ``path_of`` names a location from its parts (the servers cut a caller's long keys)."""
    return [{"path": path_of(parts),
             "message": f"character U+{ord(char):04X} is not allowed in XML"}
            for parts, char in _bad_chars(value, ())]


def _bad_chars(value: Any, parts: tuple[object, ...]) -> Iterator[tuple[tuple[object, ...], str]]:
    if isinstance(value, str):
        found = NOT_XML_CHAR.search(value)
        if found:
            yield parts, found.group()
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _bad_chars(key, parts)
            yield from _bad_chars(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_chars(item, (*parts, index))
