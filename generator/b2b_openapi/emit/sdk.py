"""The client stage: one installable package per CAISO system under build/clients/.

Why per system: market participants integrate a system at a time (SIBR bidding, CMRI
results...), and one package per system lets a service's major versions sit side by side
(``caiso_b2b_cmri.retrieve_default_bid_curves_cmriv1`` and ``..._cmriv2``).  Every system
package depends on one runtime package, ``caiso-b2b-runtime`` (configuration, the exception
tree, HTTP and retries), so code calling several systems has one ``ClientConfig`` and one
``B2BError``.  Its source is the real, linted and type-checked package
templates/client/caiso_b2b_runtime/, copied verbatim.  Models come from
datamodel-code-generator; client classes from templates/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import groupby
from pathlib import Path
from typing import Any

from b2b_openapi import __version__
from b2b_openapi.emit.models import ERROR_CLASS, generate_models
from b2b_openapi.emit.templating import TEMPLATES, render
from b2b_openapi.emit.view import JSON, OperationView, service_view
from b2b_openapi.incremental.cache import NO_CACHE, BuildCache, document_key
from b2b_openapi.incremental.workers import IN_PROCESS, Workers

Progress = Callable[[str], None]
RUNTIME_PACKAGE = "caiso_b2b_runtime"
RUNTIME_DISTRIBUTION = RUNTIME_PACKAGE.replace("_", "-")
RUNTIME_SOURCE = TEMPLATES / "client" / RUNTIME_PACKAGE
BINARY_ANSWER = "BinaryAnswer"  # the runtime's class for answers that are not JSON


def package_name(system: str) -> str:
    return f"caiso_b2b_{system.lower()}"


def runtime_files() -> dict[Path, str]:
    """The ``caiso-b2b-runtime`` package: its source copied as it is, and its pyproject."""
    root = Path(RUNTIME_DISTRIBUTION)
    files = {root / RUNTIME_PACKAGE / source.name: source.read_text(encoding="utf-8")
             for source in sorted(RUNTIME_SOURCE.glob("*.py"))}
    files[root / RUNTIME_PACKAGE / "py.typed"] = ""
    files[root / "pyproject.toml"] = render("client/runtime.pyproject.toml.j2",
                                            runtime=RUNTIME_DISTRIBUTION,
                                            package=RUNTIME_PACKAGE, version=__version__)
    return files


def _service_files(package: str, document: Mapping[str, Any]) -> dict[Path, str]:
    view = service_view(document)
    models = generate_models(document)
    operations = [
        {
            "method_name": op.method_name, "method": op.method, "path": op.path,
            "summary": op.summary, "description": op.description,
            "soap_action": op.soap_action, "rate_limited": op.rate_limited,
            "request": models.operations[op.id].request,
            "response": _response_class(models.operations[op.id].response),
            **_sending(op),
        }
        for op in view.operations
    ]
    folder = Path(package) / view.module
    files = {
        folder / "models.py": models.source,
        folder / "__init__.py": render("client/service.py.j2", package=package, service={
            "title": view.title, "description": view.description,
            "full_name": view.full_name, "base_path": view.base_path,
        }, operations=operations, error_class=ERROR_CLASS,
            binary=any(op["response"] == BINARY_ANSWER for op in operations)),
    }
    return files


def _sending(op: OperationView) -> dict[str, Any]:
    """How the client runtime sends an operation's request, where it differs from its
    defaults (a body for every method but GET, no header parameters): what a third-party
    document can ask for (docs/third-party.md)."""
    headers = sorted(p["name"] for p in op.headers) if not op.has_body else []
    return {"body": None if op.has_body == (op.method != "GET") else op.has_body,
            "headers": headers,
            "accept": op.media_type if op.media_type not in (None, JSON) else None}


def _response_class(name: str) -> str:
    """What a client method returns: its model, or the runtime's BinaryAnswer for an
    answer that is not JSON."""
    return f"models.{name}" if name else BINARY_ANSWER


def _service_files_for(job: tuple[str, Mapping[str, Any]]) -> dict[Path, str]:
    """:func:`_service_files` with one picklable argument, for a worker process."""
    return _service_files(*job)


def _system(document: Mapping[str, Any]) -> str:
    return service_view(document).system


def client_files(documents: Iterable[Mapping[str, Any]], progress: Progress | None = None,
                 cache: BuildCache = NO_CACHE, workers: Workers = IN_PROCESS,
                 ) -> dict[Path, str]:
    """Every client package's files, keyed by path relative to build/clients/.  With a
    cache, a service whose document did not change reuses its generated modules; the
    others are generated over ``workers`` (datamodel-code-generator is the costly part)."""
    ordered = sorted(documents, key=lambda d: (_system(d), d["info"]["title"]))
    jobs = [(package_name(_system(d)), d) for d in ordered]

    def generate(todo: list[tuple[str, Mapping[str, Any]]]) -> list[dict[Path, str]]:
        if progress:
            for package, document in todo:
                progress(f"client {package}.{service_view(document).module}")
        return workers.map(_service_files_for, todo)

    generated = cache.files_many(
        "client-service", [(package + document_key(d), (package, d)) for package, d in jobs],
        generate)
    files = runtime_files()
    for system, group in groupby(zip(ordered, generated, strict=True),
                                 key=lambda pair: _system(pair[0])):
        package = package_name(system)
        distribution = package.replace("_", "-")
        root = Path(distribution)
        views = []
        for document, service_files in group:
            views.append(service_view(document))
            files.update({root / path: text for path, text in service_files.items()})
        context = {"package": package, "distribution": distribution, "system": system,
                   "version": __version__, "runtime": RUNTIME_DISTRIBUTION,
                   "services": [{"module": v.module, "full_name": v.full_name} for v in views]}
        files[root / "pyproject.toml"] = render("client/pyproject.toml.j2", **context)
        files[root / package / "__init__.py"] = render("client/__init__.py.j2", **context)
        files[root / package / "py.typed"] = ""
    return files
