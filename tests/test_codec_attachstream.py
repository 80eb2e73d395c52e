"""Attachment answers (gzip + base64 payload inside the SOAP body) stream to the payload's
JSON: the same bytes as the reference converter's decode of the payload document."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from b2b_openapi.codec import attachments, jsonxml
from b2b_openapi.codec.attachstream import AttachmentError, Base64Gunzip, stream_attachment_json
from b2b_openapi.codec.faststream import ServiceCodec
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.codec.streaming import StreamError
from b2b_openapi.xsd.wsdl import load_payload_schema
from support import XSD

# CAISO's DocAttach container (ISOAttachment.xsd, 2006-10-26)
ATT = "http://www.caiso.com/soa/2006-10-26/ISOAttachment.xsd"
VALUE = f"{{{ATT}}}AttachmentValue"
CLEAN = XSD / "SIBR/CleanBidSet/20240501"
CLEAN_XSD = CLEAN / "CleanBidSet_v5.xsd"
PAYLOAD = "{http://www.caiso.com/soa/CleanBidSet_v5.xsd}CleanBidSet"
CURVES = XSD / "CMRI/DefaultBidCurves/20230401"
CURVES_XSD = CURVES / "DefaultBidCurves_v2.xsd"
CURVES_SAMPLE = CURVES / "samples/retrieveDefaultBidCurves_v2_DocAttach.output.xml"
NAME = "{http://www.caiso.com/soa/DefaultBidCurves_v2.xsd}DefaultBidCurves"


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def envelope(payload_text: bytes) -> bytes:
    """A DocAttach answer whose ISOAttachment/AttachmentValue holds ``payload_text``."""
    return (f'<e:Envelope xmlns:e="{SOAP_ENV}"><e:Body><a:ISOAttachment xmlns:a="{ATT}">'
            f'<a:AttachmentValue>').encode() + payload_text + \
        b"</a:AttachmentValue></a:ISOAttachment></e:Body></e:Envelope>"


def element_of(xsd: Path, name: str) -> object:
    """The payload element, from the payload XSD the package ships beside the WSDLs."""
    return load_payload_schema(xsd).maps.elements[name]


def expected_json(xsd: Path, element: str, document: bytes) -> bytes:
    return dumps(jsonxml.decode(element_of(xsd, element), etree.fromstring(document)))


def test_bundled_docattach_answer_streams_to_the_payload_json() -> None:
    """The corpus's CleanBidSet sample as the gateway's encoder sends it (gzip + base64)."""
    document = (CLEAN / "samples/retrieveCleanBidSet_v5_DocAttach.output.xml").read_bytes()
    answer = envelope(attachments.encode(document).encode())
    codec = ServiceCodec(CLEAN_XSD)
    for size in (5, 4096):
        got = b"".join(stream_attachment_json(chunked(answer, size), codec,
                                              element_of(CLEAN_XSD, PAYLOAD), VALUE))
        assert got == expected_json(CLEAN_XSD, PAYLOAD, document)


@pytest.mark.parametrize("size", [3, 1000, 65536])
def test_gzip_base64_payload_streams(size: int) -> None:
    document = CURVES_SAMPLE.read_bytes()
    wrapped = base64.encodebytes(gzip.compress(document))  # 76-character lines, as MIME
    got = b"".join(stream_attachment_json(chunked(envelope(wrapped), size),
                                          ServiceCodec(CURVES_XSD), element_of(CURVES_XSD, NAME),
                                          VALUE))
    assert got == expected_json(CURVES_XSD, NAME, document)


def test_invalid_payload_fails_the_stream() -> None:
    document = CURVES_SAMPLE.read_bytes().replace(b">19<", b">99<", 1)
    assert b">99<" in document
    answer = envelope(base64.b64encode(gzip.compress(document)))
    with pytest.raises(StreamError, match="99"):
        b"".join(stream_attachment_json([answer], ServiceCodec(CURVES_XSD),
                                        element_of(CURVES_XSD, NAME), VALUE))


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
    with pytest.raises(AttachmentError, match="not base64"):
        b"".join(stream_attachment_json([envelope(b"!!!! not base64")],
                                        ServiceCodec(CURVES_XSD), element_of(CURVES_XSD, NAME),
                                        VALUE))
