"""Every sample instance survives XML -> JSON -> XML, and its JSON matches the emitted spec."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import xmlschema
from fastapi import Request, Response
from fastapi.testclient import TestClient
from lxml import etree
from openapi_schema_validator import OAS30Validator

from b2b_openapi.codec import jsonxml, rpc, soap
from b2b_openapi.codec.jsonio import dumps, load_yaml
from b2b_openapi.errors import ArtifactError
from b2b_openapi.openapi import stage as specs
from b2b_openapi.runtime.gateway import SoapGateway
from b2b_openapi.runtime.server import ServiceRuntime, Settings, create_app
from b2b_openapi.runtime.spec import ServiceSpec
from b2b_openapi.xsd.builder import ModelBuilder
from b2b_openapi.xsd.wsdl import load_wsdl
from support import (
    MessageCase,
    decimal_facets,
    mini_corpus,
    rpc_cases,
    sample_cases,
    through_json_text,
    xsd_schema,
)

CASES = sample_cases()
RPC = [(c, s.path) for c in rpc_cases() for s in c.message.samples]
def _outline(elem: ElementTree.Element) -> tuple[object, ...]:
    """Element structure without order: sequences are order-checked by XSD validation
    already, and in xs:all or repeated choices order carries no meaning."""
    return (elem.tag, tuple(sorted(_outline(child) for child in elem)))


@pytest.mark.parametrize(("case", "path"), CASES, ids=[p.name + "@" + c.service.id.full_name
                                                       for c, p in CASES])
def test_sample_round_trip(case: MessageCase, path: object) -> None:
    original = ElementTree.parse(path).getroot()
    element = case.xsd_element
    element.validate(original)

    value = jsonxml.decode(element, original)
    errors = [e.message for e in case.validator().iter_errors(value)]
    assert errors == [], f"decoded JSON does not match the OpenAPI schema: {errors}"

    sent = through_json_text(value)  # what a client sends back, as real JSON
    assert [e.message for e in case.validator().iter_errors(sent)] == []

    xml = jsonxml.encode(element, sent)
    element.validate(xml)
    assert jsonxml.decode(element, xml) == value
    assert _outline(xml) == _outline(original)
    before_attrs = sorted((e.tag, a) for e in original.iter() for a in e.attrib)
    after_attrs = {(e.tag, a) for e in xml.iter() for a in e.attrib}
    assert set(before_attrs) <= after_attrs  # encoding may only add defaulted attributes


@pytest.mark.parametrize(("case", "path"), RPC, ids=[p.name + "@" + c.service.id.full_name
                                                     for c, p in RPC])
def test_rpc_sample_round_trip(case: MessageCase, path: Path) -> None:
    """An rpc/literal wrapper (a plain variant's request, a submit's acknowledgement): the
    JSON keyed by part name matches the spec and encodes back, part by part, to XSD-valid
    children equal to the sample's."""
    original = ElementTree.parse(path).getroot()
    assert original.tag == case.message.element.qname
    schema = xsd_schema(case.service.wsdl)
    value = rpc.decode(schema, original, case.message.rpc_parts)
    assert sorted(value) == sorted(p.name for p in case.message.rpc_parts)
    assert [e.message for e in case.validator().iter_errors(value)] == []
    sent = through_json_text(value)
    wrapper = rpc.encode(schema, original.tag, case.message.rpc_parts, sent)  # validates
    assert rpc.decode(schema, wrapper, case.message.rpc_parts) == value
    assert _outline(wrapper) == _outline(original)


def test_corpus_has_samples_for_every_request_and_response() -> None:
    from support import message_cases

    missing = [c.id for c in [*message_cases(), *rpc_cases()]
               if c.kind != "fault" and not c.message.samples]
    assert missing == []
    assert len(CASES) >= 40 and RPC


