"""CAISO's attachments: gzip + base64 + SHA-1 hash round trips (hypothesis), CAISO's reference
algorithm reproduced independently with zlib, SwA and MTOM/XOP messages built and parsed with
the standard library, and each kind of damage its own error."""

from __future__ import annotations

import base64
import hashlib
import zlib
from email import message_from_bytes
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from b2b_openapi.codec import attachments as att

XML = st.builds(lambda text: f"<Payload><v>{text}</v></Payload>".encode(),
                st.text(st.characters(codec="utf-8", exclude_characters="<&\r\x00"),
                        max_size=2000))


@given(XML)
def test_payloads_round_trip_and_hash_like_caisos_reference(xml: bytes) -> None:
    text = att.encode(xml)
    assert att.decode(text, att.attachment_hash(text)) == xml
    # caisob2blib's uue_to_xml (zlib with the gzip wrapper) reads what we write
    assert zlib.decompress(base64.b64decode(text), 16 + zlib.MAX_WBITS) == xml
    assert att.attachment_hash(text) == base64.b64encode(
        hashlib.sha1(text.encode()).digest()).decode()
    # and we read what it writes (zlib's gzip stream, its header differs from ours)
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    theirs = base64.b64encode(compressor.compress(xml) + compressor.flush())
    assert att.decode(theirs, att.attachment_hash(theirs)) == xml


def test_each_kind_of_damage_is_its_own_error() -> None:
    text = att.encode(b"<Payload/>")
    with pytest.raises(att.HashMismatch, match="attachmentHash says"):
        att.decode(text, att.attachment_hash(text + "A"))
    with pytest.raises(att.BadBase64):
        att.decode("not*base64")
    with pytest.raises(att.BadGzip):
        att.decode(base64.b64encode(b"plain, not gzip"))
    truncated = base64.b64encode(base64.b64decode(text)[:-6])
    with pytest.raises(att.BadGzip):
        att.decode(truncated)


def test_line_breaks_in_the_base64_text_are_tolerated() -> None:
    text = att.encode(b"<Payload>" + b"x" * 500 + b"</Payload>")
    wrapped = "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    assert att.decode(wrapped) == b"<Payload>" + b"x" * 500 + b"</Payload>"


@given(XML, st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e,
                                  exclude_characters="<>\\\"()[]@,;:"),
                    min_size=1, max_size=30))
def test_swa_messages_round_trip(xml: bytes, content_id: str) -> None:
    envelope = b'<?xml version="1.0"?><s:Envelope xmlns:s="urn:s"><s:Body/></s:Envelope>'
    text = att.encode(xml)
    body, content_type = att.build_swa(envelope, text, content_id)
    assert content_type.startswith("multipart/related")
    # an independent reading (the compat32 email parser) sees the same parts
    other = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    assert [p.get_content_type() for p in other.get_payload()] == ["text/xml", "text/plain"]
    message = att.parse_multipart(content_type, body)
    assert message.envelope == envelope
    assert message.parts == {content_id: text.encode()}
    assert att.decode(att.swa_attachment(message)) == xml


def test_mtom_answers_are_resolved() -> None:
    payload = b"\x00\x01binary\xff"
    boundary = "MIMEBoundary_1"
    body = (f"--{boundary}\r\n"
            "Content-Type: application/xop+xml; charset=UTF-8; type=\"text/xml\"\r\n"
            "Content-Transfer-Encoding: binary\r\nContent-ID: <root.message@cxf>\r\n\r\n"
            '<s:Envelope xmlns:s="urn:s"><s:Body><r:Doc xmlns:r="urn:r"><r:data>'
            '<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" '
            'href="cid:part%201@cxf"/></r:data></r:Doc></s:Body></s:Envelope>\r\n'
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: binary\r\nContent-ID: <part 1@cxf>\r\n\r\n"
            ).encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    content_type = (f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
                    'start="<root.message@cxf>"; start-info="text/xml"')
    message = att.parse_multipart(content_type, body)
    resolved = etree.fromstring(att.resolve_xop(message))
    assert base64.b64decode(resolved.findtext(".//{urn:r}data")) == payload
    missing = att.Multipart(message.envelope, {})
    with pytest.raises(att.BadMime, match="does not hold"):
        att.resolve_xop(missing)


def test_a_non_multipart_answer_is_bad_mime() -> None:
    with pytest.raises(att.BadMime):
        att.parse_multipart("text/xml", b"<a/>")


def test_the_headers_carry_the_hash_and_the_attachment_info() -> None:
    text = att.encode(b"<Payload/>")
    envelope = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>'
                + ElementTree.tostring(att.hash_header(text))
                + b"</s:Header><s:Body/></s:Envelope>")
    assert att.hash_value(envelope) == att.attachment_hash(text)
    info = att.info_header("1", "payload.xml")
    assert [c.tag.split("}")[1] for c in info[0]] == ["id", "name", "compressFlag",
                                                       "compressMethod"]


@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=3))
def test_mtom_messages_round_trip_binary_parts_unchanged(blobs: list[bytes]) -> None:
    """Binary parts (CR, LF, NUL and all) survive the MIME writer, and XOP puts them back
    as base64 where their xop:Include stood."""
    root = ElementTree.Element("{urn:r}Doc")
    parts = {}
    for index, blob in enumerate(blobs):
        holder = ElementTree.SubElement(root, "{urn:r}data")
        holder.append(att.xop_include(f"part {index}@test"))
        parts[f"part {index}@test"] = blob
    body, content_type = att.build_mtom(ElementTree.tostring(root), parts)
    message = att.parse_multipart(content_type, body)
    assert message.is_mtom and message.parts == parts
    resolved = etree.fromstring(att.resolve_xop(message))
    assert [base64.b64decode(e.text or "") for e in resolved] == blobs
