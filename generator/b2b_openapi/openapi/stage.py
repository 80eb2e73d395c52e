"""The spec stage: corpus -> validated OpenAPI YAML under specs/, all or nothing.

The loaders and emitters are imported when the first service is rendered, not with this
module: :func:`render_all` forks its validator process first, so that the validator's own
import of openapi-spec-validator (its longest step) overlaps this process's imports instead
of following them (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.incremental.workers import IN_PROCESS, Workers, rare_collections
from b2b_openapi.model import OasisReport, Service
from b2b_openapi.openapi import validating
from b2b_openapi.openapi.validating import invalid_spec, validator, verdict
from b2b_openapi.openapi.yamlio import LazyDocument, atomic_write, dump
from b2b_openapi.xsd.packages import Artifact

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SpecFile:
    """One rendered spec and what it was made from.  ``service`` (the full model) is None
    when the spec came from the build cache; ``document`` is the text parsed back (exact
    decimals), kept so later stages need not parse the YAML again: parsed already when
    validated in this process, else a :class:`LazyDocument` that parses on first use."""

    path: Path  # relative to the specs root
    text: str
    wsdl: Path
    sources: tuple[Path, ...]  # the WSDL and the schema files it loads
    service: Service | None = None
    document: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    warnings: tuple[str, ...] = ()  # degraded results (printed again on a cache hit)
    package: Path | None = None  # the package the artifacts come from (servers copy them)
    report: OasisReport | None = None  # an OASIS report's model (docs/oasis.md), not SOAP

    def parsed(self) -> Mapping[str, Any]:
        """The OpenAPI document: the one kept from rendering, else parsed from the text."""
        if self.document is not None:
            return self.document
        document: Mapping[str, Any] = load_yaml(self.text)
        return document

    @property
    def full_name(self) -> str:
        return self.path.stem

    @property
    def system(self) -> str:
        return self.path.parent.name


def spec_path(service: Service) -> Path:
    return Path(service.id.folder_system) / f"{service.id.full_name}.yaml"


def render(source: Path | Artifact) -> SpecFile:
    """Load one service and render its validated OpenAPI YAML.  What is validated is the
    text parsed back, i.e. exactly what lands in specs/."""
    from b2b_openapi.xsd.wsdl import as_artifact

    spec = _unvalidated(as_artifact(source))
    document = load_yaml(spec.text)
    reason = verdict(document)
    if reason is not None:
        raise invalid_spec(reason, spec.wsdl)
    return replace(spec, document=document)


def _unvalidated(artifact: Artifact) -> SpecFile:
    """One service's OpenAPI YAML, not yet validated; its document is parsed from the
    text on first use."""
    from b2b_openapi.openapi.document import build_document
    from b2b_openapi.openapi.examples import add_examples
    from b2b_openapi.openapi.oasis import build_oasis_document
    from b2b_openapi.xsd import oasis
    from b2b_openapi.xsd.fastpath import load_service

    wsdl = artifact.wsdl
    service: Service | None = None
    report: OasisReport | None = None
    if oasis.is_report(artifact):
        report = oasis.load_report(artifact)
        built = build_oasis_document(report)
        warnings, sources = report.warnings, report.sources
        path = Path(report.id.folder_system) / f"{report.id.full_name}.yaml"
    else:
        service = load_service(artifact)
        built = build_document(service)
        warnings, sources, path = service.warnings, service.sources, spec_path(service)
    synthesized = add_examples(built)
    notes = warnings + tuple(
        f"{wsdl}: {name}: no sample, example synthesized from the schema"
        for name in synthesized)
    text = dump(built)
    return SpecFile(path, text, wsdl, sources, service, LazyDocument(text), notes,
                    artifact.package, report)


def render_light(artifact: Artifact) -> SpecFile:
    """:func:`render` without the model (the parsed document is kept), for sending back
    from a worker process."""
    return replace(render(artifact), service=None)


def prepare_pool() -> None:
    """What every worker needs, done once before the pool forks so that the workers
    inherit it instead of each doing it again: the validator's import.  (The services'
    schemas need nothing: the fast path reads each with lxml; a service it leaves to
    xmlschema builds its schemas in its worker.)"""
    validator()


def render_all(xsd_root: Path, names: Iterable[str] = (),
               progress: Progress | None = None,
               warn: Progress | None = None,
               workers: Workers = IN_PROCESS) -> list[SpecFile]:
    """Every selected service's spec, in corpus order.  Over a pool (``workers`` with more
    than one job, enough services) the specs come back without their model (``service``
    is None), as from the build cache; in-process they keep it, and are validated in a
    process beside this one where it can fork (:mod:`b2b_openapi.openapi.validating`),
    forked before anything else is done (see the module docstring) when no pool is to
    be used."""
    if validating.CONCURRENT and workers.jobs == 1:
        with validating.ConcurrentValidator() as checker:
            artifacts = _selected(xsd_root, names, warn)
            with rare_collections():
                return _render_validating_beside(artifacts, progress, warn, checker)
    artifacts = _selected(xsd_root, names, warn)
    with rare_collections():
        if workers.pooled(len(artifacts)):
            if progress:
                progress(f"rendering {len(artifacts)} services over {workers.jobs} processes")
            prepare_pool()
            return _say_warnings(workers.map(render_light, artifacts), warn)
        if validating.CONCURRENT:
            with validating.ConcurrentValidator() as checker:
                return _render_validating_beside(artifacts, progress, warn, checker)
        results: list[SpecFile] = []
        for index in range(1, len(artifacts) + 1):
            results += _say_warnings([render(_told(progress, index, artifacts))], warn)
    return results


def _told(progress: Progress | None, index: int, artifacts: Sequence[Artifact]) -> Artifact:
    """The ``index``th (from 1) artifact, once ``progress`` is told it is next."""
    artifact = artifacts[index - 1]
    if progress:
        progress(f"[{index}/{len(artifacts)}] {artifact.id.folder_system}/"
                 f"{artifact.full_name}")
    return artifact


def _selected(xsd_root: Path, names: Iterable[str], warn: Progress | None) -> list[Artifact]:
    """The corpus's artifacts that ``names`` select, in corpus order."""
    from b2b_openapi.xsd import corpus

    return corpus.select(corpus.discover(xsd_root, warn), names)


