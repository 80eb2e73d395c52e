"""Load one service folder (WSDL 1.1 + XSDs + samples) into the intermediate model.

Parsing is xmlschema's (``Wsdl11Document`` for WSDL, the XSD validator for schemas and
samples); this module turns its objects into :class:`b2b_openapi.model.Service` and turns
every failure into an :class:`ArtifactError` naming file and line.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from xml.etree import ElementTree

from lxml import etree

from b2b_openapi.errors import ArtifactError, one_line
from b2b_openapi.model import (
    Attachment,
    Child,
    ComplexType,
    Element,
    Fault,
    Message,
    Operation,
    Ref,
    RpcPart,
    Sample,
    Service,
)
from b2b_openapi.xsd import wellknown
from b2b_openapi.xsd.bindings import (
    Binding,
    MessageBinding,
    OperationBinding,
    addresses,
    declares_mtom,
    read_bindings,
)
from b2b_openapi.xsd.builder import ModelBuilder
from b2b_openapi.xsd.content import local_name
from b2b_openapi.xsd.identity import (
    SERVICE_NAME,
    api_base,
    derive,
    load_mapping,
    operation_path,
    parse_service_id,
)
from b2b_openapi.xsd.kinds import is_element
from b2b_openapi.xsd.locate import error_location, register_embedded_schemas
from b2b_openapi.xsd.packages import Artifact
from b2b_openapi.xsd.payload import find_payload_xsd, payload_element

if TYPE_CHECKING:
    from xmlschema.extras.wsdl import Wsdl11Document

# xmlschema (and the converter built on it) is imported by the functions that use it, not
# with this module: the spec stage's fast path (xsd/fastpath.py) shares this module's
# operation rules and reads no schema with xmlschema, and importing it is a good part of
# what that path saves (docs/performance.md).


@contextmanager
def _strict_imports() -> Iterator[None]:
    """xmlschema only *warns* about an unresolvable import/include; we refuse to build."""
    import xmlschema

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


def parse_well_formed(path: Path) -> Any:
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


def _first_schema_error(wsdl: Path, reached: Reached) -> ArtifactError | None:
    """Load each schema file on its own to pin an error xmlschema reported at the import."""
    import xmlschema

    for path in reached.files:
        if path.suffix != ".xsd":
            continue
        try:
            with _strict_imports():
                xmlschema.XMLSchema(str(path), allow="local", uri_mapper=reached.remap)
        except _xmlschema_errors() as exc:
            return _translate(exc, path)
    return None


def _schema_files(wsdl: Path, package: Path | None = None) -> list[Path]:
    """The WSDL and every schema file it reaches, checking each is well-formed and local."""
    return reach(wsdl, package).files


def _is_shared_folder(folder: Path, own: Path) -> bool:
    """A schema folder of its own (a corpus's common/, as tests/corpus/shared has), not this
    service's nor another service's (a _DocAttach variant importing its sibling's schemas
    shares them with one service only, and a parent per such pair would parse the common
    schemas again)."""
    return not folder.is_relative_to(own) and not any(folder.glob("*.wsdl"))


_XS = "{http://www.w3.org/2001/XMLSchema}"
_WSDL_IMPORT = "{http://schemas.xmlsoap.org/wsdl/}import"


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


@dataclass(frozen=True)
class Reached:
    """What a WSDL reaches: its files in walk order, the shared schema folders it imports
    from, the schemaLocations resolved other than at their relative path (for xmlschema's
    ``uri_mapper``) and the warnings that says."""

    files: list[Path]
    shared: set[Path]
    remap: dict[str, str]
    warnings: list[str]
    trees: dict[Path, Any] = field(default_factory=dict)  # each file's lxml tree
    # (file, schemaLocation) -> the file it resolved to
    targets: dict[tuple[Path, str], Path] = field(default_factory=dict)


def reach(wsdl: Path, package: Path | None = None) -> Reached:
    """Every file the WSDL reaches (in walk order), and the shared schema folders it
    xs:imports from.  A remote schemaLocation of a well-known W3C/OASIS schema resolves to
    a local copy; one that does not resolve at its relative path but names a unique file
    in the same package resolves to that file (with a warning)."""
    seen: list[Path] = []
    imported: set[Path] = set()  # folders of xs:import targets
    trees: dict[Path, Any] = {}  # each reached file parsed once
    remap: dict[str, str] = {}
    notes: list[str] = []
    targets: dict[tuple[Path, str], Path] = {}

    def parsed(path: Path) -> Any:
        if path not in trees:
            trees[path] = parse_well_formed(path)
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
            target = _resolve_location(path, elem, location, kind, package, notes)
            targets[path, location] = target
            if str(target) != str((path.parent / location).resolve()):
                remap[location] = target.as_uri()
            if kind == "import":
                imported.add(target.parent)
                _check_import_namespace(elem, location, parsed(target), path)
            todo.append(target)
        for elem in tree.iter(_WSDL_IMPORT):  # a concrete WSDL over an abstract one
            location = elem.get("location")
            if location and not re.match(r"^[a-z][a-z0-9+.-]*://", location):
                target = (path.parent / location).resolve()
                if not target.is_file():
                    raise ArtifactError(f"wsdl:import of {location!r}: file not found", path,
                                        _sourceline(elem))
                todo.append(target)
    own = wsdl.resolve().parent
    return Reached(seen, {folder for folder in imported if _is_shared_folder(folder, own)},
                   remap, notes, trees, targets)


def _resolve_location(path: Path, elem: Any, location: str, kind: str,
                      package: Path | None, notes: list[str]) -> Path:
    """The local file a schemaLocation stands for, or an ArtifactError saying why none."""
    known = wellknown.local_copy(location, elem.get("namespace"), package)
    if known is not None:
        return known
    if re.match(r"^[a-z][a-z0-9+.-]*://", location) and not location.startswith("file:"):
        raise ArtifactError(f"remote schemaLocation {location!r} is not allowed "
                            "(builds never use the network)", path, _sourceline(elem))
    target = (path.parent / location).resolve()
    if target.is_file():
        return target
    if package is not None:
        name = Path(location).name
        found = sorted({p.resolve() for p in package.rglob(name) if p.is_file()})
        if len(found) == 1:
            notes.append(f"{path}:{_sourceline(elem)}: {kind} of {location!r} not found "
                         f"there; resolved to {found[0]}, the package's only {name}")
            return found[0]
    raise ArtifactError(f"{kind} of {location!r}: file not found", path, _sourceline(elem))


def _xmlschema_errors() -> tuple[type[Exception], ...]:
    """What xmlschema raises for a schema it refuses (warnings made errors included)."""
    import xmlschema

    return (xmlschema.XMLSchemaException, ElementTree.ParseError, SyntaxError, ValueError,
            KeyError, xmlschema.XMLSchemaImportWarning, xmlschema.XMLSchemaIncludeWarning)


def _embedded_namespaces(wsdl: Path) -> set[str]:
    """targetNamespaces of the schemas embedded in the WSDL (ERCOT's Nodal.wsdl declares
    the namespace of the message schema it includes)."""
    root = parse_well_formed(wsdl).getroot()
    return {str(e.get("targetNamespace")) for e in root.iter(_XS + "schema")
            if e.get("targetNamespace")}


def load_wsdl(wsdl: Path | Artifact) -> Wsdl11Document:
    """Parse a WSDL and its schemas with xmlschema, refusing anything it only warns about."""
    artifact = as_artifact(wsdl)
    return _load(artifact.wsdl, artifact.package)[0]


def _load(wsdl: Path, package: Path | None = None
          ) -> tuple[Wsdl11Document, tuple[Path, ...], list[str]]:
    """The parsed WSDL, the files it reaches, sorted (the service's sources), and the
    warnings about how they were found.

    The schemas it imports from shared folders come already built from
    :mod:`b2b_openapi.xsd.shared` (parsed once per process, not once per service).
    """
    from xmlschema.extras.wsdl import Wsdl11Document

    from b2b_openapi.xsd import shared

    reached = reach(wsdl, package)
    parent = shared.parent_schema(reached.shared)  # with none, the WSDL meta-schema alone
    if parent is not None and _embedded_namespaces(wsdl) & set(parent.maps.namespaces):
        parent = None  # a WSDL schema in a shared namespace: xmlschema would merge them
    try:
        with _strict_imports(), shared.meta_checked_once():
            root = shared.service_root(parent) if parent is not None else None
            document = Wsdl11Document(  # type: ignore[no-untyped-call]
                str(wsdl), schema=root, validation="strict", allow="local",
                uri_mapper=reached.remap or None)
            register_embedded_schemas(wsdl, document.root)
            return document, tuple(sorted(reached.files)), reached.warnings
    except _xmlschema_errors() as exc:
        error = _translate(exc, wsdl)
        if error.path == wsdl and "import" in error.message:
            error = _first_schema_error(wsdl, reached) or error
        raise error from None


def as_artifact(source: Path | Artifact) -> Artifact:
    """A WSDL path as an Artifact: named by the corpus layout when it follows it, else
    derived from its artifacts (:mod:`b2b_openapi.xsd.identity`), its folder the package."""
    if isinstance(source, Artifact):
        return source
    if SERVICE_NAME.match(source.stem) and source.parent.name == source.stem:
        return Artifact(source, parse_service_id(source), source.parent.parent.parent,
                        corpus_layout=True)
    root = source.parent
    derived = derive(source, root, (), load_mapping(root))
    # a generated server's artifacts/ folder holds the whole package: schemaLocations
    # resolved elsewhere in the package at build time resolve there again
    package = next((p for p in source.parents if p.name == "artifacts"), root)
    return Artifact(source, derived.id, package, derived.release)


@dataclass(frozen=True)
class Reader:
    """How a service's schema components and samples are read.  :data:`REFERENCE` is
    xmlschema's; the spec stage's fast path (:mod:`b2b_openapi.xsd.fastpath`) plugs in the
    light reader and the model-driven decoder, so both build the model with the same
    operation and message rules below."""

    decode_sample: Callable[[Any, Path], object]
    decode_rpc_sample: Callable[[str, list[tuple[str, Any]], Path], object]
    payload_schema: Callable[[Path, Path | None], tuple[Any, Reached]]


@dataclass
class _Context:
    """What building one service's operations shares."""

    artifact: Artifact
    document: Any  # Wsdl11Document, or the light reader's WSDL document
    builder: ModelBuilder
    sources: tuple[Path, ...]
    mtom: bool
    warnings: list[str]
    reader: Reader | None = None  # None: REFERENCE (set after this module's functions)
    payload: tuple[Any, str] | None = None  # (xsd element, file name) once looked up
    payload_looked_up: bool = False

    @property
    def read(self) -> Reader:
        return self.reader or REFERENCE

    @property
    def wsdl(self) -> Path:
        return self.artifact.wsdl


def load_service(source: Path | Artifact) -> Service:
    """Parse a WSDL, its schemas and samples into a Service."""
    artifact = as_artifact(source)
    document, sources, notes = _load(artifact.wsdl, artifact.package)
    return build_service(artifact, document, sources, notes, REFERENCE)


def build_service(artifact: Artifact, document: Any, sources: tuple[Path, ...],
                  notes: list[str], reader: Reader) -> Service:
    """The Service of a parsed WSDL ``document`` (its schema components read by ``reader``),
    the files it reached and the warnings about how they were found."""
    wsdl = artifact.wsdl
    service_id = artifact.id
    tree = parse_well_formed(wsdl).getroot()
    found = read_bindings(tree)
    if not found:
        raise ArtifactError("abstract WSDL (no wsdl:binding): it describes no service "
                            "endpoint to build", wsdl)
    soap = _soap_bindings(found)
    if not soap:
        raise ArtifactError("no SOAP binding (soap:binding or soap12:binding) in WSDL", wsdl,
                            found[0].line)
    context = _Context(artifact, document, ModelBuilder(), sources, declares_mtom(tree),
                       list(notes), reader)
    operations: list[Operation] = []
    for binding in soap:
        port_ops = {key[0]: op for key, op in document.port_types[binding.port_type]
                    .operations.items()} if binding.port_type in document.port_types else {}
        for op_binding in sorted(binding.operations, key=lambda o: o.name):
            port_op = port_ops.get(op_binding.name)
            if port_op is None:
                raise ArtifactError(f"binding operation {op_binding.name!r} is not in port "
                                    "type", wsdl, op_binding.line)
            operations.append(_operation(context, op_binding, port_op))
    names = [o.name for o in operations]
    if len(set(names)) != len(names):
        raise ArtifactError("operation names repeat across bindings", wsdl)

    endpoint = next(iter(addresses(tree)), None)
    if artifact.corpus_layout:
        service_elems = document.root.findall("{http://schemas.xmlsoap.org/wsdl/}service")
        if not any(e.get("name") == wsdl.stem for e in service_elems):
            raise ArtifactError(f"wsdl:service must be named {wsdl.stem!r} like its file",
                                wsdl, _line_of(wsdl, "service"))
    styles = sorted({o.style for b in soap for o in b.operations})
    return Service(
        id=service_id,
        wsdl=wsdl,
        target_namespace=document.target_namespace,
        doc=_wsdl_doc(document.root),
        endpoint=endpoint,
        operations=tuple(operations),
        components=dict(sorted(context.builder.components.items())),
        sources=context.sources,
        binding=f"SOAP {soap[0].soap_version} {'+'.join(styles)}/literal",
        mtom=context.mtom,
        warnings=tuple(context.warnings + context.builder.warnings),
    )


def _soap_bindings(found: list[Binding]) -> list[Binding]:
    """The SOAP bindings to serve: one per port type, SOAP 1.1 preferred (a .NET WSDL
    binds its port type twice, once per SOAP version, with the same operations)."""
    chosen: dict[str | None, Binding] = {}
    for binding in found:
        if binding.soap_version is None:
            continue
        held = chosen.get(binding.port_type)
        if held is None or (held.soap_version == "1.2" and binding.soap_version == "1.1"):
            chosen[binding.port_type] = binding
    return [b for b in found if b.soap_version and chosen.get(b.port_type) is b]


def _wsdl_doc(elem: Any) -> str | None:
    doc = elem.find("{http://schemas.xmlsoap.org/wsdl/}documentation")
    if doc is None:
        return None
    return " ".join("".join(doc.itertext()).split()) or None


def _body_parts(ctx: _Context, ref: Any, bound: MessageBinding | None, what: str,
                op_name: str) -> list[tuple[str, Any]]:
    """The parts a SOAP body carries: those soap:body names, else every part that is not a
    header or a MIME attachment."""
    wsdl = ctx.wsdl
    if ref is None or ref.message is None:
        raise ArtifactError(f"operation {op_name!r} has no {what} message", wsdl,
                            _line_of(wsdl, "operation", op_name))
    parts = dict(ref.message.parts)
    message_name = ref.message.name
    header_parts = {h.part for h in (bound.headers if bound else ()) if h.message == message_name}
    attached = {p for p, _t in (bound.attachments if bound else ())}
    body = bound.body if bound else None
    if body is not None and body.parts is not None:
        unknown = [n for n in body.parts if n not in parts]
        if unknown:
            raise ArtifactError(
                f"soap:body of the {what} of {op_name!r} names part {unknown[0]!r}, which "
                f"message {ref.message.local_name!r} does not have", wsdl, body.line)
        names = list(body.parts)
    else:
        names = [n for n in parts if n not in header_parts and n not in attached]
    return [(n, parts[n]) for n in names]


def _document_element(ctx: _Context, ref: Any, parts: list[tuple[str, Any]], what: str,
                      op_name: str) -> Any:
    if len(parts) != 1:
        raise ArtifactError(
            f"{what} of {op_name!r}: document/literal needs exactly one body part, found "
            f"{len(parts)}", ctx.wsdl, _line_of(ctx.wsdl, "message", ref.message.local_name))
    part = parts[0][1]
    if not is_element(part):
        raise ArtifactError(f"{what} part of {op_name!r} must reference an element "
                            "(element=), not a type", ctx.wsdl,
                            _line_of(ctx.wsdl, "message", ref.message.local_name))
    return part


def _literal_only(wsdl: Path, op: OperationBinding) -> None:
    """Refuse SOAP encoding (use="encoded"): its XML is shaped by the SOAP encoding rules,
    not by the XSD the JSON mapping is derived from."""
    for side in (op.input, op.output):
        if side is None:
            continue
        for what, use, line in ([("body", side.body.use, side.body.line)] if side.body else
                                []) + [("header", h.use, h.line) for h in side.headers]:
            if use == "encoded":
                raise ArtifactError(
                    f"operation {op.name!r}: soap:{what} use=\"encoded\" is not supported "
                    "(literal only)", wsdl, line)
    for _name, use, line in op.faults:
        if use == "encoded":
            raise ArtifactError(f"operation {op.name!r}: soap:fault use=\"encoded\" is not "
                                "supported (literal only)", wsdl, line)


def _operation(ctx: _Context, ob: OperationBinding, op: Any) -> Operation:
    wsdl, op_name = ctx.wsdl, ob.name
    _literal_only(wsdl, ob)
    soap_action = ob.soap_action
    if not soap_action:
        raise ArtifactError(f"operation {op_name!r} has no soapAction", wsdl,
                            _line_of(wsdl, "operation", op_name))
    samples = wsdl.parent / "samples"
    input_msg = _side(ctx, ob, op.input, ob.input, "input", samples)
    output_msg = _side(ctx, ob, op.output, ob.output, "output", samples)
    faults = []
    for fault_name, fault in sorted(op.faults.items()):
        parts = _body_parts(ctx, fault, None, "fault", op_name)
        fault_elem = _document_element(ctx, fault, parts, "fault", op_name)
        faults.append(Fault(fault_name, _message(ctx, fault_elem, samples,
                                                 op_name, "fault")))
    return Operation(
        name=op_name,
        doc=_wsdl_doc(op.elem),
        soap_action=soap_action,
        path=operation_path(op_name),
        input=input_msg,
        output=output_msg,
        faults=tuple(faults),
        # the caller's identity header when the WSDL declares it (CAISO's real WSDLs do
        # not; their declared input header is a submit's standardAttachmentInfor)
        header=next((h for h in input_msg.headers
                     if local_name(h.qname) == "CAISOWSHeader"), None),
    )


def _headers(ctx: _Context, bound: MessageBinding | None) -> tuple[Element, ...]:
    out = []
    for header in bound.headers if bound else ():
        message = ctx.document.messages.get(header.message)
        part = message.parts.get(header.part) if message is not None else None
        if not is_element(part):
            raise ArtifactError(f"soap:header names part {header.part!r} of message "
                                f"{header.message!r}, which is not an element part",
                                ctx.wsdl, header.line)
        out.append(ctx.builder.element(part))
    return tuple(out)


def _side(ctx: _Context, ob: OperationBinding, ref: Any, bound: MessageBinding | None,
          what: str, samples: Path) -> Message:
    """One side (input or output) of an operation as the REST API speaks it."""
    parts = _body_parts(ctx, ref, bound, what, ob.name)
    headers = _headers(ctx, bound)
    attached = tuple(bound.attachments) if bound else ()
    if ob.style == "rpc":  # an attachment side's samples are payload documents, read below
        message = _rpc_message(ctx, ob, ref, bound, what, parts, samples,
                               with_attachments=False, load_samples=not attached)
    else:
        element = _document_element(ctx, ref, parts, what, ob.name)
        wrapped = bool(attached) or local_name(element.name) == "ISOAttachment"
        message = _message(ctx, element, samples, ob.name, what,
                           load_samples=not wrapped)
    form: Literal["docattach", "swa", "mtom"] | None = None
    if attached:
        form = "mtom" if ctx.mtom else "swa"
    elif ob.style == "document" and local_name(message.element.qname) == "ISOAttachment":
        form = "docattach"
    if form is None:
        return replace(message, headers=headers)
    payload = _payload(ctx)
    part = attached[0][0] if attached else (parts[0][0] if parts else None)
    if payload is None:
        ctx.warnings.append(
            f"{ctx.wsdl}: {ob.name} {what}: no payload XSD in the package for the "
            f"attachment, so the REST API carries it as the base64 text")
        if ob.style == "rpc":
            message = _rpc_message(ctx, ob, ref, bound, what, parts, samples,
                                   with_attachments=True)
        return replace(message, headers=headers, attachment=Attachment(
            form, None, None, part, attached[0][1] if attached else None,
            message.element.qname if form == "docattach" else None))
    xsd_element, file_name = payload
    json_element = ctx.builder.element(xsd_element)
    found = sorted(samples.glob(f"{ob.name}.{what}.xml"))
    loaded = tuple(Sample(p, ctx.read.decode_sample(xsd_element, p)) for p in found)
    return Message(
        element=json_element, samples=loaded, soap_element=message.element,
        rpc_parts=message.rpc_parts, headers=headers,
        attachment=Attachment(form, json_element.qname, file_name, part,
                              attached[0][1] if attached else None,
                              message.element.qname if form == "docattach" else None))


def _rpc_message(ctx: _Context, ob: OperationBinding, ref: Any,
                 bound: MessageBinding | None, what: str, parts: list[tuple[str, Any]],
                 samples: Path, with_attachments: bool, load_samples: bool = True) -> Message:
    """rpc/literal: the body is a wrapper element named after the operation (``Response``
    appended for the output) in soap:body's namespace, one child per part: a type= part
    an unqualified element named after the part, an element= part that element."""
    namespace = (bound.body.namespace if bound and bound.body else None) \
        or ctx.document.target_namespace
    local = ob.name + ("Response" if what == "output" else "")
    qname = f"{{{namespace}}}{local}" if namespace else local
    if with_attachments and bound is not None:
        message_parts = dict(ref.message.parts)
        parts = parts + [(p, message_parts[p]) for p, _t in bound.attachments
                         if p in message_parts]
    children = []
    rpc_parts = []
    for order, (name, part) in enumerate(parts):
        if is_element(part):
            type_ref = ctx.builder.element(part).type
            rpc_parts.append(RpcPart(name, element_name=part.name))
            xml_name = part.name
        else:
            type_ref = ctx.builder.type(part)
            rpc_parts.append(RpcPart(name, type_name=part.name))
            xml_name = name
        children.append(Child(key=name, xml_name=xml_name, type=type_ref, min_occurs=1,
                              max_occurs=1, multiple=False, order=order))
    key = "element:" + qname
    ctx.builder.components[key] = ComplexType(
        name=local, qname=qname, doc=f"The rpc/literal {what} wrapper of {ob.name}.",
        attributes=(), children=tuple(children), required=tuple(c.key for c in children),
        compositor="sequence")
    element = Element(qname=qname, type=Ref(key))
    found = sorted(samples.glob(f"{ob.name}.{what}.xml")) + sorted(
        samples.glob(f"{ob.name}.{what}.*.xml")) if load_samples else []
    loaded = tuple(Sample(p, ctx.read.decode_rpc_sample(qname, parts, p)) for p in found)
    return Message(element=element, samples=loaded, rpc_parts=tuple(rpc_parts))


def _decode_rpc_sample(qname: str, parts: list[tuple[str, Any]], path: Path) -> object:
    """An rpc/literal sample (the wrapper element) as the REST JSON: each part's child
    decoded with its element, or a type= part with an unqualified element of its type."""
    import xmlschema

    from b2b_openapi.codec import jsonxml

    root = parse_well_formed(path).getroot()
    if root.tag != qname:
        raise ArtifactError(f"sample root is {root.tag}, the rpc wrapper is {qname}", path, 1)
    value: dict[str, object] = {}
    for name, part in parts:
        if is_element(part):
            element, child = part, root.find(part.name)
        else:
            element = part.schema.create_element(name, parent=part, form="unqualified")
            element.type = part
            child = root.find(name)
        if child is None:
            raise ArtifactError(f"rpc sample has no part {name!r}", path, _sourceline(root))
        try:
            value[name] = jsonxml.decode(element, child)
        except xmlschema.XMLSchemaValidationError as exc:
            raise ArtifactError(f"sample is not valid: {one_line(exc.reason or str(exc))}",
                                path, _sourceline(getattr(exc, "elem", None))) from None
    return value


def _payload(ctx: _Context) -> tuple[Any, str] | None:
    """The payload document's element (once per service), from the package."""
    if ctx.payload_looked_up:
        return ctx.payload
    ctx.payload_looked_up = True
    declared = [str(v) for v in parse_well_formed(ctx.wsdl).getroot().nsmap.values()]
    found = find_payload_xsd(ctx.artifact, declared, ctx.sources)
    if found is None:
        return None
    schema, reached = ctx.read.payload_schema(found.path, ctx.artifact.package)
    ctx.warnings.extend(w for w in reached.warnings if w not in ctx.warnings)
    element = payload_element(schema, found, api_base(ctx.artifact.id.name))
    if element is None:
        ctx.warnings.append(f"{found.path}: no payload element found (name it with "
                            "payload_element in the mapping file)")
        return None
    ctx.sources = tuple(sorted({*ctx.sources, *reached.files}))
    ctx.payload = (element, found.path.name)
    return ctx.payload


def load_payload_schema(path: Path, package: Path | None = None) -> Any:
    """A payload XSD (``x-caiso-attachment.payloadSchema``) parsed as the build parses it:
    its imports resolved alike, never the network; an error is an :class:`ArtifactError`."""
    return _payload_schema(path, package)[0]


def _payload_schema(path: Path, package: Path | None) -> tuple[Any, Reached]:
    import xmlschema

    from b2b_openapi.xsd import shared

    reached = reach(path, package)  # its own imports, resolved like the WSDL's
    try:
        with _strict_imports(), shared.meta_checked_once():
            schema = xmlschema.XMLSchema(str(path), allow="local",
                                         uri_mapper=reached.remap or None)
    except _xmlschema_errors() as exc:
        raise _translate(exc, path) from None
    return schema, reached


def _message(ctx: _Context, xsd_element: Any, samples: Path,
             op_name: str, kind: str, load_samples: bool = True) -> Message:
    """A document/literal message and its samples (none read for a side whose samples are
    the payload documents of its attachment)."""
    element = ctx.builder.element(xsd_element)
    found = sorted(samples.glob(f"{op_name}.{kind}.xml")) + sorted(
        samples.glob(f"{op_name}.{kind}.*.xml")) if load_samples else []
    loaded = tuple(Sample(path, ctx.read.decode_sample(xsd_element, path))
                   for path in found)
    return Message(element=element, samples=loaded)


def decode_sample(xsd_element: Any, path: Path) -> object:
    """Validate a sample instance against its message element and decode it to JSON.

    The lxml tree is decoded, not an ElementTree one: it keeps the namespace declarations
    an ``xsi:type`` QName needs, and every element's line."""
    import xmlschema

    from b2b_openapi.codec import jsonxml

    root = parse_well_formed(path).getroot()
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




REFERENCE = Reader(decode_sample, _decode_rpc_sample, _payload_schema)
