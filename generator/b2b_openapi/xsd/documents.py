"""Parse a WSDL and every schema it reaches, strictly, with errors located.

What the gateway and the SOAP mock need at run time (the parsed schemas, to encode and
validate XML), apart from :mod:`b2b_openapi.xsd.wsdl`, which turns the parsed documents into
the intermediate model: loading a WSDL must not pull in the model builder and the OpenAPI
schema emitter behind it.  Every xmlschema failure becomes an :class:`ArtifactError` naming
file and line; shared schema folders (xsd/common) are built once per process
(:mod:`b2b_openapi.xsd.shared`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import xmlschema
from lxml import etree
from xmlschema.extras.wsdl import Wsdl11Document

from b2b_openapi.errors import ArtifactError, one_line
from b2b_openapi.xsd import shared
from b2b_openapi.xsd.content import local_name
from b2b_openapi.xsd.locate import error_location, register_embedded_schemas


@contextmanager
def _strict_imports() -> Iterator[None]:
    """xmlschema only *warns* about an unresolvable import/include; we refuse to build."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
        warnings.simplefilter("error", xmlschema.XMLSchemaIncludeWarning)
        yield


def line_of(path: Path, tag: str | None = None, name: str | None = None,
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
        return sourceline(elem)
    return None


def sourceline(elem: Any) -> int | None:
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
    return line_of(path, name=name) or line_of(path, refers_to=name)


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
                            sourceline(elem))


def _reach(wsdl: Path) -> tuple[list[Path], set[Path]]:
    """Every file the WSDL reaches (in walk order), and the shared schema folders it
    xs:imports from."""
    seen: list[Path] = []
    imported: set[Path] = set()  # folders of xs:import targets
    trees: dict[Path, Any] = {}  # each reached file parsed once

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
            if re.match(r"^[a-z][a-z0-9+.-]*://", location) and not location.startswith("file:"):
                raise ArtifactError(f"remote schemaLocation {location!r} is not allowed "
                                    "(builds never use the network)", path, sourceline(elem))
            target = (path.parent / location).resolve()
            if not target.is_file():
                raise ArtifactError(f"{kind} of {location!r}: file not found", path,
                                    sourceline(elem))
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
    return load_with_sources(wsdl)[0]


def load_with_sources(wsdl: Path) -> tuple[Wsdl11Document, tuple[Path, ...]]:
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
