"""A content-addressed cache of build steps under build/.cache/, for incremental builds.

A step's result is stored under a key derived from everything it is computed from: its input
text or files, plus a salt covering the generator's own code, templates and the versions of
the libraries that shape the output.  Same key, same result: a rebuild reuses it instead of
recomputing.  Results are JSON; entries are written atomically, so an interrupted build never
leaves a half entry behind (at worst, a missing one).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from .runtime.jsonio import to_text

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("xmlschema", "elementpath", "datamodel-code-generator", "jinja2", "pyyaml",
             "openapi-spec-validator", "simplejson")


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_salt(templates: Path) -> str:
    """Changes whenever the generator's code, templates or libraries change."""
    files = sorted([*PACKAGE.rglob("*.py"), *(p for p in templates.rglob("*") if p.is_file())])
    parts: list[str | bytes] = [f"{lib}=={version(lib)}" for lib in LIBRARIES]
    for path in files:
        parts += [path.name, path.read_bytes()]
    return digest(*parts)


def document_key(document: Mapping[str, Any]) -> str:
    """A stable key for an OpenAPI document's content: its source text when it has one
    (a lazily parsed document), else its canonical JSON."""
    source = getattr(document, "text", None)
    if isinstance(source, str):
        return source
    return to_text(document, sort_keys=True)


class BuildCache:
    """``memo(step, key, compute)``: the stored result for ``key``, or compute and store it."""

    def __init__(self, root: Path | None, salt: str = "") -> None:
        self.root = root
        self.salt = salt
        self.hits = 0
        self.misses = 0

    def _path(self, step: str, key: str) -> Path:
        assert self.root is not None
        return self.root / step / f"{digest(self.salt, key)}.json"

    def get(self, step: str, key: str) -> Any | None:
        if self.root is None:
            return None
        path = self._path(step, key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, step: str, key: str, value: Any) -> None:
        if self.root is None:
            return
        path = self._path(step, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(value, stream)
        os.replace(tmp, path)

    def memo(self, step: str, key: str, compute: Callable[[], T]) -> T:
        found = self.get(step, key)
        if found is not None:
            self.hits += 1
            result: T = found["value"]
            return result
        self.misses += 1
        value = compute()
        self.put(step, key, {"value": value})
        return value

    def files(self, step: str, key: str,
              compute: Callable[[], dict[Path, str]]) -> dict[Path, str]:
        """:meth:`memo` for a generated tree (relative path -> text)."""
        stored = self.memo(step, key, lambda: {p.as_posix(): t for p, t in compute().items()})
        return {Path(p): t for p, t in stored.items()}


NO_CACHE = BuildCache(None)


def digests(paths: Iterable[Path]) -> dict[str, str]:
    return {str(p): file_digest(p) for p in sorted(paths)}
