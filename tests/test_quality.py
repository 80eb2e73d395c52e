"""The generator package, and the client runtime it ships (templates/client/caiso_b2b_runtime,
copied verbatim into build/clients), stay ruff- and mypy-clean (DEVELOPERS.md)."""

from __future__ import annotations

import subprocess
import sys

from support import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_ruff_clean() -> None:
    proc = _run("ruff", "check", "generator", "templates", "tests", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean() -> None:
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
