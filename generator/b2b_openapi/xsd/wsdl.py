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
from b2b_openapi.xsd import shared
from b2b_openapi.xsd.builder import ModelBuilder
from b2b_openapi.xsd.content import local_name
from b2b_openapi.xsd.locate import element_line, error_location, register_embedded_schemas

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


@contextmanager
def _strict_imports() -> Iterator[None]:
    """xmlschema only *warns* about an unresolvable import/include; we refuse to build."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
        warnings.simplefilter("error", xmlschema.XMLSchemaIncludeWarning)
        yield


def _line_of(path: Path, tag: str | None = None, name: str | None = None,
             refers_to: str | None = None) -> int | None:
    """Line of the first element with local name ``tag``, ``@name`` equal to ``name`` and a
    QName-valued attribute (other than @name) whose local part is ``refers_to``."""
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
        if refers_to and not any(str(v).rsplit(":", 1)[-1] == refers_to
                                 for k, v in elem.attrib.items() if k != "name"):
            continue
        return _sourceline(elem)
    return None


def _sourceline(elem: Any) -> int | None:
    line = getattr(elem, "sourceline", None)
    return int(line) if isinstance(line, int) else None


def _parse_well_formed(path: Path) -> Any:
    """The file's lxml tree, or an ArtifactError naming the line that is not well-formed."""
    try:
        return etree.parse(str(path))
    except OSError as exc:
        raise ArtifactError(f"cannot read file: {exc}", path) from None
    except etree.XMLSyntaxError as exc:
        raise ArtifactError(f"malformed XML: {exc.msg}", path, exc.lineno) from None


def _translate(exc: Exception, wsdl: Path) -> ArtifactError:
    """Turn an xmlschema exception into a one-line ArtifactError with the best location."""
    if isinstance(exc, ArtifactError):
        return exc
    path, line = error_location(exc)
    message = one_line(str(getattr(exc, "message", None) or exc))
    reason = getattr(exc, "reason", None)
    if reason and reason not in message:
        message = f"{message}: {one_line(str(reason))}"
    elem = getattr(exc, "elem", None)
    if elem is not None and isinstance(getattr(elem, "tag", None), str):
        message = f"in <{local_name(elem.tag)}>: {message}"
    if path is None:  # WSDL-level problems carry no element: find what the message names
        path = wsdl
        names = re.findall(r"'(?:\{[^}]*\})?(?:[\w.-]+:)?([\w.-]+)'", message)
        line = next((n for n in (_line_mentioning(wsdl, name) for name in names) if n), None)
    return ArtifactError(message, path, line)


def _line_mentioning(path: Path, name: str) -> int | None:
    """Line of the element named ``name``, else of the first one referring to it."""
    return _line_of(path, name=name) or _line_of(path, refers_to=name)


def _first_schema_error(wsdl: Path) -> ArtifactError | None:
    """Load each schema file on its own to pin an error xmlschema reported at the import."""
    for path in _schema_files(wsdl):
        if path.suffix != ".xsd":
            continue
        try:
            with _strict_imports():
                xmlschema.XMLSchema(str(path), allow="local")
        except _XMLSCHEMA_ERRORS as exc:
            return _translate(exc, path)
    return None


def _schema_files(wsdl: Path) -> list[Path]:
    """The WSDL and every schema file it reaches, checking each is well-formed and local."""
    return _reach(wsdl)[0]


def _is_shared_folder(folder: Path, own: Path) -> bool:
    """A schema folder of its own (xsd/common), not this service's nor another service's
    (a _DocAttach variant importing its sibling's schemas shares them with one service only,
    and a parent per such pair would parse the common schemas again)."""
    return not folder.is_relative_to(own) and not any(folder.glob("*.wsdl"))


_XS = "{http://www.w3.org/2001/XMLSchema}"


def _check_import_namespace(elem: Any, location: str, tree: Any, path: Path) -> None:
    """An xs:import's namespace must be the imported schema's targetNamespace (XSD 1.0
    4.2.3); xmlschema reports a mismatch against the importing <schema>, without a line."""
    expected = elem.get("namespace") or None
    found = tree.getroot().get("targetNamespace") or None
    if expected != found:
        what = f"import of namespace {expected!r}" if expected else "import without a namespace"
        has = f"'s targetNamespace is {found!r}" if found else " has no targetNamespace"
        raise ArtifactError(f"{what} from {location!r}: that schema{has}", path,
                            _sourceline(elem))


