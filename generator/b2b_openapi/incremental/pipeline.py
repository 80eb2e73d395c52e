"""The incremental build: corpus -> specs, clients, servers, diffs, Postman, portal.

Each stage's result is memoised in :class:`b2b_openapi.incremental.cache.BuildCache` under
a key made of its inputs, so a rebuild recomputes only what an input change reaches: a
changed service re-renders its spec (its dependencies - WSDL, schemas, samples - are
recorded with their digests), then its client module, server folder, collection, diff
report and portal page;
everything else is reused.  Cold specs and client models are generated over one process
pool (:mod:`b2b_openapi.incremental.workers`).  All outputs are
computed before anything is written; then only files whose content differs are written.
"""

from __future__ import annotations

import base64
import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from b2b_openapi.diff.report import diff_files
from b2b_openapi.emit.docpages import read_docs
from b2b_openapi.emit.portal import portal_files
from b2b_openapi.emit.postman import postman_files
from b2b_openapi.emit.sdk import client_files
from b2b_openapi.emit.servers import server_files
from b2b_openapi.emit.templating import DOCS, TEMPLATES
from b2b_openapi.incremental.cache import NO_CACHE, BuildCache, code_salt, digest, digests
from b2b_openapi.incremental.workers import IN_PROCESS, Workers, rare_collections
from b2b_openapi.openapi import stage as specs
from b2b_openapi.openapi import yamlio
from b2b_openapi.outputs import remove_leftovers, sync_tree, write_atomically
from b2b_openapi.xsd import corpus
from b2b_openapi.xsd.packages import Artifact

Progress = Callable[[str], None]


class LazyDocument(yamlio.LazyDocument):
    """An OpenAPI document parsed on first use: a stage whose result is cached never pays
    for parsing the YAML.  Parsed documents are also kept pickled under the cache folder
    (our own files, keyed by the text's hash): unpickling is ~10x faster than YAML.  A spec
    rendered in this build may come with its document already parsed (``document``)."""

    def __init__(self, text: str, store: Path | None = None,
                 document: Mapping[str, Any] | None = None) -> None:
        if isinstance(document, yamlio.LazyDocument):  # parsed only if it was
            document = document.parsed_yet()
        super().__init__(text, document)
        self.store = store
        if document is not None:
            self._keep(document)

    def _stored(self) -> Path | None:
        return self.store / f"{digest(self.text)}.pickle" if self.store else None

    def _keep(self, document: Mapping[str, Any]) -> None:
        """Pickle ``document`` into the store for later builds (once per text)."""
        path = self._stored()
        if path is None or path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))

    def parse(self) -> Mapping[str, Any]:
        path = self._stored()
        if path is not None and path.is_file():
            try:
                with path.open("rb") as stream:
                    loaded = pickle.load(stream)
            except Exception:  # a damaged entry of our own cache (truncated, overwritten)
                loaded = None  # is a miss: unpickling garbage raises almost anything
            if isinstance(loaded, Mapping):
                return loaded
            path.unlink(missing_ok=True)  # parsed again below and kept anew
        document = super().parse()
        self._keep(document)
        return document

    def __reduce__(self) -> tuple[Callable[..., LazyDocument], tuple[object, ...]]:
        """Ship the text, the store and, once parsed, the tree."""
        return LazyDocument, (self.text, self.store, self.parsed_yet())


@dataclass
class BuildResult:
    specs: list[specs.SpecFile]
    written: dict[str, tuple[int, int]]
    cache: BuildCache


def _folder_files(wsdl: Path) -> list[Path]:
    return sorted(p.resolve() for p in wsdl.parent.rglob("*") if p.is_file())


def _dependencies(spec: specs.SpecFile) -> dict[str, str]:
    """What a spec was made from: its service folder (samples included) and the schema
    files it loads from elsewhere (the shared CAISO schemas)."""
    return digests(set(_folder_files(spec.wsdl)) | set(spec.sources))


def _unchanged(recorded: Mapping[str, str], wsdl: Path) -> bool:
    current_folder = {str(p) for p in _folder_files(wsdl)}
    folder = str(wsdl.parent.resolve())
    recorded_folder = {p for p in recorded if p.startswith(folder + os.sep)}
    if current_folder != recorded_folder:
        return False  # a file was added to or removed from the service folder
    try:
        return digests(Path(p) for p in recorded) == dict(recorded)
    except OSError:
        return False


def _cache_key(artifact: Artifact) -> str:
    """A WSDL's spec entry: its path, and the identity derived for it (a mapping file
    edit renames the API without touching the package)."""
    return f"{artifact.wsdl.resolve()}|{artifact.id}|{sorted(artifact.mapping.items())}"


