"""Builds that cannot leave junk or silently delete: a build stopped by SIGTERM removes its
temporary files, `check` fails while any exist (a hard kill), the next build sweeps them,
and `build --xsd OTHER` deletes no spec or collection it did not write unless --prune."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from b2b_openapi.outputs import TEMP_SUFFIX
from support import ROOT, XSD

ONE = ("CMRI", "RetrieveDefaultBidCurves_CMRIv1")
PACKAGE = ("CMRI", "DefaultBidCurves", "20190101")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "b2b_openapi", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def one_service_corpus(root: Path) -> Path:
    corpus = root / "other-xsd"
    shutil.copytree(XSD.joinpath(*PACKAGE), corpus.joinpath(*PACKAGE))
    # one service: the package without its DocAttach variant
    (corpus.joinpath(*PACKAGE) / "retrieveDefaultBidCurves_v1_DocAttach.wsdl").unlink()
    return corpus


def test_build_of_another_corpus_deletes_nothing_without_prune(tmp_path: Path) -> None:
    specs, postman = tmp_path / "specs", tmp_path / "postman"
    shutil.copytree(ROOT / "specs", specs)
    shutil.copytree(ROOT / "postman", postman)
    before = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    args = ["build", "--xsd", str(one_service_corpus(tmp_path)), "--specs", str(specs),
            "--build", str(tmp_path / "build"), "--postman", str(postman)]
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    after = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert before <= after  # every spec and collection of the other services is still there
    assert "specs: 0 files written, 0 removed" in proc.stderr  # its own spec was current

    proc = cli(*args, "--prune")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in specs.rglob("*.yaml")) == [f"{ONE[1]}.yaml"]
    assert {p.parent.name for p in postman.rglob("*.postman_collection.json")} == {ONE[0]}


def test_sigterm_mid_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The write is held between its temporary file and the rename; SIGTERM there."""
    target = tmp_path / "specs" / "CMRI" / "X.yaml"
    target.parent.mkdir(parents=True)
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from b2b_openapi import outputs
        from b2b_openapi.cli import _terminate_as_interrupt

        def held(src, dst):
            print("written", flush=True)
            time.sleep(30)
        outputs.os.replace = held
        try:
            with _terminate_as_interrupt():
                outputs.write_atomically(Path({str(target)!r}), b"x" * 100_000)
        except KeyboardInterrupt:
            sys.exit(130)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "written\n"
    assert [p.name.endswith(TEMP_SUFFIX) for p in target.parent.iterdir()] == [True]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 130
    assert list(target.parent.iterdir()) == []


def test_check_fails_on_leftovers_and_build_sweeps_them(tmp_path: Path) -> None:
    corpus = one_service_corpus(tmp_path)
    specs, postman = tmp_path / "specs", tmp_path / "postman"
    args = ["--specs", str(specs), "--build", str(tmp_path / "build"), "--postman",
            str(postman)]
    assert cli("build", "--xsd", str(corpus), *args).returncode == 0
    check = ["check", "--xsd", str(corpus), "--specs", str(specs), "--postman", str(postman)]
    assert cli(*check).returncode == 0
    # what a hard kill (SIGKILL, power loss) leaves: the writer's temporary siblings
    junk = [specs / ONE[0] / f".{ONE[1]}.yaml.k3j2h1{TEMP_SUFFIX}",
            postman / ONE[0] / f".{ONE[1]}.postman_collection.json.a1b2c3{TEMP_SUFFIX}"]
    for path in junk:
        path.write_text("half")
    proc = cli(*check)
    assert proc.returncode == 1
    for path in junk:
        assert f"leftover temporary file: {path} (an interrupted build; delete it)" \
            in proc.stderr
    started = time.monotonic()
    assert cli("build", "--xsd", str(corpus), *args).returncode == 0
    assert time.monotonic() - started < 120
    assert not any(path.exists() for path in junk)
    assert cli(*check).returncode == 0
