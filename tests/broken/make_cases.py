"""Generate tests/broken/<case>/: one good mini corpus plus one mutation per broken case.

Each case folder is a corpus root; expect.txt gives the file, line and message fragment the
one-line error must report (line 0: the error has no line, e.g. a bad folder name).
Regenerate with: python tests/broken/make_cases.py tests/broken
"""
import io
import pathlib
import shutil
import sys
import zipfile

OUT = pathlib.Path(sys.argv[1])
WSDL = '''<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="RetrieveWidget_TESTv1"
    targetNamespace="http://www.caiso.com/soa/RetrieveWidget_TESTv1"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://www.caiso.com/soa/RetrieveWidget_TESTv1"
    xmlns:w="http://www.caiso.com/soa/Widget_v1.xsd#">
  <wsdl:types>
    <xs:schema targetNamespace="http://www.caiso.com/soa/RetrieveWidget_TESTv1/types">
      <xs:import namespace="http://www.caiso.com/soa/Widget_v1.xsd#" schemaLocation="Widget_v1.xsd"/>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="requestMsg">
    <wsdl:part name="body" element="w:WidgetRequest"/>
  </wsdl:message>
  <wsdl:message name="responseMsg">
    <wsdl:part name="body" element="w:Widget"/>
  </wsdl:message>
  <wsdl:portType name="WidgetPortType">
    <wsdl:operation name="retrieveWidget">
      <wsdl:input message="tns:requestMsg"/>
      <wsdl:output message="tns:responseMsg"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="WidgetBinding" type="tns:WidgetPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="retrieveWidget">
      <soap:operation soapAction="http://www.caiso.com/soa/retrieveWidget" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="RetrieveWidget_TESTv1">
    <wsdl:port name="WidgetPort" binding="tns:WidgetBinding">
      <soap:address location="https://ws.caiso.com/RetrieveWidget_TESTv1"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
'''
XSD = '''<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns="http://www.caiso.com/soa/Widget_v1.xsd#"
           targetNamespace="http://www.caiso.com/soa/Widget_v1.xsd#"
           elementFormDefault="qualified">
  <xs:element name="WidgetRequest">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="widgetId" type="WidgetID"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="Widget">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="widgetId" type="WidgetID"/>
        <xs:element name="capacity" type="xs:decimal"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:simpleType name="WidgetID">
    <xs:restriction base="xs:string">
      <xs:pattern value="W[0-9]{3}"/>
    </xs:restriction>
  </xs:simpleType>
</xs:schema>
'''
INPUT = '''<?xml version="1.0" encoding="UTF-8"?>
<WidgetRequest xmlns="http://www.caiso.com/soa/Widget_v1.xsd#">
  <widgetId>W001</widgetId>
</WidgetRequest>
'''
OUTPUT = '''<?xml version="1.0" encoding="UTF-8"?>
<Widget xmlns="http://www.caiso.com/soa/Widget_v1.xsd#">
  <widgetId>W001</widgetId>
  <capacity>12.5</capacity>
</Widget>
'''
SVC = "RetrieveWidget_TESTv1"

def case(name, file, line, message, wsdl=WSDL, xsd=XSD, inp=INPUT, out=OUTPUT, svc=SVC, extra=None):
    root = OUT / name
    shutil.rmtree(root, ignore_errors=True)
    d = root / "TEST" / svc
    (d / "samples").mkdir(parents=True)
    (d / f"{svc}.wsdl").write_text(wsdl.replace(SVC, svc) if svc != SVC and 'KEEPNAME' not in name else wsdl)
    (d / "Widget_v1.xsd").write_text(xsd)
    (d / "samples" / "retrieveWidget.input.xml").write_text(inp)
    (d / "samples" / "retrieveWidget.output.xml").write_text(out)
    for rel, text in (extra or {}).items():
        (d / rel).write_text(text)
    (root / "expect.txt").write_text(f"file: {file}\nline: {line}\nmessage: {message}\n")

def rep(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)

