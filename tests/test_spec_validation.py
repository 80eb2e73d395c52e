"""The spec stage validates its specs in a forked process beside the build
(openapi/validating.py): the same verdicts as openapi-spec-validator in-process, the same
error for an invalid spec, nothing written, and a dead or stuck validator is an error line,
never a hang or a zombie."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from typer.testing import CliRunner

from b2b_openapi.cli import app
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.errors import ArtifactError, one_line
from b2b_openapi.openapi import stage as specs
from b2b_openapi.openapi import validating, yamlio
from b2b_openapi.xsd import corpus
from support import ROOT, XSD, rendered_all

pytestmark = pytest.mark.skipif(not validating.CONCURRENT,
                                reason="a validator process only on Linux, 2+ cores")

GOOD = ROOT / "tests" / "broken" / "good"  # one service: the cheap corpus


def reference(text: str) -> object:
    """openapi-spec-validator in this process on the text parsed back: None, the reason
    the stage's error gives (today's wording) or, for what is not even an OpenAPI document
    to it, the exception it raises (type and text)."""
    try:
        validate(load_yaml(text))
    except OpenAPIValidationError as exc:
        return one_line(str(exc))
    except Exception as exc:
        return type(exc), str(exc)
    return None


def comparable(verdict: validating.Verdict, text: str) -> object:
    """A verdict of the validator process as :func:`reference` gives it: what raised there
    is validated again in this process (what render_all does), which must raise."""
    if not isinstance(verdict, validating.Raised):
        return verdict
    with pytest.raises(Exception) as raised:
        validating.again(text, verdict)
    assert verdict.what == f"{raised.type.__name__}: {raised.value}"
    return raised.type, str(raised.value)


def children() -> list[tuple[int, str]]:
    """This process's child processes (pid, state letter), zombies included."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == os.getpid():
            found.append((int(stat.parent.name), fields[0]))
    return found


@pytest.fixture(autouse=True)
def no_child_left() -> Iterator[None]:
    """Whatever a test does, no validator process (running or zombie) outlives it."""
    before = {pid for pid, _ in children()}
    yield
    left = [(pid, state) for pid, state in children() if pid not in before]
    assert left == [], f"child processes left behind: {left}"


def breaking(monkeypatch: pytest.MonkeyPatch, broken: set[int],
             texts: list[str]) -> None:
    """Make the stage dump the ``broken`` (0-based, corpus order) services' documents
    without ``info.version`` (invalid OpenAPI); every dumped text lands in ``texts``."""
    dump = yamlio.dump

    def dump_breaking(document: Any) -> str:
        if len(texts) in broken:
            document = {**document, "info": {k: v for k, v in document["info"].items()
                                              if k != "version"}}
        texts.append(dump(document))
        return texts[-1]

    monkeypatch.setattr(specs, "dump", dump_breaking)


def test_an_invalid_spec_is_the_error_in_process_validation_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first invalid spec in corpus order (of two) is reported, with exactly the
    message openapi-spec-validator gives in-process and the error render() raises."""
    artifacts = corpus.select(corpus.discover(XSD), ())
    texts: list[str] = []
    breaking(monkeypatch, {3, 7}, texts)
    with pytest.raises(ArtifactError) as concurrent:
        specs.render_all(XSD)
    assert len(texts) == len(artifacts), "every service is rendered before the error"
    reason = reference(texts[3])
    assert isinstance(reason, str) and "version" in reason
    assert str(concurrent.value) == str(ArtifactError(
        f"generated OpenAPI is invalid: {reason}", artifacts[3].wsdl))
    assert concurrent.value.path == artifacts[3].wsdl
    texts.clear()
    breaking(monkeypatch, {0}, texts)
    with pytest.raises(ArtifactError) as one:
        specs.render(artifacts[3])
    assert str(one.value) == str(concurrent.value)
    monkeypatch.setattr(validating, "CONCURRENT", False)  # today's loop, in this process
    texts.clear()
    breaking(monkeypatch, {3, 7}, texts)
    with pytest.raises(ArtifactError) as in_process:
        specs.render_all(XSD)
    assert str(in_process.value) == str(concurrent.value)
    assert len(texts) == 4, "in-process validation stops at the first invalid spec"


def test_an_invalid_spec_writes_nothing(monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    breaking(monkeypatch, {0}, [])
    out = tmp_path / "specs"
    result = CliRunner().invoke(app, ["specs", "--xsd", str(GOOD), "--specs", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("[")]
    assert len(errors) == 1 and errors[0].startswith("error: ")
    assert "RetrieveWidget_TESTv1.wsdl: generated OpenAPI is invalid: " in errors[0]
    assert not out.exists()


def test_an_earlier_invalid_spec_comes_before_a_later_load_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process validation raised at the invalid spec before reaching a service that
    fails to load; without an invalid spec before it, the load error is raised as is."""
    artifacts = corpus.select(corpus.discover(XSD), ())
    unvalidated = specs._unvalidated

    def failing_at_5(artifact: Any) -> specs.SpecFile:
        if artifact == artifacts[5]:
            raise ArtifactError("cannot load", artifact.wsdl, 7)
        return unvalidated(artifact)

    monkeypatch.setattr(specs, "_unvalidated", failing_at_5)
    with pytest.raises(ArtifactError, match="cannot load"):
        specs.render_all(XSD)
    breaking(monkeypatch, {2}, [])
    with pytest.raises(ArtifactError, match="generated OpenAPI is invalid") as error:
        specs.render_all(XSD)
    assert error.value.path == artifacts[2].wsdl


