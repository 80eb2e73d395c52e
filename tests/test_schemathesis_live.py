"""schemathesis against every generated mock server: no 5xx, every response conforms to the
spec (status, content type, headers, body), invalid requests refused, valid ones accepted."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.emit.view import service_view
from live import server_env, uvicorn
from support import ROOT, rendered_all

TESTS = Path(__file__).parent


@pytest.fixture(scope="module")
def fuzz_url(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Mock servers with the acceptable use window off: otherwise most calls of the limited
    operation would be 429s and leave its logic unexplored (the AUP has its own tests)."""
    env = server_env("mock", B2B_SERVERS_ROOT=str(built[1]), B2B_AUP_WINDOW_SECONDS="0")
    log = tmp_path_factory.mktemp("logs") / "fuzz.log"
    with uvicorn("b2b_openapi.runtime.combined:app_from_env", env, factory=True, log=log) as url:
        yield url


@pytest.mark.parametrize("spec", rendered_all(), ids=lambda s: s.full_name)
def test_schemathesis_finds_nothing(spec: object, fuzz_url: str, tmp_path: Path) -> None:
    path = ROOT / "specs" / spec.path  # type: ignore[attr-defined]
    base = service_view(load_yaml(path)).base_path
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", str(path), "--url", fuzz_url + base,
         "--header", "X-API-Key: k-fuzz", "--checks", "all", "--max-examples", "25",
         "--seed", "20261125", "--no-color"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
