"""libxml2's verdict on schema documents and WSDLs, as a gate in front of xmlschema's.

xmlschema checks every schema document it loads against the XSD 1.0 meta-schema, and a
WSDL against its WSDL 1.1 schema (``wsdl.xsd``, whose ``wsdl:types`` holds a lax wildcard,
so each inline ``xs:schema`` is checked against the meta-schema too).  Both checks are
xmlschema's pure-Python validator walking the whole document: about 0.3 s of CPU over the
corpus, against milliseconds for libxml2 with the same schemas (xmlschema's own copies,
compiled once per process, their imports resolved from the local copies, never the
network).

The answers are a *gate*, not a verdict to report: True means xmlschema accepts the
document too, so a caller may skip xmlschema's check; False means "ask xmlschema", which
then reports its own error.  Hence the one rule: never True where xmlschema says invalid.
Where libxml2 and xmlschema read the meta-schema differently, this module answers False
for the construct (see :func:`_outside_the_gate`), which only costs speed.

xmlschema itself is not imported: its schemas folder is found without importing the
package (about 0.1 s), so the gate's first call stays cheap.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from lxml import etree

from b2b_openapi.codec import validation
from b2b_openapi.xsd import wellknown

XSD_NAMESPACE = "http://www.w3.org/2001/XMLSchema"
WSDL_NAMESPACE = "http://schemas.xmlsoap.org/wsdl/"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"

# Where XMLSchema.xsd imports the xml namespace from; answered from xmlschema's local copy.
_XML_XSD_URL = "http://www.w3.org/2001/xml.xsd"

SOAP_BINDING_NAMESPACE = "http://schemas.xmlsoap.org/wsdl/soap/"

# The schemas a WSDL is validated with, by namespace (paths under xmlschema's schemas/):
# wsdl.xsd; the XSD namespace's declarations, for the lax wildcard of wsdl:types (xmlschema
# finds them in its meta-schema's maps); the SOAP 1.1 binding's, which xmlschema loads from
# its fallback locations when its lax wildcards meet soap:binding, soap:body...
_WSDL_IMPORTS = {
    WSDL_NAMESPACE: ("WSDL", "wsdl.xsd"),
    XSD_NAMESPACE: ("XSD_1.0", "XMLSchema.xsd"),
    SOAP_BINDING_NAMESPACE: ("WSDL", "wsdl-soap.xsd"),
}

# What the driver declares: its imports, the xml namespace (XMLSchema.xsd imports xml.xsd)
# and xsi (libxml2's own).
_DRIVER_NAMESPACES = frozenset({*_WSDL_IMPORTS, XML_NAMESPACE, XSI_NAMESPACE})

# The other namespaces xmlschema loads on demand from its fallback locations
# (xmlschema.locations.FALLBACK_LOCATIONS) when a lax wildcard of wsdl.xsd meets one of
# their elements or attributes: libxml2 here has none of them, so a WSDL using one is left
# to xmlschema.
_FALLBACK_ONLY = frozenset({
    "http://www.w3.org/2001/XMLSchema-hasFacetAndProperty",
    "http://www.w3.org/2007/XMLSchema-versioning",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://schemas.xmlsoap.org/soap/encoding/",
    "http://www.w3.org/2000/09/xmldsig#",
    "http://www.w3.org/2009/xmldsig11#",
    "http://www.w3.org/2001/04/xmlenc#",
    "http://www.w3.org/2009/xmlenc11#",
})

# Attributes of type xs:NMTOKENS (by the namespace of their element): libxml2 accepts an
# empty list, which the built-in type's minLength 1 refuses, and xmlschema does refuse.
_NMTOKENS = frozenset({(WSDL_NAMESPACE, "parameterOrder"), (SOAP_BINDING_NAMESPACE, "parts")})

# Attributes by which a document points xmlschema at more schemas to load.
_XSI_LOCATIONS = (f"{{{XSI_NAMESPACE}}}schemaLocation",
                  f"{{{XSI_NAMESPACE}}}noNamespaceSchemaLocation")


def schemas_dir() -> Path:
    """xmlschema's bundled schemas (``xmlschema.locations.SCHEMAS_DIR``), found without
    importing xmlschema."""
    return wellknown.SCHEMAS_DIR


class _LocalCopies(etree.Resolver):
    """Answers the W3C URL of xml.xsd with xmlschema's local copy; anything else falls
    through to the parser, which has the network off."""

    def __init__(self, xml_xsd: Path) -> None:
        super().__init__()
        self._xml_xsd = xml_xsd

    def resolve(self, system_url: str, public_id: str,  # type: ignore[override]
                context: Any) -> Any:  # lxml-stubs omit the context argument
        if system_url != _XML_XSD_URL:
            return None
        return self.resolve_filename(str(self._xml_xsd), context)  # type: ignore[attr-defined]


def _parser(directory: Path) -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalCopies(directory / "XML" / "xml.xsd"))
    return parser


# One validation at a time per process: lxml keeps a schema's error log on the object.
_LOCK = threading.Lock()


@cache
def _meta_schema() -> etree.XMLSchema:
    """XMLSchema.xsd (XSD 1.0, xmlschema's copy) compiled by libxml2, once per process."""
    directory = schemas_dir()
    path = directory / "XSD_1.0" / "XMLSchema.xsd"
    return etree.XMLSchema(etree.parse(str(path), _parser(directory)))


@cache
def _wsdl_schema() -> etree.XMLSchema:
    """wsdl.xsd with the XSD namespace's declarations, compiled once per process."""
    directory = schemas_dir()
    root = etree.Element(f"{{{XSD_NAMESPACE}}}schema", nsmap={"xs": XSD_NAMESPACE})
    for namespace, parts in _WSDL_IMPORTS.items():
        etree.SubElement(root, f"{{{XSD_NAMESPACE}}}import", namespace=namespace,
                         schemaLocation=directory.joinpath(*parts).as_uri())
    driver = etree.fromstring(etree.tostring(root), _parser(directory),
                              base_url=(directory / "driver.xsd").as_uri())
    return etree.XMLSchema(driver)


def standalone_schema(schema: Any) -> Any:
    """An inline ``xs:schema`` as its own document, with every namespace declaration in
    scope where it stands (its QName values may use prefixes the WSDL root declares)."""
    return etree.fromstring(validation.standalone(schema))


def _validates(schema: etree.XMLSchema, document: Any) -> bool:
    with _LOCK:
        return bool(schema.validate(document))


def schema_document_valid(root: Any) -> bool:
    """True only when xmlschema's XSD 1.0 meta-schema accepts ``root``, an ``xs:schema``
    element (a file's root, or an inline schema of a WSDL with the WSDL's namespace
    declarations in scope); False means "ask xmlschema"."""
    if not isinstance(root.tag, str) or root.tag != f"{{{XSD_NAMESPACE}}}schema":
        return False
    if _outside_the_gate(root, frozenset()):
        return False
    document = root if root.getparent() is None else standalone_schema(root)
    return _validates(_meta_schema(), document.getroottree())


def wsdl_valid(tree: Any, other_namespaces: Iterable[str] = ()) -> bool:
    """True only when xmlschema's WSDL 1.1 schema accepts the WSDL ``tree`` (its inline
    schemas checked against the XSD meta-schema through the lax wildcard of wsdl:types).

    ``other_namespaces`` are the namespaces the caller's xmlschema maps hold besides
    (``parent.maps.namespaces`` of :mod:`b2b_openapi.xsd.shared`, the shared folders'
    schemas): xmlschema validates their elements and attributes where wsdl.xsd's lax
    wildcards meet them, libxml2 here cannot, so a WSDL using one gets False (those the
    driver declares too, such as xml: and xsi:, are checked by both)."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    if not isinstance(root.tag, str) or root.tag != f"{{{WSDL_NAMESPACE}}}definitions":
        return False
    unknown = (_FALLBACK_ONLY | set(other_namespaces)) - _DRIVER_NAMESPACES
    if _outside_the_gate(root, unknown):
        return False
    return _validates(_wsdl_schema(), root.getroottree())


def _namespace(name: str) -> str | None:
    return name[1:].split("}", 1)[0] if name.startswith("{") else None


def _outside_the_gate(root: Any, unknown: frozenset[str] | set[str]) -> bool:
    """What libxml2 here would read otherwise than xmlschema, found by the differential
    tests (tests/test_schemacheck.py); the gate answers False for a document that has any:

    * a DTD default attribute (:func:`_dtd_defaults_change`);
    * an entity reference lxml left unexpanded;
    * an ``xsi:schemaLocation`` hint: xmlschema may load the schemas it names;
    * an element or attribute in one of the ``unknown`` namespaces, whose declarations
      xmlschema holds and libxml2 here does not;
    * an empty ``xs:NMTOKENS`` attribute (``parameterOrder=""``, ``soap:body
      parts=""``), which libxml2 accepts."""
    if _dtd_defaults_change(root):
        return True
    for elem in root.iter():
        if not isinstance(elem.tag, str):
            if isinstance(elem, etree._Entity):
                return True
            continue
        if unknown and _namespace(elem.tag) in unknown:
            return True
        for name, value in elem.attrib.items():
            if name in _XSI_LOCATIONS or (unknown and _namespace(name) in unknown):
                return True
            if (_namespace(elem.tag), name) in _NMTOKENS and not value.split():
                return True
    return False


class _Attlists:
    """The attribute defaults an internal DTD subset declares, as expat (xmlschema's
    parser, through ElementTree) reads them: (element, attribute, default) triples; and
    whether the subset declares an external parameter entity (expat does not read one,
    nor any declaration after a reference to it, where libxml2 may)."""

    def __init__(self) -> None:
        self.defaults: list[tuple[str, str, str]] = []
        self.skipped = False

    def entity(self, _name: str, is_parameter_entity: int, _value: str | None,
               _base: str | None, system_id: str | None, *_rest: Any) -> None:
        if is_parameter_entity and system_id is not None:
            self.skipped = True

    def attlist(self, element: str, attribute: str, _type: str | None,
                default: str | None, _required: int) -> None:
        if default is not None:
            self.defaults.append((element, attribute, default))

    @staticmethod
    def stop(*_args: Any) -> None:
        raise _PrologRead


class _PrologRead(Exception):
    """The root element started: the DTD is read."""


def _dtd_defaults(source: bytes) -> list[tuple[str, str, str]] | None:
    """The DTD's attribute defaults, None when expat may have read it only in part."""
    reader = _Attlists()
    parser = expat.ParserCreate()
    parser.AttlistDeclHandler = reader.attlist
    parser.EntityDeclHandler = reader.entity
    parser.StartElementHandler = reader.stop
    with contextlib.suppress(_PrologRead):
        parser.Parse(source, True)
    return None if reader.skipped else reader.defaults


def _dtd_defaults_change(root: Any) -> bool:
    """Whether the internal DTD subset defaults an attribute or a namespace declaration
    the document lacks.  xmlschema's parser (expat) adds what the DTD defaults, lxml's (as
    the project parses) does not; a default only declaring a namespace every element it
    applies to already declares the same way (the xmldsig schema's ``#FIXED xmlns:ds``)
    changes nothing.  The DTD is read from the file (lxml does not list the attributes of
    undeclared elements): a document with a DTD and no file is left to xmlschema."""
    tree = root.getroottree()
    if tree.docinfo.internalDTD is None:
        return False
    try:
        source = Path(str(tree.docinfo.URL)).read_bytes() if tree.docinfo.URL else None
        defaults = _dtd_defaults(source) if source is not None else None
    except (OSError, expat.ExpatError):
        return True
    if defaults is None:
        return True
    for element, attribute, value in defaults:
        if attribute != "xmlns" and not attribute.startswith("xmlns:"):
            return True
        prefix = attribute.partition(":")[2] or None
        if any(elem.nsmap.get(prefix) != value for elem in tree.getroot().iter(etree.Element)
               if _raw_name(elem) == element):
            return True
    return False


def _raw_name(elem: Any) -> str:
    local = etree.QName(elem).localname
    return f"{elem.prefix}:{local}" if elem.prefix else str(local)