def _reach(wsdl: Path) -> tuple[list[Path], set[Path]]:
    """Every file the WSDL reaches (in walk order), and the shared schema folders it
    xs:imports from."""
    seen: list[Path] = []
    imported: set[Path] = set()  # folders of xs:import targets
    trees: dict[Path, Any] = {}  # each reached file parsed once

    def parsed(path: Path) -> Any:
        if path not in trees:
            trees[path] = _parse_well_formed(path)
        return trees[path]

    todo = [wsdl.resolve()]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        tree = parsed(path)
        for elem in tree.iter(_XS + "import", _XS + "include", _XS + "redefine"):
            location = elem.get("schemaLocation")
            if not location:
                continue
            kind = etree.QName(elem).localname
            if re.match(r"^[a-z][a-z0-9+.-]*://", location) and not location.startswith("file:"):
                raise ArtifactError(f"remote schemaLocation {location!r} is not allowed "
                                    "(builds never use the network)", path, _sourceline(elem))
            target = (path.parent / location).resolve()
            if not target.is_file():
                raise ArtifactError(f"{kind} of {location!r}: file not found", path,
                                    _sourceline(elem))
            if kind == "import":
                imported.add(target.parent)
                _check_import_namespace(elem, location, parsed(target), path)
            todo.append(target)
    own = wsdl.resolve().parent
    return seen, {folder for folder in imported if _is_shared_folder(folder, own)}


_XMLSCHEMA_ERRORS = (xmlschema.XMLSchemaException, ElementTree.ParseError, SyntaxError,
                     ValueError, KeyError, xmlschema.XMLSchemaImportWarning,
                     xmlschema.XMLSchemaIncludeWarning)


def preload_shared(wsdl: Path) -> None:
    """Build the shared schemas this service imports in this process, before a process pool
    forks: the workers inherit them, so they are parsed once per build, not once per worker.
    A problem is left for the service's own load to report."""
    try:
        _files, shared_folders = _reach(wsdl)
    except ArtifactError:
        return
    if shared_folders:
        shared.parent_schema(shared_folders)


def load_wsdl(wsdl: Path) -> Wsdl11Document:
    """Parse a WSDL and its schemas with xmlschema, refusing anything it only warns about."""
    return _load(wsdl)[0]


def _load(wsdl: Path) -> tuple[Wsdl11Document, tuple[Path, ...]]:
    """The parsed WSDL and the files it reaches, sorted (the service's sources).

    The schemas it imports from shared folders come already built from
    :mod:`b2b_openapi.shared` (parsed once per process, not once per service).
    """
    files, shared_folders = _reach(wsdl)
    parent = shared.parent_schema(shared_folders) if shared_folders else None
    try:
        with _strict_imports():
            root = shared.service_root(parent) if parent is not None else None
            document = Wsdl11Document(  # type: ignore[no-untyped-call]
                str(wsdl), schema=root, validation="strict", allow="local")
            register_embedded_schemas(wsdl, document.root)
            return document, tuple(sorted(files))
    except _XMLSCHEMA_ERRORS as exc:
        error = _translate(exc, wsdl)
        if error.path == wsdl and "import" in error.message:
            error = _first_schema_error(wsdl) or error
        raise error from None


def load_service(wsdl: Path) -> Service:
    """Parse a WSDL, its schemas and samples into a Service."""
    service_id = parse_service_id(wsdl)
    document, sources = _load(wsdl)
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
                            _line_of(wsdl, "service"))
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
                            _line_of(wsdl, "operation", op_name))
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
            f"{len(names)}", wsdl, _line_of(wsdl, "message", ref.message.local_name))
    part = parts[names[0]]
    if not isinstance(part, XsdElement):
        raise ArtifactError(f"{what} part of {op_name!r} must reference an element "
                            "(element=), not a type", wsdl,
                            _line_of(wsdl, "message", ref.message.local_name))
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
                            _line_of(wsdl, "operation", op_name))
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
    root = _parse_well_formed(path).getroot()
    if root.tag != xsd_element.name:
        raise ArtifactError(f"sample root is {root.tag}, the message element is "
                            f"{xsd_element.name}", path, 1)
    try:  # the strict decode validates as it goes: no separate validation pass
        return jsonxml.decode(xsd_element, root)
    except xmlschema.XMLSchemaValidationError as exc:
        what = ("sample has no JSON form" if jsonxml.is_not_representable(exc)
                else "sample is not valid")
        line = _sourceline(getattr(exc, "elem", None))
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
