"""Read a WSDL's SOAP bindings the way real artifacts write them.

xmlschema's WSDL reader knows SOAP 1.1 ``soap:body`` / ``soap:header`` as direct children of
an operation's input or output.  Real CAISO and ERCOT artifacts also use SOAP 1.2
(``wsdl/soap12/``), ``mime:multipartRelated`` (SOAP with Attachments: the body inside the
first ``mime:part``, the attachment a ``mime:content`` part), output headers, several
headers per message, rpc style (the wrapper element's namespace on ``soap:body``) and
MTOM policy assertions.  This module reads those from the WSDL's lxml tree (lines kept for
errors); messages and parts stay xmlschema's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
MIME = "http://schemas.xmlsoap.org/wsdl/mime/"
_SOAP = {SOAP11: "1.1", SOAP12: "1.2"}
# MTOM assertions: WS-Policy 1.2/1.5 serialisation policy, and WCF's wsdl hint
_MTOM = ("OptimizedMimeSerialization", "MTOM")


def _line(elem: Any) -> int | None:
    line = getattr(elem, "sourceline", None)
    return int(line) if isinstance(line, int) else None


def _qname(elem: Any, value: str | None) -> str | None:
    """A QName attribute value as ``{namespace}local``."""
    if not value:
        return None
    prefix, _, local = value.rpartition(":")
    namespace = elem.nsmap.get(prefix or None, "")
    return f"{{{namespace}}}{local}" if namespace else local


@dataclass(frozen=True)
class Body:
    parts: tuple[str, ...] | None  # None: every part not bound elsewhere
    namespace: str | None  # rpc: the wrapper element's namespace
    use: str | None
    line: int | None


@dataclass(frozen=True)
class Header:
    message: str  # {ns}local of the wsdl:message
    part: str
    use: str | None
    line: int | None


@dataclass(frozen=True)
class MessageBinding:
    body: Body | None
    headers: tuple[Header, ...]
    attachments: tuple[tuple[str, str], ...]  # (part, MIME type) of mime:content parts
    line: int | None


@dataclass(frozen=True)
class OperationBinding:
    name: str
    soap_action: str | None
    style: Literal["document", "rpc"]
    input: MessageBinding | None
    output: MessageBinding | None
    faults: tuple[tuple[str, str | None, int | None], ...]  # (name, use, line)
    line: int | None


@dataclass(frozen=True)
class Binding:
    name: str
    port_type: str | None
    soap_version: Literal["1.1", "1.2"] | None  # None: not a SOAP binding (HTTP, ...)
    style: Literal["document", "rpc"]
    operations: tuple[OperationBinding, ...]
    line: int | None


def _soap_child(elem: Any, local: str) -> tuple[Any, str] | None:
    for namespace in (SOAP11, SOAP12):
        found = elem.find(f"{{{namespace}}}{local}")
        if found is not None:
            return found, namespace
    return None


def _style(value: str | None, default: Literal["document", "rpc"]
           ) -> Literal["document", "rpc"]:
    return "rpc" if value == "rpc" else "document" if value == "document" else default


def _message_binding(elem: Any | None) -> MessageBinding | None:
    if elem is None:
        return None
    holders = [elem]
    attachments: list[tuple[str, str]] = []
    related = elem.find(f"{{{MIME}}}multipartRelated")
    if related is not None:
        for part in related.iterfind(f"{{{MIME}}}part"):
            holders.append(part)
            for content in part.iterfind(f"{{{MIME}}}content"):
                if content.get("part"):
                    attachments.append((content.get("part"), content.get("type", "")))
    body = None
    headers: list[Header] = []
    for holder in holders:
        for child in holder:
            if not isinstance(child.tag, str):
                continue
            namespace, local = etree.QName(child).namespace, etree.QName(child).localname
            if namespace not in _SOAP:
                continue
            if local == "body" and body is None:
                parts = child.get("parts")
                body = Body(tuple(parts.split()) if parts is not None else None,
                            child.get("namespace"), child.get("use"), _line(child))
            elif local == "header":
                message = _qname(child, child.get("message"))
                if message and child.get("part"):
                    headers.append(Header(message, child.get("part"), child.get("use"),
                                          _line(child)))
    return MessageBinding(body, tuple(headers), tuple(attachments), _line(elem))


def read_bindings(root: Any) -> list[Binding]:
    """Every wsdl:binding of the WSDL (lxml root), SOAP or not."""
    out = []
    for binding in root.iterfind(f"{{{WSDL_NS}}}binding"):
        found = _soap_child(binding, "binding")
        version = _SOAP[found[1]] if found else None
        style = _style(found[0].get("style") if found else None, "document")
        operations = []
        for op in binding.iterfind(f"{{{WSDL_NS}}}operation"):
            soap_op = _soap_child(op, "operation")
            soap_elem = soap_op[0] if soap_op else None
            faults = []
            for fault in op.iterfind(f"{{{WSDL_NS}}}fault"):
                soap_fault = _soap_child(fault, "fault")
                faults.append((fault.get("name", ""),
                               soap_fault[0].get("use") if soap_fault else None,
                               _line(soap_fault[0] if soap_fault else fault)))
            operations.append(OperationBinding(
                name=op.get("name", ""),
                soap_action=soap_elem.get("soapAction") if soap_elem is not None else None,
                style=_style(soap_elem.get("style") if soap_elem is not None else None, style),
                input=_message_binding(op.find(f"{{{WSDL_NS}}}input")),
                output=_message_binding(op.find(f"{{{WSDL_NS}}}output")),
                faults=tuple(faults), line=_line(op)))
        out.append(Binding(binding.get("name", ""), _qname(binding, binding.get("type")),
                           version, style, tuple(operations), _line(binding)))  # type: ignore[arg-type]
    return out


def addresses(root: Any) -> list[str]:
    """soap:address / soap12:address locations of the WSDL's ports."""
    found = []
    for port in root.iter(f"{{{WSDL_NS}}}port"):
        address = _soap_child(port, "address")
        if address is not None and address[0].get("location"):
            found.append(str(address[0].get("location")))
    return found


def declares_mtom(root: Any) -> bool:
    """The WSDL carries an MTOM policy assertion (wsoma:OptimizedMimeSerialization...)."""
    return any(isinstance(e.tag, str) and etree.QName(e).localname in _MTOM
               for e in root.iter())
