"""libxml2 validation of a service's SOAP messages, compiled from its WSDL's schemas.

lxml validates while it parses (``XMLPullParser(schema=...)``) at a multiple of the
parsing cost, against xmlschema's ~1 MB/s.  The schema libxml2 compiles is the WSDL's
inline ``wsdl:types`` schemas (which import the service's XSD files) under a small SOAP 1.1
envelope schema: ``Envelope`` holds an optional ``Header`` whose content is not checked
(the reference path ignores headers too) and a ``Body`` whose children are validated
against their global declarations (``processContents="lax"``).

libxml2 can refuse schemas xmlschema accepts (its XSD 1.0 support has known gaps, e.g. a
namespace imported from two locations keeps only the first, which is why a WSDL's inline
schemas of one namespace are compiled as one document); :func:`compile_service` then
returns None and the gateway keeps the reference path for that service.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from lxml import etree

from b2b_openapi.codec.soap import SOAP_ENV

XS = "http://www.w3.org/2001/XMLSchema"
_INLINE = "b2b-openapi-inline:"

_ENVELOPE = f"""<xs:schema xmlns:xs="{XS}" xmlns:env="{SOAP_ENV}" targetNamespace="{SOAP_ENV}"
    elementFormDefault="qualified">
  {{imports}}
  <xs:complexType name="_Open">
    <xs:sequence><xs:any processContents="skip" namespace="##any" minOccurs="0"
        maxOccurs="unbounded"/></xs:sequence>
    <xs:anyAttribute processContents="skip" namespace="##any"/>
  </xs:complexType>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" type="env:_Open" minOccurs="0"/>
    <xs:element name="Body"><xs:complexType>
      <xs:sequence><xs:any processContents="lax" namespace="##any" minOccurs="0"
          maxOccurs="unbounded"/></xs:sequence>
      <xs:anyAttribute processContents="skip" namespace="##any"/>
    </xs:complexType></xs:element>
  </xs:sequence><xs:anyAttribute processContents="skip" namespace="##any"/>
  </xs:complexType></xs:element>
</xs:schema>"""


class _InlineSchemas(etree.Resolver):
    """Serves the WSDL's inline schemas to libxml2 under made-up URLs, with the WSDL's own
    location as their base (their relative imports resolve as in the WSDL)."""

    def __init__(self, documents: dict[str, bytes], base: str) -> None:
        super().__init__()
        self.documents = documents
        self.base = base

    def resolve(self, system_url: str, public_id: str,  # type: ignore[override]
                context: Any) -> Any:  # lxml-stubs omit the context argument
        text = self.documents.get(system_url)
        if text is None:
            return None
        return self.resolve_string(text, context, base_url=self.base)


def standalone(schema: Any) -> bytes:
    """An inline ``xs:schema`` as its own document, keeping every namespace declaration in
    scope in the WSDL (QName attribute values use the WSDL's prefixes)."""
    root = etree.Element(schema.tag, dict(schema.attrib), nsmap=schema.nsmap)
    root.text = schema.text
    for child in schema:
        root.append(copy.deepcopy(child))
    return etree.tostring(root)


def _including(document: bytes, urls: list[str]) -> bytes:
    """An inline schema that also includes the WSDL's other inline schemas of its
    namespace.  CAISO's WSDLs hold several ``xs:schema`` elements without a
    targetNamespace, each importing one XSD (request, StandardAttachmentInfor,
    StandardOutput); imported one by one, libxml2 would keep the first and silently
    leave the fault and header schemas out, so their elements would pass unchecked."""
    root = etree.fromstring(document)
    for position, url in enumerate(urls):
        root.insert(position, etree.Element(f"{{{XS}}}include", schemaLocation=url))
    return etree.tostring(root)


def compile_service(wsdl: Path) -> etree.XMLSchema | None:
    """The envelope schema of a service for libxml2, or None when libxml2 refuses its
    schemas (the reason is in :func:`compile_error`)."""
    try:
        return _compile(wsdl)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError):
        return None


def compile_error(wsdl: Path) -> str | None:
    """Why libxml2 refuses a service's schemas (None when it compiles them)."""
    try:
        _compile(wsdl)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        return str(exc)
    return None


def _compile(wsdl: Path) -> etree.XMLSchema:
    location = str(wsdl.resolve())
    tree = etree.parse(location, etree.XMLParser(resolve_entities=False, no_network=True))
    documents: dict[str, bytes] = {}
    by_namespace: dict[str | None, list[str]] = {}
    for index, schema in enumerate(tree.getroot().iter(f"{{{XS}}}schema")):
        url = f"{_INLINE}{index}"
        documents[url] = standalone(schema)
        by_namespace.setdefault(schema.get("targetNamespace"), []).append(url)
    imports = []
    for namespace, (first, *rest) in by_namespace.items():
        if rest:  # libxml2 reads one document per imported namespace: the others are included
            documents[first] = _including(documents[first], rest)
        attribute = f' namespace="{namespace}"' if namespace else ""
        imports.append(f'<xs:import{attribute} schemaLocation="{first}"/>')
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_InlineSchemas(documents, location))
    driver = etree.fromstring(_ENVELOPE.replace("{imports}", "".join(imports)).encode(),
                              parser, base_url=location)
    return etree.XMLSchema(driver)


def compile_document(xsd: Path) -> etree.XMLSchema | None:
    """A standalone document's XSD (an attachment's payload schema) for libxml2, its
    imports resolved from its own folder, never the network; None when libxml2 refuses it
    (the caller keeps the whole-document path)."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.XMLSchema(etree.parse(str(xsd.resolve()), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError):
        return None
