"""Which keys a complex type's JSON object has, and which must, may or must not appear
together: the emitted schema accepts a body exactly when it encodes to XSD-valid XML, where
JSON Schema can say so (README "Limits" lists where it cannot).

Each case is the good mini corpus (tests/broken/good) with another Widget element.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openapi_schema_validator import OAS30Validator

from b2b_openapi.codec import jsonxml
from b2b_openapi.errors import ArtifactError
from b2b_openapi.openapi import stage as specs
from b2b_openapi.xsd.documents import load_wsdl
from support import MINI_NS, decimal_facets, mini_corpus

NS = MINI_NS


@dataclass(frozen=True)
class Built:
    """The Widget schema the spec emits and the XSD element the gateway encodes with."""

    schema: dict[str, Any]
    element: Any
    validator: OAS30Validator

    def verdicts(self, value: Any) -> tuple[bool, bool]:
        """(the emitted schema accepts ``value``, it encodes to XSD-valid XML)."""
        accepted = not any(True for _ in self.validator.iter_errors(value))
        try:
            self.element.validate(jsonxml.encode(self.element, value))
        except ValueError:  # xmlschema's validation errors are ValueErrors too
            return accepted, False
        return accepted, True

    def round_trip(self, inner: str) -> Any:
        """A Widget with ``inner`` content: XSD-valid, its JSON valid, and back unchanged."""
        original = ElementTree.fromstring(f'<Widget xmlns="{NS}">{inner}</Widget>')
        self.element.validate(original)
        value = jsonxml.decode(self.element, original)
        assert [e.message for e in self.validator.iter_errors(value)] == []
        xml = jsonxml.encode(self.element, value)
        self.element.validate(xml)
        assert jsonxml.decode(self.element, xml) == value
        return value


def build(tmp_path: Path, declarations: str, sample: str) -> Built:
    """The good corpus with ``declarations`` (holding a Widget element) instead of its
    Widget, and ``sample`` as Widget's content in the output sample."""
    spec = specs.render(mini_corpus(tmp_path, lambda text: replace_widget(text, declarations),
                                    f'<Widget xmlns="{NS}">{sample}</Widget>\n'))
    components = decimal_facets(spec.document["components"])
    return Built(spec.document["components"]["schemas"]["Widget"],
                 load_wsdl(spec.wsdl).schema.maps.elements[f"{{{NS}}}Widget"],
                 OAS30Validator({"$ref": "#/components/schemas/Widget",
                                 "components": components}))


def replace_widget(xsd: str, declarations: str) -> str:
    """The mini corpus's XSD text with ``declarations`` in place of its Widget element."""
    start = xsd.index('  <xs:element name="Widget">')
    end = xsd.index("  </xs:element>\n", start) + len("  </xs:element>\n")
    return xsd[:start] + declarations + "\n" + xsd[end:]


def widget(content: str, attributes: str = "") -> str:
    return (f'<xs:element name="Widget"><xs:complexType>{content}{attributes}'
            "</xs:complexType></xs:element>")


def test_min_items_multiply_along_the_path(tmp_path: Path) -> None:
    """``a`` (1-2 times) in a sequence occurring 2-3 times: 2 to 6 items, not 1 to 6."""
    built = build(tmp_path, widget(
        '<xs:sequence><xs:sequence minOccurs="2" maxOccurs="3">'
        '<xs:element name="a" type="xs:int" maxOccurs="2"/></xs:sequence></xs:sequence>'),
        "<a>1</a><a>2</a>")
    assert (built.schema["properties"]["a"]["minItems"],
            built.schema["properties"]["a"]["maxItems"]) == (2, 6)
    assert built.schema["required"] == ["a"]
    assert built.verdicts({"a": [1]}) == (False, False)
    assert built.verdicts({"a": [1, 2]}) == (True, True)
    assert built.verdicts({"a": [1, 2, 3, 4, 5, 6]}) == (True, True)


def test_min_items_stop_at_the_choice_that_makes_an_element_optional(tmp_path: Path) -> None:
    """In a choice branch ``a`` is optional, but once chosen its group occurs twice."""
    built = build(tmp_path, widget(
        '<xs:choice><xs:sequence minOccurs="2" maxOccurs="2">'
        '<xs:element name="a" type="xs:int"/></xs:sequence>'
        '<xs:element name="b" type="xs:int"/></xs:choice>'), "<b>1</b>")
    assert built.schema["properties"]["a"]["minItems"] == 2
    assert built.verdicts({"b": 1}) == (True, True)
    assert built.verdicts({"a": [1]}) == (False, False)
    assert built.verdicts({"a": [1, 2]}) == (True, True)


def test_optional_elements_may_still_be_sent_as_empty_arrays(tmp_path: Path) -> None:
    """An empty array is "no occurrence": an optional repeating element gets no minItems."""
    built = build(tmp_path, widget(
        '<xs:sequence><xs:element name="a" type="xs:int" minOccurs="0" maxOccurs="3"/>'
        "</xs:sequence>"), "")
    assert "minItems" not in built.schema["properties"]["a"]
    assert built.verdicts({"a": []}) == (True, True)


def test_a_repeating_choice_with_an_emptiable_branch_may_be_empty(tmp_path: Path) -> None:
    built = build(tmp_path, widget(
        '<xs:sequence><xs:choice maxOccurs="unbounded">'
        '<xs:element name="a" type="xs:int" minOccurs="0"/><xs:element name="b" type="xs:int"/>'
        "</xs:choice></xs:sequence>"), "")
    assert built.verdicts({}) == (True, True)
    assert built.verdicts({"a": [1], "b": [2, 3]}) == (True, True)


