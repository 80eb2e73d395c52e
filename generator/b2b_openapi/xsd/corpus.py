"""Find the services of an artifact corpus: the bundled layout
(``xsd/<SYSTEM>/<Service>/<Service>.wsdl``) and CAISO packages as published (see
:mod:`b2b_openapi.xsd.packages`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from b2b_openapi.errors import ArtifactError
from b2b_openapi.xsd.packages import Artifact
from b2b_openapi.xsd.packages import discover as discover_packages

Warn = Callable[[str], None]


def discover(root: Path, warn: Warn | None = None) -> list[Artifact]:
    """Every service under ``root``, sorted for deterministic builds; what was assumed or
    skipped on the way goes to ``warn``."""
    found = discover_packages(root)
    if warn is not None:
        for message in found.warnings:
            warn(message)
    return sorted(found.artifacts, key=lambda a: (a.id.folder_system, a.full_name))


def select(artifacts: Iterable[Artifact], names: Iterable[str]) -> list[Artifact]:
    """Restrict to the named services (by full name, e.g. RetrieveCleanBidSet_SIBRv5)."""
    artifacts = list(artifacts)
    wanted = list(names)
    if not wanted:
        return artifacts
    by_name = {a.full_name: a for a in artifacts}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name))
        raise ArtifactError(f"unknown service {unknown[0]!r}; known services: {known}")
    return [by_name[n] for n in sorted(set(wanted))]
