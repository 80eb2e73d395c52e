"""CAISO's attachments on the wire, both directions (protocol notes section 4).

* The document itself: payload XML -> gzip -> base64 text (``caisob2blib.py`` ``xml_to_uue``
  / ``uue_to_xml``), and its ``attachmentHash``: base64(SHA-1(the base64 text)).
* DocAttach: the base64 text is the body's ``ISOAttachment/AttachmentValue``.
* SwA (the plain variant): a ``multipart/related`` message, the SOAP envelope first, the base64
  text the next part; MTOM/XOP answers (OMS, DRRS): the envelope's ``xop:Include`` elements
  point at parts by Content-ID.

MIME is built and parsed by the standard library's :mod:`email` package, gzip by :mod:`gzip`,
base64 by :mod:`base64`; nothing here parses MIME by hand.  A hash mismatch, bad base64 and
bad gzip are distinct errors, so a 502 can name the cause.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import uuid
import zlib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from urllib.parse import quote, unquote
from xml.etree import ElementTree

from lxml import etree

ATTACHMENT_HASH_NS = "http://www.caiso.com/mrtu/soa/schemas/2005/09/attachmenthash"
ATTACHMENT_INFO_NS = "http://www.caiso.com/soa/2006-06-13/StandardAttachmentInfor.xsd"
ISO_ATTACHMENT_NS = "http://www.caiso.com/soa/2006-10-26/ISOAttachment.xsd"
XOP_NS = "http://www.w3.org/2004/08/xop/include"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_WHITESPACE = b" \t\r\n"
# MIME as HTTP carries it (CRLF), with lines limited as base64 parts need
_MIME = policy.HTTP.clone(max_line_length=76)


class AttachmentError(ValueError):
    """An attachment that cannot be used; the subclass says why."""


class HashMismatch(AttachmentError):
    """The attachment is not the one its attachmentHash names."""


class BadBase64(AttachmentError):
    """The attachment text is not base64."""


class BadGzip(AttachmentError):
    """The base64 decodes, but not to gzip data."""


class BadMime(AttachmentError):
    """A multipart answer that is not the MIME message it says it is."""


def _text(value: str | bytes) -> bytes:
    return value.encode("ascii") if isinstance(value, str) else value


def encode(xml: bytes) -> str:
    """Payload XML -> gzip -> base64 text (gzip with no timestamp: the same XML always gives
    the same text, hence the same hash)."""
    return base64.b64encode(gzip.compress(xml, mtime=0)).decode("ascii")


class GzipBase64:
    """A file-like sink: the XML written into it comes out as the attachment text
    (gzip, then base64), the XML itself never held whole (lxml serialises a tree into it
    piece by piece).  gzip's header carries no timestamp, so the same XML always gives
    the same text."""

    def __init__(self) -> None:
        self.deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
        self.pieces: list[bytes] = []
        self.rest = b""

    def _encode(self, raw: bytes) -> None:
        raw = self.rest + raw
        usable = len(raw) - len(raw) % 3
        self.pieces.append(binascii.b2a_base64(raw[:usable], newline=False))
        self.rest = raw[usable:]

    def write(self, data: bytes) -> int:
        self._encode(self.deflate.compress(data))
        return len(data)

    def text(self) -> str:
        self._encode(self.deflate.flush())
        self.pieces.append(binascii.b2a_base64(self.rest, newline=False))
        self.rest = b""
        return b"".join(self.pieces).decode("ascii")


def attachment_hash(text: str | bytes) -> str:
    """base64(SHA-1(the base64 text)), as CAISO writes in ``attachmentHash/hashValue``; the
    text as sent, blanks at its ends aside."""
    return base64.b64encode(hashlib.sha1(_text(text).strip(_WHITESPACE)).digest()).decode()


def decode(text: str | bytes, expected_hash: str | None = None) -> bytes:
    """base64 text -> gunzip -> the payload XML bytes; the hash checked first when given."""
    data = _text(text)
    if expected_hash is not None and attachment_hash(data) != expected_hash.strip():
        raise HashMismatch(f"the attachment's SHA-1 is {attachment_hash(data)}, its "
                           f"attachmentHash says {expected_hash.strip()}")
    try:
        compressed = base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadBase64(f"the attachment is not base64: {exc}") from None
    try:
        return gzip.decompress(compressed)
    except (OSError, EOFError, zlib.error) as exc:
        raise BadGzip(f"the attachment is not gzip data: {exc}") from None


def hash_header(text: str | bytes) -> ElementTree.Element:
    """The ``attachmentHash{hashValue}`` SOAP header block for an attachment text."""
    header = ElementTree.Element(f"{{{ATTACHMENT_HASH_NS}}}attachmentHash")
    ElementTree.SubElement(header, f"{{{ATTACHMENT_HASH_NS}}}hashValue").text = \
        attachment_hash(text)
    return header


def info_header(attachment_id: str, name: str, compressed: bool = True) -> ElementTree.Element:
    """A ``standardAttachmentInfor`` header block naming one attachment: the fields the
    sources show (id, name, compressFlag, compressMethod); CAISO's others are left out."""
    q = f"{{{ATTACHMENT_INFO_NS}}}"
    header = ElementTree.Element(q + "standardAttachmentInfor")
    attachment = ElementTree.SubElement(header, q + "Attachment")
    ElementTree.SubElement(attachment, q + "id").text = attachment_id
    ElementTree.SubElement(attachment, q + "name").text = name
    ElementTree.SubElement(attachment, q + "compressFlag").text = "yes" if compressed else "no"
    if compressed:
        ElementTree.SubElement(attachment, q + "compressMethod").text = "gzip"
    return header


