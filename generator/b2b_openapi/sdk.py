"""The client stage: one installable package per CAISO system under build/clients/.

Why per system: market participants integrate a system at a time (SIBR bidding, CMRI
results...), and one package per system lets a service's major versions sit side by side
(``caiso_b2b_cmri.retrieve_default_bid_curves_cmriv1`` and ``..._cmriv2``) while sharing one
HTTP runtime.  Models come from datamodel-code-generator; client classes from templates/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any

from . import __version__
from .apiview import service_view
from .cache import NO_CACHE, BuildCache, document_key
from .codegen import ERROR_CLASS, generate_models
from .templating import render

Progress = Callable[[str], None]


def package_name(system: str) -> str:
    return f"caiso_b2b_{system.lower()}"


def _service_files(package: str, document: Mapping[str, Any]) -> dict[Path, str]:
    view = service_view(document)
    models = generate_models(document)
    operations = [
        {
            "method_name": op.method_name, "http_method": op.http_method, "path": op.path,
            "summary": op.summary, "description": op.description,
            "soap_action": op.soap_action, "rate_limited": op.rate_limited,
            "request": models.operations[op.id].request,
            "response": models.operations[op.id].response,
        }
        for op in view.operations
    ]
    folder = Path(package) / view.module
    files = {
        folder / "models.py": models.source,
        folder / "__init__.py": render("client/service.py.j2", package=package, service={
            "title": view.title, "description": view.description,
            "full_name": view.full_name, "base_path": view.base_path,
        }, operations=operations, error_class=ERROR_CLASS),
    }
    return files


def client_files(documents: Iterable[Mapping[str, Any]], progress: Progress | None = None,
                 cache: BuildCache = NO_CACHE) -> dict[Path, str]:
    """Every client package's files, keyed by path relative to build/clients/.  With a
    cache, a service whose document did not change reuses its generated modules."""
    files: dict[Path, str] = {}
    by_system = sorted(documents, key=lambda d: (d["info"]["x-caiso-service"]["folder"],
                                                 d["info"]["title"]))
    for system, docs in groupby(by_system, key=lambda d: d["info"]["x-caiso-service"]["folder"]):
        package = package_name(system)
        distribution = package.replace("_", "-")
        root = Path(distribution)
        views = []
        for document in docs:
            view = service_view(document)
            if progress:
                progress(f"client {package}.{view.module}")
            service_files = cache.files(
                "client-service", package + document_key(document),
                partial(_service_files, package, document))
            views.append(view)
            files.update({root / path: text for path, text in service_files.items()})
        context = {"package": package, "distribution": distribution, "system": system,
                   "version": __version__,
                   "services": [{"module": v.module, "full_name": v.full_name} for v in views]}
        files[root / "pyproject.toml"] = render("client/pyproject.toml.j2", **context)
        files[root / package / "__init__.py"] = render("client/__init__.py.j2", **context)
        files[root / package / "_runtime.py"] = render("client/_runtime.py.j2", **context)
        files[root / package / "py.typed"] = ""
    return files
