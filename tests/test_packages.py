"""Packages as published: identity rules, WSDL coverage (rpc, SwA, headers, SOAP 1.2, MTOM),
attachments as payload documents, well-known schemas, zips and the mapping file.

Small packages are written here in CAISO's shapes (``../shared`` holds the real ones, see
test_real_artifacts.py), so these run in every clone.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from typer.testing import CliRunner

from b2b_openapi.cli import app
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.openapi.examples import synthesize
from b2b_openapi.xsd.identity import Mapping, api_base, derive, load_mapping, operation_path
from support import XSD

SOA = "http://www.caiso.com/soa"
REQUEST_XSD = f'''<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:m="{SOA}/RequestWidgetData_v1.xsd#"
    targetNamespace="{SOA}/RequestWidgetData_v1.xsd#" elementFormDefault="qualified">
  <xs:element name="RequestWidgetData" type="m:RequestWidgetData"/>
  <xs:complexType name="RequestWidgetData">
    <xs:sequence>
      <xs:element name="tradeDate" type="xs:date"/>
      <xs:element name="marketType">
        <xs:simpleType><xs:restriction base="xs:string">
          <xs:enumeration value="DAM"/><xs:enumeration value="RTM"/>
        </xs:restriction></xs:simpleType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
'''
PAYLOAD_XSD = f'''<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:m="{SOA}/WidgetData_v1.xsd#"
    targetNamespace="{SOA}/WidgetData_v1.xsd#" elementFormDefault="qualified">
  <xs:element name="WidgetData">
    <xs:complexType><xs:sequence>
      <xs:element name="record" maxOccurs="unbounded">
        <xs:complexType><xs:sequence>
          <xs:element name="resource"><xs:simpleType><xs:restriction base="xs:string">
            <xs:pattern value="[A-Z]{{4}}_[0-9]"/></xs:restriction></xs:simpleType></xs:element>
          <xs:element name="mw"><xs:simpleType><xs:restriction base="xs:decimal">
            <xs:minInclusive value="-5"/><xs:maxInclusive value="500"/>
          </xs:restriction></xs:simpleType></xs:element>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
'''
HEADER_XSD = '''<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hdr"
    elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace"
      schemaLocation="http://www.w3.org/2001/xml.xsd"/>
  <xs:element name="first" type="xs:string"/>
  <xs:element name="second" type="xs:string"/>
</xs:schema>
'''
ISOATTACHMENT = f'''<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{SOA}/2006-10-26/ISOAttachment.xsd"
    targetNamespace="{SOA}/2006-10-26/ISOAttachment.xsd" elementFormDefault="qualified">
  <xs:element name="AttachmentValue" type="xs:string"/>
  <xs:element name="ISOAttachment"><xs:complexType><xs:sequence>
    <xs:element ref="AttachmentValue"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>
'''


def wsdl(name: str, *, soap: str = "http://schemas.xmlsoap.org/wsdl/soap/",
         style: str = "document", request: str = 'element="in:RequestWidgetData"',
         response: str = 'element="att:ISOAttachment"', output: str | None = None,
         input_headers: str = "", extra: str = "") -> str:
    body = '<soap:body use="literal"/>' if style == "document" else (
        f'<soap:body use="literal" namespace="{SOA}/{name}"/>')
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="{soap}"
    xmlns:mime="http://schemas.xmlsoap.org/wsdl/mime/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="{SOA}/{name}.wsdl" targetNamespace="{SOA}/{name}.wsdl"
    xmlns:in="{SOA}/RequestWidgetData_v1.xsd#" xmlns:att="{SOA}/2006-10-26/ISOAttachment.xsd"
    xmlns:h="urn:hdr" xmlns:schemaInfor="{SOA}/WidgetData_v1.xsd">{extra}
  <wsdl:types>
    <xs:schema><xs:import namespace="{SOA}/RequestWidgetData_v1.xsd#"
      schemaLocation="RequestWidgetData_v1.xsd"/></xs:schema>
    <xs:schema><xs:import namespace="{SOA}/2006-10-26/ISOAttachment.xsd"
      schemaLocation="ISOAttachment.xsd"/></xs:schema>
    <xs:schema><xs:import namespace="urn:hdr" schemaLocation="Header.xsd"/></xs:schema>
  </wsdl:types>
  <wsdl:message name="req"><wsdl:part name="requestData" {request}/></wsdl:message>
  <wsdl:message name="res"><wsdl:part name="widget_attachment" {response}/></wsdl:message>
  <wsdl:message name="hdr"><wsdl:part name="first" element="h:first"/>
    <wsdl:part name="second" element="h:second"/></wsdl:message>
  <wsdl:portType name="pt"><wsdl:operation name="{name}">
    <wsdl:input message="tns:req"/><wsdl:output message="tns:res"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="b" type="tns:pt">
    <soap:binding style="{style}" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="{name}">
      <soap:operation soapAction="{SOA}/{name}" style="{style}"/>
      <wsdl:input>{input_headers}{body}</wsdl:input>
      <wsdl:output>{output or body}</wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="{name}Service"><wsdl:port name="p" binding="tns:b">
    <soap:address location="{SOA}/{name}"/></wsdl:port></wsdl:service>
</wsdl:definitions>
'''


SWA_OUTPUT = '''<mime:multipartRelated>
        <mime:part><soap:body use="literal" namespace="http://www.caiso.com/soa/x"/></mime:part>
        <mime:part>
          <mime:content part="widget_attachment" type="application/octetstream"/>
        </mime:part>
      </mime:multipartRelated>'''


def package(root: Path, files: dict[str, str], folder: str = "WidgetData/20240101") -> Path:
    for name, text in {"RequestWidgetData_v1.xsd": REQUEST_XSD, "ISOAttachment.xsd":
                       ISOATTACHMENT, "Header.xsd": HEADER_XSD, **files}.items():
        path = root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def specs(corpus: Path, target: Path) -> tuple[Any, dict[str, Any]]:
    result = CliRunner().invoke(app, ["specs", "--xsd", str(corpus), "--specs", str(target)])
    return result, {p.relative_to(target).as_posix(): load_yaml(p)
                    for p in sorted(target.rglob("*.yaml"))}


def only_operation(document: dict[str, Any]) -> dict[str, Any]:
    (op,) = [o for item in document["paths"].values() for o in item.values()]
    return op


def test_identity_from_caiso_names() -> None:
    root = Path("/p")
    derived = derive(root / "x" / "20171001" / "retrieveGasBurnSummaryData_v1_DocAttach.wsdl",
                     root, (), Mapping())
    assert derived.id.full_name == "RetrieveGasBurnSummaryData_CMRIv1_DocAttach"
    assert derived.release == "20171001" and not derived.warnings
    meter = derive(root / "a.wsdl", root, ("retrieveMeterData_v1Service",), Mapping())
    assert (meter.id.full_name, meter.id.folder_system) == ("RetrieveMeterData_STLMTv1", "MRIS")
    # the corpus's own availability package: no source names it, the corpus's mapping does
    name = root / "20130901" / "retrieveMeterDataAvailability_v1_DocAttach.wsdl"
    availability = derive(name, root, (), load_mapping(XSD))
    assert (availability.id.full_name, availability.id.folder_system) == (
        "RetrieveMeterDataAvailability_STLMTv1_DocAttach", "MRIS")
    assert not availability.warnings
    assert "unknown service" in derive(name, root, (), Mapping()).warnings[0]
    named = derive(root / "SubmitRawBidSet_SIBRv5.wsdl", root, (), Mapping())
    assert named.id.system == "SIBR"
    unknown = derive(root / "retrieveThing_v2.wsdl", root, (), Mapping())
    assert unknown.id.full_name == "RetrieveThing_B2Bv2" and "unknown service" in \
        unknown.warnings[0]
    mapped = derive(root / "retrieveThing_v2.wsdl", root, (),
                    Mapping(None, None, {"Thing": {"system": "OMS"}}))
    assert mapped.id.full_name == "RetrieveThing_OMSv2" and not mapped.warnings
    assert api_base("SubmitRawBidSet") == "RawBidSet"
    folder = derive(root / "OMS_Outages_v2" / "retrieveOutage_v2.wsdl", root, (), Mapping())
    assert folder.id.system == "OMS" and not folder.warnings
    zipped = derive(root / "u" / "retrieveOutage_v2.wsdl", root / "u", (), Mapping(),
                    ("OMS", "outage-package"))
    assert zipped.id.system == "OMS"


def test_rest_paths_drop_caisos_version_and_variant() -> None:
    """The API name in the base path carries both; v1's and v2's paths stay the same."""
    assert operation_path("retrieveGasBurnSummaryData_v1_DocAttach") == \
        "/retrieveGasBurnSummaryData"
    assert operation_path("retrieveDefaultBidCurves_v2") == "/retrieveDefaultBidCurves"
    assert operation_path("retrieveMeterDataAvailability") == "/retrieveMeterDataAvailability"
    assert operation_path("get_v2_items") == "/get_v2_items"  # not CAISO's suffix


def test_a_mapping_entry_keyed_by_the_name_without_its_verb_applies(tmp_path: Path) -> None:
    """docs/artifacts.md section 3: [services.WidgetData] serves both variants."""
    name = "retrieveWidgetData_v1_DocAttach"
    other = PAYLOAD_XSD.replace("</xs:schema>", '  <xs:element name="Other" type="xs:string"/>'
                                                "\n</xs:schema>")
    corpus = package(tmp_path / "in", {f"{name}.wsdl": wsdl(name), "WidgetData_v1.xsd": other})
    (tmp_path / "in" / "b2b-packages.toml").write_text(
        '[services.WidgetData]\nsystem = "OMS"\npayload_element = "Other"\n')
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    op = only_operation(found["OMS/RetrieveWidgetData_OMSv1_DocAttach.yaml"])
    assert op["x-caiso-attachment"]["response"]["payloadElement"] == "Other"


def test_docattach_submit_takes_the_payload_as_json_in_the_request(tmp_path: Path) -> None:
    """The attachment side is whichever message carries it: a submit's request."""
    name = "submitWidgetData_v1_DocAttach"
    corpus = package(tmp_path / "in", {
        f"{name}.wsdl": wsdl(name, request='element="att:ISOAttachment"',
                             response='element="in:RequestWidgetData"'),
        "WidgetData_v1.xsd": PAYLOAD_XSD})
    (tmp_path / "in" / "b2b-packages.toml").write_text('default_system = "SIBR"\n')
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    op = only_operation(found["SIBR/SubmitWidgetData_SIBRv1_DocAttach.yaml"])
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WidgetData"}
    assert op["x-caiso-attachment"]["request"]["form"] == "docattach"
    assert op["x-caiso-attachment"]["request"]["container"]["name"] == "ISOAttachment"
    assert op["x-soap-request-element"]["name"] == "ISOAttachment"