case("good", "-", 0, "-")
case("malformed_xsd", "Widget_v1.xsd", 10, "malformed XML",
     xsd=rep(XSD, '<xs:element name="widgetId" type="WidgetID"/>\n      </xs:sequence>', '<xs:element name="widgetId" type="WidgetID">\n      </xs:sequence>'))
case("malformed_wsdl", f"{SVC}.wsdl", 19, "malformed XML",
     wsdl=rep(WSDL, '<wsdl:part name="body" element="w:Widget"/>', '<wsdl:part name="body" element="w:Widget">'))
case("missing_import", f"{SVC}.wsdl", 11, "import of 'Widgets_v1.xsd': file not found",
     wsdl=rep(WSDL, 'schemaLocation="Widget_v1.xsd"', 'schemaLocation="Widgets_v1.xsd"'))
case("missing_include", "Widget_v1.xsd", 6, "include of 'WidgetTypes_v1.xsd': file not found",
     xsd=rep(XSD, '  <xs:element name="WidgetRequest">', '  <xs:include schemaLocation="WidgetTypes_v1.xsd"/>\n  <xs:element name="WidgetRequest">'))
case("remote_import", "Widget_v1.xsd", 6, "remote schemaLocation",
     xsd=rep(XSD, '  <xs:element name="WidgetRequest">', '  <xs:import namespace="urn:x" schemaLocation="http://www.example.com/x.xsd"/>\n  <xs:element name="WidgetRequest">'))