def hash_value(envelope: bytes) -> str | None:
    """The ``attachmentHash/hashValue`` an envelope's header carries, if any."""
    if b"attachmentHash" not in envelope:
        return None
    root = etree.fromstring(envelope, _PARSER)
    found = root.find(f".//{{{ATTACHMENT_HASH_NS}}}attachmentHash/"
                      f"{{{ATTACHMENT_HASH_NS}}}hashValue")
    return (found.text or "").strip() if found is not None else None


def attachment_value(envelope: bytes) -> str | None:
    """DocAttach: the base64 text of the body's ``AttachmentValue`` (``ISOAttachment``'s, or
    a submit request's element of that name), if it has one."""
    if b"AttachmentValue" not in envelope:
        return None
    root = etree.fromstring(envelope, _PARSER)
    found = next((e for e in root.iter() if isinstance(e.tag, str)
                  and e.tag.rpartition("}")[2] == "AttachmentValue"), None)
    return (found.text or "").strip() if found is not None else None


def with_hash_header(envelope: bytes) -> bytes:
    """A DocAttach envelope with the ``attachmentHash`` header its attachment needs (the
    receiver compares it; the signature covers it), unless it has one.  Parsed once: a
    large submit's envelope is not read again for each question."""
    if b"AttachmentValue" not in envelope:
        return envelope
    root = etree.fromstring(envelope, _PARSER)
    if root.find(f".//{{{ATTACHMENT_HASH_NS}}}attachmentHash/"
                 f"{{{ATTACHMENT_HASH_NS}}}hashValue") is not None:
        return envelope
    found = next((e for e in root.iter() if isinstance(e.tag, str)
                  and e.tag.rpartition("}")[2] == "AttachmentValue"), None)
    if found is None:
        return envelope
    text = (found.text or "").strip()
    soap_env = root.tag.partition("}")[0].lstrip("{")
    header = root.find(f"{{{soap_env}}}Header")
    if header is None:
        header = etree.Element(f"{{{soap_env}}}Header")
        root.insert(0, header)
    header.append(etree.fromstring(ElementTree.tostring(hash_header(text))))
    added: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return added


def checked_answer(content_type: str, data: bytes) -> bytes:
    """The SOAP envelope of an answer, its attachment checked: a multipart answer is split
    (MTOM's ``xop:Include`` resolved, SwA's attachment part taken), and the attachment (that
    part, or DocAttach's ``AttachmentValue``) must match the envelope's ``attachmentHash``
    and be base64 gzip data.  Raises an :class:`AttachmentError` naming the cause."""
    text: bytes | str | None
    if content_type.strip().lower().startswith("multipart/"):
        message = parse_multipart(content_type, data)
        if message.is_mtom:
            return resolve_xop(message)
        envelope, text = message.envelope, swa_attachment(message)
    else:
        envelope = data
        try:
            text = attachment_value(data)
        except etree.XMLSyntaxError:
            return data  # not XML: the SOAP parser says so
    if text is not None:
        decode(text, hash_value(envelope))
    return envelope


@dataclass(frozen=True)
class Multipart:
    """A ``multipart/related`` message: the root part (the SOAP envelope) and the others by
    Content-ID (without its angle brackets)."""

    envelope: bytes
    parts: dict[str, bytes]
    root_type: str = "text/xml"

    @property
    def is_mtom(self) -> bool:
        """An MTOM/XOP package: its root part is ``application/xop+xml``."""
        return self.root_type == "application/xop+xml"