def test_rpc_swa_with_element_parts_and_two_headers_over_soap12_with_mtom(
        tmp_path: Path) -> None:
    name = "retrieveWidgetData_v1"
    mtom = ('\n  <wsp:Policy xmlns:wsp="http://www.w3.org/ns/ws-policy" wsu:Id="m" xmlns:wsu='
            '"urn:u"><wsoma:OptimizedMimeSerialization xmlns:wsoma="http://www.w3.org/2007/'
            '08/soap12-mtom-policy"/></wsp:Policy>')
    headers = ('<soap:header message="tns:hdr" part="first" use="literal"/>'
               '<soap:header message="tns:hdr" part="second" use="literal"/>')
    text = wsdl(name, soap="http://schemas.xmlsoap.org/wsdl/soap12/", style="rpc",
                response='type="xs:base64Binary"', output=SWA_OUTPUT, input_headers=headers,
                extra=mtom)
    sample = (f'<r:{name} xmlns:r="{SOA}/{name}"><in:RequestWidgetData xmlns:in='
              f'"{SOA}/RequestWidgetData_v1.xsd#"><in:tradeDate>2024-01-02</in:tradeDate>'
              f'<in:marketType>RTM</in:marketType></in:RequestWidgetData></r:{name}>')
    corpus = package(tmp_path / "in", {f"{name}.wsdl": text,
                                       "WidgetData_v1.xsd": PAYLOAD_XSD,
                                       f"samples/{name}.input.xml": sample})
    (tmp_path / "in" / "b2b-packages.toml").write_text('default_system = "CMRI"\n')
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    document = found["CMRI/RetrieveWidgetData_CMRIv1.yaml"]
    assert document["x-soap-service"]["binding"] == "SOAP 1.2 rpc/literal"
    assert document["x-soap-service"]["soapVersion"] == "1.2"
    assert document["x-soap-service"]["mtom"] is True
    op = only_operation(document)
    assert op["x-soap-rpc"]["request"] == [{"name": "requestData", "element": {
        "name": "RequestWidgetData", "namespace": f"{SOA}/RequestWidgetData_v1.xsd#"}}]
    assert op["x-soap-request-element"] == {"name": name, "namespace": f"{SOA}/{name}"}
    assert [h["name"] for h in op["x-soap-request-headers"]] == ["first", "second"]
    request = op["requestBody"]["content"]["application/json"]["examples"]
    assert request[f"{name}_input"]["value"] == {
        "requestData": {"tradeDate": "2024-01-02", "marketType": "RTM"}}  # the sample
    attachment = op["x-caiso-attachment"]["response"]
    assert (attachment["form"], attachment["part"]) == ("mtom", "widget_attachment")
    assert attachment["payloadElement"] == "WidgetData"
    ok = op["responses"]["200"]["content"]["application/json"]
    schema = {**ok["schema"], "components": document["components"]}
    OAS30Validator(schema).validate(ok["examples"]["synthesized"]["value"])
    assert "synthesized from the schema" in result.stderr


