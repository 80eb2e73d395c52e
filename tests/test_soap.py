"""SOAP 1.1 envelopes: what the gateway sends is a schema-valid CAISOWSHeader + body."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from b2b_openapi.codec import jsonxml, soap
from support import ROOT

# CAISO's WSDLs do not declare the CAISOWSHeader (clients add it): its schema and sample are
# the project's, written from CAISO's client code (docs/gateway.md).
HEADER_XSD = ROOT / "tests" / "schemas" / "CAISOWSHeader_v1.xsd"
HEADER_SAMPLE = ROOT / "tests" / "schemas" / "samples" / "CAISOWSHeader.xml"


def test_envelope_round_trip_with_valid_caiso_header() -> None:
    body = ElementTree.fromstring('<r:Req xmlns:r="urn:r"><r:x>1</r:x></r:Req>')
    header = soap.caiso_header("ABC1-user", now=dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC))
    data = soap.envelope(body, (header,))
    message = soap.parse(data)
    assert message.fault is None
    assert message.body is not None and message.body.tag == "{urn:r}Req"
    assert message.body.findtext("{urn:r}x") == "1"
    (parsed_header,) = message.headers
    schema = xmlschema.XMLSchema(str(HEADER_XSD))
    schema.validate(parsed_header)
    q = f"{{{soap.CAISO_HEADER_NS}}}"
    assert parsed_header.findtext(f"{q}CAISOUsernameToken/{q}Created") == \
        "2026-11-24T08:00:00.000Z"
    stamp = f"{q}CAISOMessageInfo/{q}Timestamp/{q}"
    assert parsed_header.findtext(stamp + "Created") == "2026-11-24T08:00:00.000Z"
    assert parsed_header.findtext(stamp + "Expires") == "2026-11-24T08:15:00.000Z"


def _outline(element: ElementTree.Element) -> tuple[object, ...]:
    return (element.tag, tuple(_outline(child) for child in element))


def test_the_header_sample_is_valid_and_shaped_like_the_gateways_header() -> None:
    """The header's sample (as CAISO's clients write one) is valid, and the header the
    gateway writes for a caller has the sample's elements, in its order."""
    schema = xmlschema.XMLSchema(str(HEADER_XSD))
    sample = ElementTree.parse(HEADER_SAMPLE).getroot()
    schema.validate(sample)
    assert _outline(soap.caiso_header("ABC1-user")) == _outline(sample)


def test_carriage_returns_survive_the_envelope() -> None:
    """A JSON string with CR LF must reach the SOAP service as CR LF, not as LF."""
    body = ElementTree.Element("{urn:r}Req", {"note": "a\r\nb"})
    ElementTree.SubElement(body, "{urn:r}text").text = "line 1\r\nline 2\r"
    message = soap.parse(soap.envelope(body))
    assert message.body is not None
    assert message.body.findtext("{urn:r}text") == "line 1\r\nline 2\r"
    assert message.body.get("note") == "a\r\nb"


def test_fault_round_trip_keeps_code_string_and_detail() -> None:
    detail = ElementTree.fromstring('<d:faultReturnType xmlns:d="urn:d"><d:e>x</d:e>'
                                    "</d:faultReturnType>")
    data = soap.envelope(None, fault=soap.SoapFault("soapenv:Client", "bad trade date", detail))
    message = soap.parse(data)
    assert message.body is None and message.fault is not None
    assert message.fault.is_client
    assert message.fault.string == "bad trade date"
    assert message.fault.detail is not None and message.fault.detail.tag == "{urn:d}faultReturnType"


def test_fault_codes_are_qnames_bound_to_the_envelope_namespace() -> None:
    """On the wire a faultcode is a QName whose prefix must be declared (an undeclared
    ``soap:`` made the mock's faults namespace-invalid); in JSON it reads ``soap:<Code>``
    whichever prefix the sender bound."""
    data = soap.envelope(None, fault=soap.SoapFault("soap:Client", "bad", None))
    code = etree.fromstring(data).find(f".//{{{soap.SOAP_ENV}}}Fault/faultcode")
    assert code is not None and code.text is not None
    prefix, local = code.text.split(":")
    assert code.nsmap[prefix] == soap.SOAP_ENV and local == "Client"
    assert soap.parse(data).fault == soap.SoapFault("soap:Client", "bad", None)
    foreign = (b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
               b"<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode>"
               b"<faultstring>down</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body>"
               b"</SOAP-ENV:Envelope>")
    fault = soap.parse(foreign).fault
    assert fault is not None and fault.code == "soap:Server" and not fault.is_client
    other = foreign.replace(b"SOAP-ENV:Server", b"x:Custom").replace(
        b"<faultcode>", b'<faultcode xmlns:x="urn:x">')
    fault = soap.parse(other).fault
    assert fault is not None and fault.code == "x:Custom"


@pytest.mark.parametrize("data", [
    b"not xml",
    b"<Envelope/>",
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>',
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&e;</s:Body>'
    b"</s:Envelope>",
])
def test_rejects_what_is_not_a_usable_envelope(data: bytes) -> None:
    with pytest.raises(soap.SoapError):
        soap.parse(data)


# every code point, and the edges of XML's Char production often
CHARACTERS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=[]),
    st.sampled_from("\x00\x08\t\n\x0b\x0c\r\x1f \ud7ff\ud800\udfff\ue000\ufffd\ufffe"
                    "\uffff\U00010000\U0010ffff"))


@settings(max_examples=300, deadline=None)
@given(st.lists(CHARACTERS).map("".join))  # st.text would drop surrogates
def test_xml_text_errors_agree_with_an_xml_parser(text: str) -> None:
    """JSON strings may hold characters no XML document can; xml_text_errors must flag
    exactly those an XML parser refuses as element text."""
    data = f"<t>{escape(text)}</t>".encode("utf-8", "surrogatepass")
    try:
        etree.fromstring(data)
        parsed = True
    except etree.XMLSyntaxError:
        parsed = False
    assert parsed == (jsonxml.xml_text_errors(text) == [])


def test_encode_refuses_text_xml_cannot_carry() -> None:
    value = {"a": ["fine", "bell\x07"], "b\x00": "key"}
    assert jsonxml.xml_text_errors(value) == [
        {"path": "/a/1", "message": "character U+0007 is not allowed in XML"},
        {"path": "/", "message": "character U+0000 is not allowed in XML"}]
    with pytest.raises(ValueError, match=r"/a/1: character U\+0007"):
        jsonxml.encode(None, value)  # refused before the schema is even consulted