def mutations(document: Any, rng: random.Random, count: int) -> Iterator[Any]:
    """``count`` copies of ``document``, each with one node (picked by ``rng``) replaced
    by junk or deleted: often invalid OpenAPI, valid where the node is free-form."""
    places: list[tuple[tuple[Any, ...], Any]] = []  # (keys down to a container, key)

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            places.append((path, key))
            if isinstance(value, dict | list):
                walk(value, (*path, key))

    walk(document, ())
    junk: list[Callable[[], Any]] = [lambda: None, lambda: 42, lambda: "x", list, dict,
                                     lambda: {"type": "widget"}, lambda: [{"in": "nowhere"}]]
    for _ in range(count):
        copy = deepcopy(document)
        path, key = rng.choice(places)
        target = copy
        for step in path:
            target = target[step]
        if isinstance(target, dict) and rng.random() < 0.3:
            del target[key]
        else:
            target[key] = rng.choice(junk)()
        yield copy


def test_concurrent_verdicts_equal_in_process_validation() -> None:
    """Differential, openapi-spec-validator in this process the reference: every bundled
    spec and seeded random mutations of each (junk values, deleted keys)."""
    rng = random.Random(14)
    texts = [spec.text for spec in rendered_all()]
    for spec in rendered_all():
        document = load_yaml(spec.text)
        texts += [yamlio.dump(mutant) for mutant in mutations(document, rng, 4)]
    with validating.ConcurrentValidator() as checker:
        for text in texts:
            checker.submit(text)
        verdicts = [comparable(v, t) for v, t in zip(checker.verdicts(), texts, strict=True)]
    expected = [reference(text) for text in texts]
    assert verdicts == expected
    bundled = len(rendered_all())
    assert verdicts[:bundled] == [None] * bundled
    invalid = sum(v is not None for v in verdicts)
    # (many nodes are free-form: examples, descriptions, extensions; junk there is valid)
    assert invalid >= len(texts[bundled:]) // 4, "the mutations often break the spec"
    assert any(isinstance(v, tuple) for v in verdicts), "and some are not even OpenAPI"


def test_the_documents_are_parsed_only_when_asked_and_equal_the_text_parsed() -> None:
    files = specs.render_all(GOOD)
    document = files[0].document
    assert isinstance(document, yamlio.LazyDocument) and document.parsed_yet() is None
    assert dict(files[0].parsed()) == load_yaml(files[0].text)
    assert document.parsed_yet() == load_yaml(files[0].text)
    assert files == specs.render_all(GOOD), "a second run renders the same"