def build_swa(envelope: bytes, attachment: str,
              content_id: str | None = None) -> tuple[bytes, str]:
    """(body, Content-Type) of a SOAP with Attachments message: the envelope, then the
    attachment's base64 text as the next part.  Line ends in the envelope become MIME's CRLF,
    which XML reads as LF again (a literal CR in text is escaped by :mod:`..soap`)."""
    part = EmailMessage(policy=_MIME)
    part.set_content(attachment.encode("ascii"), "text", "plain", cte="7bit",
                     cid=f"<{content_id or uuid.uuid4()}>")
    return _related(envelope, ("text", "xml"), {"charset": "utf-8"}, {"type": "text/xml"},
                    [part])


def build_mtom(envelope: bytes, parts: dict[str, bytes]) -> tuple[bytes, str]:
    """(body, Content-Type) of an MTOM/XOP message: the envelope (whose ``xop:Include``
    elements name the parts as ``cid:``) as ``application/xop+xml``, then each binary part,
    base64-encoded for transfer (the email generator writes line ends its own way, which
    binary content would not survive)."""
    binary = []
    for cid, data in parts.items():
        part = EmailMessage(policy=_MIME)
        part.set_content(data, "application", "octet-stream", cte="base64", cid=f"<{cid}>")
        binary.append(part)
    return _related(envelope, ("application", "xop+xml"), {"charset": "utf-8",
                                                           "type": "text/xml"},
                    {"type": "application/xop+xml", "start-info": "text/xml"}, binary)


def xop_include(content_id: str) -> ElementTree.Element:
    """The ``xop:Include`` element standing for a part (its Content-ID URL-quoted)."""
    return ElementTree.Element(f"{{{XOP_NS}}}Include", href="cid:" + quote(content_id))


def _related(root: bytes, root_type: tuple[str, str], root_params: dict[str, str],
             params: dict[str, str], parts: list[EmailMessage]) -> tuple[bytes, str]:
    message = EmailMessage(policy=_MIME)
    root_id = f"<soap-{uuid.uuid4()}@b2b-openapi>"
    message.set_content(root, *root_type, cte="binary", cid=root_id, params=root_params)
    message.make_related()
    for name, value in {**params, "start": root_id}.items():
        message.set_param(name, value)
    for part in parts:
        message.attach(part)
    data = message.as_bytes(policy=_MIME)
    _, _, body = data.partition(b"\r\n\r\n")
    return body, str(message["Content-Type"])


def parse_multipart(content_type: str, body: bytes) -> Multipart:
    """Split a ``multipart/related`` answer; the root is the ``start`` part, else the
    first."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or message.get_content_maintype() != "multipart":
        raise BadMime(f"{content_type!r} is not a multipart message")
    parts = list(message.iter_parts())
    if not parts or message.defects or any(p.defects for p in parts):
        defects = [*message.defects, *(d for p in parts for d in p.defects)]
        raise BadMime(f"malformed multipart answer: {defects[0] if defects else 'no parts'}")
    start = str(message.get_param("start", "") or "").strip("<>")
    by_id = {str(p.get("Content-ID", "")).strip().strip("<>"): p for p in parts}
    root = by_id.get(start, parts[0]) if start else parts[0]

    def content(part: MIMEPart) -> bytes:
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else b""

    return Multipart(content(root), {cid: content(p) for cid, p in by_id.items()
                                     if p is not root and cid}, root.get_content_type())


def swa_attachment(message: Multipart) -> bytes:
    """The attachment of a SwA answer: its one part after the envelope."""
    if len(message.parts) != 1:
        raise BadMime(f"a SOAP with Attachments answer has one attachment part, not "
                      f"{len(message.parts)}")
    return next(iter(message.parts.values()))


def resolve_xop(message: Multipart) -> bytes:
    """An MTOM answer's envelope with each ``xop:Include`` replaced by the base64 text of the
    part it points at, as the element's content (XOP's own rule)."""
    root = etree.fromstring(message.envelope, _PARSER)
    for include in list(root.iter(f"{{{XOP_NS}}}Include")):
        href = include.get("href", "")
        if not href.startswith("cid:"):
            raise BadMime(f"xop:Include href {href!r} is not a cid: reference")
        cid = unquote(href[4:])
        if cid not in message.parts:
            raise BadMime(f"xop:Include names part {cid!r}, which the answer does not hold")
        parent = include.getparent()
        assert parent is not None  # an Include is never the root element
        parent.remove(include)
        parent.text = base64.b64encode(message.parts[cid]).decode("ascii")
    resolved: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return resolved
