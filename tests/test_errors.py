"""Bad input artifacts: one line naming file and line, exit code 1, nothing written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b2b_openapi.cli import app
from b2b_openapi.xsd.refusals import REFUSALS

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if (p / "expect.txt").is_file() and p.name != "good")


def _expect(case: Path) -> dict[str, str]:
    lines = (case / "expect.txt").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines)


RULES = {rule.id: rule for rule in REFUSALS}


def test_corpus_of_broken_artifacts_is_large_enough() -> None:
    assert len(CASES) >= 15


def test_every_refusal_rule_has_its_broken_artifact_and_no_case_is_unnamed() -> None:
    assert len(RULES) == len(REFUSALS), "rule ids are unique"
    assert sorted(RULES) == [case.name for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_artifact_reports_file_and_line(case: Path, tmp_path: Path) -> None:
    expect = _expect(case)
    specs = tmp_path / "specs"
    result = CliRunner().invoke(app, ["specs", "--xsd", str(case), "--specs", str(specs)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if not line.startswith("[")]
    assert len(errors) == 1, errors
    error = errors[0]
    location = f"{expect['file']}:{expect['line']}: " if expect["line"] != "0" else (
        f"{expect['file']}: ")
    assert error.startswith("error: ") and location in error, error
    assert expect["message"] in error
    assert RULES[case.name].says in error, "the refusal table says what this error says"
    assert not specs.exists(), "a failed build must not write specs"


def test_good_template_builds(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["specs", "--xsd", str(BROKEN / "good"),
                                      "--specs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "TEST" / "RetrieveWidget_TESTv1.yaml").is_file()


def test_one_bad_service_writes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "xsd"
    shutil.copytree(BROKEN / "good" / "TEST", corpus / "TEST")
    shutil.copytree(BROKEN / "unknown_type" / "TEST", corpus / "TESTB")
    specs = tmp_path / "specs"
    (specs / "TEST").mkdir(parents=True)
    sentinel = specs / "TEST" / "RetrieveWidget_TESTv1.yaml"
    sentinel.write_text("previous content\n")
    result = CliRunner().invoke(app, ["specs", "--xsd", str(corpus), "--specs", str(specs)])
    assert result.exit_code == 1
    assert sentinel.read_text() == "previous content\n"
    assert sorted(p.name for p in specs.rglob("*")) == ["RetrieveWidget_TESTv1.yaml", "TEST"]


def test_unknown_service_name_lists_known_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["specs", "--xsd", str(BROKEN / "good"), "--specs",
                                      str(tmp_path), "--service", "RetrieveGadget_TESTv1"])
    assert result.exit_code == 1
    assert "unknown service 'RetrieveGadget_TESTv1'" in result.stderr
    assert "RetrieveWidget_TESTv1" in result.stderr


def test_real_process_exit_code(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "b2b_openapi", "specs", "--xsd", str(BROKEN / "malformed_xsd"),
         "--specs", str(tmp_path / "specs")],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Widget_v1.xsd:10: malformed XML" in proc.stderr