def test_a_repeating_choice_bounds_each_key_but_not_their_total(tmp_path: Path) -> None:
    """The documented limit: JSON Schema cannot bound a sum of array lengths, so a body
    with too many occurrences in all passes the schema and is refused on encoding (422)."""
    built = build(tmp_path, widget(
        '<xs:sequence><xs:choice minOccurs="2" maxOccurs="3">'
        '<xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:int"/>'
        "</xs:choice></xs:sequence>"), "<a>1</a><b>2</b>")
    assert built.schema["properties"]["a"]["maxItems"] == 3
    assert built.verdicts({"a": [1, 2, 3, 4]}) == (False, False)
    assert built.verdicts({"a": [1, 2], "b": [3, 4]}) == (True, False)  # the limit
    built.round_trip("<b>1</b><a>2</a><b>3</b>")


SUBSTITUTION = '''<xs:element name="h" type="xs:string"/>
  <xs:element name="hm" type="xs:token" substitutionGroup="h"/>
  <xs:complexType name="Base"><xs:sequence><xs:element name="a" type="xs:int"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="Ext"><xs:complexContent><xs:extension base="Base"><xs:sequence>
    <xs:element name="b" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent>
  </xs:complexType>
  <xs:element name="head" type="Base" {block}/>
  <xs:element name="same" type="Base" substitutionGroup="head"/>
  <xs:element name="extended" type="Ext" substitutionGroup="head"/>
  ''' + widget('<xs:sequence><xs:element ref="head"/><xs:element ref="h" minOccurs="0"/>'
               "</xs:sequence>")


def test_a_head_and_its_member_are_alternatives(tmp_path: Path) -> None:
    built = build(tmp_path, SUBSTITUTION.format(block=""), "<head><a>1</a></head>")
    assert built.verdicts({"head": {"a": 1}, "h": "x", "hm": "y"}) == (False, False)
    assert built.verdicts({"head": {"a": 1}, "same": {"a": 2}}) == (False, False)
    assert built.verdicts({"extended": {"a": 1, "b": 2}, "hm": "y"}) == (True, True)
    assert built.verdicts({"same": {"a": 1}}) == (True, True)
    assert built.verdicts({"h": "x"}) == (False, False)
    built.round_trip("<extended><a>1</a><b>2</b></extended><hm>y</hm>")


@pytest.mark.parametrize(("block", "keys"), [
    ('block="extension"', ["head", "same", "h", "hm"]),
    ('block="substitution"', ["head", "h", "hm"]),
    ('block="#all"', ["head", "h", "hm"]),
])
def test_blocked_substitutes_have_no_key(tmp_path: Path, block: str, keys: list[str]) -> None:
    """The members xmlschema's validator admits, and no others, are keys."""
    built = build(tmp_path, SUBSTITUTION.format(block=block), "<head><a>1</a></head>")
    assert list(built.schema["properties"]) == keys
    assert built.verdicts({"extended": {"a": 1, "b": 2}}) == (False, False)
    built.round_trip("<head><a>1</a></head>")


def test_text_of_an_undeclared_element_under_a_lax_wildcard_survives(tmp_path: Path) -> None:
    built = build(tmp_path, widget(
        '<xs:sequence><xs:element name="a" type="xs:int"/><xs:any namespace="##other" '
        'processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>'),
        "<a>1</a>")
    value = built.round_trip('<a>1</a><y:foo xmlns:y="urn:y" y:at="v">hi</y:foo>'
                             '<y:foo xmlns:y="urn:y"><y:bar>1</y:bar></y:foo>')
    assert value == {"a": 1, "{urn:y}foo": [{"@{urn:y}at": "v", "$": "hi"},
                                            {"{urn:y}bar": [{"$": "1"}]}]}
    mixed = ElementTree.fromstring(
        f'<Widget xmlns="{NS}"><a>1</a><y:foo xmlns:y="urn:y">hi<y:bar/>ho</y:foo></Widget>')
    with pytest.raises(ValueError, match="mixes text with child elements"):
        jsonxml.decode(built.element, mixed)


@pytest.mark.parametrize("content", [
    # (a | b), a?: <b/><a/> would decode to {"b":.., "a": [..]}, which "a or b" refuses
    '<xs:choice><xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:int"/>'
    '</xs:choice><xs:element name="a" type="xs:int" minOccurs="0"/>',
    # a head (or one of its members) and then that member again
    '<xs:element ref="head"/><xs:element ref="same" minOccurs="0"/>',
])
def test_an_alternative_sharing_its_key_with_another_place_is_refused(
        tmp_path: Path, content: str) -> None:
    declarations = SUBSTITUTION.format(block="").replace(widget(
        '<xs:sequence><xs:element ref="head"/><xs:element ref="h" minOccurs="0"/>'
        "</xs:sequence>"), widget(f"<xs:sequence>{content}</xs:sequence>"))
    assert content in declarations
    with pytest.raises(ArtifactError, match="can occur in several places") as info:
        build(tmp_path, declarations, "")
    assert ":unsupported" not in str(info.value) and "Widget_v1.xsd:" in str(info.value)


def test_an_element_in_two_places_of_a_plain_sequence_is_kept(tmp_path: Path) -> None:
    """Without alternatives the XSD fixes each occurrence's place: one array for both."""
    built = build(tmp_path, widget(
        '<xs:sequence><xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:int"/>'
        '<xs:element name="a" type="xs:int" minOccurs="0"/></xs:sequence>'),
        "<a>1</a><b>2</b><a>3</a>")
    assert built.round_trip("<a>1</a><b>2</b><a>3</a>") == {"a": [1, 3], "b": 2}
    assert built.verdicts({"a": [1, 2, 3], "b": 2}) == (False, False)
