"""SOAP 1.1 envelopes for CAISO services: wrap a body (and CAISOWSHeader), unwrap a response.

Used by the REST->SOAP gateway and by the SOAP mock backend.  Parsing goes through lxml with
a hardened parser (no network, no entity expansion) because envelopes come from the wire.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENV_PREFIX = "soapenv"  # the prefix our envelopes bind SOAP_ENV to
# the namespace CAISO's clients write and sign (CAISOWSHeader.cs, caisob2blib.py)
CAISO_HEADER_NS = "http://www.caiso.com/soa/2006-09-30/CAISOWSHeader.xsd"
# how long a message is valid: CaisoClientMessageInspector.cs writes Created + 15 minutes
HEADER_LIFETIME = dt.timedelta(minutes=15)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True,
                          huge_tree=True)


class SoapError(ValueError):
    """The bytes are not a SOAP 1.1 envelope we can use."""


@dataclass(frozen=True)
class SoapFault:
    """A SOAP 1.1 fault: code (``soap:Client``/``soap:Server``), string and detail element.

    Codes of the envelope namespace are written as ``soap:<Code>`` whatever prefix the wire
    used (``soapenv:``, ``SOAP-ENV:``...): on the wire the code is a QName, in JSON a name."""

    code: str
    string: str
    detail: ElementTree.Element | None

    @property
    def is_client(self) -> bool:
        return self.code.rsplit(":", 1)[-1].startswith("Client")


@dataclass(frozen=True)
class SoapMessage:
    body: ElementTree.Element | None
    fault: SoapFault | None
    headers: tuple[ElementTree.Element, ...] = ()


def caiso_header(username: str, message_id: str | None = None,
                 now: dt.datetime | None = None) -> ElementTree.Element:
    """A CAISOWSHeader for the authenticated caller (certificate subject or API-key owner):
    ``CAISOUsernameToken{Username, Nonce, Created}``, ``CAISOMessageInfo{MessageID,
    Timestamp{Created, Expires}}``, times in UTC to the millisecond as CAISO's .NET clients
    write them; the MessageID is the caller's request id when it gave one."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    q = f"{{{CAISO_HEADER_NS}}}"
    header = ElementTree.Element(q + "CAISOWSHeader")
    token = ElementTree.SubElement(header, q + "CAISOUsernameToken")
    ElementTree.SubElement(token, q + "Username").text = username
    ElementTree.SubElement(token, q + "Nonce").text = base64.b64encode(
        secrets.token_bytes(16)).decode("ascii")
    ElementTree.SubElement(token, q + "Created").text = _stamp(now)
    info = ElementTree.SubElement(header, q + "CAISOMessageInfo")
    ElementTree.SubElement(info, q + "MessageID").text = message_id or str(uuid.uuid4())
    stamp = ElementTree.SubElement(info, q + "Timestamp")
    ElementTree.SubElement(stamp, q + "Created").text = _stamp(now)
    ElementTree.SubElement(stamp, q + "Expires").text = _stamp(now + HEADER_LIFETIME)
    return header


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def envelope(body: ElementTree.Element | None, headers: tuple[ElementTree.Element, ...] = (),
             fault: SoapFault | None = None) -> bytes:
    """Serialise a SOAP 1.1 envelope around ``body`` (or a fault)."""
    env = ElementTree.Element(f"{{{SOAP_ENV}}}Envelope")
    if headers:
        head = ElementTree.SubElement(env, f"{{{SOAP_ENV}}}Header")
        head.extend(headers)
    soap_body = ElementTree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    if fault is not None:
        f = ElementTree.SubElement(soap_body, f"{{{SOAP_ENV}}}Fault")
        # a QName: its prefix must be the one bound to the envelope namespace
        ElementTree.SubElement(f, "faultcode").text = \
            f"{ENV_PREFIX}:{fault.code.rsplit(':', 1)[-1]}"
        ElementTree.SubElement(f, "faultstring").text = fault.string
        if fault.detail is not None:
            ElementTree.SubElement(f, "detail").append(fault.detail)
    elif body is not None:
        soap_body.append(body)
    ElementTree.register_namespace(ENV_PREFIX, SOAP_ENV)
    data: bytes = ElementTree.tostring(env, encoding="utf-8", xml_declaration=True)
    # XML parsers turn a literal CR in text into LF; ElementTree escapes it only in
    # attributes, and text is the only place one can be left, so escape it there too
    return data.replace(b"\r", b"&#13;")


def _to_etree(elem: Any) -> ElementTree.Element:
    return ElementTree.fromstring(etree.tostring(elem))


def _fault_code(element: Any) -> str:
    """The faultcode QName as ``soap:<Code>`` when its prefix is bound to the envelope
    namespace; otherwise its text as written."""
    text = (element.text or "").strip() if element is not None else ""
    prefix, _, local = text.rpartition(":")
    if element is not None and element.nsmap.get(prefix or None) == SOAP_ENV:
        return f"soap:{local}"
    return text


def envelope_root(data: bytes, parser: Any = _PARSER) -> Any:
    """The ``Envelope`` element of a SOAP 1.1 message, parsed with ``parser`` (hardened;
    the signature checker keeps blank text, which its digests cover)."""
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SoapError(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapError(f"not a SOAP 1.1 envelope (root is {root.tag})")
    return root


def parse(data: bytes) -> SoapMessage:
    """Split a SOAP 1.1 envelope into header blocks and the body element or fault."""
    root = envelope_root(data)
    header = root.find(f"{{{SOAP_ENV}}}Header")
    headers = tuple(_to_etree(h) for h in header) if header is not None else ()
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise SoapError("SOAP envelope has no Body")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapError(f"SOAP Body must hold exactly one element, found {len(children)}")
    child = children[0]
    if child.tag == f"{{{SOAP_ENV}}}Fault":
        detail = child.find("detail")
        detail_children = [c for c in detail if isinstance(c.tag, str)] if detail is not None \
            else []
        return SoapMessage(None, SoapFault(
            code=_fault_code(child.find("faultcode")),
            string=(child.findtext("faultstring") or "").strip(),
            detail=_to_etree(detail_children[0]) if detail_children else None,
        ), headers)
    return SoapMessage(_to_etree(child), None, headers)
