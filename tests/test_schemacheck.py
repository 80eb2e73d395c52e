"""libxml2's gate on schema documents and WSDLs (xsd/schemacheck.py) against xmlschema.

xmlschema is the reference verdict: its XSD 1.0 meta-schema on each schema document (as
``XMLSchema10.__init__`` checks it, with the document's namespace map) and its WSDL 1.1
schema on a WSDL (as ``Wsdl11Document`` validates it).  The gate's one rule: never True
where xmlschema says invalid; and on every real document (the bundled corpus, the test
corpora, the real packages) it must say what xmlschema says, or it is useless.

The mutation tables record, per named case, what xmlschema says and what the gate says;
the cases where the two differ are the conservative ones (the gate says False, xmlschema
accepts), each with the reason in a comment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from xmlschema.locations import SCHEMAS_DIR

from b2b_openapi.xsd import schemacheck
from support import ROOT

XS = schemacheck.XSD_NAMESPACE
WSDL = schemacheck.WSDL_NAMESPACE
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
REAL = Path(os.environ.get("B2B_REAL_ARTIFACTS") or ROOT.parent / "shared" / "real-artifacts")

# ----------------------------------------------------------------------------- the reference

_META = xmlschema.XMLSchema10.meta_schema
assert _META is not None
_META.build()
_WSDL_SCHEMA = xmlschema.XMLSchema10(str(SCHEMAS_DIR / "WSDL" / "wsdl.xsd"))


def _meta_errors(resource: xmlschema.XMLResource) -> list[str]:
    """xmlschema's meta-schema check of a schema document, as ``XMLSchema10.__init__``
    does it: the namespaces of the whole document, the default one mapped."""
    namespaces = resource.get_namespaces({"xml": XML_NAMESPACE}, False, True)
    return [str(e.reason) for e in _META.iter_errors(resource.root, namespaces=namespaces)]


def xmlschema_schema_errors(source: str | Path) -> list[str]:
    return _meta_errors(xmlschema.XMLResource(str(source)))


def xmlschema_wsdl_errors(source: str | Path) -> list[str]:
    """wsdl.xsd's verdict on a WSDL, as ``Wsdl11Document`` (an ``XmlDocument``) asks it."""
    document = xmlschema.XmlDocument(str(source), schema=_WSDL_SCHEMA, validation="skip")
    return [str(e.reason) for e in
            _WSDL_SCHEMA.iter_errors(document, namespaces=document.namespaces)]


def xmlschema_inline_errors(wsdl: str | Path) -> list[list[str]]:
    """The meta-schema's verdict on each inline schema, as ``Wsdl11Document._parse_types``
    loads them (a subresource of the WSDL)."""
    resource = xmlschema.XMLResource(str(wsdl))
    return [_meta_errors(resource.subresource(schema))
            for schema in resource.root.iterfind(f"{{{WSDL}}}types/{{{XS}}}schema")]


def inline_schemas(tree: Any) -> list[Any]:
    return list(tree.getroot().iterfind(f"{{{WSDL}}}types/{{{XS}}}schema"))


# ----------------------------------------------------------------------------- every real file


def _documents() -> list[Path]:
    roots = [ROOT / "xsd", ROOT / "tests" / "corpus", ROOT / "tests" / "broken", REAL]
    files = sorted(p for root in roots if root.is_dir() for p in root.rglob("*")
                   if p.suffix in (".xsd", ".wsdl"))
    parsed = []
    for path in files:
        try:
            etree.parse(str(path))
        except etree.XMLSyntaxError:
            continue  # not well-formed: the loader's own error, no question for the gate
        parsed.append(path)
    return parsed


DOCUMENTS = _documents()


def _id(path: Path) -> str:
    return str(path.relative_to(REAL.parent) if path.is_relative_to(REAL)
               else path.relative_to(ROOT))


def test_the_differential_covers_the_corpora() -> None:
    assert sum(p.suffix == ".wsdl" for p in DOCUMENTS) >= 60
    assert sum(p.suffix == ".xsd" for p in DOCUMENTS) >= 120


@pytest.mark.parametrize("path", DOCUMENTS, ids=_id)
def test_libxml2_gives_xmlschemas_verdict_on_every_real_document(path: Path) -> None:
    tree = etree.parse(str(path))
    if path.suffix == ".xsd":
        assert schemacheck.schema_document_valid(tree.getroot()) == (
            not xmlschema_schema_errors(path))
        return
    assert schemacheck.wsdl_valid(tree) == (not xmlschema_wsdl_errors(path))
    verdicts = [schemacheck.schema_document_valid(s) for s in inline_schemas(tree)]
    assert verdicts == [not errors for errors in xmlschema_inline_errors(path)]


@pytest.mark.slow
def test_libxml2_gives_xmlschemas_verdict_on_the_synthetic_corpus(tmp_path: Path) -> None:
    """benchmarks/synth.py's copies of the corpus (renamed namespaces, varied facets)."""
    out = tmp_path / "synthetic"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synth.py"), str(out),
                    "--copies", "2"], check=True, capture_output=True)
    documents = sorted(p for p in out.rglob("*") if p.suffix in (".xsd", ".wsdl"))
    assert len(documents) > len([p for p in DOCUMENTS if p.is_relative_to(ROOT / "xsd")])
    for path in documents:
        test_libxml2_gives_xmlschemas_verdict_on_every_real_document(path)


def test_the_corpora_hold_documents_xmlschema_refuses() -> None:
    """Else the differential above would only ever compare "valid" with "valid"."""
    broken = [p for p in DOCUMENTS if p.is_relative_to(ROOT / "tests" / "broken")]
    refused = [p for p in broken if p.suffix == ".xsd" and xmlschema_schema_errors(p)]
    assert refused
    assert not any(schemacheck.schema_document_valid(etree.parse(str(p)).getroot())
                   for p in refused)


