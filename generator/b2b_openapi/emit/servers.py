"""The server stage: one FastAPI app per service version under build/servers/.

Each folder is self-contained apart from the ``b2b_openapi.runtime`` package it runs on:
``app.py`` (routes rendered from templates/server), ``openapi.yaml`` (the spec it serves
and validates against) and ``artifacts/`` (the WSDL and every XSD it loads, at the same
relative paths as in xsd/, for the gateway's XML encoding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from b2b_openapi import __version__
from b2b_openapi.emit.templating import render
from b2b_openapi.emit.view import ServiceView, service_view
from b2b_openapi.incremental.cache import NO_CACHE, BuildCache, file_digest
from b2b_openapi.openapi.stage import SpecFile

Progress = Callable[[str], None]


def server_folder(spec: SpecFile) -> Path:
    return Path(spec.system) / spec.full_name


def server_files(specs: Iterable[SpecFile], xsd_root: Path, progress: Progress | None = None,
                 cache: BuildCache = NO_CACHE) -> dict[Path, str]:
    """Every server's files, keyed by path relative to build/servers/."""
    files: dict[Path, str] = {}
    root = xsd_root.resolve()
    for spec in specs:
        folder = server_folder(spec)
        if progress:
            progress(f"server {folder}")
        package = spec.package.resolve() if spec.package is not None else None
        artifacts = [f for f in spec.sources if _relative(f, root, package) is not None]
        key = spec.text + "".join(f"{a}:{file_digest(a)}" for a in artifacts)
        tree = cache.files("server", key, partial(_server_tree, spec, artifacts, root,
                                                  package))
        files.update({folder / path: text for path, text in tree.items()})
    return files


def _relative(path: Path, root: Path, package: Path | None) -> Path | None:
    """Where an artifact goes under artifacts/: its path in the corpus, or for a package
    unpacked from a zip (outside the corpus) its path under the package's name."""
    if path.is_relative_to(root):
        return path.relative_to(root)
    if package is not None and path.is_relative_to(package):
        return Path(package.name) / path.relative_to(package)
    return None


def _server_tree(spec: SpecFile, artifacts: list[Path], root: Path,
                 package: Path | None = None) -> dict[Path, str]:
    view = service_view(spec.parsed())
    folder = server_folder(spec)
    tree = {Path("artifacts") / str(_relative(a, root, package)): a.read_text(encoding="utf-8")
            for a in artifacts}
    tree[Path("openapi.yaml")] = spec.text
    wsdl = _relative(spec.wsdl.resolve(), root, package) or Path(spec.wsdl.name)
    tree[Path("app.py")] = _app(view, folder, (Path("artifacts") / wsdl).as_posix())
    return tree


def third_party_server_files(documents: Iterable[tuple[Mapping[str, Any], str]]
                             ) -> dict[Path, str]:
    """Mock-only server apps for documents this project did not write (no
    ``x-caiso-service``), each ``(document, its text)``, keyed like :func:`server_files`:
    ``<SYSTEM>/<full name>/`` with ``app.py`` and ``openapi.yaml`` (the text as given)."""
    files: dict[Path, str] = {}
    for document, text in documents:
        view = service_view(document)
        if view.generated:
            continue
        folder = Path(view.system) / view.full_name
        files[folder / "openapi.yaml"] = text
        files[folder / "app.py"] = _app(view, folder, None)
    return files


def _app(view: ServiceView, folder: Path, wsdl: str | None) -> str:
    return render("server/app.py.j2", service=view, operations=view.operations, wsdl=wsdl,
                  folder=f"build/servers/{folder.as_posix()}", version=__version__)
