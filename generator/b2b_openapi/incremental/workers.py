"""One process pool for a whole build, shared by the stages whose work splits by service.

Spec rendering (xmlschema) and client model generation (datamodel-code-generator) are CPU
bound and independent per service, so they spread over processes.  The pool starts on the
first batch big enough to pay for it and then serves every later stage: its workers keep
what they built (the shared CAISO schemas, imported libraries) from one batch to the next.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")

POOL_MIN = 4  # fewer items than this run faster in-process than shipped to a worker

# Forked workers start with what the build process already holds (imported libraries, the
# shared schemas it preloaded) instead of rebuilding it.  Fork only on Linux (macOS system
# libraries are not fork-safe, Windows has no fork); elsewhere each worker builds it once.
_CONTEXT = multiprocessing.get_context("fork") if sys.platform == "linux" else None


class Workers:
    """``map(fn, items)`` over a lazily started process pool (or in-process when small)."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def pooled(self, count: int) -> bool:
        """Whether ``count`` items go to the pool rather than run in-process."""
        return count >= POOL_MIN and self.jobs > 1

    def map(self, fn: Callable[[A], R], items: Sequence[A]) -> list[R]:
        """``[fn(item) for item in items]``, in order; ``fn`` must be a module-level
        function (it is pickled by name for the workers)."""
        if not self.pooled(len(items)):
            return [fn(item) for item in items]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_CONTEXT)
        chunk = max(1, min(4, len(items) // (self.jobs * 4)))
        return list(self._pool.map(fn, items, chunksize=chunk))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


IN_PROCESS = Workers(jobs=1)


@contextmanager
def rare_collections() -> Iterator[None]:
    """Collect garbage less often while building, as mypy does: a build allocates millions
    of objects that live to its end (schema components, documents), and the default
    generation-0 threshold (700 allocations) has the collector re-scan them over and over.
    Cycles are still collected, only in larger batches; forked workers inherit this."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
