"""The spec stage's fast path (xsd/fastpath.py: lxml, libxml2, the model) against the
reference loader (xsd/wsdl.py: xmlschema): the same Service, or the reference itself.

Differential, with xmlschema as the reference: every service of the bundled corpus, the
shared-schema corpus and CAISO's real packages gives a model equal to the reference's
(samples decoded alike included); the bundled corpus takes the fast path throughout (else
the speed it is for is lost silently); every broken artifact gives the reference's error.
The light reader's semantics are checked on generated schemas in tests/test_light_reader.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from b2b_openapi.errors import ArtifactError
from b2b_openapi.xsd import corpus, fastpath, oasis, wsdl
from b2b_openapi.xsd.packages import Artifact

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(os.environ.get("B2B_REAL_ARTIFACTS") or ROOT.parent / "shared" / "real-artifacts")
BROKEN = ROOT / "tests" / "broken"


def _soap_services(root: Path) -> list[Artifact]:
    return [a for a in corpus.discover(root, None) if not oasis.is_report(a)]


BUNDLED = _soap_services(ROOT / "xsd") + _soap_services(ROOT / "tests" / "corpus")
REAL_SERVICES = _soap_services(REAL) if REAL.is_dir() else []


def _name(artifact: Artifact) -> str:
    return str(artifact.wsdl.relative_to(ROOT.parent))


@pytest.mark.parametrize("artifact", BUNDLED, ids=_name)
def test_bundled_service_takes_the_fast_path_and_equals_the_reference(
        artifact: Artifact) -> None:
    fast = fastpath._fast(artifact)  # raises (Unsupported, Fallback) if it cannot decide
    assert fast == wsdl.load_service(artifact)


def test_the_corpora_are_not_empty() -> None:
    assert len(BUNDLED) >= 20


@pytest.mark.skipif(not REAL_SERVICES, reason=f"{REAL} not found")
@pytest.mark.parametrize("artifact", REAL_SERVICES, ids=_name)
def test_real_package_gives_the_reference_model(artifact: Artifact) -> None:
    """Fast where it can decide, the reference where it cannot: the same model either way
    (ERCOT's Nodal WSDL, which libxml2 does not compile, takes the reference path)."""
    assert fastpath.load_service(artifact) == wsdl.load_service(artifact)


def test_caiso_real_packages_take_the_fast_path() -> None:
    caiso = [a for a in REAL_SERVICES if "caiso" in str(a.wsdl)]
    if not caiso:
        pytest.skip(f"no CAISO package in {REAL}")
    for artifact in caiso:
        fastpath.load_service(artifact)
        assert fastpath.TAKEN[artifact.wsdl] == "fast", fastpath.TAKEN[artifact.wsdl]


def _discoverable(case: Path) -> bool:
    """A broken case refused before any service loads (a malformed WSDL, a package
    without one...) is refused by discovery alike for both paths: nothing to compare."""
    try:
        _soap_services(case)
    except ArtifactError:
        return False
    return True


BROKEN_CASES = sorted(p for p in BROKEN.iterdir()
                      if (p / "expect.txt").is_file() and _discoverable(p))


def _error(load: object, artifact: Artifact) -> tuple[str, Path | None, int | None] | None:
    try:
        load(artifact)  # type: ignore[operator]
    except ArtifactError as exc:
        return exc.message, exc.path, exc.line
    return None


@pytest.mark.parametrize("case", BROKEN_CASES, ids=[c.name for c in BROKEN_CASES])
def test_broken_artifact_gives_the_reference_error(case: Path) -> None:
    """A refused artifact is refused by the reference, word for word (the fast path falls
    back on anything it cannot decide, errors included)."""
    for artifact in _soap_services(case):
        assert _error(fastpath.load_service, artifact) == _error(wsdl.load_service, artifact)


def test_fast_path_never_loads_xmlschema() -> None:
    """The spec stage over the bundled corpus, in a fresh process, never imports xmlschema:
    importing it and building its meta-schema cost about what the whole stage now takes."""
    probe = ("import sys\nfrom pathlib import Path\nfrom b2b_openapi.openapi import stage\n"
             f"stage.render_all(Path({str(ROOT / 'xsd')!r}))\n"
             "from b2b_openapi.xsd import fastpath\n"
             "assert set(fastpath.TAKEN.values()) == {'fast'}, fastpath.TAKEN\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'xmlschema'))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"


def test_wildcard_lookup_leaves_the_shared_parents_namespaces_to_the_reference() -> None:
    """Lax wildcard content is decoded with the schema set's global declarations; the
    reference's set also holds the shared folders' schemas (its parent, xsd/shared.py),
    which the fast path does not read: a name of theirs is the reference's to decode."""
    from b2b_openapi.xsd import light, shared
    from b2b_openapi.xsd.builder import ModelBuilder

    artifact = next(a for a in BUNDLED if "tests/corpus" in str(a.wsdl))
    reached = wsdl.reach(artifact.wsdl, artifact.package)
    namespaces = fastpath._shared_namespaces(reached)
    parent = shared.parent_schema(reached.shared)
    assert parent is not None and namespaces
    assert namespaces <= set(parent.maps.namespaces)
    schemas = light.SchemaSet()
    schemas.elsewhere = namespaces
    lookup = fastpath.Globals(schemas, ModelBuilder())
    shared_name = "{" + sorted(namespaces)[0] + "}anything"
    with pytest.raises(light.Unsupported):
        lookup.element(shared_name)
    with pytest.raises(light.Unsupported):
        lookup.attribute(shared_name)
    assert lookup.element("{urn:nowhere}anything") is None