case("unknown_type", "Widget_v1.xsd", 17, "capacityType",
     xsd=rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="capacityType"/>'))
case("invalid_facet", "Widget_v1.xsd", 24, "maxLength",
     xsd=rep(XSD, '<xs:pattern value="W[0-9]{3}"/>', '<xs:pattern value="W[0-9]{3}"/>\n      <xs:maxLength value="four"/>'))
case("unknown_part_element", f"{SVC}.wsdl", 18, "WidgetResponse",
     wsdl=rep(WSDL, 'element="w:Widget"/>', 'element="w:WidgetResponse"/>'))
case("part_with_type", f"{SVC}.wsdl", 17, "must reference an element",
     wsdl=rep(WSDL, '<wsdl:part name="body" element="w:Widget"/>', '<wsdl:part name="body" type="xs:string"/>'))
case("unknown_message", f"{SVC}.wsdl", 23, "responseMessage",
     wsdl=rep(WSDL, '<wsdl:output message="tns:responseMsg"/>', '<wsdl:output message="tns:responseMessage"/>'))
case("no_soap_binding", f"{SVC}.wsdl", 26, "missing soap:binding",
     wsdl=rep(WSDL, '    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>\n', ''))
case("missing_soap_action", f"{SVC}.wsdl", 21, "no soapAction",
     wsdl=rep(WSDL, ' soapAction="http://www.caiso.com/soa/retrieveWidget"', ''))
case("service_name_mismatch", f"{SVC}.wsdl", 34, "must be named",
     wsdl=rep(WSDL, '<wsdl:service name="RetrieveWidget_TESTv1">', '<wsdl:service name="WidgetService">'))
case("invalid_sample", "retrieveWidget.output.xml", 3, "sample is not valid",
     out=rep(OUTPUT, "<widgetId>W001</widgetId>", "<widgetId>X001</widgetId>"))
case("sample_wrong_root", "retrieveWidget.input.xml", 1, "sample root is",
     inp=OUTPUT)
case("malformed_sample", "retrieveWidget.input.xml", 4, "malformed XML",
     inp=rep(INPUT, "</WidgetRequest>", "</WidgetRequst>"))
case("mixed_content", "Widget_v1.xsd", 14, "mixed content is not supported",
     xsd=rep(XSD, '''  <xs:element name="Widget">
    <xs:complexType>''', '''  <xs:element name="Widget">
    <xs:complexType mixed="true">'''))
case("repeated_sequence", "Widget_v1.xsd", 15, "repeating xs:sequence",
     xsd=rep(XSD, '''  <xs:element name="Widget">
    <xs:complexType>
      <xs:sequence>''', '''  <xs:element name="Widget">
    <xs:complexType>
      <xs:sequence maxOccurs="unbounded">'''),
     out=OUTPUT)
case("duplicate_local_names", "Widget_v1.xsd", 15, "share the local name",
     xsd=rep(rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element ref="o:widgetId" minOccurs="0"/>'),
             'elementFormDefault="qualified">', 'elementFormDefault="qualified" xmlns:o="urn:other">\n  <xs:import namespace="urn:other" schemaLocation="Other.xsd"/>'),
     extra={"Other.xsd": '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other" elementFormDefault="qualified"><xs:element name="widgetId" type="xs:string"/></xs:schema>\n'})
case("import_namespace_mismatch", "Widget_v1.xsd", 6, "import of namespace 'urn:wrong' from 'Other.xsd': that schema's targetNamespace is 'urn:other'",
     xsd=rep(rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element ref="o:note" minOccurs="0"/>'),
             'elementFormDefault="qualified">', 'elementFormDefault="qualified" xmlns:o="urn:other">\n  <xs:import namespace="urn:wrong" schemaLocation="Other.xsd"/>'),
     extra={"Other.xsd": '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other" elementFormDefault="qualified"><xs:element name="note" type="xs:string"/></xs:schema>\n'})
case("wsdl_import_namespace_mismatch", f"{SVC}.wsdl", 11, "import of namespace 'http://www.caiso.com/soa/Widgets_v1.xsd#' from 'Widget_v1.xsd': that schema's targetNamespace is 'http://www.caiso.com/soa/Widget_v1.xsd#'",
     wsdl=rep(WSDL, '<xs:import namespace="http://www.caiso.com/soa/Widget_v1.xsd#"', '<xs:import namespace="http://www.caiso.com/soa/Widgets_v1.xsd#"'))
case("missing_redefine", "Widget_v1.xsd", 6, "redefine of 'WidgetTypes_v1.xsd': file not found",
     xsd=rep(XSD, '  <xs:element name="WidgetRequest">', '  <xs:redefine schemaLocation="WidgetTypes_v1.xsd"/>\n  <xs:element name="WidgetRequest">'))
case("unicode_category_pattern", "Widget_v1.xsd", 23, r"uses the Unicode category escape \p{Lu}",
     xsd=rep(XSD, '<xs:pattern value="W[0-9]{3}"/>', r'<xs:pattern value="\p{Lu}[0-9]{3}"/>'))
case("non_xsd_escape_pattern", "Widget_v1.xsd", 23, r"uses \u, which is not an escape of XSD regular expressions",
     xsd=rep(XSD, '<xs:pattern value="W[0-9]{3}"/>', r'<xs:pattern value="W[0-9\u]{3}"/>'))
case("nan_facet", "Widget_v1.xsd", 29, "minInclusive value 'NaN' has no JSON number form",
     xsd=rep(rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element name="load" type="Load" minOccurs="0"/>'),
             '</xs:schema>', '  <xs:simpleType name="Load">\n    <xs:restriction base="xs:double">\n      <xs:minInclusive value="NaN"/>\n    </xs:restriction>\n  </xs:simpleType>\n</xs:schema>'))
case("any_type_element", "Widget_v1.xsd", 18, "element 'note' has no type, so its type is xs:anyType",
     xsd=rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element name="note" minOccurs="0"/>'))
case("any_type_declared", "Widget_v1.xsd", 18, "element 'note' has type xs:anyType",
     xsd=rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element name="note" type="xs:anyType" minOccurs="0"/>'))
# schemas embedded in the WSDL (wsdl:types/xs:schema): errors name the WSDL and the line
EMBEDDED = rep(rep(rep(WSDL, '<xs:schema targetNamespace="http://www.caiso.com/soa/RetrieveWidget_TESTv1/types">',
                       '<xs:schema targetNamespace="http://www.caiso.com/soa/RetrieveWidget_TESTv1/types"\n'
                       '        xmlns:t="http://www.caiso.com/soa/RetrieveWidget_TESTv1/types" elementFormDefault="qualified">'),
                   '''schemaLocation="Widget_v1.xsd"/>
''', '''schemaLocation="Widget_v1.xsd"/>
      <xs:element name="Ping">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="code" type="t:Code"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:simpleType name="Code">
        <xs:restriction base="xs:string">
          <xs:pattern value="[A-Z]+"/>
        </xs:restriction>
      </xs:simpleType>
'''), 'element="w:WidgetRequest"', 'element="t:Ping"').replace(
    'xmlns:w="', 'xmlns:t="http://www.caiso.com/soa/RetrieveWidget_TESTv1/types"\n    xmlns:w="')
PING = '''<?xml version="1.0" encoding="UTF-8"?>
<Ping xmlns="http://www.caiso.com/soa/RetrieveWidget_TESTv1/types">
  <code>ABC</code>
</Ping>
'''
case("embedded_schema_pattern", f"{SVC}.wsdl", 23, r"uses the Unicode category escape \p{Lu}",
     wsdl=rep(EMBEDDED, '<xs:pattern value="[A-Z]+"/>', r'<xs:pattern value="\p{Lu}+"/>'), inp=PING)
case("embedded_schema_untyped_element", f"{SVC}.wsdl", 18, "element 'note' has no type",
     wsdl=rep(EMBEDDED, '<xs:element name="code" type="t:Code"/>',
              '<xs:element name="code" type="t:Code"/>\n            <xs:element name="note" minOccurs="0"/>'),
     inp=PING)
case("repeated_choice_sequence", "Widget_v1.xsd", 19, "repeats through its enclosing repeating xs:choice",
     xsd=rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '''<xs:choice maxOccurs="unbounded">
          <xs:element name="capacity" type="xs:decimal"/>
          <xs:sequence>
            <xs:element name="low" type="xs:decimal"/>
            <xs:element name="high" type="xs:decimal" minOccurs="0"/>
          </xs:sequence>
        </xs:choice>'''))
case("mixed_empty_content", "Widget_v1.xsd", 18, "mixed content is not supported",
     xsd=rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '''<xs:element name="capacity">
          <xs:complexType mixed="true">
            <xs:attribute name="unit" type="xs:string"/>
          </xs:complexType>
        </xs:element>'''))
case("attribute_local_name_clash", "Widget_v1.xsd", 21, "attributes unit and {urn:other}unit share the local name 'unit'",
     xsd=rep(rep(XSD, '''        <xs:element name="capacity" type="xs:decimal"/>
      </xs:sequence>''', '''        <xs:element name="capacity" type="xs:decimal"/>
      </xs:sequence>
      <xs:attribute name="unit" type="xs:string"/>
      <xs:attribute ref="o:unit"/>'''),
             'elementFormDefault="qualified">', 'elementFormDefault="qualified" xmlns:o="urn:other">\n  <xs:import namespace="urn:other" schemaLocation="Other.xsd"/>'),
     extra={"Other.xsd": '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other"><xs:attribute name="unit" type="xs:string"/></xs:schema>\n'})
case("abstract_type_element", "Widget_v1.xsd", 18, "element 'part' has the abstract type 'Part'",
     xsd=rep(rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>', '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element name="part" type="Part" minOccurs="0"/>'),
             '  <xs:simpleType name="WidgetID">', '''  <xs:complexType name="Part" abstract="true">
    <xs:sequence>
      <xs:element name="code" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>
  <xs:simpleType name="WidgetID">'''))
# values with no JSON form: xs:double's INF, and a type substituted with xsi:type
DOUBLE = rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>',
             '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element name="rating" type="xs:double" minOccurs="0"/>')