def test_payload_found_by_the_namespace_the_wsdl_declares(tmp_path: Path) -> None:
    """A payload XSD named otherwise is still found: the WSDL declares its namespace.  Its
    own imports resolve like the WSDL's (a remote xml.xsd from the local copy)."""
    name = "retrieveWidgetData_v1_DocAttach"
    remote = PAYLOAD_XSD.replace(
        'elementFormDefault="qualified">', 'elementFormDefault="qualified">\n  <xs:import '
        'namespace="http://www.w3.org/XML/1998/namespace" '
        'schemaLocation="http://www.w3.org/2001/xml.xsd"/>', 1)  # resolved locally
    corpus = package(tmp_path / "in", {f"{name}.wsdl": wsdl(name),
                                       "WidgetPayload.xsd": remote})
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    (document,) = found.values()
    attachment = only_operation(document)["x-caiso-attachment"]["response"]
    assert attachment["payloadSchema"] == "WidgetPayload.xsd"


def test_bad_mapping_file_is_one_error_line(tmp_path: Path) -> None:
    name = "retrieveWidgetData_v1_DocAttach"
    corpus = package(tmp_path / "in", {f"{name}.wsdl": wsdl(name)})
    (corpus / "b2b-packages.toml").write_text('[services.x]\nsystem = "lower"\n')
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 1 and not found
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "not an upper-case system code" in result.stderr


