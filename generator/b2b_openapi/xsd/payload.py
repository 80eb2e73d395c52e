"""Find the payload document of an attachment service in its package.

CAISO's WSDLs never import the payload XSD (``GasBurnSummaryData_v1.xsd``): the package is
the only link between ``retrieveGasBurnSummaryData_v1[_DocAttach].wsdl`` and the document
its attachment holds.  The payload XSD is, in this order (docs/artifacts.md):

1. the mapping file's ``payload_xsd`` (a path relative to the WSDL's folder);
2. ``<Base>_v<N>.xsd`` beside the WSDL (``Base`` the service name without its verb);
3. an XSD beside the WSDL, not reached by it, whose targetNamespace is one the WSDL
   declares (``xmlns:schemaInfor``), ``#`` or not;
4. one whose targetNamespace ends in ``/<Base>_v<N>.xsd`` (``#`` or not).

Its element is the mapping's ``payload_element``, else the global element named ``Base``,
else the schema's only global element.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from b2b_openapi.errors import ArtifactError
from b2b_openapi.xsd.identity import api_base
from b2b_openapi.xsd.packages import Artifact


@dataclass(frozen=True)
class PayloadXsd:
    path: Path
    element: str | None  # mapping override: local name or {ns}local


def _namespace(path: Path) -> str | None:
    try:
        for _event, elem in etree.iterparse(str(path), events=("start",)):
            value = elem.get("targetNamespace")
            return str(value) if value else None
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ArtifactError(f"malformed XML: {getattr(exc, 'msg', exc)}", path,
                            getattr(exc, "lineno", None)) from None
    return None


def find_payload_xsd(artifact: Artifact, declared: Iterable[str],
                     reached: Iterable[Path]) -> PayloadXsd | None:
    """The payload XSD of ``artifact`` (None: the package has none)."""
    folder = artifact.wsdl.parent
    element = artifact.mapping.get("payload_element")
    element_name = str(element) if element else None
    configured = artifact.mapping.get("payload_xsd")
    if configured:
        path = folder / str(configured)
        if not path.is_file():
            raise ArtifactError(f"payload_xsd {configured!r} of the mapping file: file not "
                                "found", path)
        return PayloadXsd(path, element_name)
    base = api_base(artifact.id.name)
    stem = f"{base}_v{artifact.id.version}"
    reached_set = {p.resolve() for p in reached}
    candidates = [p for p in sorted(folder.glob("*.xsd")) if p.resolve() not in reached_set]
    for path in candidates:
        if path.stem.lower() == stem.lower():
            return PayloadXsd(path, element_name)
    wanted = {ns.rstrip("#") for ns in declared if ns}
    namespaces = {path: (_namespace(path) or "").rstrip("#") for path in candidates}
    for path in candidates:
        if namespaces[path] and namespaces[path] in wanted:
            return PayloadXsd(path, element_name)
    for path in candidates:
        if namespaces[path].lower().endswith(f"/{stem.lower()}.xsd"):
            return PayloadXsd(path, element_name)
    return None


def payload_element(schema: Any, found: PayloadXsd, base: str) -> Any | None:
    """The payload document's global element in the built payload ``schema``."""
    elements = {name: elem for name, elem in schema.elements.items()}
    if found.element:
        wanted = found.element.rpartition("}")[2]
        return elements.get(wanted)
    if base in elements:
        return elements[base]
    if len(elements) == 1:
        return next(iter(elements.values()))
    return None