case("float_infinity_sample", "retrieveWidget.output.xml", 5, "<rating> value INF: JSON numbers have no infinities",
     xsd=DOUBLE, out=rep(OUTPUT, "<capacity>12.5</capacity>", "<capacity>12.5</capacity>\n  <rating>INF</rating>"))
SIZES = rep(rep(XSD, '<xs:element name="capacity" type="xs:decimal"/>',
                '<xs:element name="capacity" type="xs:decimal"/>\n        <xs:element name="size" type="Size" minOccurs="0"/>'),
            '</xs:schema>', '''  <xs:complexType name="Size">
    <xs:sequence>
      <xs:element name="width" type="xs:decimal"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Size3D">
    <xs:complexContent>
      <xs:extension base="Size">
        <xs:sequence>
          <xs:element name="height" type="xs:decimal"/>
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
</xs:schema>''')
SIZED = rep(rep(OUTPUT, '<Widget xmlns="http://www.caiso.com/soa/Widget_v1.xsd#">',
                '<Widget xmlns="http://www.caiso.com/soa/Widget_v1.xsd#"\n        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'),
            "<capacity>12.5</capacity>", '<capacity>12.5</capacity>\n  <size xsi:type="Size3D"><width>1</width><height>2</height></size>')
case("xsi_type_substitution", "retrieveWidget.output.xml", 6, "xsi:type 'Size3D' substitutes a type",
     xsd=SIZES, out=SIZED)
