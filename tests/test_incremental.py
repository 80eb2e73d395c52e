"""Incremental builds: a no-op rebuild writes nothing and renders nothing; changing one
service re-renders only that service's outputs; cached and uncached builds are identical."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import XSD


def build(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "b2b_openapi", "build", "--xsd", str(root / "xsd"),
         "--specs", str(root / "specs"), "--build", str(root / "build"),
         "--postman", str(root / "postman"), *extra],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for folder in ("specs", "postman", "build")
            for p in sorted((root / folder).rglob("*"))
            if p.is_file() and ".cache" not in p.parts}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    shutil.copytree(XSD, root / "xsd")
    build(root)
    return root


def test_noop_rebuild_writes_and_renders_nothing(workspace: Path) -> None:
    before = snapshot(workspace)
    proc = build(workspace)
    assert "specs: rendering" not in proc.stderr
    assert "0 misses" in proc.stderr
    for stage in ("specs", "clients", "servers", "diff", "postman", "portal"):
        assert f"{stage}: 0 files written, 0 removed" in proc.stderr
    assert snapshot(workspace) == before


def test_changing_one_service_rebuilds_only_its_outputs(workspace: Path) -> None:
    before = snapshot(workspace)
    report = workspace / "xsd/OASIS/RetrieveCrrAggRevAdj_OASISv2/oasis-report.toml"
    text = report.read_text()
    column = "CRR quantity, MW."  # a column v1 has too: the diff report says it changed
    assert column in text
    report.write_text(text.replace(column, "CRR quantity in MW (revised)."))
    proc = build(workspace)
    assert "specs: rendering 1 of 24 services (23 unchanged)" in proc.stderr
    after = snapshot(workspace)
    changed = sorted(p for p in after if before.get(p) != after[p])
    assert changed, "the documentation change must reach the outputs"
    others = [p for p in changed if "OASIS" not in p and "oasis" not in p
              and p != "build/portal/index.html"]
    assert others == []
    assert "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml" in changed
    assert "specs/OASIS/RetrieveCrrAggRevAdj_OASISv1.yaml" not in changed
    assert any(p.startswith("build/diff/OASIS/") for p in changed)


def test_cached_build_equals_a_build_without_cache(workspace: Path, tmp_path: Path) -> None:
    build(workspace)  # settle after the previous test's change
    fresh = tmp_path / "fresh"
    shutil.copytree(workspace / "xsd", fresh / "xsd")
    build(fresh, "--no-cache", "--jobs", "1")
    assert snapshot(fresh) == snapshot(workspace)


def test_files_many_computes_only_the_misses_in_one_batch(tmp_path: Path) -> None:
    from b2b_openapi.incremental.cache import BuildCache

    cache = BuildCache(tmp_path / "cache", salt="s")
    cache.files("step", "b", lambda: {Path("b.txt"): "cached b"})
    batches: list[list[str]] = []

    def compute(todo: list[str]) -> list[dict[Path, str]]:
        batches.append(todo)
        return [{Path(f"{x}.txt"): f"fresh {x}"} for x in todo]

    got = cache.files_many("step", [("a", "a"), ("b", "b"), ("c", "c")], compute)
    assert batches == [["a", "c"]]
    assert got == [{Path("a.txt"): "fresh a"}, {Path("b.txt"): "cached b"},
                   {Path("c.txt"): "fresh c"}]
    assert (cache.hits, cache.misses) == (1, 3)  # the first files() call was a miss too
    again = cache.files_many("step", [("c", "c"), ("a", "a")], compute)
    assert batches == [["a", "c"]] and again == [got[2], got[0]]


def test_a_cold_build_parses_each_spec_once(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering parses the YAML back to validate it; clients, servers, diffs, Postman and
    the portal reuse that document instead of parsing the text again."""
    from b2b_openapi.codec import jsonio
    from b2b_openapi.incremental import pipeline
    from b2b_openapi.openapi import stage as specs
    from b2b_openapi.openapi import yamlio

    parsed: list[str] = []

    def counting(source: Path | str) -> object:
        parsed.append(str(source)[:80])
        return jsonio.load_yaml(source)

    monkeypatch.setattr(specs, "load_yaml", counting)
    monkeypatch.setattr(yamlio, "load_yaml", counting)  # LazyDocument's parse
    result = pipeline.build(XSD, tmp_path / "specs", tmp_path / "build", tmp_path / "postman",
                            jobs=1, use_cache=False)
    assert len(result.specs) == 24
    assert len(parsed) == 24, parsed
    assert {s.path: s.text for s in result.specs} == {
        p.relative_to(tmp_path / "specs"): p.read_text(encoding="utf-8")
        for p in (tmp_path / "specs").rglob("*.yaml")}


def test_damaged_cache_entries_and_a_removed_system_rebuild_like_a_fresh_build(
        workspace: Path, tmp_path: Path) -> None:
    """The cache is ours but lives on disk: an entry truncated or overwritten (a full disk,
    a killed build) is a miss, not an error on every later build; and a system no service
    is in any more leaves no empty folder behind in specs/ (with --prune)."""
    root = tmp_path / "damaged"
    shutil.copytree(workspace, root)
    parsed = sorted((root / "build/.cache/parsed").iterdir())
    assert parsed, "the spec documents are kept parsed in the cache"
    for i, entry in enumerate(parsed):
        entry.write_bytes(b"" if i < len(parsed) // 2 else b"garbage")
    xsd = root / "xsd/DRRS/Registrations/20240101/Registrations_v1.xsd"
    doc = "Demand response registrations with their locations."
    assert doc in xsd.read_text()  # a spec text changes: the later stages read every document
    xsd.write_text(xsd.read_text().replace(doc, "Demand response registrations (revised)."))
    build(root)
    shutil.rmtree(root / "xsd/OASIS")
    build(root)  # without --prune nothing it did not write is deleted
    assert (root / "specs/OASIS").is_dir()
    build(root, "--prune")
    assert not (root / "specs/OASIS").exists()
    fresh = tmp_path / "fresh"
    shutil.copytree(root / "xsd", fresh / "xsd")
    build(fresh, "--no-cache")
    assert snapshot(fresh) == snapshot(root)
