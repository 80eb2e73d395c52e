"""OpenAPI validation of rendered specs: in this process, or in one forked process beside it.

openapi-spec-validator costs the spec stage about a quarter of its time (its import alone,
pydantic-settings, jsonschema-path, requests..., ~0.2 s CPU, then parsing each spec's YAML
back and validating it), all on one core while the build loads schemas on the same core.
:class:`ConcurrentValidator` moves that work into one forked process that imports the
validator itself and validates each YAML text while the build process loads the next
services; only the verdicts come back (a parsed document pickled back would cost what the
process saves).  The verdict is computed by the same function either way (:func:`verdict`
on ``load_yaml(text)``), so the error a spec gets does not depend on where it was checked.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.errors import ArtifactError, one_line

# Fork, as incremental/workers.py does and only where it does (macOS system libraries are
# not fork-safe, Windows has no fork): the child starts with the build's imports (PyYAML,
# this package) and imports only the validator.  Elsewhere, and with one core to run on
# (the validator moves CPU time to another core, it saves none), specs are validated
# in-process.
CONCURRENT = sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1

# How long the build waits, once every spec is sent, for the verdicts still owed: validating
# one spec takes ~15 ms, the whole bundled corpus well under a second, so a validator that
# has not answered by then is stuck and the build says so instead of hanging.
STALL_SECONDS = 60.0


@dataclass(frozen=True)
class Raised:
    """Validating a spec raised instead of giving a verdict: a document without its
    ``openapi`` version is not an OpenAPIValidationError but a ValidatorDetectError, a
    dangling ``$ref`` a PointerToNowhere.  Exceptions do not all pickle, so the build
    process validates that spec again itself (:func:`again`): it raises exactly what
    in-process validation raised, with its traceback."""

    what: str  # the exception's type and text, for the rare case the second try passes


# A spec's verdict from the validator process: None (valid), why not (one line) or Raised.
Verdict = str | Raised | None


def validator() -> tuple[Callable[[Mapping[str, Any]], None], type[Exception]]:
    """openapi-spec-validator's ``validate`` and its error, imported on first use: the
    build stack (the `build` extra) is not needed to import this module, and importing it
    takes as long as validating the whole bundled corpus."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    return validate, OpenAPIValidationError


def verdict(document: Mapping[str, Any]) -> str | None:
    """None when ``document`` is valid OpenAPI, else why not (one line): the same text
    wherever it is computed, so it is all that crosses between the processes."""
    validate, invalid = validator()
    try:
        validate(document)
    except invalid as exc:
        return one_line(str(exc))
    return None


def invalid_spec(reason: str, wsdl: Path) -> ArtifactError:
    """The error of a generated document that is not valid OpenAPI (a generator bug, but
    say which service)."""
    return ArtifactError(f"generated OpenAPI is invalid: {reason}", wsdl)


def again(text: str, raised: Raised) -> str | None:
    """A spec's verdict computed in this process after the validator process raised on
    it: normally this raises too, the same exception."""
    reason = verdict(load_yaml(text))
    if reason is None:
        raise ValidatorFailed(f"the spec validator process failed on a spec this process "
                              f"finds valid: {raised.what}")
    return reason


class ValidatorFailed(ArtifactError):
    """The validator process died or stopped answering.  Not the input's fault, but told
    the same way (one ``error:`` line, exit 1, nothing written) rather than as a traceback
    or a build that never ends."""


class ConcurrentValidator:
    """One forked process validating YAML texts in the order :meth:`submit` gets them.

    The texts go through a helper thread that sends one and waits for its verdict before
    sending the next, so neither process ever blocks the other on a full pipe: the build
    process never waits in :meth:`submit`, the validator never waits to be read.  Use it as
    a context manager: leaving stops and reaps the process whatever happened (an error, a
    KeyboardInterrupt), so no zombie and no orphan outlives the build.
    """

    def __init__(self, stall: float | None = None) -> None:
        self.stall = STALL_SECONDS if stall is None else stall
        context = multiprocessing.get_context("fork")
        self._channel, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, self._channel),
                                        name="b2b-openapi spec validator", daemon=True)
        self._process.start()
        theirs.close()  # the child's end only in the child: its death is our EOF
        self._texts: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._verdicts: list[Verdict] = []
        self._submitted = 0
        self._thread = threading.Thread(target=self._relay, name="spec validator relay",
                                        daemon=True)
        self._thread.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def submit(self, text: str) -> None:
        """Queue one spec's YAML text for validation (never blocks)."""
        self._submitted += 1
        self._texts.put(text)

    def verdicts(self) -> list[Verdict]:
        """Every submitted text's verdict, in submission order, once all are in.  Raises
        :class:`ValidatorFailed` when the process died or gave no verdict in time (it is
        then stopped)."""
        self._texts.put(None)
        self._thread.join(self.stall)
        if self._thread.is_alive():
            self.close()
            raise ValidatorFailed(
                f"the spec validator process (pid {self.pid}) gave no verdict in "
                f"{self.stall:g} s and was stopped; the specs were not validated")
        if len(self._verdicts) < self._submitted:
            self._process.join(1)  # its end of the channel closed: it is on its way out
            ended = _ended(self._process.exitcode)  # before close() kills what is left
            self.close()
            raise ValidatorFailed(
                f"the spec validator process (pid {self.pid}) {ended} after "
                f"{len(self._verdicts)} of {self._submitted} specs; the specs were not "
                "validated")
        return list(self._verdicts)

    def close(self) -> None:
        """Stop the process and reap it, then end the relay.  The process holds nothing
        worth a graceful exit (verdicts not yet read are wanted by nobody once this is
        called), so it is killed: immediate, whether it waits for input, validates or is
        stuck."""
        self._texts.put(None)
        if self._process.exitcode is None:
            self._process.kill()
        self._process.join()
        self._thread.join()  # the child's end is closed now: the relay sees EOF and ends
        self._channel.close()

    def __enter__(self) -> ConcurrentValidator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _relay(self) -> None:
        """The helper thread: each text out, its verdict back, until the end of the texts
        or of the process (EOF, a broken pipe)."""
        while (text := self._texts.get()) is not None:
            try:
                self._channel.send_bytes(text.encode("utf-8"))
                answer = self._channel.recv()
            except (EOFError, OSError):
                return
            self._verdicts.append(answer)


def _ended(exitcode: int | None) -> str:
    """How a process that stopped answering ended, for the error line."""
    if exitcode is None:
        return "closed its connection"
    if exitcode < 0:
        return f"was killed by {signal.Signals(-exitcode).name}"
    return f"exited with status {exitcode}"


def _serve(channel: Connection, ours: Connection) -> None:
    """The validator process: import the validator while the build loads its first
    services, then answer each text with its verdict until the build closes its end."""
    ours.close()
    # Ctrl-C reaches the whole process group: the build decides (and stops this process);
    # the build's SIGTERM handler (cli.py: raise KeyboardInterrupt) would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    validator()
    while True:
        try:
            data = channel.recv_bytes()
        except EOFError:
            return
        channel.send(_answer(data.decode("utf-8")))


def _answer(text: str) -> Verdict:
    """``text``'s verdict, or :class:`Raised` when computing it raised."""
    try:
        return verdict(load_yaml(text))
    except Exception as exc:
        return Raised(f"{type(exc).__name__}: {exc}")