case("xsi_type_unknown", "retrieveWidget.output.xml", 6, "invalid xsi:type 'Size4D'",
     xsd=SIZES, out=rep(SIZED, '"Size3D"', '"Size4D"'))
# SOAP bindings the JSON mapping cannot follow
case("soap_body_unknown_part", f"{SVC}.wsdl", 30, "names part 'nope', which message 'requestMsg' does not have",
     wsdl=rep(WSDL, '<wsdl:input><soap:body use="literal"/>', '<wsdl:input><soap:body use="literal" parts="nope"/>'))
case("soap_body_encoded", f"{SVC}.wsdl", 31, 'soap:body use="encoded" is not supported',
     wsdl=rep(WSDL, '<wsdl:output><soap:body use="literal"/>', '<wsdl:output><soap:body use="encoded"/>'))

# Packages as CAISO publishes them (<Service>/<YYYYMMDD>/, CAISO's file names, zips): the
# identity is derived, and what cannot be understood is still one error line.

MAPPING = 'default_system = "TEST"\n'
ISOATTACHMENT = '''<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="http://www.caiso.com/soa/2006-10-26/ISOAttachment.xsd" targetNamespace="http://www.caiso.com/soa/2006-10-26/ISOAttachment.xsd" elementFormDefault="qualified">
  <xs:element name="AttachmentValue" type="xs:string"/>
  <xs:element name="ISOAttachment">
    <xs:complexType><xs:sequence><xs:element ref="AttachmentValue"/></xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
'''
DOCATTACH = rep(rep(rep(rep(WSDL, 'xmlns:w="http://www.caiso.com/soa/Widget_v1.xsd#">',
                            'xmlns:w="http://www.caiso.com/soa/Widget_v1.xsd#"\n    xmlns:a="http://www.caiso.com/soa/2006-10-26/ISOAttachment.xsd">'),
                    '<xs:import namespace="http://www.caiso.com/soa/Widget_v1.xsd#" schemaLocation="Widget_v1.xsd"/>',
                    '<xs:import namespace="http://www.caiso.com/soa/Widget_v1.xsd#" schemaLocation="RequestWidget_v1.xsd"/>\n      <xs:import namespace="http://www.caiso.com/soa/2006-10-26/ISOAttachment.xsd" schemaLocation="ISOAttachment.xsd"/>'),
                '<wsdl:part name="body" element="w:Widget"/>', '<wsdl:part name="body" element="a:ISOAttachment"/>'),
            '<wsdl:service name="RetrieveWidget_TESTv1">', '<wsdl:service name="retrieveWidget_v1_DocAttachService">')


def package_case(name, file, line, message, files):
    root = OUT / name
    shutil.rmtree(root, ignore_errors=True)
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (root / rel).write_bytes(content)
        else:
            (root / rel).write_text(content)
    (root / "expect.txt").write_text(f"file: {file}\nline: {line}\nmessage: {message}\n")


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for rel, text in sorted(files.items()):
            info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
            package.writestr(info, text)
    return buffer.getvalue()


