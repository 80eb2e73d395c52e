"""``b2b-openapi add``: file a downloaded package into the corpus, exactly as downloaded.

The package (a ``.zip`` or a folder) goes to ``<corpus>/<SYSTEM>/<its name>`` unchanged; a
``--system`` the built-in table does not give is written to the corpus's mapping file
(``b2b-packages.toml``) for each of its WSDLs, since nothing in the package may be edited.
The whole corpus is discovered again afterwards: if the package cannot be understood or
clashes with one already there (two WSDLs claiming one API name), everything added is
taken back and the error stands, so a failed ``add`` leaves the corpus as it was.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from b2b_openapi.errors import ArtifactError
from b2b_openapi.outputs import write_atomically
from b2b_openapi.xsd.identity import MAPPING_FILE
from b2b_openapi.xsd.packages import Artifact, discover, unpack


@dataclass(frozen=True)
class Filed:
    target: Path
    artifacts: list[Artifact]  # the services the package brought
    warnings: list[str]


def _package_root(source: Path) -> Path:
    if source.is_file() and source.suffix.lower() == ".zip":
        return unpack(source)
    if source.is_dir():
        return source
    raise ArtifactError("not a package (a .zip or a folder)", source)


def add_package(source: Path, corpus: Path, system: str | None = None) -> Filed:
    """Copy ``source`` into ``corpus`` and say which services it brought."""
    if system is not None and not re.fullmatch(r"[A-Z]+", system):
        raise ArtifactError(f"--system {system!r} is not an upper-case system code")
    found = discover(_package_root(source))
    folder = system or found.artifacts[0].id.folder_system
    target = corpus / folder / source.name
    if target.exists():
        raise ArtifactError("already in the corpus", target)
    mapping = corpus / MAPPING_FILE
    before = mapping.read_text(encoding="utf-8") if mapping.is_file() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    try:
        if system is not None:
            _write_mapping(mapping, before, [a.wsdl.stem for a in found.artifacts], system)
        after = discover(corpus)
    except (ArtifactError, OSError):
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        if before is None:
            mapping.unlink(missing_ok=True)
        else:
            write_atomically(mapping, before.encode("utf-8"))
        raise
    home = unpack(target) if target.is_file() else target
    brought = [a for a in after.artifacts if a.wsdl.resolve().is_relative_to(home.resolve())]
    notes = [w for w in after.warnings if str(home) in w or str(target) in w]
    return Filed(target, brought, notes)


def _write_mapping(mapping: Path, before: str | None, stems: list[str], system: str) -> None:
    """Add ``[services."<stem>"] system = ...`` for every WSDL not mapped yet."""
    text = before or ("# Identities the packages do not carry (docs/artifacts.md).\n")
    for stem in sorted(set(stems)):
        header = f'[services."{stem}"]'
        if header not in text:
            text += f'\n{header}\nsystem = "{system}"\n'
    write_atomically(mapping, text.encode("utf-8"))
