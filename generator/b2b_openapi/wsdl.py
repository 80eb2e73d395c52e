"""Load one service folder (WSDL 1.1 + XSDs + samples) into the intermediate model.

Parsing is xmlschema's (``Wsdl11Document`` for WSDL, the XSD validator for schemas and
samples); this module turns its objects into :class:`b2b_openapi.model.Service` and turns
every failure into an :class:`ArtifactError` naming file and line.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

import xmlschema
from lxml import etree
from xmlschema.extras.wsdl import Wsdl11Document
from xmlschema.validators import XsdElement

from . import jsonxml
from .content import local_name
from .errors import ArtifactError, one_line
from .model import (
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
from .xsdmodel import ModelBuilder

SERVICE_NAME = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9]*)_(?P<system>[A-Z]+)v(?P<version>[0-9]+)"
    r"(?:_(?P<variant>DocAttach))?$"
)
SAMPLE_KINDS = ("input", "output", "fault")


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


@contextmanager
def _strict_imports() -> Iterator[None]:
    """xmlschema only *warns* about an unresolvable import/include; we refuse to build."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
        warnings.simplefilter("error", xmlschema.XMLSchemaIncludeWarning)
        yield


def _line_of(path: Path, tag: str | None = None, name: str | None = None) -> int | None:
    """Line of the first element with local name ``tag`` (and ``@name``) in an XML file."""
    try:
        tree = etree.parse(str(path))
    except (OSError, etree.XMLSyntaxError):
        return None
    for elem in tree.iter():
        if not isinstance(elem.tag, str):
            continue
        if tag and etree.QName(elem).localname != tag:
            continue
        if name and elem.get("name") != name:
            continue
        return _sourceline(elem)
    return None


def _sourceline(elem: Any) -> int | None:
    line = getattr(elem, "sourceline", None)
    return int(line) if isinstance(line, int) else None


def _check_well_formed(path: Path) -> None:
    try:
        etree.parse(str(path))
    except OSError as exc:
        raise ArtifactError(f"cannot read file: {exc}", path) from None
    except etree.XMLSyntaxError as exc:
        raise ArtifactError(f"malformed XML: {exc.msg}", path, exc.lineno) from None


def _translate(exc: Exception, default_path: Path) -> ArtifactError:
    """Turn an xmlschema exception into a one-line ArtifactError with the best location."""
    if isinstance(exc, ArtifactError):
        return exc
    url = getattr(exc, "url", None) or getattr(getattr(exc, "schema", None), "url", None)
    path = Path(str(url).removeprefix("file://")) if url else default_path
    line = getattr(exc, "sourceline", None)
    message = getattr(exc, "message", None) or getattr(exc, "reason", None) or str(exc)
    reason = getattr(exc, "reason", None)
    if reason and reason != message:
        message = f"{message}: {reason}"
    elem = getattr(exc, "elem", None)
    if line is None and elem is not None and path.suffix in (".xsd", ".wsdl"):
        tag = local_name(str(elem.tag))
        line = _line_of(path, tag, elem.get("name"))
    if isinstance(exc, xmlschema.XMLSchemaImportWarning | xmlschema.XMLSchemaIncludeWarning):
        message = "missing or unreadable import: " + str(exc)
    return ArtifactError(one_line(str(message)), path, line)


def _check_schema_files(wsdl: Path) -> None:
    """Well-formedness of the WSDL and every schema it reaches, with line numbers."""
    seen: set[Path] = set()
    todo = [wsdl]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        _check_well_formed(path)
        tree = etree.parse(str(path))
        for elem in tree.iter("{http://www.w3.org/2001/XMLSchema}import",
                              "{http://www.w3.org/2001/XMLSchema}include"):
            location = elem.get("schemaLocation")
            if not location:
                continue
            if re.match(r"^[a-z][a-z0-9+.-]*://", location) and not location.startswith("file:"):
                raise ArtifactError(f"remote schemaLocation {location!r} is not allowed "
                                    "(builds never use the network)", path, _sourceline(elem))
            target = (path.parent / location).resolve()
            if not target.is_file():
                raise ArtifactError(f"{etree.QName(elem).localname} of {location!r}: "
                                    "file not found", path, _sourceline(elem))
            todo.append(target)


def load_wsdl(wsdl: Path) -> Wsdl11Document:
    _check_schema_files(wsdl)
    try:
        with _strict_imports():
            return Wsdl11Document(  # type: ignore[no-untyped-call]
                str(wsdl), validation="strict", allow="local")
    except ArtifactError:
        raise
    except (xmlschema.XMLSchemaException, ElementTree.ParseError, SyntaxError, ValueError,
            KeyError, xmlschema.XMLSchemaImportWarning,
            xmlschema.XMLSchemaIncludeWarning) as exc:
        raise _translate(exc, wsdl) from None


