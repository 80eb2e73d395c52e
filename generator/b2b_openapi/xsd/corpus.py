"""Find the service folders of an artifact corpus (``xsd/<SYSTEM>/<Service>/<Service>.wsdl``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from b2b_openapi.errors import ArtifactError


def discover(root: Path) -> list[Path]:
    """Every service WSDL under ``root``, sorted for deterministic builds."""
    if not root.is_dir():
        raise ArtifactError("artifact folder not found", root)
    found = sorted(p for p in root.glob("*/*/*.wsdl") if p.parent.name == p.stem)
    stray = sorted(p for p in root.rglob("*.wsdl") if p not in found)
    if stray:
        raise ArtifactError(
            "WSDL outside the <SYSTEM>/<Service>/<Service>.wsdl layout", stray[0])
    if not found:
        raise ArtifactError("no service WSDL found (expected <SYSTEM>/<Service>/<Service>.wsdl)",
                            root)
    return found


def select(wsdls: Iterable[Path], names: Iterable[str]) -> list[Path]:
    """Restrict to the named services (by full name, e.g. RetrieveCleanBidSet_SIBRv5)."""
    wsdls = list(wsdls)
    wanted = list(names)
    if not wanted:
        return wsdls
    by_name = {p.stem: p for p in wsdls}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name))
        raise ArtifactError(f"unknown service {unknown[0]!r}; known services: {known}")
    return [by_name[n] for n in sorted(set(wanted))]