def test_the_shared_folders_namespaces_leave_the_corpus_wsdls_valid() -> None:
    """A WSDL is loaded over a parent holding the shared folders' schemas: their
    namespaces, passed as ``other_namespaces``, still leave every bundled WSDL gated
    through (CAISO's WSDLs use them in QName values, never as elements)."""
    from b2b_openapi.xsd import shared
    from b2b_openapi.xsd.wsdl import reach

    corpus = ROOT / "tests" / "corpus" / "shared"
    for wsdl in sorted(corpus.rglob("*.wsdl")):
        reached = reach(wsdl)
        parent = shared.parent_schema(reached.shared)
        namespaces = set(parent.maps.namespaces) if parent is not None else set()
        assert reached.shared and namespaces - {XS, WSDL}
        assert schemacheck.wsdl_valid(etree.parse(str(wsdl)), namespaces), wsdl


# ----------------------------------------------------------------------------- named mutations

ACCEPTED = (True, True)  # (xmlschema accepts, the gate says True)
REFUSED = (False, False)
CONSERVATIVE = (True, False)  # xmlschema accepts, the gate leaves it to xmlschema

SCHEMA = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" \
xmlns:f="urn:foreign" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:annotation><xs:appinfo>app</xs:appinfo><xs:documentation>doc</xs:documentation>\
</xs:annotation>
  <xs:import namespace="urn:other" schemaLocation="other.xsd"/>
  <xs:element name="root" type="tns:RootType"/>
  <xs:complexType name="RootType">
    <xs:sequence>
      <xs:element name="a" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
      <xs:element ref="tns:root" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax"/>
    </xs:sequence>
    <xs:attribute name="x" type="xs:int" use="optional"/>
  </xs:complexType>
  <xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:maxLength value="3"/>\
</xs:restriction></xs:simpleType>
  <xs:complexType name="Ext"><xs:complexContent><xs:extension base="tns:RootType">\
