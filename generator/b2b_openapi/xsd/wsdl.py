"""Load one service folder (WSDL 1.1 + XSDs + samples) into the intermediate model.

Parsing is xmlschema's (``Wsdl11Document`` for WSDL, the XSD validator for schemas and
samples), through :mod:`b2b_openapi.xsd.documents`; this module turns its objects into
:class:`b2b_openapi.model.Service` and turns every failure into an :class:`ArtifactError`
naming file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import xmlschema
from xmlschema.validators import XsdElement

from b2b_openapi.codec import jsonxml
from b2b_openapi.errors import ArtifactError, one_line
from b2b_openapi.model import (
    ComplexType,
    Element,
    Fault,
    Message,
    Operation,
    Ref,
    Sample,
    Service,
    ServiceId,
    SimpleType,
)
from b2b_openapi.xsd.builder import ModelBuilder
from b2b_openapi.xsd.content import local_name
from b2b_openapi.xsd.documents import line_of, load_with_sources, parse_well_formed, sourceline
from b2b_openapi.xsd.locate import element_line

SERVICE_NAME = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9]*)_(?P<system>[A-Z]+)v(?P<version>[0-9]+)"
    r"(?:_(?P<variant>DocAttach))?$"
)


def parse_service_id(wsdl: Path) -> ServiceId:
    """``xsd/SIBR/RetrieveCleanBidSet_SIBRv5/RetrieveCleanBidSet_SIBRv5.wsdl`` -> ServiceId."""
    match = SERVICE_NAME.match(wsdl.stem)
    if not match:
        raise ArtifactError(
            f"service name {wsdl.stem!r} does not follow CAISO's <Name>_<SYSTEM>v<N>[_DocAttach] "
            "convention", wsdl)
    if wsdl.parent.name != wsdl.stem:
        raise ArtifactError(f"WSDL {wsdl.name} must live in a folder named {wsdl.stem}", wsdl)
    return ServiceId(
        name=match["name"], system=match["system"], version=int(match["version"]),
        variant=match["variant"], folder_system=wsdl.parent.parent.name,
    )


def load_service(wsdl: Path) -> Service:
    """Parse a WSDL, its schemas and samples into a Service."""
    service_id = parse_service_id(wsdl)
    document, sources = load_with_sources(wsdl)
    builder = ModelBuilder()

    bindings = [b for b in document.bindings.values() if b.soap_binding is not None]
    if not bindings:
        raise ArtifactError("no SOAP 1.1 binding (soap:binding) in WSDL", wsdl,
                            line_of(wsdl, "binding"))
    operations: list[Operation] = []
    for binding in bindings:
        if binding.soap_style != "document":
            raise ArtifactError(f"binding {binding.local_name!r} is not document/literal",
                                wsdl, line_of(wsdl, "binding", binding.local_name))
        for (op_name, _i, _o), op in sorted(binding.operations.items()):
            operations.append(_operation(wsdl, document.root, builder, op_name, op))
    names = [o.name for o in operations]
    if len(set(names)) != len(names):
        raise ArtifactError("operation names repeat across bindings", wsdl)

    ports = [p for s in document.services.values() for p in s.ports.values()] \
        if document.services else []
    endpoint = next((p.soap_location for p in ports if p.soap_location), None)
    service_elems = document.root.findall("{http://schemas.xmlsoap.org/wsdl/}service")
    if not any(e.get("name") == wsdl.stem for e in service_elems):
        raise ArtifactError(f"wsdl:service must be named {wsdl.stem!r} like its file", wsdl,
                            line_of(wsdl, "service"))
    return Service(
        id=service_id,
        wsdl=wsdl,
        target_namespace=document.target_namespace,
        doc=_wsdl_doc(document.root),
        endpoint=endpoint,
        operations=tuple(operations),
        components=dict(sorted(builder.components.items())),
        sources=sources,
    )


def _wsdl_doc(elem: Any) -> str | None:
    doc = elem.find("{http://schemas.xmlsoap.org/wsdl/}documentation")
    if doc is None:
        return None
    return " ".join("".join(doc.itertext()).split()) or None


def _body_element(wsdl: Path, root: Any, ref: Any, what: str, op_name: str) -> Any:
    """The element of the message part a SOAP body (or fault) carries."""
    if ref is None or ref.message is None:
        raise ArtifactError(f"operation {op_name!r} has no {what} message", wsdl,
                            line_of(wsdl, "operation", op_name))
    parts = dict(ref.message.parts)
    soap_body = getattr(ref, "soap_body", None)
    header_parts = {h.elem.get("part") for h in getattr(ref, "soap_headers", [])}
    if soap_body is not None and soap_body.parts:
        names = soap_body.parts
        unknown = [n for n in names if n not in parts]
        if unknown:
            raise ArtifactError(
                f"soap:body of the {what} of {op_name!r} names part {unknown[0]!r}, which "
                f"message {ref.message.local_name!r} does not have", wsdl,
                element_line(wsdl.resolve(), root, soap_body.elem))
    else:
        names = [n for n in parts if n not in header_parts]
    if len(names) != 1:
        raise ArtifactError(
            f"{what} of {op_name!r}: document/literal needs exactly one body part, found "
            f"{len(names)}", wsdl, line_of(wsdl, "message", ref.message.local_name))
    part = parts[names[0]]
    if not isinstance(part, XsdElement):
        raise ArtifactError(f"{what} part of {op_name!r} must reference an element "
                            "(element=), not a type", wsdl,
                            line_of(wsdl, "message", ref.message.local_name))
    return part


def _literal_only(wsdl: Path, root: Any, op_name: str, op: Any) -> None:
    """Refuse SOAP encoding (use="encoded"): its XML is shaped by the SOAP encoding rules,
    not by the XSD the JSON mapping is derived from."""
    refs = [op.input, op.output, *op.faults.values()]
    params = [p for ref in refs if ref is not None
              for p in (getattr(ref, "soap_body", None), getattr(ref, "soap_fault", None),
                        *getattr(ref, "soap_headers", ())) if p is not None]
    for param in params:
        if param.elem.get("use") == "encoded":
            raise ArtifactError(
                f"operation {op_name!r}: soap:{local_name(param.elem.tag)} use=\"encoded\" is "
                "not supported (document/literal only)", wsdl,
                element_line(wsdl.resolve(), root, param.elem))


def _operation(wsdl: Path, root: Any, builder: ModelBuilder, op_name: str,
               op: Any) -> Operation:
    _literal_only(wsdl, root, op_name, op)
    in_elem = _body_element(wsdl, root, op.input, "input", op_name)
    out_elem = _body_element(wsdl, root, op.output, "output", op_name)
    header = None
    for soap_header in getattr(op.input, "soap_headers", []):
        header = builder.element(soap_header.part)
    soap_action = op.soap_action
    if not soap_action:
        raise ArtifactError(f"operation {op_name!r} has no soapAction", wsdl,
                            line_of(wsdl, "operation", op_name))
    samples = wsdl.parent / "samples"
    input_msg = _message(builder, in_elem, samples, op_name, "input")
    output_msg = _message(builder, out_elem, samples, op_name, "output")
    faults = []
    for fault_name, fault in sorted(op.faults.items()):
        fault_elem = _body_element(wsdl, root, fault, "fault", op_name)
        faults.append(Fault(fault_name, _message(builder, fault_elem, samples,
                                                 op_name, "fault")))
    method: Literal["get", "post"] = (
        "get" if _is_flat_retrieve(op_name, input_msg.element, builder) else "post")
    return Operation(
        name=op_name,
        doc=_wsdl_doc(op.elem),
        soap_action=soap_action,
        http_method=method,
        path="/" + op_name,
        input=input_msg,
        output=output_msg,
        faults=tuple(faults),
        header=header,
    )


def _message(builder: ModelBuilder, xsd_element: Any, samples: Path,
             op_name: str, kind: str) -> Message:
    element = builder.element(xsd_element)
    found = sorted(samples.glob(f"{op_name}.{kind}.xml")) + sorted(
        samples.glob(f"{op_name}.{kind}.*.xml"))
    loaded = tuple(Sample(path, decode_sample(xsd_element, path))
                   for path in found)
    return Message(element=element, samples=loaded)


def decode_sample(xsd_element: Any, path: Path) -> object:
    """Validate a sample instance against its message element and decode it to JSON.

    The lxml tree is decoded, not an ElementTree one: it keeps the namespace declarations
    an ``xsi:type`` QName needs, and every element's line."""
    root = parse_well_formed(path).getroot()
    if root.tag != xsd_element.name:
        raise ArtifactError(f"sample root is {root.tag}, the message element is "
                            f"{xsd_element.name}", path, 1)
    try:  # the strict decode validates as it goes: no separate validation pass
        return jsonxml.decode(xsd_element, root)
    except xmlschema.XMLSchemaValidationError as exc:
        what = ("sample has no JSON form" if jsonxml.is_not_representable(exc)
                else "sample is not valid")
        line = sourceline(getattr(exc, "elem", None))
        raise ArtifactError(f"{what}: {one_line(exc.reason or str(exc))}", path,
                            line) from None


def _is_flat_retrieve(op_name: str, element: Element, builder: ModelBuilder) -> bool:
    """GET for read-only operations whose request is a flat record of simple values.

    Those map one-to-one onto query parameters; anything structured stays a POST body.
    """
    if not op_name.lower().startswith(("retrieve", "get")):
        return False
    body = element.type
    if isinstance(body, Ref):
        body = builder.components[body.component]
    if not isinstance(body, ComplexType) or body.attributes or body.open_content:
        return False
    if body.simple_content is not None or body.presence or not body.children:
        return False
    for child in body.children:
        child_type = child.type
        if isinstance(child_type, Ref):
            child_type = builder.components[child_type.component]
        if child.multiple or child.nillable or not isinstance(child_type, SimpleType):
            return False
        if child_type.variety != "atomic":
            return False
    return True