def render_specs(xsd_root: Path, cache: BuildCache, progress: Progress | None = None,
                 workers: Workers = IN_PROCESS, warn: Progress | None = None,
                 ) -> list[tuple[specs.SpecFile, dict[str, str]]]:
    """Every service's spec with the digests of the files it was made from (checked or
    computed here once, so later stages key on them without hashing again)."""
    artifacts = corpus.discover(xsd_root, warn)
    wsdls = [a.wsdl for a in artifacts]
    by_wsdl = dict(zip(wsdls, artifacts, strict=True))
    found: dict[Path, tuple[specs.SpecFile, dict[str, str]]] = {}
    cold: list[Path] = []
    for wsdl in wsdls:
        entry = cache.get("spec", _cache_key(by_wsdl[wsdl]))
        if entry is not None and _unchanged(entry["deps"], wsdl):
            cache.hits += 1
            found[wsdl] = (specs.SpecFile(Path(entry["path"]), entry["text"], wsdl,
                                          tuple(Path(p) for p in entry["sources"]),
                                          warnings=tuple(entry.get("warnings", ())),
                                          package=by_wsdl[wsdl].package),
                           entry["deps"])
        else:
            cold.append(wsdl)
    if progress and cold:
        progress(f"specs: rendering {len(cold)} of {len(wsdls)} services"
                 + (f" ({len(wsdls) - len(cold)} unchanged)" if len(cold) < len(wsdls) else ""))
    if workers.pooled(len(cold)):
        specs.prepare_pool()
    rendered = workers.map(specs.render_light, [by_wsdl[w] for w in cold])
    cache.misses += len(cold) if cache is not NO_CACHE else 0
    for wsdl, spec in zip(cold, rendered, strict=True):
        deps = _dependencies(spec)
        found[wsdl] = (spec, deps)
        cache.put("spec", _cache_key(by_wsdl[wsdl]), {
            "deps": deps, "path": spec.path.as_posix(), "text": spec.text,
            "sources": [str(p) for p in spec.sources], "warnings": list(spec.warnings)})
    if warn is not None:
        for wsdl in wsdls:
            for note in found[wsdl][0].warnings:
                warn(note)
    return [found[w] for w in wsdls]


def _binary_files(cache: BuildCache, step: str, key: str,
                  compute: Callable[[], Mapping[Path, str | bytes]]) -> dict[Path, str | bytes]:
    """Cache a tree that holds binary files (base64 in the JSON entry)."""
    def encoded() -> dict[str, Any]:
        return {p.as_posix(): {"b64": base64.b64encode(c).decode()} if isinstance(c, bytes)
                else c for p, c in compute().items()}
    stored = cache.memo(step, key, encoded)
    return {Path(p): base64.b64decode(c["b64"]) if isinstance(c, dict) else c
            for p, c in stored.items()}


def build(xsd_root: Path, specs_root: Path, build_root: Path, postman_root: Path,
          progress: Progress | None = None, jobs: int | None = None,
          use_cache: bool = True, warn: Progress | None = None,
          prune: bool = False) -> BuildResult:
    """``prune``: also delete specs and collections this corpus does not generate (without
    it, a build of another corpus leaves every file it did not write alone)."""
    cache = BuildCache(build_root / ".cache", code_salt(TEMPLATES)) if use_cache else NO_CACHE
    remove_leftovers((specs_root, postman_root))  # of a build killed before it could
    with rare_collections(), Workers(jobs) as workers:
        return _build(xsd_root, specs_root, build_root, postman_root, progress, workers, cache,
                      warn, prune)


def _build(xsd_root: Path, specs_root: Path, build_root: Path, postman_root: Path,
           progress: Progress | None, workers: Workers, cache: BuildCache,
           warn: Progress | None, prune: bool) -> BuildResult:
    with_digests = render_specs(xsd_root, cache, progress, workers, warn)
    store = build_root / ".cache" / "parsed" if cache is not NO_CACHE else None
    rendered = [replace(s, document=LazyDocument(s.text, store, s.document))
                for s, _ in with_digests]
    documents = [s.parsed() for s in rendered]
    texts = digest(*(s.text for s in rendered))
    with_deps = digest(texts, *(f"{p}:{d}" for _, deps in with_digests
                                for p, d in sorted(deps.items())))
    clients = cache.files("clients", texts,
                          lambda: client_files(documents, progress, cache, workers))
    servers = cache.files("servers", with_deps,
                          lambda: server_files(rendered, xsd_root, progress, cache))
    diffs = cache.files("diff", texts, lambda: diff_files(documents))
    collections = cache.files("postman", texts, lambda: postman_files(documents))
    docs = read_docs(DOCS)  # the portal publishes them too
    with_docs = digest(texts, *(f"{name}:{text}" for name, text in docs.items()))
    portal = _binary_files(cache, "portal", with_docs, lambda: portal_files(
        [(d, s.text) for d, s in zip(documents, rendered, strict=True)], clients, collections,
        diffs, docs))
    written: dict[str, tuple[int, int]] = {}
    written["specs"] = specs.write_all(specs_root, rendered, prune=prune)
    for name, target, tree in (("clients", build_root / "clients", clients),
                               ("servers", build_root / "servers", servers),
                               ("diff", build_root / "diff", diffs),
                               ("postman", postman_root, collections),
                               ("portal", build_root / "portal", portal)):
        # specs/ and postman/ are committed, shared by corpora: pruned only when asked
        written[name] = sync_tree(target, tree, prune or target != postman_root)
    return BuildResult(rendered, written, cache)