def load_service(wsdl: Path) -> Service:
    """Parse a WSDL, its schemas and samples into a Service."""
    service_id = parse_service_id(wsdl)
    document = load_wsdl(wsdl)
    builder = ModelBuilder()

    bindings = [b for b in document.bindings.values() if b.soap_binding is not None]
    if not bindings:
        raise ArtifactError("no SOAP 1.1 binding (soap:binding) in WSDL", wsdl,
                            _line_of(wsdl, "binding"))
    operations: list[Operation] = []
    for binding in bindings:
        if binding.soap_style != "document":
            raise ArtifactError(f"binding {binding.local_name!r} is not document/literal",
                                wsdl, _line_of(wsdl, "binding", binding.local_name))
        for (op_name, _i, _o), op in sorted(binding.operations.items()):
            operations.append(_operation(wsdl, document, builder, op_name, op))
    names = [o.name for o in operations]
    if len(set(names)) != len(names):
        raise ArtifactError("operation names repeat across bindings", wsdl)

    ports = [p for s in document.services.values() for p in s.ports.values()] \
        if document.services else []
    endpoint = next((p.soap_location for p in ports if p.soap_location), None)
    service_elems = document.root.findall("{http://schemas.xmlsoap.org/wsdl/}service")
    if not any(e.get("name") == wsdl.stem for e in service_elems):
        raise ArtifactError(f"wsdl:service must be named {wsdl.stem!r} like its file", wsdl,
                            _line_of(wsdl, "service"))
    return Service(
        id=service_id,
        wsdl=wsdl,
        target_namespace=document.target_namespace,
        doc=_wsdl_doc(document.root),
        endpoint=endpoint,
        operations=tuple(operations),
        components=dict(sorted(builder.components.items())),
    )


def _wsdl_doc(elem: Any) -> str | None:
    doc = elem.find("{http://schemas.xmlsoap.org/wsdl/}documentation")
    if doc is None:
        return None
    return " ".join("".join(doc.itertext()).split()) or None


def _body_element(wsdl: Path, ref: Any, what: str, op_name: str) -> Any:
    if ref is None or ref.message is None:
        raise ArtifactError(f"operation {op_name!r} has no {what} message", wsdl,
                            _line_of(wsdl, "operation", op_name))
    parts = dict(ref.message.parts)
    soap_body = getattr(ref, "soap_body", None)
    header_parts = {h.elem.get("part") for h in getattr(ref, "soap_headers", [])}
    names = (soap_body.parts if soap_body is not None and soap_body.parts else
             [n for n in parts if n not in header_parts])
    if len(names) != 1:
        raise ArtifactError(
            f"{what} of {op_name!r}: document/literal needs exactly one body part, found "
            f"{len(names)}", wsdl, _line_of(wsdl, "message", ref.message.local_name))
    part = parts[names[0]]
    if not isinstance(part, XsdElement):
        raise ArtifactError(f"{what} part of {op_name!r} must reference an element "
                            "(element=), not a type", wsdl,
                            _line_of(wsdl, "message", ref.message.local_name))
    return part


def _operation(wsdl: Path, document: Any, builder: ModelBuilder, op_name: str,
               op: Any) -> Operation:
    in_elem = _body_element(wsdl, op.input, "input", op_name)
    out_elem = _body_element(wsdl, op.output, "output", op_name)
    header = None
    for soap_header in getattr(op.input, "soap_headers", []):
        header = builder.element(soap_header.part)
    soap_action = op.soap_action
    if not soap_action:
        raise ArtifactError(f"operation {op_name!r} has no soapAction", wsdl,
                            _line_of(wsdl, "operation", op_name))
    samples = wsdl.parent / "samples"
    input_msg = _message(builder, document, in_elem, samples, op_name, "input")
    output_msg = _message(builder, document, out_elem, samples, op_name, "output")
    faults = []
    for fault_name, fault in sorted(op.faults.items()):
        fault_elem = _body_element(wsdl, fault, "fault", op_name)
        faults.append(Fault(fault_name, _message(builder, document, fault_elem, samples,
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


def _message(builder: ModelBuilder, document: Any, xsd_element: Any, samples: Path,
             op_name: str, kind: str) -> Message:
    element = builder.element(xsd_element)
    found = sorted(samples.glob(f"{op_name}.{kind}.xml")) + sorted(
        samples.glob(f"{op_name}.{kind}.*.xml"))
    loaded = tuple(Sample(path, decode_sample(xsd_element, path))
                   for path in found)
    return Message(element=element, samples=loaded)


def decode_sample(xsd_element: Any, path: Path) -> object:
    """Validate a sample instance against its message element and decode it to JSON."""
    _check_well_formed(path)
    root = ElementTree.parse(path).getroot()
    if root.tag != xsd_element.name:
        raise ArtifactError(f"sample root is {root.tag}, the message element is "
                            f"{xsd_element.name}", path, 1)
    lxml_root = etree.parse(str(path)).getroot()
    for exc in xsd_element.iter_errors(root):
        line = _sample_error_line(exc, lxml_root)
        raise ArtifactError("sample is not valid: " + one_line(exc.reason or str(exc)), path,
                            line)
    return jsonxml.decode(xsd_element, root)


def _sample_error_line(exc: Any, lxml_root: Any) -> int | None:
    path = getattr(exc, "path", None)
    if not path:
        return None
    try:
        found = lxml_root.getroottree().xpath(_local_xpath(path))
    except etree.XPathError:
        return None
    return _sourceline(found[0]) if found else None


def _local_xpath(path: str) -> str:
    steps = []
    for step in path.strip("/").split("/"):
        m = re.match(r"^(?:\{[^}]*\}|[\w.-]+:)?([\w.-]+)(\[\d+\])?$", step)
        if not m:
            return "/*"
        steps.append(f"*[local-name()='{m[1]}']{m[2] or ''}")
    return "/" + "/".join(steps)


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
