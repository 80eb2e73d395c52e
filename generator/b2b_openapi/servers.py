"""The server stage: one FastAPI app per service version under build/servers/.

Each folder is self-contained apart from the ``b2b_openapi.runtime`` package it runs on:
``app.py`` (routes rendered from templates/server), ``openapi.yaml`` (the spec it serves
and validates against) and ``artifacts/`` (the WSDL and every XSD it loads, at the same
relative paths as in xsd/, for the gateway's XML encoding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urlparse

from . import __version__
from .apiview import service_view
from .runtime.jsonio import load_yaml
from .specs import SpecFile
from .templating import render
from .wsdl import load_wsdl

Progress = Callable[[str], None]


def artifact_files(wsdl: Path, xsd_root: Path) -> list[Path]:
    """The WSDL and every schema file it loads (imports and includes), sorted."""
    schema = load_wsdl(wsdl).schema
    files = {wsdl.resolve()}
    for xsd in schema.maps.iter_schemas():
        url = getattr(xsd, "url", None)
        if url and url.startswith("file:"):
            files.add(Path(unquote(urlparse(url).path)).resolve())
        elif url and not url.startswith(("http:", "https:")):
            files.add(Path(url).resolve())
    root = xsd_root.resolve()
    return sorted(f for f in files if f.is_relative_to(root))


def server_folder(spec: SpecFile) -> Path:
    return Path(spec.service.id.folder_system) / spec.service.id.full_name


def server_files(specs: Iterable[SpecFile], xsd_root: Path,
                 progress: Progress | None = None) -> dict[Path, str]:
    """Every server's files, keyed by path relative to build/servers/."""
    files: dict[Path, str] = {}
    root = xsd_root.resolve()
    for spec in specs:
        folder = server_folder(spec)
        if progress:
            progress(f"server {folder}")
        view = service_view(load_yaml(spec.text))
        wsdl = Path("artifacts") / spec.service.wsdl.resolve().relative_to(root)
        for artifact in artifact_files(spec.service.wsdl, xsd_root):
            files[folder / "artifacts" / artifact.relative_to(root)] = artifact.read_text(
                encoding="utf-8")
        files[folder / "openapi.yaml"] = spec.text
        files[folder / "app.py"] = render(
            "server/app.py.j2", service=view, operations=view.operations,
            wsdl=wsdl.as_posix(), folder=f"build/servers/{folder.as_posix()}",
            version=__version__)
    return files