def test_any_type_content_has_no_faithful_json_form_so_it_is_refused() -> None:
    """Why an element of type xs:anyType (or of no type) is an unsupported construct
    (tests/broken/any_type_*): the converter keeps no character data of its mixed content,
    so ``<blob>hello</blob>`` decodes to ``{}`` and comes back as an empty ``<blob/>``."""
    schema = xmlschema.XMLSchema(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="blob"/></xs:schema>')
    element = schema.elements["blob"]
    value = jsonxml.decode(element, ElementTree.fromstring("<blob>hello</blob>"))
    assert value == {}
    assert not jsonxml.encode(element, value).text  # the text is lost
    with pytest.raises(ArtifactError, match="xs:anyType"):
        ModelBuilder().element(element)


# the good mini corpus's Widget (tests/broken/good) with a recursive element instead of
# its capacity, used through ref= inside its own anonymous type
NODE = """  <xs:element name="Node">
    <xs:annotation><xs:documentation>A node of the widget tree.</xs:documentation></xs:annotation>
    <xs:complexType>
      <xs:sequence>
        <xs:element name="label" type="xs:string"/>
        <xs:element ref="Node" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
"""


def recursive_xsd(good: str) -> str:
    capacity = '<xs:element name="capacity" type="xs:decimal"/>'
    assert capacity in good and "</xs:schema>" in good
    return good.replace(capacity, '<xs:element ref="Node" minOccurs="0"/>').replace(
        "</xs:schema>", NODE + "</xs:schema>")


RECURSIVE_OUTPUT = '''<?xml version="1.0" encoding="UTF-8"?>
<Widget xmlns="http://www.caiso.com/soa/Widget_v1.xsd#">
  <widgetId>W001</widgetId>
  <Node><label>root</label><Node><label>a</label></Node><Node><label>b</label>
    <Node><label>b1</label></Node></Node></Node>
</Widget>
'''


def test_recursive_element_used_through_ref_is_one_component(tmp_path: Path) -> None:
    """``<xs:element ref="Node"/>`` inside Node's own anonymous type: the referenced global
    element is its component (``$ref``'d, so recursion ends), described there once, and a
    sample with nested nodes survives XML -> JSON -> XML against the emitted spec."""
    spec = specs.render(mini_corpus(tmp_path, recursive_xsd, RECURSIVE_OUTPUT))

    schemas = spec.document["components"]["schemas"]
    node = schemas["Node"]
    assert node["description"] == "A node of the widget tree."
    assert node["properties"]["Node"]["items"] == {"$ref": "#/components/schemas/Node"}
    assert schemas["Widget"]["properties"]["Node"]["allOf"] == [
        {"$ref": "#/components/schemas/Node"}]
    assert "description" not in schemas["Widget"]["properties"]["Node"]  # said once

    element = load_wsdl(spec.wsdl).schema.maps.elements[
        "{http://www.caiso.com/soa/Widget_v1.xsd#}Widget"]
    original = ElementTree.fromstring(RECURSIVE_OUTPUT.encode())
    value = jsonxml.decode(element, original)
    validator = OAS30Validator({"$ref": "#/components/schemas/Widget",
                                "components": decimal_facets(spec.document["components"])})
    assert [e.message for e in validator.iter_errors(value)] == []
    assert value["Node"]["Node"][1]["Node"][0]["label"] == "b1"
    xml = jsonxml.encode(element, through_json_text(value))
    element.validate(xml)
    assert jsonxml.decode(element, xml) == value
    assert _outline(xml) == _outline(original)


NUMBERS = xmlschema.XMLSchema("""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="NA"><xs:restriction base="xs:string">
    <xs:enumeration value="NA"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="MWorNA"><xs:union memberTypes="NA xs:decimal"/></xs:simpleType>
  <xs:simpleType name="MWs"><xs:list itemType="xs:decimal"/></xs:simpleType>
  <xs:element name="n"><xs:complexType><xs:sequence>
    <xs:element name="decimal" type="xs:decimal" minOccurs="0"/>
    <xs:element name="int" type="xs:int" minOccurs="0"/>
    <xs:element name="integer" type="xs:integer" minOccurs="0"/>
    <xs:element name="double" type="xs:double" minOccurs="0"/>
    <xs:element name="float" type="xs:float" minOccurs="0"/>
    <xs:element name="union" type="MWorNA" minOccurs="0"/>
    <xs:element name="list" type="MWs" minOccurs="0"/>
    <xs:element name="price" minOccurs="0"><xs:complexType><xs:simpleContent>
      <xs:extension base="xs:decimal"><xs:attribute name="ratio" type="xs:float"/>
      </xs:extension></xs:simpleContent></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>""").elements["n"]


@pytest.mark.parametrize(("value", "xml"), [
    # what a JSON parser gives for 1e2, 1E-7, 12.50 and 7: the XSD spells them out
    ({"decimal": Decimal("1E+2")}, "<decimal>100</decimal>"),
    ({"decimal": Decimal("1E-7")}, "<decimal>0.0000001</decimal>"),
    ({"decimal": Decimal("12.50")}, "<decimal>12.50</decimal>"),
    ({"decimal": 7}, "<decimal>7</decimal>"),
    ({"int": Decimal("1E+2")}, "<int>100</int>"),  # JSON Schema may call 1e2 an integer
    ({"int": Decimal("100.0")}, "<int>100</int>"),
    ({"double": Decimal("0.5")}, "<double>0.5</double>"),
    ({"double": 1}, "<double>1.0</double>"),
    ({"double": Decimal("1E+10")}, "<double>10000000000.0</double>"),
    ({"float": Decimal("0.5")}, "<float>0.5</float>"),
    ({"union": Decimal("2.5E+1")}, "<union>25</union>"),
    ({"union": "NA"}, "<union>NA</union>"),
    ({"list": [Decimal("1E+2"), 3]}, "<list>100 3</list>"),
    ({"price": {"$": Decimal("2E+1"), "@ratio": Decimal("0.25")}},
     '<price ratio="0.25">20</price>'),
])
def test_json_numbers_are_written_in_the_lexical_form_of_their_xsd_type(
        value: dict[str, object], xml: str) -> None:
    encoded = jsonxml.encode(NUMBERS, value)  # strict: the XSD accepted what was written
    assert "".join(ElementTree.tostring(c, encoding="unicode").strip() for c in encoded) == xml
    assert jsonxml.decode(NUMBERS, encoded) == value  # the same numbers


@pytest.mark.parametrize("text", ["3.4028235e38", "-3.40282356e38", "3.4028234663852886e38"])
def test_the_largest_floats_come_back(text: str) -> None:
    """xs:float's maximum as usually written is a little above it as a double, and rounds
    to it in 32 bits (IEEE: round to nearest, as the XSD's lexical mapping): in range."""
    value = jsonxml.decode(NUMBERS, ElementTree.fromstring(f"<n><float>{text}</float></n>"))
    assert value == {"float": float(text)}
    assert jsonxml.decode(NUMBERS, jsonxml.encode(NUMBERS, value)) == value
    assert jsonxml.encode(NUMBERS, {"float": Decimal(text)})[0].text == repr(float(text))


@pytest.mark.parametrize(("value", "message"), [
    ({"int": Decimal("1.5")}, "1.5 is not an integer"),
    ({"float": Decimal("1e39")}, "outside the range of xs:float"),  # would be INF
    ({"float": Decimal("3.4028236e38")}, "outside the range of xs:float"),  # rounds to INF
    ({"double": Decimal("1e400")}, "outside the range of xs:double"),
    ({"double": 10 ** 400}, "outside the range of xs:double"),
    ({"union": Decimal("1e20000000")}, "more than 1000 digits"),
    ({"list": [Decimal("1e-20000000")]}, "more than 1000 digits"),
    ({"integer": 10 ** 1000}, "needs 1001 digits in plain notation; more than 1000 digits"),
    ({"decimal": -(10 ** 1000)}, "more than 1000 digits"),  # a JSON integer
])
def test_numbers_without_a_value_of_their_xsd_type_are_refused(value: dict[str, object],
                                                               message: str) -> None:
    with pytest.raises(xmlschema.XMLSchemaValidationError, match=message):
        jsonxml.encode(NUMBERS, value)


@pytest.mark.parametrize("name", ["decimal", "integer"])
def test_a_short_json_number_never_expands_into_megabytes(name: str) -> None:
    """1e20000000 is 11 bytes of JSON and 20 MB of xs:decimal digits: refused from its
    digit count and exponent, before any digits are written (no timing asserted here)."""
    with pytest.raises(xmlschema.XMLSchemaValidationError, match="more than 1000 digits"):
        jsonxml.encode(NUMBERS, {name: Decimal("1e20000000")})
    # 1000 digits are still written out (xmlschema itself refuses xs:decimal values beyond
    # a float's range, so the large one is an integer)
    edge, text = (Decimal("1e-999"), "0." + "0" * 998 + "1") if name == "decimal" else (
        Decimal("1e999"), "1" + "0" * 999)
    assert jsonxml.encode(NUMBERS, {name: edge})[0].text == text


@pytest.mark.parametrize("text", ["INF", "-INF", "NaN"])
def test_infinities_and_nan_have_no_json_form(text: str) -> None:
    for xml in (f"<n><double>{text}</double></n>", f'<n><price ratio="{text}">1</price></n>'):
        with pytest.raises(xmlschema.XMLSchemaValidationError,
                           match=f"value {text}: JSON numbers have no") as caught:
            jsonxml.decode(NUMBERS, ElementTree.fromstring(xml))
        assert jsonxml.is_not_representable(caught.value)


SUBSTITUTABLE = xmlschema.XMLSchema("""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
  <xs:complexType name="Size"><xs:sequence>
    <xs:element name="width" type="xs:int"/></xs:sequence></xs:complexType>
  <xs:complexType name="Size3D"><xs:complexContent><xs:extension base="Size"><xs:sequence>
    <xs:element name="height" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent>
  </xs:complexType>
  <xs:element name="box"><xs:complexType><xs:sequence>
    <xs:element name="size" type="Size" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>""").elements["box"]
BOX = ('<box xmlns="urn:t" xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
       '<size><width>1</width></size><size xsi:type="{}"><width>2</width>{}</size></box>')


def test_xsi_type_naming_the_declared_type_decodes_as_without_it() -> None:
    """The QName resolves against the document's namespace declarations, which lxml keeps."""
    for name in ("Size", "t:Size"):
        value = jsonxml.decode(SUBSTITUTABLE, etree.fromstring(BOX.format(name, "")))
        assert value == {"size": [{"width": 1}, {"width": 2}]}
        assert jsonxml.decode(SUBSTITUTABLE, jsonxml.encode(SUBSTITUTABLE, value)) == value


def test_a_type_substituted_with_xsi_type_is_refused_on_its_element() -> None:
    """The JSON has no key for the type, so Size3D's height could not come back: refused."""
    root = etree.fromstring(BOX.format("t:Size3D", "<height>3</height>"))
    with pytest.raises(xmlschema.XMLSchemaValidationError,
                       match="xsi:type 't:Size3D' substitutes a type") as caught:
        jsonxml.decode(SUBSTITUTABLE, root)
    assert caught.value.elem is root[1] and jsonxml.is_not_representable(caught.value)


@pytest.mark.parametrize("parse", [etree.fromstring, ElementTree.fromstring])
def test_an_unresolvable_xsi_type_is_a_validation_error_on_its_element(parse: Any) -> None:
    """xmlschema lets a KeyError escape for it; ElementTree drops the declarations, so there
    even a declared prefix is unresolvable - never a crash."""
    root = parse(BOX.format("t:Nope", ""))
    with pytest.raises(xmlschema.XMLSchemaValidationError, match="invalid xsi:type 't:Nope'") \
            as caught:
        jsonxml.decode(SUBSTITUTABLE, root)
    assert caught.value.elem is root[1]


@contextmanager
def widget_gateway(tmp_path: Path, request_content: str, declarations: str = "") -> Iterator[
        tuple[Callable[[bytes], httpx.Response], list[bytes]]]:
    """The mini corpus's service with ``request_content`` (XSD particles) after the
    request's widgetId and global ``declarations``, served in gateway mode in this process:
    a function posting a JSON body to it, and the SOAP envelopes that reached the (mock)
    SOAP service."""
    request_id = '<xs:element name="widgetId" type="WidgetID"/>\n      </xs:sequence>'

    def edit(xsd: str) -> str:
        assert request_id in xsd
        return xsd.replace(request_id, '<xs:element name="widgetId" type="WidgetID"/>\n'
                           + request_content + "\n      </xs:sequence>", 1).replace(
            "</xs:schema>", declarations + "</xs:schema>")

    folder = mini_corpus(tmp_path, edit).parent
    spec = specs.render(folder / "RetrieveWidget_TESTv1.wsdl")
    sent: list[bytes] = []

    def soap_service(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        answer = ElementTree.parse(folder / "samples" / "retrieveWidget.output.xml").getroot()
        return httpx.Response(200, content=soap.envelope(answer),
                              headers={"Content-Type": "text/xml; charset=utf-8"})

    runtime = ServiceRuntime(ServiceSpec(load_yaml(spec.text)), Settings(
        mode="gateway", api_keys={"key": "alice"}, soap_endpoint="http://soap.test/widget"),
        spec.wsdl)
    assert runtime.gateway is not None
    runtime.gateway = SoapGateway(spec.wsdl, runtime.gateway.endpoint,
                                  transport=httpx.MockTransport(soap_service))
    app = create_app(runtime)
    (op_id,) = runtime.spec.operations
    assert runtime.spec.operations[op_id].method == "POST"  # nested criteria: a JSON body

    async def handle(request: Request) -> Response:
        return await runtime.handle(op_id, request)

    app.post(runtime.route(op_id))(handle)
    with TestClient(app, raise_server_exceptions=False) as client:
        def post(body: bytes) -> httpx.Response:
            return client.post(runtime.route(op_id), content=body,
                               headers={"X-API-Key": "key", "Content-Type": "application/json"})

        yield post, sent


def test_the_gateway_sends_json_numbers_in_their_xsd_form(tmp_path: Path) -> None:
    """Through the gateway's request path (body parsing, schema validation, encoding): JSON
    ``1e2`` for an xs:decimal reaches the SOAP service as ``100``, a JSON integer for an
    xs:double is written as a double, and 1e20000000 is a 422 that never reaches it."""
    with widget_gateway(tmp_path, '''\
        <xs:element name="limits" minOccurs="0"><xs:complexType><xs:sequence>
          <xs:element name="mw" type="xs:decimal"/></xs:sequence></xs:complexType></xs:element>
        <xs:element name="ratio" type="xs:double" minOccurs="0"/>
        <xs:element name="count" type="xs:integer" minOccurs="0"/>''') as (post, sent):
        answer = post(b'{"widgetId": "W001", "limits": {"mw": 1e2}, "ratio": 1}')
        assert answer.status_code == 200, answer.text
        body = soap.parse(sent[-1]).body
        assert body is not None
        namespace = "{http://www.caiso.com/soa/Widget_v1.xsd#}"
        assert body.findtext(f"{namespace}limits/{namespace}mw") == "100"
        assert body.findtext(f"{namespace}ratio") == "1.0"

        # an XSD refusal quotes the value; a long one is cut short in the answer
        answer = post(b'{"widgetId": "W001", "ratio": ' + b"9" * 900 + b"}")
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"]
        assert "outside the range of xs:double" in detail or "characters)" in detail
        assert len(detail) < 500, detail

        answer = post(b'{"widgetId": "W001", "limits": {"mw": 1e20000000}}')
        assert answer.status_code == 422 and "more than 1000 digits" in answer.json()["detail"]
        assert len(sent) == 1  # refused before anything reached the SOAP service

        # a JSON integer is held to the 1000 digits of any number
        answer = post(b'{"widgetId": "W001", "count": -' + b"9" * 1001 + b"}")
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"].startswith("-1.00000e+1001 needs 1001 digits in plain")
        assert len(sent) == 1  # never sent
        answer = post(b'{"widgetId": "W001", "count": ' + b"9" * 1000 + b"}")
        assert answer.status_code == 200, answer.text
        body = soap.parse(sent[-1]).body
        assert body is not None and body.findtext(f"{namespace}count") == "9" * 1000


def test_a_recursive_request_as_deep_as_the_servers_read_goes_through(tmp_path: Path) -> None:
    """Nesting is limited when the body is read (64 levels), low enough that what walks the
    request afterwards (schema validation, XML encoding, both recursive) cannot run out of
    stack even on a recursive schema; one level deeper is refused before any of it."""
    with widget_gateway(tmp_path, '<xs:element ref="Node" minOccurs="0"/>', NODE) as (
            post, sent):
        def request(nodes: int) -> bytes:  # each Node is two levels: an object, an array
            node: dict[str, Any] = {"label": "leaf"}
            for _ in range(nodes - 1):
                node = {"label": "x", "Node": [node]}
            return dumps({"widgetId": "W001", "Node": node})

        answer = post(request(32))  # 1 + 2 * 31 + 1 = 64 levels
        assert answer.status_code == 200, answer.text
        assert sent[-1].count(b"label>") == 2 * 32  # each opened and closed
        answer = post(request(33))
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"] == "arrays and objects nest deeper than 64 levels"
        assert len(sent) == 1