def _render_validating_beside(artifacts: Sequence[Artifact], progress: Progress | None,
                              warn: Progress | None,
                              checker: validating.ConcurrentValidator) -> list[SpecFile]:
    """:func:`render` for each artifact in turn, the validation in a concurrent process.
    The outcome is the in-process one: the same specs, or the error of the first invalid
    spec in corpus order, raised only once every verdict is in.  Every service is rendered
    (and its warnings told) before an invalid one is reported, so what is printed does not
    depend on when the verdicts arrive; an error loading a service is raised as it was
    unless a spec before it is invalid (which in-process validation reported first)."""
    results: list[SpecFile] = []
    try:
        for index in range(1, len(artifacts) + 1):
            spec = _unvalidated(_told(progress, index, artifacts))
            checker.submit(spec.text)
            results += _say_warnings([spec], warn)
    except Exception:
        try:
            verdicts = checker.verdicts()
        except validating.ValidatorFailed:
            verdicts = []  # the load error stands: it is about the input
        _raise_first_invalid(results, verdicts)
        raise
    _raise_first_invalid(results, checker.verdicts())
    return results


def _raise_first_invalid(specs: Sequence[SpecFile],
                         verdicts: Sequence[validating.Verdict]) -> None:
    """Raise what validating ``specs`` in turn in this process would have raised first."""
    for spec, reason in zip(specs, verdicts, strict=False):  # none after a dead validator
        if isinstance(reason, validating.Raised):
            reason = validating.again(spec.text, reason)
        if reason is not None:
            raise invalid_spec(reason, spec.wsdl)


def _say_warnings(files: list[SpecFile], warn: Progress | None) -> list[SpecFile]:
    """``files``, once their degraded results are told to ``warn``."""
    if warn is not None:
        for spec in files:
            for note in spec.warnings:
                warn(note)
    return files


def write_all(specs_root: Path, files: list[SpecFile], prune: bool) -> tuple[int, int]:
    """Write every spec atomically; with ``prune`` delete specs no service produces any more.

    Called only after every service rendered and validated, so a failing build never
    leaves specs/ half-updated.
    """
    changed = 0
    for spec in files:
        changed += atomic_write(specs_root / spec.path, spec.text)
    removed = 0
    if prune and specs_root.is_dir():
        keep = {specs_root / s.path for s in files}
        for stale in sorted(specs_root.glob("*/*.yaml")):
            if stale not in keep:
                stale.unlink()
                removed += 1
                if not any(stale.parent.iterdir()):  # a system no service is in any more
                    stale.parent.rmdir()
    return changed, removed


def stale_specs(specs_root: Path, files: list[SpecFile]) -> list[Path]:
    """Specs on disk that differ from what the corpus produces (for ``check``)."""
    out = []
    for spec in files:
        target = specs_root / spec.path
        if not target.is_file() or target.read_text(encoding="utf-8") != spec.text:
            out.append(target)
    keep = {specs_root / s.path for s in files}
    out += [p for p in sorted(specs_root.glob("*/*.yaml")) if p not in keep]
    return out