package_case("duplicate_api_name", "B/20200101/retrieveWidget_v1.wsdl", 0,
             "two WSDLs claim the API name RetrieveWidget_TESTv1", {
                 "b2b-packages.toml": MAPPING,
                 "A/20200101/retrieveWidget_v1.wsdl": WSDL, "A/20200101/Widget_v1.xsd": XSD,
                 "B/20200101/retrieveWidget_v1.wsdl": WSDL, "B/20200101/Widget_v1.xsd": XSD})
package_case("payload_xsd_malformed", "Widget_v1.xsd", 7, "malformed XML", {
    "b2b-packages.toml": MAPPING,
    "Widget/20200101/retrieveWidget_v1_DocAttach.wsdl": DOCATTACH,
    "Widget/20200101/RequestWidget_v1.xsd": XSD,
    "Widget/20200101/ISOAttachment.xsd": ISOATTACHMENT,
    "Widget/20200101/Widget_v1.xsd": rep(XSD, '  <xs:element name="WidgetRequest">', '  <xs:element name="WidgetRequest"'),
})
package_case("zip_without_wsdl", "Widget.zip", 0, "zip package holds no WSDL", {
    "Widget.zip": zipped({"Widget/20200101/Widget_v1.xsd": XSD})})
package_case("abstract_wsdl_only", "retrieveWidget_v1.wsdl", 0, "abstract WSDL (no wsdl:binding)", {
    "Widget/retrieveWidget_v1.wsdl": WSDL[:WSDL.index("  <wsdl:binding")] + "</wsdl:definitions>\n",
    "Widget/Widget_v1.xsd": XSD})


# -- OASIS reports (docs/oasis.md): the project's report file and its samples
OASIS_REPORT = '''service = "RetrieveGadget"
operation = "retrieveGadget"
queryname = "GADGET_RPT"
version = 1

[[parameter]]
name = "market_run_id"
type = "string"

[[column]]
name = "OPR_DATE"
type = "date"
required = true

[[column]]
name = "VALUE"
type = "decimal"
'''
OASIS_XML = '''<?xml version="1.0" encoding="UTF-8"?>
<OASISReport xmlns="http://www.caiso.com/soa/OASISReport_v1.xsd">
  <MessagePayload>
    <RTO>
      <REPORT_ITEM>
        <REPORT_DATA>
          <OPR_DATE>2026-11-01</OPR_DATE>
          <VALUE>1.5</VALUE>
        </REPORT_DATA>
      </REPORT_ITEM>
    </RTO>
  </MessagePayload>
</OASISReport>
'''
OASIS_CSV = "OPR_DATE,VALUE\n2026-11-01,1.5\n"
GADGET = "OASIS/RetrieveGadget_OASISv1/"


def oasis_case(name, file, line, message, report=OASIS_REPORT, xml=OASIS_XML, csv=OASIS_CSV):
    package_case(name, file, line, message, {
        GADGET + "oasis-report.toml": report, GADGET + "samples/report.xml": xml,
        GADGET + "samples/report.csv": csv})


oasis_case("oasis_report_malformed", "oasis-report.toml", 3, "malformed TOML",
           report=rep(OASIS_REPORT, 'queryname = "GADGET_RPT"', 'queryname = GADGET_RPT'))
oasis_case("oasis_column_type", "oasis-report.toml", 17, "type must be one of",
           report=rep(OASIS_REPORT, 'type = "decimal"', 'type = "float"'))
oasis_case("oasis_sample_invalid", "report.xml", 8, "column VALUE: '1,5' is not a decimal",
           xml=rep(OASIS_XML, "<VALUE>1.5</VALUE>", "<VALUE>1,5</VALUE>"))
oasis_case("oasis_samples_disagree", "report.csv", 2, "its rows differ from report.xml's",
           csv=rep(OASIS_CSV, "1.5", "2.5"))
