"""One stage of the build at a time, for the single-stage commands (``specs``, ``clients``,
``servers``, ``postman``, ``portal``).

The same stage functions :func:`b2b_openapi.incremental.pipeline.build` composes, wired
here once: the command line only parses options and reports, so a stage cannot be run one
way by ``build`` and another way by its own command.  Each function computes its whole tree
first and then replaces the target folder; an error (an :class:`ArtifactError`) leaves the
target as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.diff.report import diff_files
from b2b_openapi.emit.docpages import read_docs
from b2b_openapi.emit.portal import portal_files
from b2b_openapi.emit.postman import postman_files
from b2b_openapi.emit.sdk import client_files
from b2b_openapi.emit.servers import server_files, third_party_server_files
from b2b_openapi.emit.templating import DOCS
from b2b_openapi.errors import ArtifactError
from b2b_openapi.incremental.workers import Workers
from b2b_openapi.openapi import stage as spec_stage
from b2b_openapi.outputs import replace_tree

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SpecDocument:
    """An OpenAPI document read from a specs folder, with its text (the portal publishes
    it as written)."""

    path: Path
    text: str
    document: dict[str, Any]


def read_specs(folder: Path) -> list[SpecDocument]:
    """Every ``folder/*/*.yaml`` document, this project's or a third party's."""
    paths = sorted(folder.glob("*/*.yaml"))
    if not paths:
        raise ArtifactError("no OpenAPI documents found (run `b2b-openapi specs`)", folder)
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        found.append(SpecDocument(path, text, load_yaml(text)))
    return found


@dataclass(frozen=True)
class SpecsWritten:
    files: list[spec_stage.SpecFile]
    changed: int
    removed: int


def write_specs(xsd: Path, specs: Path, services: Sequence[str] = (), *,
                progress: Progress | None = None, warn: Progress | None = None,
                prune: bool = False) -> SpecsWritten:
    """Render and validate the corpus's specs (all, or ``services``), then write them."""
    files = spec_stage.render_all(xsd, services, progress=progress, warn=warn)
    changed, removed = spec_stage.write_all(specs, files, prune=prune)
    return SpecsWritten(files, changed, removed)


def write_clients(documents: Sequence[SpecDocument], build: Path,
                  progress: Progress | None = None) -> int:
    """build/clients/ from the documents; the number of packages."""
    with Workers() as workers:
        files = client_files([d.document for d in documents], progress=progress,
                             workers=workers)
    replace_tree(build / "clients", files)
    return len({p.parts[0] for p in files})


def write_servers(xsd: Path, build: Path, services: Sequence[str] = (),
                  third_party: Sequence[SpecDocument] = (),
                  progress: Progress | None = None) -> tuple[int, int]:
    """build/servers/ from the corpus (and a mock-only app per third-party document);
    the numbers of corpus apps and of mock-only ones."""
    files = spec_stage.render_all(xsd, services, progress=progress)
    tree = server_files(files, xsd, progress=progress)
    mocks = third_party_server_files((d.document, d.text) for d in third_party)
    replace_tree(build / "servers", {**tree, **mocks})
    return len(files), len({p.parent for p in mocks})


def write_postman(documents: Sequence[SpecDocument], postman: Path) -> int:
    """postman/ (collections and environments), exactly; the number of collections."""
    replace_tree(postman, postman_files([d.document for d in documents]))
    return len(documents)


def write_portal(documents: Sequence[SpecDocument], build: Path) -> Path:
    """build/portal/ with everything it links to; its index page."""
    plain = [d.document for d in documents]
    target = build / "portal"
    replace_tree(target, portal_files([(d.document, d.text) for d in documents],
                                      client_files(plain), postman_files(plain),
                                      diff_files(plain), read_docs(DOCS)))
    return target / "index.html"