def test_the_build_process_does_not_import_the_validator() -> None:
    """Fresh process: render_all leaves openapi_spec_validator to the validator process;
    render() (one service, in-process) still imports it (the check can fail)."""
    code = ("import sys; from pathlib import Path; from b2b_openapi.openapi import stage; "
            f"files = stage.render_all(Path({str(GOOD)!r})); "
            "print(files[0].document['openapi'], 'openapi_spec_validator' in sys.modules); "
            "stage.render(files[0].wsdl); print('openapi_spec_validator' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["3.0.3", "False", "True"]


def dying(monkeypatch: pytest.MonkeyPatch) -> None:
    """The validator process (forked from this one) kills itself at its first verdict."""
    def die(document: Any) -> str | None:
        os.kill(os.getpid(), signal.SIGKILL)
        return None

    monkeypatch.setattr(validating, "verdict", die)


def test_a_killed_validator_is_an_error_line_and_nothing_is_written(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    dying(monkeypatch)
    out = tmp_path / "specs"
    result = CliRunner().invoke(app, ["specs", "--xsd", str(GOOD), "--specs", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("[")]
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: the spec validator process (pid ")
    assert "was killed by SIGKILL after 0 of 1 specs; the specs were not validated" in \
        errors[0]
    assert not out.exists()


def test_a_validator_that_exits_is_reported_with_its_status(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def leave(document: Any) -> str | None:
        os._exit(3)

    monkeypatch.setattr(validating, "verdict", leave)
    with pytest.raises(validating.ValidatorFailed, match=r"\(pid \d+\) exited with status 3 "
                       "after 0 of 1 specs"):
        specs.render_all(GOOD)


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_stopping_the_build_stops_its_validator(tmp_path: Path, stop: str) -> None:
    """SIGINT to the whole process group, as a terminal sends it, or SIGTERM to the build
    process alone, mid-build: exit 130, nothing written, no traceback, and no process of
    the group left (the validator ignores SIGINT: the build stops it)."""
    out = tmp_path / "specs"
    proc = subprocess.Popen([sys.executable, "-m", "b2b_openapi", "specs", "--xsd", str(XSD),
                             "--specs", str(out)], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("[3/"):
            break
    if stop == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.terminate()
    _, rest = proc.communicate(timeout=60)  # until every holder of stderr is gone
    assert proc.returncode == 130
    assert "Traceback" not in rest, rest
    assert not out.exists()
    deadline = time.monotonic() + 5
    while True:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a process of the build outlived it"
        time.sleep(0.05)


def test_a_validator_killed_from_outside_is_reported() -> None:
    with validating.ConcurrentValidator() as checker:
        checker.submit(rendered_all()[0].text)
        assert checker.pid is not None
        os.kill(checker.pid, signal.SIGKILL)
        time.sleep(0.2)
        checker.submit(rendered_all()[1].text)
        with pytest.raises(validating.ValidatorFailed, match="was killed by SIGKILL after "
                           r"[01] of 2 specs"):
            checker.verdicts()


def test_a_stuck_validator_is_stopped_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def stuck(document: Any) -> str | None:
        time.sleep(600)
        return None

    monkeypatch.setattr(validating, "verdict", stuck)
    monkeypatch.setattr(validating, "STALL_SECONDS", 1.0)
    start = time.monotonic()
    with pytest.raises(validating.ValidatorFailed, match=r"gave no verdict in 1 s and was "
                       "stopped; the specs were not validated"):
        specs.render_all(GOOD)
    assert time.monotonic() - start < 30


def test_a_load_error_is_not_hidden_by_a_dead_validator(
        monkeypatch: pytest.MonkeyPatch) -> None:
    dying(monkeypatch)
    with pytest.raises(ArtifactError) as error:
        specs.render_all(ROOT / "tests" / "broken" / "unknown_type")
    assert not isinstance(error.value, validating.ValidatorFailed)
    assert "Widget_v1.xsd" in str(error.value)


def test_keyboard_interrupt_stops_the_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    unvalidated = specs._unvalidated
    rendered: list[Any] = []

    def interrupted(artifact: Any) -> specs.SpecFile:
        if rendered:
            raise KeyboardInterrupt
        rendered.append(artifact)
        return unvalidated(artifact)

    monkeypatch.setattr(specs, "_unvalidated", interrupted)
    with pytest.raises(KeyboardInterrupt):
        specs.render_all(XSD)
    assert rendered  # the autouse fixture checks that no process is left


def test_what_raises_instead_of_a_verdict_raises_as_in_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A document without its ``openapi`` version is no OpenAPI document to the validator
    (ValidatorDetectError, not a verdict): render_all raises what render() raises."""
    artifacts = corpus.select(corpus.discover(XSD), ())
    dump = yamlio.dump
    texts: list[str] = []

    def dump_unversioned(document: Any) -> str:
        if len(texts) == 2:
            document = {k: v for k, v in document.items() if k != "openapi"}
        texts.append(dump(document))
        return texts[-1]

    monkeypatch.setattr(specs, "dump", dump_unversioned)
    with pytest.raises(Exception) as concurrent:
        specs.render_all(XSD)
    texts[:] = ["", ""]
    with pytest.raises(Exception) as in_process:
        specs.render(artifacts[2])
    assert concurrent.type is in_process.type
    assert concurrent.type.__name__ == "ValidatorDetectError"
    assert str(concurrent.value) == str(in_process.value)