def test_zip_member_outside_the_package_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.wsdl", "<x/>")
    (corpus / "evil.zip").write_bytes(buffer.getvalue())
    result, _found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 1 and "points outside the package" in result.stderr
    assert not (tmp_path / "evil.wsdl").exists()


@pytest.mark.parametrize("schema", [
    {"type": "string", "pattern": "^(?:[A-Z]{3}-[0-9]{4})$"},
    {"type": "string", "minLength": 8, "maxLength": 9},
    {"type": "number", "minimum": 3, "exclusiveMinimum": True, "multipleOf": 0.25},
    {"type": "integer", "maximum": -4},
    {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
     "oneOf": [{"required": ["a"]}, {"required": ["b"]}], "additionalProperties": False},
])
def test_synthesized_values_are_valid(schema: dict[str, Any]) -> None:
    value = synthesize(schema, {})
    OAS30Validator(schema).validate(value)
    assert synthesize(schema, {}) == value  # deterministic


def test_add_files_a_package_unchanged_and_takes_back_a_clash(tmp_path: Path) -> None:
    name = "retrieveWidgetData_v1_DocAttach"
    download = package(tmp_path / "download", {f"{name}.wsdl": wsdl(name),
                                               "WidgetData_v1.xsd": PAYLOAD_XSD}, folder=".")
    corpus = tmp_path / "xsd"
    corpus.mkdir()
    runner = CliRunner()
    result = runner.invoke(app, ["add", str(download), "--xsd", str(corpus),
                                 "--system", "CMRI"])
    assert result.exit_code == 0, result.output
    assert "RetrieveWidgetData_CMRIv1_DocAttach" in result.stderr
    filed = corpus / "CMRI" / "download"
    assert (filed / f"{name}.wsdl").read_text() == (download / f"{name}.wsdl").read_text()
    assert 'system = "CMRI"' in (corpus / "b2b-packages.toml").read_text()
    mapping = (corpus / "b2b-packages.toml").read_text()
    again = runner.invoke(app, ["add", str(download), "--xsd", str(corpus),
                                "--system", "CMRI"])
    assert again.exit_code == 1 and "already in the corpus" in again.stderr
    twin = tmp_path / "twin"
    package(twin, {f"{name}.wsdl": wsdl(name)}, folder=".")
    clash = runner.invoke(app, ["add", str(twin), "--xsd", str(corpus), "--system", "CMRI"])
    assert clash.exit_code == 1 and "two WSDLs claim the API name" in clash.stderr
    assert not (corpus / "CMRI" / "twin").exists()
    assert (corpus / "b2b-packages.toml").read_text() == mapping
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0 and list(found) == [
        "CMRI/RetrieveWidgetData_CMRIv1_DocAttach.yaml"]


