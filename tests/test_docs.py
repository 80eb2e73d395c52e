"""docs/: the generated parts are fresh, a stale one fails `check`, the README stays short."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b2b_openapi.cli import app
from b2b_openapi.diff import report
from b2b_openapi.diff.rules import RULES, Rule
from b2b_openapi.docs import BLOCKS, refreshed, stale_docs
from support import ROOT

DOCS = ROOT / "docs"


def test_committed_docs_are_fresh_and_list_every_rule() -> None:
    assert stale_docs(DOCS) == {}, "run `b2b-openapi docs` and commit docs/"
    text = (DOCS / "diff.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| `{rule.id}` | `{rule.kind}` | {rule.direction} |" in text


def test_a_rule_changed_in_code_makes_the_docs_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    first = RULES[0]
    changed = Rule(first.id, first.kind, first.direction, not first.breaking, "changed why")
    monkeypatch.setattr(report, "RULES", (changed, *RULES[1:]))
    stale = stale_docs(DOCS)
    assert list(stale) == [DOCS / "diff.md"]
    assert "| `operation-added` | `operation-added` | operation | yes | changed why |" in (
        stale[DOCS / "diff.md"])


def test_a_deleted_block_is_an_error_not_silence() -> None:
    with pytest.raises(ValueError, match="no <!-- generated:rules -->"):
        refreshed("# Diff\n\nno table here\n", BLOCKS["diff.md"])


def test_check_fails_on_stale_docs_and_docs_repairs_them(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    diff_md = docs / "diff.md"
    diff_md.write_text(diff_md.read_text().replace("| yes |", "| no |", 1))
    good = ROOT / "tests" / "broken" / "good"
    specs = tmp_path / "specs"
    runner = CliRunner()
    assert runner.invoke(app, ["specs", "--xsd", str(good), "--specs", str(specs)]).exit_code == 0
    args = ["--xsd", str(good), "--specs", str(specs), "--docs", str(docs)]
    stale = runner.invoke(app, ["check", *args])
    assert stale.exit_code == 1
    assert f"out of date: {diff_md}" in stale.stderr
    assert runner.invoke(app, ["docs", "--docs", str(docs)]).exit_code == 0
    assert diff_md.read_text() == (DOCS / "diff.md").read_text()
    assert runner.invoke(app, ["check", *args]).exit_code == 0


def test_readme_is_short_and_its_links_resolve() -> None:
    readme = ROOT / "README.md"
    assert readme.stat().st_size <= 8 * 1024
    for target in re.findall(r"\]\(([^)#]+)\)", readme.read_text(encoding="utf-8")):
        assert (ROOT / target).is_file(), target


def test_doc_pages_render_tables_escape_markup_and_point_links_at_pages() -> None:
    from b2b_openapi.emit.docpages import doc_pages

    text = ("# Gateway\n\nSee [the mapping](mapping.md#json) and "
            "[ops](docs/operations.md).\n\n<script>alert(1)</script>\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n")
    (page,) = doc_pages({"gateway": text})
    assert page.title == "Gateway"
    assert 'href="mapping.html#json"' in page.html and 'href="operations.html"' in page.html
    assert "<script>" not in page.html and "&lt;script&gt;" in page.html
    assert "<table>" in page.html and "<td>2</td>" in page.html
