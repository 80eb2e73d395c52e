"""Every sample instance survives XML -> JSON -> XML, and its JSON matches the emitted spec."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from openapi_schema_validator import OAS30Validator

from b2b_openapi import jsonxml, specs
from b2b_openapi.errors import ArtifactError
from b2b_openapi.wsdl import load_wsdl
from b2b_openapi.xsdmodel import ModelBuilder
from support import MessageCase, decimal_facets, sample_cases, through_json_text

CASES = sample_cases()
BROKEN_GOOD = Path(__file__).parent / "broken" / "good"


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


def test_corpus_has_samples_for_every_request_and_response() -> None:
    from support import message_cases

    missing = [c.id for c in message_cases() if c.kind != "fault" and not c.message.samples]
    assert missing == []
    assert len(CASES) >= 40


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
    folder = tmp_path / "TEST" / "RetrieveWidget_TESTv1"
    shutil.copytree(BROKEN_GOOD / "TEST" / "RetrieveWidget_TESTv1", folder)
    xsd = folder / "Widget_v1.xsd"
    xsd.write_text(recursive_xsd(xsd.read_text()))
    (folder / "samples" / "retrieveWidget.output.xml").write_text(RECURSIVE_OUTPUT)
    spec = specs.render(folder / "RetrieveWidget_TESTv1.wsdl")

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