<xs:attribute name="y" type="xs:string"/></xs:extension></xs:complexContent></xs:complexType>
</xs:schema>"""

ELEMENT_A = '<xs:element name="a"'
GLOBAL = '<xs:element name="root"'
OCCURS = 'minOccurs="0" maxOccurs="unbounded"'
APPINFO = "<xs:appinfo>app</xs:appinfo>"
DOCUMENTATION = "<xs:documentation>"
LOCAL_A = '<xs:element name="a" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>'
ROOT_DECL = '<xs:element name="root" type="tns:RootType"/>'
EXT = ('<xs:complexType name="Ext"><xs:complexContent><xs:extension base="tns:RootType">'
       '<xs:attribute name="y" type="xs:string"/></xs:extension></xs:complexContent>'
       '</xs:complexType>')
FACET = '<xs:maxLength value="3"/>'
ATTRIBUTE = '<xs:attribute name="x" type="xs:int" use="optional"/>'
SCHEMA_ATTRS = 'elementFormDefault="qualified"'


def _key(kind: str, name: str, selector: str = "a") -> str:
    return (f'<xs:{kind} name="{name}"><xs:selector xpath="{selector}"/>'
            f'<xs:field xpath="@x"/></xs:{kind}>')


@dataclass(frozen=True)
class Case:
    """``old`` replaced by ``new`` once in the base document; ``verdicts`` is (xmlschema
    accepts, gate says True)."""

    name: str
    old: str
    new: str
    verdicts: tuple[bool, bool]

    def apply(self, base: str) -> str:
        assert self.old in base, self.name
        return base.replace(self.old, self.new, 1)


SCHEMA_CASES = [
    Case("base", "", "", ACCEPTED),
    Case("unknown xs: element", GLOBAL, f"<xs:elephant/>{GLOBAL}", REFUSED),
    Case("unknown unqualified attribute", ELEMENT_A, '<xs:element bogus="1" name="a"', REFUSED),
    Case("attribute in the XSD namespace", ELEMENT_A, '<xs:element xs:bogus="1" name="a"',
         REFUSED),
    Case("foreign-namespace attribute", ELEMENT_A, '<xs:element f:bogus="1" name="a"',
         ACCEPTED),
    Case("xml:lang", DOCUMENTATION, '<xs:documentation xml:lang="en">', ACCEPTED),
    Case("bad xml:lang", DOCUMENTATION, '<xs:documentation xml:lang="e n!">', REFUSED),
    Case("bad xml:space", DOCUMENTATION, '<xs:documentation xml:space="keep">', REFUSED),
    Case("minOccurs -1", OCCURS, 'minOccurs="-1" maxOccurs="unbounded"', REFUSED),
    Case("minOccurs not a number", OCCURS, 'minOccurs="x" maxOccurs="unbounded"', REFUSED),
    Case("minOccurs +1, padded", OCCURS, 'minOccurs=" +1 " maxOccurs="unbounded"', ACCEPTED),
    Case("maxOccurs many", OCCURS, 'minOccurs="0" maxOccurs="many"', REFUSED),
    # min > max is a schema component constraint, not the meta-schema's: both accept here
    Case("minOccurs above maxOccurs", OCCURS, 'minOccurs="5" maxOccurs="2"', ACCEPTED),
    Case("minOccurs on a global element", GLOBAL, '<xs:element minOccurs="0" name="root"',
         REFUSED),
    Case("use sometimes", 'use="optional"', 'use="sometimes"', REFUSED),
    Case("form yes", ELEMENT_A, '<xs:element form="yes" name="a"', REFUSED),
    Case("form on a global element", GLOBAL, '<xs:element form="qualified" name="root"',
         REFUSED),
    Case("processContents loose", 'processContents="lax"', 'processContents="loose"', REFUSED),
    Case("nillable maybe", ELEMENT_A, '<xs:element nillable="maybe" name="a"', REFUSED),
    Case("abstract yes", GLOBAL, '<xs:element abstract="yes" name="root"', REFUSED),
    Case("abstract padded true", GLOBAL, '<xs:element abstract=" true " name="root"', ACCEPTED),
    Case("block union", GLOBAL, '<xs:element block="union" name="root"', REFUSED),
    Case("block extension restriction", GLOBAL,
         '<xs:element block="extension restriction" name="root"', ACCEPTED),
    Case("final list on an element", GLOBAL, '<xs:element final="list" name="root"', REFUSED),
    Case("final #all", GLOBAL, '<xs:element final="#all" name="root"', ACCEPTED),
    Case("final #all list on a simple type", '<xs:simpleType name="Code">',
         '<xs:simpleType name="Code" final="#all list">', REFUSED),
    Case("mixed 1x", '<xs:complexType name="RootType">',
         '<xs:complexType name="RootType" mixed="1x">', REFUSED),
    Case("type= two colons", 'type="xs:string"', 'type="xs:str:ing"', REFUSED),
    Case("type= starts with a digit", 'type="xs:string"', 'type="1bad"', REFUSED),
    Case("ref= empty local part", 'ref="tns:root"', 'ref="tns:"', REFUSED),
    Case("base= empty prefix", 'base="xs:string"', 'base=":string"', REFUSED),
    # xmlschema does not check a QName's prefix against the namespaces while checking a
    # schema document (it fails later, building the component); libxml2 does
    Case("type= undeclared prefix", 'type="xs:string"', 'type="nope:string"', CONSERVATIVE),
    Case("name a:b", 'name="Code"', 'name="a:b"', REFUSED),
    # xmlschema reads a few lexical forms more loosely than XSD 1.0: a name may start with
    # a digit of another script, a number may be written in other scripts' digits (Python's int())
    Case("name starting with a Devanagari digit", '<xs:simpleType name="Code">',
         '<xs:simpleType name="\u0966">', CONSERVATIVE),
    Case("maxLength in Arabic-Indic digits", FACET, '<xs:maxLength value="\u0663"/>',
         CONSERVATIVE),
    Case("empty name", GLOBAL, f'<xs:element name="" type="xs:string"/>{GLOBAL}', REFUSED),
    Case("global element without name", ROOT_DECL, '<xs:element type="tns:RootType"/>',
         REFUSED),
    Case("complex type without name", '<xs:complexType name="RootType">', "<xs:complexType>",
         REFUSED),
    Case("simple type without name", '<xs:simpleType name="Code">', "<xs:simpleType>",
         REFUSED),
    # XMLSchema.xsd makes restriction's base optional (an inline simpleType may stand for it)
    Case("restriction without base", '<xs:restriction base="xs:string">', "<xs:restriction>",
         ACCEPTED),
    Case("extension without base", '<xs:extension base="tns:RootType">', "<xs:extension>",
         REFUSED),
    Case("import without attributes",
         '<xs:import namespace="urn:other" schemaLocation="other.xsd"/>', "<xs:import/>",
         ACCEPTED),
    Case("include without schemaLocation",
         '<xs:import namespace="urn:other" schemaLocation="other.xsd"/>', "<xs:include/>",
         REFUSED),
    # anyURI: xmlschema takes almost any string, libxml2 refuses some
    Case("schemaLocation with %%zz", 'schemaLocation="other.xsd"',
         'schemaLocation="a b%%zz"', CONSERVATIVE),
    # namespace= of xs:any: xmlschema reads the list loosely, libxml2 by the meta-schema
    Case("namespace ##other ##local", 'namespace="##other"', 'namespace="##other ##local"',
         CONSERVATIVE),
    Case("namespace ##foo", 'namespace="##other"', 'namespace="##foo"', CONSERVATIVE),
    Case("annotation last in a complex type", ATTRIBUTE, f"{ATTRIBUTE}<xs:annotation/>",
         REFUSED),
    Case("two annotations in an element", ROOT_DECL,
         '<xs:element name="root" type="tns:RootType"><xs:annotation/><xs:annotation/>'
         "</xs:element>", REFUSED),
    Case("attribute before sequence", '<xs:complexType name="RootType">',
         '<xs:complexType name="RootType"><xs:attribute name="w"/>', REFUSED),
    Case("import after a definition", '<xs:complexType name="Ext">',
         '<xs:import namespace="urn:late"/><xs:complexType name="Ext">', REFUSED),
    Case("two sequences", "</xs:sequence>", "</xs:sequence><xs:sequence/>", REFUSED),
    Case("attribute in a simple type's restriction", FACET,
         f'{FACET}<xs:attribute name="q"/>', REFUSED),
    Case("text in a sequence", "<xs:sequence>", "<xs:sequence>hello", REFUSED),
    Case("text in the schema", GLOBAL, f"stray text{GLOBAL}", REFUSED),
    Case("foreign element at the top", GLOBAL, f"<f:thing/>{GLOBAL}", REFUSED),
    Case("comment and processing instruction", GLOBAL, f"<!-- c --><?pi x?>{GLOBAL}",
         ACCEPTED),
    # appinfo/documentation hold a lax wildcard: anything goes, but an element the
    # meta-schema declares is checked by both
    Case("bad xs:element in appinfo", APPINFO,
         '<xs:appinfo><xs:element name="q" minOccurs="x"/></xs:appinfo>', REFUSED),
    Case("xs:element in documentation", "<xs:documentation>doc</xs:documentation>",
         '<xs:documentation><xs:element name="q" minOccurs="1"/></xs:documentation>', REFUSED),
    Case("bad xs:element inside a foreign element in appinfo", APPINFO,
         '<xs:appinfo><f:x><xs:element name="q" minOccurs="x"/></f:x></xs:appinfo>', REFUSED),
    Case("undeclared xs: element in appinfo", APPINFO, "<xs:appinfo><xs:elephant/></xs:appinfo>",
         ACCEPTED),
    Case("nested schema in appinfo, invalid", APPINFO,
         "<xs:appinfo><xs:schema><xs:element/></xs:schema></xs:appinfo>", REFUSED),
    Case("foreign elements in appinfo", APPINFO, '<xs:appinfo><f:x a="1"/></xs:appinfo>',
         ACCEPTED),
    # the meta-schema's maps never load more namespaces: hfp is not checked by either
    Case("invalid hfp in appinfo", APPINFO,
         '<xs:appinfo><hfp:hasFacet xmlns:hfp="http://www.w3.org/2001/'
         'XMLSchema-hasFacetAndProperty" name="bogus"/></xs:appinfo>', ACCEPTED),
    Case("unknown attribute on appinfo", "<xs:appinfo>", '<xs:appinfo foo="1">', REFUSED),
    Case("appinfo source not a URI", "<xs:appinfo>", '<xs:appinfo source="::: ::">',
         CONSERVATIVE),
    Case("duplicate ids", GLOBAL, '<xs:element id="i1" name="a1"/><xs:element id="i1" '
         'name="root"', REFUSED),
    Case("duplicate ids up to whitespace", GLOBAL, '<xs:element id=" i1" name="a1"/>'
         '<xs:element id="i1 " name="root"', REFUSED),
    Case("id 1x", GLOBAL, '<xs:element id="1x" name="root"', REFUSED),
    # XMLSchema.xsd's xs:key constraints on xs:schema: both enforce them
    Case("two global elements root", GLOBAL, f'<xs:element name="root" type="xs:string"/>'
         f"{GLOBAL}", REFUSED),
    Case("two global elements root, one padded", GLOBAL,
         f'<xs:element name=" root " type="xs:string"/>{GLOBAL}', REFUSED),
    Case("complex and simple type of one name", '<xs:simpleType name="Code">',
         '<xs:simpleType name="RootType">', REFUSED),
    Case("two global attributes", GLOBAL, f'<xs:attribute name="g"/><xs:attribute name="g"/>'
         f"{GLOBAL}", REFUSED),
    Case("two groups", GLOBAL, '<xs:group name="g"><xs:sequence/></xs:group>'
         f'<xs:group name="g"><xs:sequence/></xs:group>{GLOBAL}', REFUSED),
    Case("two attribute groups", GLOBAL, '<xs:attributeGroup name="g"/>'
         f'<xs:attributeGroup name="g"/>{GLOBAL}', REFUSED),
    Case("two notations", GLOBAL, '<xs:notation name="n" public="p"/>'
         f'<xs:notation name="n" public="q"/>{GLOBAL}', REFUSED),
    Case("key and unique of one name", ROOT_DECL,
         f'<xs:element name="root" type="tns:RootType">{_key("key", "k")}'
         f'{_key("unique", "k")}</xs:element>', REFUSED),
    Case("identity constraints of one name in two local elements", LOCAL_A,
         f'<xs:element name="a">{_key("unique", "u")}</xs:element>'
         f'<xs:element name="b">{_key("unique", "u")}</xs:element>', REFUSED),
    Case("keyref without refer", ROOT_DECL,
         f'<xs:element name="root" type="tns:RootType">{_key("keyref", "k")}</xs:element>',
         REFUSED),
    # local declarations are not keyed by the meta-schema
    Case("two local elements a", LOCAL_A, '<xs:element name="a"/><xs:element name="a"/>',
         ACCEPTED),
    Case("two local attributes x", ATTRIBUTE, '<xs:attribute name="x"/><xs:attribute name="x"/>',
         ACCEPTED),
    Case("selector xpath ///", ROOT_DECL,
         f'<xs:element name="root" type="tns:RootType">{_key("key", "k", "///")}'
         "</xs:element>", ACCEPTED),
    Case("ref with type", 'ref="tns:root"', 'ref="tns:root" type="xs:string"', ACCEPTED),
    Case("default and fixed", ELEMENT_A, '<xs:element default="1" fixed="1" name="a"',
         ACCEPTED),
    Case("substitutionGroup on a local element", ELEMENT_A,
         '<xs:element substitutionGroup="tns:root" name="a"', REFUSED),
    Case("facet without value", FACET, "<xs:maxLength/>", REFUSED),
    Case("facet value -3", FACET, '<xs:maxLength value="-3"/>', REFUSED),
    Case("facet fixed no", FACET, '<xs:maxLength value="3" fixed="no"/>', REFUSED),
    Case("totalDigits 0", FACET, '<xs:totalDigits value="0"/>', REFUSED),
    Case("whiteSpace trim", FACET, '<xs:whiteSpace value="trim"/>', REFUSED),
    Case("enumeration without value", FACET, "<xs:enumeration/>", REFUSED),
    Case("pattern [a", FACET, '<xs:pattern value="[a"/>', ACCEPTED),
    Case("all maxOccurs 2", EXT, '<xs:complexType name="Ext"><xs:all maxOccurs="2">'
         '<xs:element name="e"/></xs:all></xs:complexType>', REFUSED),
    Case("element in all maxOccurs 2", EXT, '<xs:complexType name="Ext"><xs:all>'
         '<xs:element name="e" maxOccurs="2"/></xs:all></xs:complexType>', REFUSED),
    Case("group ref with a name", EXT, '<xs:group name="G"><xs:sequence/></xs:group>'
         '<xs:complexType name="Ext"><xs:group ref="tns:G" name="x"/></xs:complexType>',
         REFUSED),
    Case("elementFormDefault yes", SCHEMA_ATTRS, 'elementFormDefault="yes"', REFUSED),
    Case("blockDefault list", SCHEMA_ATTRS, f'{SCHEMA_ATTRS} blockDefault="list"', REFUSED),
    Case("empty targetNamespace", 'targetNamespace="urn:t"', 'targetNamespace=""', ACCEPTED),
    Case("xsi:nil on an xs:element", ELEMENT_A, '<xs:element xmlns:xsi="http://www.w3.org/'
         '2001/XMLSchema-instance" xsi:nil="true" name="a"', REFUSED),
    # xs:string does not derive from xs:element's type: libxml2 refuses it (cvc-elt.4.3),
    # xmlschema's meta-schema check lets it pass (in a WSDL, xmlschema refuses it too)
    Case("xsi:type on an xs:element", ELEMENT_A, '<xs:element xmlns:xsi="http://www.w3.org/'
         '2001/XMLSchema-instance" xsi:type="xs:string" name="a"', CONSERVATIVE),
    Case("xsi:schemaLocation", SCHEMA_ATTRS, f'{SCHEMA_ATTRS} xmlns:xsi="http://www.w3.org/'
         '2001/XMLSchema-instance" xsi:schemaLocation="urn:x x.xsd"', CONSERVATIVE),
]


def _gate_on_schema(text: str) -> bool:
    return schemacheck.schema_document_valid(etree.fromstring(text.encode()))


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda c: c.name)
def test_schema_document_mutations(case: Case) -> None:
    text = case.apply(SCHEMA) if case.old else SCHEMA
    accepted, gate = case.verdicts
    assert (not xmlschema_schema_errors(text)) == accepted
    assert _gate_on_schema(text) == gate


WSDL_DOC = """<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" \
xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:tns="urn:w" targetNamespace="urn:w" name="Svc">
  <wsdl:documentation>A service</wsdl:documentation>
  <wsdl:types>
    <xs:schema targetNamespace="urn:w" elementFormDefault="qualified">
      <xs:element name="req" type="xs:string"/>
      <xs:element name="resp" type="tns:RespType"/>
      <xs:complexType name="RespType"><xs:sequence><xs:element name="v" type="xs:int"/>\
