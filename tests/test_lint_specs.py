"""Every committed spec is lint-clean: 0 errors and 0 warnings from Redocly's `recommended`
and Spectral's `spectral:oas`, each with its stock ruleset (no rule switched off).

Both linters come from npm: tests/run installs them into build/tools (beside newman).
Neither is given a project config: Redocly lints with `recommended` when none is found (it
is named here explicitly), and Spectral's ruleset (written to a temporary folder, not the
checkout) only extends `spectral:oas`.  Telemetry and update checks are off: no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from support import ROOT

SPECS = sorted((ROOT / "specs").glob("*/*.yaml"))
TOOLS = ROOT / "build" / "tools" / "node_modules" / ".bin"
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
         "REDOCLY_SUPPRESS_NOTIFICATIONS": "true", "NO_UPDATE_NOTIFIER": "1"}


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(TOOLS))
    if found is None:
        pytest.fail(f"{name} not found in {TOOLS}: run tests/run (it installs @redocly/cli and "
                    "@stoplight/spectral-cli from npm there)")
    return found


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=600,
                          cwd=cwd, env={**os.environ, **QUIET})


def _json_values(text: str) -> list[object]:
    """Redocly's JSON format writes one JSON value per linted file, one after another."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return values
        value, at = decoder.raw_decode(text, at)
        values.append(value)


def test_there_are_specs_to_lint() -> None:
    assert len(SPECS) == 24


def test_redocly_recommended_finds_nothing(tmp_path: Path) -> None:
    proc = _run([_tool("redocly"), "lint", "--extends", "recommended", "--format", "json",
                 *map(str, SPECS)], cwd=tmp_path)  # tmp_path: no redocly.yaml to find
    problems = [p for value in _json_values(proc.stdout) if isinstance(value, dict)
                for p in value.get("problems", ())]
    found = Counter(f"{p['ruleId']} ({p['severity']})" for p in problems)
    first = [f"{p['location'][0].get('source', {}).get('ref', '?')} "
             f"{p['location'][0].get('pointer', '')}: {p['message']}" for p in problems[:5]]
    assert not found, f"{dict(found)}; first: {first}"
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "validated" in proc.stderr, proc.stderr[-2000:]  # it did read the files


def test_spectral_oas_finds_nothing(tmp_path: Path) -> None:
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    proc = _run([_tool("spectral"), "lint", "--ruleset", str(ruleset), "--format", "json",
                 "--fail-severity", "hint", *map(str, SPECS)], cwd=tmp_path)
    start = proc.stdout.find("[")  # a notice line may precede the JSON
    assert start >= 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    problems = json.loads(proc.stdout[start:proc.stdout.rfind("]") + 1])
    found = Counter(f"{p['code']} (severity {p['severity']})" for p in problems)
    first = [f"{Path(p['source']).relative_to(ROOT)} {'/'.join(map(str, p['path']))}: "
             f"{p['message']}" for p in problems[:5]]
    assert not found, f"{dict(found)}; first: {first}"
    assert proc.returncode == 0, proc.stderr[-2000:]
