"""What the command line tells its user on stderr: progress, warnings and a live status.

Progress lines say what a long build is doing and are silenced by ``--quiet``; warnings
(a degraded result the user should know of) and errors are never silenced.  When stderr is a
terminal, a rich spinner shows the step in progress; in a pipe or a CI log only the plain
lines appear, so logs stay greppable and deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console


@dataclass
class Reporter:
    """One per command run; ``quiet`` drops progress, never warnings."""

    quiet: bool = False
    console: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True,
                                                             highlight=False))

    def progress(self, message: str) -> None:
        if not self.quiet:
            self.console.print(message, markup=False)

    def warning(self, message: str) -> None:
        self.console.print(f"warning: {message}", markup=False,
                           style="yellow" if self.console.is_terminal else None)

    @contextmanager
    def status(self, message: str) -> Iterator[None]:
        """A spinner naming the running step, on a terminal only (and not when quiet)."""
        if self.quiet or not self.console.is_terminal:
            yield
            return
        with self.console.status(message):
            yield