</xs:sequence></xs:complexType>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="body" element="tns:req"/></wsdl:message>
  <wsdl:message name="Out"><wsdl:part name="body" element="tns:resp"/></wsdl:message>
  <wsdl:portType name="PT">
    <wsdl:operation name="op"><wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/>\
</wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="B" type="tns:PT">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="op"><soap:operation soapAction="urn:op"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body \
use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="P" binding="tns:B"><soap:address \
location="https://example.invalid/x"/></wsdl:port></wsdl:service>
</wsdl:definitions>"""

IN = '<wsdl:message name="In">'
PART = '<wsdl:part name="body" element="tns:req"/>'
PORT_TYPE = '<wsdl:portType name="PT">'
TYPES = "<wsdl:types>"
INLINE = '<xs:schema targetNamespace="urn:w" elementFormDefault="qualified">'
REQ = '<xs:element name="req" type="xs:string"/>'
OUTPUT_OP = '<wsdl:output message="tns:Out"/></wsdl:operation>'
SOAP_OP = '<soap:operation soapAction="urn:op"/>'
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
DOC = "<wsdl:documentation>A service</wsdl:documentation>"
XLINK = 'xmlns:xl="http://www.w3.org/1999/xlink"'

WSDL_CASES = [
    Case("base", "", "", ACCEPTED),
    Case("message without name", IN, "<wsdl:message>", REFUSED),
    # wsdl.xsd allows both; Wsdl11Document refuses it later, building the message
    Case("part with element= and type=", PART,
         '<wsdl:part name="body" element="tns:req" type="xs:string"/>', ACCEPTED),
    Case("part without name", PART, '<wsdl:part element="tns:req"/>', REFUSED),
    Case("unknown attribute on a part", PART, '<wsdl:part name="body" foo="1" '
         'element="tns:req"/>', REFUSED),
    Case("operation outside portType", PORT_TYPE, f'<wsdl:operation name="s"/>{PORT_TYPE}',
         REFUSED),
    Case("unknown wsdl: child", PORT_TYPE, f"<wsdl:elephant/>{PORT_TYPE}", REFUSED),
    Case("unknown wsdl: child of an operation", '<wsdl:input message="tns:In"/>',
         '<wsdl:elephant/><wsdl:input message="tns:In"/>', REFUSED),
    Case("foreign element at the top", PORT_TYPE, f'<f:policy xmlns:f="urn:f"/>{PORT_TYPE}',
         REFUSED),
    Case("foreign attribute on a message", IN,
         '<wsdl:message xmlns:f="urn:f" f:x="1" name="In">', REFUSED),
    Case("unqualified attribute on definitions", 'name="Svc"', 'name="Svc" bogus="1"',
         REFUSED),
    Case("definitions name a:b", 'name="Svc"', 'name="a:b"', REFUSED),
    Case("text in a message", IN, f"{IN}text", REFUSED),
    # wsdl.xsd's xs:key constraints: both enforce them
    Case("two messages In", '<wsdl:message name="Out">', IN, REFUSED),
    Case("two portTypes PT", '<wsdl:binding name="B"', '<wsdl:portType name="PT"/>'
         '<wsdl:binding name="B"', REFUSED),
    Case("two imports of one namespace", TYPES, '<wsdl:import namespace="urn:x" '
         'location="x.wsdl"/><wsdl:import namespace="urn:x" location="y.wsdl"/><wsdl:types>',
         REFUSED),
    Case("import without location", TYPES, f'<wsdl:import namespace="urn:x"/>{TYPES}',
         REFUSED),
    Case("message= two colons", 'message="tns:In"', 'message="tns:In:x"', REFUSED),
    # outside a schema document xmlschema does check a QName's prefix
    Case("message= undeclared prefix", 'message="tns:In"', 'message="zz:In"', REFUSED),
    Case("binding type= undeclared prefix", 'type="tns:PT"', 'type="q:PT"', REFUSED),
    Case("types after the messages", PORT_TYPE, f"<wsdl:types/>{PORT_TYPE}", ACCEPTED),
    Case("a second documentation", TYPES, f"<wsdl:documentation/>{TYPES}", REFUSED),
    Case("port without binding", ' binding="tns:B"', "", REFUSED),
    Case("fault without name", OUTPUT_OP, '<wsdl:output message="tns:Out"/>'
         '<wsdl:fault message="tns:Out"/></wsdl:operation>', REFUSED),
    Case("output before input (solicit-response)", '<wsdl:input message="tns:In"/>'
         '<wsdl:output message="tns:Out"/>', '<wsdl:output message="tns:Out"/>'
         '<wsdl:input message="tns:In"/>', ACCEPTED),
    # soap: extensibility elements: xmlschema loads wsdl-soap.xsd on meeting them (its
    # fallback locations); the gate's driver imports it too
    Case("soap:binding style weird", 'style="document"', 'style="weird"', REFUSED),
    Case("soap:binding without transport", ' transport="http://schemas.xmlsoap.org/soap/http"',
         "", REFUSED),
    Case("soap:body use plain", '<soap:body use="literal"/></wsdl:input>',
         '<soap:body use="plain"/></wsdl:input>', REFUSED),
    # xs:NMTOKENS has minLength 1: libxml2 takes an empty list, the gate refuses it
    Case("empty parameterOrder", '<wsdl:operation name="op"><wsdl:input',
         '<wsdl:operation name="op" parameterOrder=" "><wsdl:input', REFUSED),
    Case("empty soap:body parts", '<soap:body use="literal"/></wsdl:input>',
         '<soap:body parts="" use="literal"/></wsdl:input>', REFUSED),
    Case("soap:body parts", '<soap:body use="literal"/></wsdl:input>',
         '<soap:body parts="body" use="literal"/></wsdl:input>', ACCEPTED),
    Case("undeclared soap: element", SOAP_OP, f"{SOAP_OP}<soap:elephant/>", ACCEPTED),
    Case("xsi:type on soap:operation", SOAP_OP, f'<soap:operation {XSI} xsi:type="xs:string" '
         'soapAction="urn:op"/>', REFUSED),
    Case("xsi:nil on a message", IN, f'<wsdl:message {XSI} xsi:nil="true" name="In">', REFUSED),
    # xlink is among xmlschema's fallback namespaces, not the gate's driver's
    Case("xlink attribute on a part", PART, f'<wsdl:part {XLINK} xl:type="simple" '
         'name="body" element="tns:req"/>', CONSERVATIVE),
    Case("bad xlink attribute on a part", PART, f'<wsdl:part {XLINK} xl:type="bogus" '
         'name="body" element="tns:req"/>', REFUSED),
    Case("foreign attribute on a part", PART, '<wsdl:part xmlns:f="urn:f" f:x="1" '
         'name="body" element="tns:req"/>', ACCEPTED),
    # inline schemas, through the lax wildcard of wsdl:types
    Case("inline schema: minOccurs on a global element", REQ,
         '<xs:element name="req" type="xs:string" minOccurs="1"/>', REFUSED),
    Case("inline schema: unknown xs: element", REQ, "<xs:elephant/>", REFUSED),
    Case("inline schema: two global elements req", '<xs:element name="resp"',
         '<xs:element name="req"', REFUSED),
    Case("inline schema: prefix declared on the element", 'type="tns:RespType"',
         'type="p:RespType" xmlns:p="urn:w"', ACCEPTED),
    Case("inline schema: prefix declared on xs:schema", INLINE,
         '<xs:schema xmlns:p="urn:w" targetNamespace="urn:w" elementFormDefault="qualified">'
         '<xs:element name="pp" type="p:RespType"/>', ACCEPTED),
    Case("inline schema: undeclared prefix", 'type="tns:RespType"', 'type="nope:RespType"',
         REFUSED),
    Case("inline schemas: duplicate ids", INLINE, f'<xs:schema id="a"/><xs:schema id="a"/>'
         f"{INLINE}", REFUSED),
    Case("bad xs:element straight in types", TYPES,
         f'{TYPES}<xs:element name="q" minOccurs="1"/>', REFUSED),
    Case("xs:element straight in types", TYPES, f'{TYPES}<xs:element name="q"/>', ACCEPTED),
    # lax all the way down: a declared element inside an undeclared one is checked too
    Case("bad xs:element inside a foreign element in types", TYPES,
         f'{TYPES}<f:w xmlns:f="urn:f"><xs:element name="q" minOccurs="1"/></f:w>', REFUSED),
    Case("bad soap:body inside a foreign extension", SOAP_OP,
         f'{SOAP_OP}<f:w xmlns:f="urn:f"><soap:body use="plain"/></f:w>', REFUSED),
    Case("xlink element inside a foreign extension", SOAP_OP,
         f'{SOAP_OP}<f:w xmlns:f="urn:f"><xl:x {XLINK}/></f:w>', CONSERVATIVE),
    Case("wsdl: element in types", TYPES, f'{TYPES}<wsdl:message name="M"/>', REFUSED),
    Case("unqualified element in types", TYPES, f"{TYPES}<foo/>", REFUSED),
    Case("bad xs:element in documentation", DOC,
         '<wsdl:documentation><xs:element name="q" minOccurs="1"/></wsdl:documentation>',
         REFUSED),
    Case("nameless wsdl:message in documentation", DOC,
         "<wsdl:documentation><wsdl:message/></wsdl:documentation>", ACCEPTED),
    Case("xsi:schemaLocation", 'name="Svc"', f'name="Svc" {XSI} '
         'xsi:schemaLocation="urn:w w.xsd"', CONSERVATIVE),
]


@pytest.mark.parametrize("case", WSDL_CASES, ids=lambda c: c.name)
def test_wsdl_mutations(case: Case) -> None:
    text = case.apply(WSDL_DOC) if case.old else WSDL_DOC
    accepted, gate = case.verdicts
    assert (not xmlschema_wsdl_errors(text)) == accepted
    assert schemacheck.wsdl_valid(etree.ElementTree(etree.fromstring(text.encode()))) == gate


def test_other_namespaces_leave_a_wsdl_using_them_to_xmlschema() -> None:
    """An element of a namespace the caller's maps hold: xmlschema checks it (lax), the
    gate cannot, so it says False even when the element is fine."""
    text = WSDL_DOC.replace(DOC, '<wsdl:documentation><c:Header xmlns:c="urn:common"/>'
                                 "</wsdl:documentation>")
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    assert schemacheck.wsdl_valid(tree)
    assert not schemacheck.wsdl_valid(tree, {"urn:common"})
    assert schemacheck.wsdl_valid(tree, {"urn:elsewhere"})
    # the parent's maps hold the xml and xsi namespaces too: the driver checks those itself
    lang = WSDL_DOC.replace(PART, f'<wsdl:part xml:lang="en" {PART[11:]}')
    tree = etree.ElementTree(etree.fromstring(lang.encode()))
    assert not xmlschema_wsdl_errors(lang)
    assert schemacheck.wsdl_valid(tree, {XML_NAMESPACE, schemacheck.XSI_NAMESPACE, XS, WSDL})
    bad = lang.replace('xml:lang="en"', 'xml:lang="not a language"')
    assert xmlschema_wsdl_errors(bad)
    assert not schemacheck.wsdl_valid(etree.ElementTree(etree.fromstring(bad.encode())),
                                      {XML_NAMESPACE})


def test_an_inline_schema_is_checked_with_the_wsdls_namespaces() -> None:
    tree = etree.ElementTree(etree.fromstring(WSDL_DOC.encode()))
    (schema,) = inline_schemas(tree)
    assert schema.getparent() is not None  # lifted out, not validated in place
    assert schemacheck.schema_document_valid(schema)
    bad = WSDL_DOC.replace(REQ, '<xs:element name="req" minOccurs="1"/>')
    (schema,) = inline_schemas(etree.ElementTree(etree.fromstring(bad.encode())))
    assert not schemacheck.schema_document_valid(schema)


def test_what_is_not_a_schema_or_a_wsdl_is_left_to_xmlschema() -> None:
    element = f'<xs:element xmlns:xs="{XS}" name="a"/>'
    assert not xmlschema_schema_errors(element)  # a global declaration as root is fine
    assert not _gate_on_schema(element)
    assert not schemacheck.wsdl_valid(etree.ElementTree(etree.fromstring(SCHEMA.encode())))


# ----------------------------------------------------------------------------- DTDs


DTD_CASES = [
    # expat (xmlschema's parser) adds the defaulted attribute, lxml does not
    ("attribute default", '<!DOCTYPE xs:schema [<!ATTLIST xs:element bogus CDATA "x">]>'
     f'<xs:schema xmlns:xs="{XS}"><xs:element name="a"/></xs:schema>', REFUSED),
    ("#IMPLIED attribute", "<!DOCTYPE xs:schema [<!ATTLIST xs:element bogus CDATA #IMPLIED>]>"
     f'<xs:schema xmlns:xs="{XS}"><xs:element name="a"/></xs:schema>', ACCEPTED),
    # the xmldsig schema's: a namespace its root declares anyway
    ("#FIXED namespace the root declares",
     '<!DOCTYPE xs:schema [<!ATTLIST xs:schema xmlns:t CDATA #FIXED "urn:t">]>'
     f'<xs:schema xmlns:xs="{XS}" xmlns:t="urn:t"><xs:element name="a"/></xs:schema>',
     ACCEPTED),
    ("#FIXED default namespace", '<!DOCTYPE schema [<!ATTLIST element xmlns CDATA #FIXED '
     f'"{XS}">]><schema xmlns="{XS}"><element name="a"><bogus/></element></schema>', REFUSED),
    ("entity adding text", '<!DOCTYPE xs:schema [<!ENTITY e "stray text">]>'
     f'<xs:schema xmlns:xs="{XS}"><xs:element name="a"/>&e;</xs:schema>', REFUSED),
]


@pytest.mark.parametrize(("text", "verdicts"), [c[1:] for c in DTD_CASES],
                         ids=[c[0] for c in DTD_CASES])
def test_schema_documents_with_a_dtd(tmp_path: Path, text: str,
                                     verdicts: tuple[bool, bool]) -> None:
    path = tmp_path / "dtd.xsd"
    path.write_text(text)
    accepted, gate = verdicts
    assert (not xmlschema_schema_errors(path)) == accepted
    assert schemacheck.schema_document_valid(etree.parse(str(path)).getroot()) == gate
    # without its file the DTD cannot be read as expat reads it: left to xmlschema
    assert not _gate_on_schema(text)


def test_a_dtd_expat_reads_only_in_part_is_left_to_xmlschema() -> None:
    """After a parameter entity it does not read, expat (xmlschema's parser) skips the
    declarations that follow, libxml2 would not: no defaults can be trusted then."""
    read = f'<!DOCTYPE s [<!ATTLIST s a CDATA "x">]><s xmlns="{XS}"/>'.encode()
    assert schemacheck._dtd_defaults(read) == [("s", "a", "x")]
    partial = ('<!DOCTYPE s [<!ENTITY % ext SYSTEM "ext.dtd"> %ext; '
               f'<!ATTLIST s a CDATA "x">]><s xmlns="{XS}"/>').encode()
    assert schemacheck._dtd_defaults(partial) is None


def test_an_unexpanded_entity_is_left_to_xmlschema(tmp_path: Path) -> None:
    path = tmp_path / "entity.xsd"
    path.write_text(f'<!DOCTYPE xs:schema [<!ENTITY e "x">]><xs:schema xmlns:xs="{XS}">'
                    '<xs:annotation><xs:documentation>&e;</xs:documentation></xs:annotation>'
                    "</xs:schema>")
    assert not xmlschema_schema_errors(path)
    kept = etree.parse(str(path), etree.XMLParser(resolve_entities=False))
    assert not schemacheck.schema_document_valid(kept.getroot())
    assert schemacheck.schema_document_valid(etree.parse(str(path)).getroot())


# ----------------------------------------------------------------------------- random mutations

_ATTRIBUTES = ["name", "type", "ref", "base", "minOccurs", "maxOccurs", "use", "form",
               "processContents", "nillable", "abstract", "block", "final", "mixed", "id",
               "default", "fixed", "namespace", "schemaLocation", "value", "bogus",
               "{urn:foreign}x", f"{{{XML_NAMESPACE}}}lang", "substitutionGroup", "xpath",
               "refer", "itemType", "memberTypes", "targetNamespace", "element", "message",
               "binding", "style", "transport", "use", "location", "soapAction"]
_VALUES = ["", "0", "1", "-1", "unbounded", "x", "tns:root", "xs:string", "a:b:c", "nope:x",
           "#all", "true", "qualified", "lax", "optional", "##other", "root", "i1", " 2 ",
           "literal", "document", "tns:In", "urn:x"]
_TAGS = [f"{{{XS}}}{n}" for n in ("element", "attribute", "sequence", "choice", "all",
                                  "annotation", "documentation", "appinfo", "complexType",
                                  "simpleType", "restriction", "extension", "key", "unique",
                                  "selector", "field", "import", "include", "any",
                                  "elephant", "group", "attributeGroup", "enumeration")]
_TAGS += [f"{{{WSDL}}}{n}" for n in ("message", "part", "operation", "input", "output",
                                     "documentation", "types", "import", "elephant")]
_TAGS += ["{urn:foreign}x", "plain", f"{{{schemacheck.SOAP_BINDING_NAMESPACE}}}body"]

_MUTATION = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(_ATTRIBUTES), st.sampled_from(_VALUES)),
    st.tuples(st.just("unset"), st.sampled_from(_ATTRIBUTES), st.just("")),
    st.tuples(st.just("delete"), st.just(""), st.just("")),
    st.tuples(st.just("duplicate"), st.just(""), st.just("")),
    st.tuples(st.just("insert"), st.sampled_from(_TAGS), st.sampled_from(_VALUES)),
    st.tuples(st.just("text"), st.just(""), st.sampled_from(["x", " ", "tns:root"])),
)


def _mutate(text: str, mutations: list[tuple[tuple[str, str, str], int]]) -> str:
    root = etree.fromstring(text.encode())
    for (kind, name, value), index in mutations:
        elements = list(root.iter(etree.Element))
        elem = elements[index % len(elements)]
        parent = elem.getparent()
        if kind == "set":
            elem.set(name, value)
        elif kind == "unset":
            elem.attrib.pop(name, None)
        elif kind == "delete" and parent is not None:
            parent.remove(elem)
        elif kind == "duplicate" and parent is not None:
            elem.addnext(etree.fromstring(etree.tostring(elem)))
        elif kind == "insert":
            child = etree.SubElement(elem, name, nsmap={"tns": "urn:t"})
            if value:
                child.set("name", value)
        elif kind == "text":
            elem.text = (elem.text or "") + value
    return etree.tostring(root).decode()


_MUTATIONS = st.lists(st.tuples(_MUTATION, st.integers(0, 200)), min_size=1, max_size=3)


@given(_MUTATIONS)
def test_the_schema_gate_never_accepts_what_xmlschema_refuses(
        mutations: list[tuple[tuple[str, str, str], int]]) -> None:
    text = _mutate(SCHEMA, mutations)
    if _gate_on_schema(text):
        assert not xmlschema_schema_errors(text), text


@given(_MUTATIONS)
def test_the_wsdl_gate_never_accepts_what_xmlschema_refuses(
        mutations: list[tuple[tuple[str, str, str], int]]) -> None:
    text = _mutate(WSDL_DOC, mutations)
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    if schemacheck.wsdl_valid(tree):
        assert not xmlschema_wsdl_errors(text), text
    for schema, errors in zip(inline_schemas(tree), xmlschema_inline_errors(text), strict=True):
        if schemacheck.schema_document_valid(schema):
            assert not errors, text


# Lexical forms: characters at the edges of XML names and of the XSD types' lexical spaces
# (combining marks, extenders, digits of other scripts, supplementary planes, wide spaces)
_CHARACTERS = st.sampled_from(
    [*"aZ_:-.09 +#%/\t", "\u00b7", "\u0300", "\u203f", "\u0e33", "\u00c0", "\u02ff",
     "\u0660", "\u0966", "\u2070", "\U00010000", "\u3000", "\u00a0", "\u00e9", "\u0387",
     "\u06dd", "\u0b70"])
_VALUED = ["name", "type", "ref", "base", "minOccurs", "maxOccurs", "id", "namespace",
           "schemaLocation", "block", "final", "nillable", "version", "processContents",
           "targetNamespace", "value", "xpath", "memberTypes", "itemType", "substitutionGroup",
           "source", f"{{{XML_NAMESPACE}}}lang", "element", "message", "binding", "style",
           "use", "location", "soapAction", "transport", "parameterOrder"]


def _with_value(text: str, attribute: str, value: str, index: int) -> str | None:
    root = etree.fromstring(text.encode())
    elements = list(root.iter(etree.Element))
    try:
        elements[index % len(elements)].set(attribute, value)
    except ValueError:
        return None  # not even XML
    return etree.tostring(root).decode()


@given(st.sampled_from(_VALUED), st.text(_CHARACTERS, max_size=6), st.integers(0, 40))
def test_the_gates_never_accept_a_value_xmlschema_refuses(attribute: str, value: str,
                                                          index: int) -> None:
    schema = _with_value(SCHEMA, attribute, value, index)
    if schema is not None and _gate_on_schema(schema):
        assert not xmlschema_schema_errors(schema), (attribute, value)
    wsdl = _with_value(WSDL_DOC, attribute, value, index)
    if wsdl is not None and schemacheck.wsdl_valid(
            etree.ElementTree(etree.fromstring(wsdl.encode()))):
        assert not xmlschema_wsdl_errors(wsdl), (attribute, value)


# ----------------------------------------------------------------------------- cheap to import


def test_the_gate_does_not_import_xmlschema() -> None:
    """Importing xmlschema costs about 0.1 s; the gate finds its schemas without it."""
    wsdl = ROOT / "tests/broken/good/TEST/RetrieveWidget_TESTv1/RetrieveWidget_TESTv1.wsdl"
    code = ("import sys; from lxml import etree; from b2b_openapi.xsd import schemacheck as s;"
            f"t = etree.parse({str(wsdl)!r}); assert s.wsdl_valid(t);"
            "assert all(map(s.schema_document_valid, t.iter('{%s}schema' % s.XSD_NAMESPACE)));"
            "print('xmlschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
    assert schemacheck.schemas_dir() == SCHEMAS_DIR
