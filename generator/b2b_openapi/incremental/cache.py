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
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from b2b_openapi.codec.jsonio import to_text
from b2b_openapi.outputs import write_atomically

T = TypeVar("T")
A = TypeVar("A")
PACKAGE = Path(__file__).resolve().parents[1]
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
    files = sorted([*PACKAGE.rglob("*.py"), *(p for p in templates.rglob("*")
                                              if p.is_file() and "__pycache__" not in p.parts)])
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
        write_atomically(path, json.dumps(value).encode("utf-8"))

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
        return self.files_many(step, [(key, None)], lambda todo: [compute() for _ in todo])[0]

    def files_many(self, step: str, entries: Sequence[tuple[str, A]],
                   compute: Callable[[list[A]], Iterable[dict[Path, str]]],
                   ) -> list[dict[Path, str]]:
        """:meth:`files` for many (key, argument) entries at once: the arguments of the
        misses go to ``compute`` in one batch, which can spread them over processes."""
        stored: list[dict[str, str] | None] = []
        for key, _argument in entries:
            found = self.get(step, key)
            stored.append(found["value"] if found is not None else None)
        todo = [i for i, value in enumerate(stored) if value is None]
        self.hits += len(entries) - len(todo)
        self.misses += len(todo)
        fresh = compute([entries[i][1] for i in todo]) if todo else []
        for i, tree in zip(todo, fresh, strict=True):
            value = {p.as_posix(): t for p, t in tree.items()}
            self.put(step, entries[i][0], {"value": value})
            stored[i] = value
        return [{Path(p): t for p, t in (value or {}).items()} for value in stored]


NO_CACHE = BuildCache(None)


def digests(paths: Iterable[Path]) -> dict[str, str]:
    return {str(p): file_digest(p) for p in sorted(paths)}