def test_identity_from_the_namespace_when_the_file_was_renamed(tmp_path: Path) -> None:
    """A browser's "(1)" copy of a WSDL still names the API: CAISO's soapAction and
    targetNamespace carry ``retrieve<X>_v<N>``."""
    name = "retrieveWidgetData_v1_DocAttach"
    text = wsdl(name).replace(f'<wsdl:service name="{name}Service">',
                              '<wsdl:service name="Service1">')
    corpus = package(tmp_path / "in", {"download (1).wsdl": text.replace(
        f'name="{name}"', 'name="op"'), "WidgetData_v1.xsd": PAYLOAD_XSD})
    (tmp_path / "in" / "b2b-packages.toml").write_text('default_system = "CMRI"\n')
    result, found = specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    assert list(found) == ["CMRI/RetrieveWidgetData_CMRIv1_DocAttach.yaml"]


def test_concrete_wsdl_over_an_imported_abstract_one(tmp_path: Path) -> None:
    """The abstract WSDL a concrete one wsdl:imports is part of that service (its source,
    copied for the gateway), not an abstract WSDL to skip."""
    name = "retrieveWidgetData_v1_DocAttach"
    full = wsdl(name)
    split = full.index("  <wsdl:binding")
    ns = f"{SOA}/{name}.wsdl"
    abstract = full[:split].replace(ns, ns + "/abstract") + "</wsdl:definitions>\n"
    head = full[:full.index("<wsdl:types>")].replace(
        f'xmlns:tns="{ns}"', f'xmlns:tns="{ns}" xmlns:abs="{ns}/abstract"')
    concrete = (head + f'  <wsdl:import namespace="{ns}/abstract" location="abstract/'
                'Widget.wsdl"/>\n' + full[split:].replace('type="tns:pt"', 'type="abs:pt"'))
    files = {f"{name}.wsdl": concrete, "abstract/Widget.wsdl": abstract,
             "abstract/RequestWidgetData_v1.xsd": REQUEST_XSD,
             "abstract/ISOAttachment.xsd": ISOATTACHMENT, "abstract/Header.xsd": HEADER_XSD,
             "WidgetData_v1.xsd": PAYLOAD_XSD}
    corpus = package(tmp_path / "in", files)
    result = CliRunner().invoke(app, [
        "build", "--xsd", str(corpus), "--specs", str(tmp_path / "specs"), "--build",
        str(tmp_path / "build"), "--postman", str(tmp_path / "postman"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "abstract WSDL" not in result.stderr
    (server,) = (tmp_path / "build" / "servers").glob("*/*")
    assert any(server.glob("artifacts/WidgetData/20240101/abstract/Widget.wsdl"))
    (spec,) = (tmp_path / "specs").rglob("*.yaml")
    op = only_operation(load_yaml(spec))
    assert op["x-caiso-attachment"]["response"]["payloadElement"] == "WidgetData"


def test_one_zip_package_as_the_corpus(tmp_path: Path) -> None:
    """``--xsd PACKAGE.zip``: the download itself, its mapping file beside it."""
    name = "retrieveWidgetData_v1_DocAttach"
    folder = package(tmp_path / "unzipped", {f"{name}.wsdl": wsdl(name),
                                             "WidgetData_v1.xsd": PAYLOAD_XSD})
    archive = tmp_path / "downloads" / "WidgetData.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    (archive.parent / "b2b-packages.toml").write_text('default_system = "CMRI"\n')
    result, found = specs(archive, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    assert list(found) == ["CMRI/RetrieveWidgetData_CMRIv1_DocAttach.yaml"]
