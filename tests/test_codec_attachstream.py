"""Attachment answers (gzip + base64 payload inside the SOAP body) stream to the payload's
JSON: the same bytes as the reference converter's decode of the payload document."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from b2b_openapi.codec import jsonxml
from b2b_openapi.codec.attachstream import AttachmentError, Base64Gunzip, stream_attachment_json
from b2b_openapi.codec.faststream import ServiceCodec
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.codec.streaming import StreamError
from b2b_openapi.xsd.wsdl import load_wsdl
from support import XSD

DOCATTACH = XSD / "SIBR/RetrieveCleanBidSet_SIBRv5_DocAttach/samples/retrieveCleanBidSet.output.xml"
SERVICE = XSD / "SIBR/RetrieveCleanBidSet_SIBRv5/RetrieveCleanBidSet_SIBRv5.wsdl"
ATT = "http://www.caiso.com/soa/StandardAttachmentInfo_v1.xsd#"
VALUE = f"{{{ATT}}}AttachmentData"
PAYLOAD = "{http://www.caiso.com/soa/CleanBidSet_v5.xsd#}CleanBidSet"
CURVES = XSD / "CMRI/RetrieveDefaultBidCurves_CMRIv2"


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def envelope(payload_text: bytes) -> bytes:
    """A DocAttach-style answer whose AttachmentData holds ``payload_text``."""
    return (f'<e:Envelope xmlns:e="{SOAP_ENV}"><e:Body><r xmlns:a="{ATT}"><a:Attachment>'
            f'<a:AttachmentData payloadElement="x">').encode() + payload_text + \
        b"</a:AttachmentData></a:Attachment></r></e:Body></e:Envelope>"


def expected_json(wsdl: Path, element: str, document: bytes) -> bytes:
    xsd_element = load_wsdl(wsdl).schema.maps.elements[element]
    return dumps(jsonxml.decode(xsd_element, etree.fromstring(document)))


def test_bundled_docattach_answer_streams_to_the_payload_json() -> None:
    answer = DOCATTACH.read_bytes()
    text = etree.fromstring(answer).find(f".//{VALUE}").text
    document = base64.b64decode(text)
    codec = ServiceCodec(SERVICE)
    element = load_wsdl(SERVICE).schema.maps.elements[PAYLOAD]
    for size in (5, 4096):
        got = b"".join(stream_attachment_json(chunked(answer, size), codec, element, VALUE))
        assert got == expected_json(SERVICE, PAYLOAD, document)


@pytest.mark.parametrize("size", [3, 1000, 65536])
def test_gzip_base64_payload_streams(size: int) -> None:
    wsdl = CURVES / "RetrieveDefaultBidCurves_CMRIv2.wsdl"
    name = "{http://www.caiso.com/soa/DefaultBidCurves_v2.xsd#}DefaultBidCurves"
    document = (CURVES / "samples/retrieveDefaultBidCurves.output.xml").read_bytes()
    wrapped = base64.encodebytes(gzip.compress(document))  # 76-character lines, as MIME
    element = load_wsdl(wsdl).schema.maps.elements[name]
    got = b"".join(stream_attachment_json(chunked(envelope(wrapped), size), ServiceCodec(wsdl),
                                          element, VALUE))
    assert got == expected_json(wsdl, name, document)


def test_invalid_payload_fails_the_stream() -> None:
    wsdl = CURVES / "RetrieveDefaultBidCurves_CMRIv2.wsdl"
    name = "{http://www.caiso.com/soa/DefaultBidCurves_v2.xsd#}DefaultBidCurves"
    document = (CURVES / "samples/retrieveDefaultBidCurves.output.xml").read_bytes().replace(
        b">19<", b">99<", 1)
    assert b">99<" in document
    element = load_wsdl(wsdl).schema.maps.elements[name]
    answer = envelope(base64.b64encode(gzip.compress(document)))
    with pytest.raises(StreamError, match="99"):
        b"".join(stream_attachment_json([answer], ServiceCodec(wsdl), element, VALUE))


@pytest.mark.parametrize(("text", "message"), [
    (b"!!!! not base64", "not base64"),
    (base64.b64encode(gzip.compress(b"<a/>" * 100)[:-12]), "truncated"),
    (base64.b64encode(b"<a/>")[:-2], "truncated"),
])
def test_broken_attachments_are_refused(text: bytes, message: str) -> None:
    decoder = Base64Gunzip()
    with pytest.raises(AttachmentError, match=message):
        list(decoder.feed(text))
        decoder.finish()


def test_broken_attachment_in_an_answer_fails_the_stream() -> None:
    wsdl = CURVES / "RetrieveDefaultBidCurves_CMRIv2.wsdl"
    name = "{http://www.caiso.com/soa/DefaultBidCurves_v2.xsd#}DefaultBidCurves"
    element = load_wsdl(wsdl).schema.maps.elements[name]
    with pytest.raises(AttachmentError, match="not base64"):
        b"".join(stream_attachment_json([envelope(b"!!!! not base64")], ServiceCodec(wsdl),
                                        element, VALUE))
