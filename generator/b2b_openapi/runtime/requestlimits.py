"""What one request may cost a server: its body size, and its share of the upstream calls.

* A body larger than ``B2B_MAX_BODY_MB`` is refused 413 before more than the limit is read:
  at once when ``Content-Length`` says so, else as soon as the chunks read pass it.
* At most ``B2B_MAX_UPSTREAM`` SOAP calls run at once in a process (each holds a connection
  and, streamed, a response); a request beyond that waits for a slot up to
  ``B2B_UPSTREAM_QUEUE_SECONDS`` and is then refused 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

from starlette.requests import Request

from b2b_openapi.runtime.spec import Problem
from b2b_openapi.runtime.streams import ClosingStream

# CAISO's largest submits (bid sets, outage and meter data batches) stay well below this;
# a JSON body is ~1.5x its XML, whose base64 attachments are ~1.33x their documents.
DEFAULT_MAX_BODY_MB = 32
DEFAULT_MAX_UPSTREAM = 32
DEFAULT_QUEUE_SECONDS = 5.0
RECORD_KEY = "b2b_openapi.record"

_slots: dict[tuple[int, int], asyncio.Semaphore] = {}


def request_record(scope: MutableMapping[str, Any]) -> dict[str, Any]:
    """The per-request facts the access log and metrics report (operation, caller), kept in
    the ASGI scope where the server's middleware finds them."""
    record: dict[str, Any] = scope.setdefault(RECORD_KEY, {})
    return record


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or a 413 :class:`Problem` once it is known to exceed ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, f"Content-Length is {int(declared)} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, f"more than {limit} bytes were sent")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int, why: str) -> Problem:
    return Problem(413, "Request body too large",
                   f"{why}; this server reads at most {limit / 2**20:g} MB (B2B_MAX_BODY_MB)")


def _semaphore(size: int) -> asyncio.Semaphore:
    """The process's semaphore of ``size`` upstream calls, made in the running loop (a
    semaphore belongs to one loop); every service app of the process shares it."""
    key = (size, id(asyncio.get_running_loop()))
    if key not in _slots:
        _slots[key] = asyncio.Semaphore(size)
    return _slots[key]


class UpstreamSlot:
    """One of the process's ``size`` upstream slots for the block, waiting at most ``wait``
    seconds for it; :meth:`keep` hands it to a streamed answer, which releases it when the
    stream ends instead of when the block does.  (A class, not ``asynccontextmanager``:
    that one writes ``__traceback__`` on the exception leaving the block, which a frozen
    :class:`Problem` refuses.)"""

    def __init__(self, size: int, wait: float) -> None:
        self.size = size
        self.wait = wait
        self.kept = False
        self.semaphore: asyncio.Semaphore | None = None

    async def __aenter__(self) -> UpstreamSlot:
        semaphore = _semaphore(self.size)
        try:
            await asyncio.wait_for(semaphore.acquire(), self.wait)
        except TimeoutError:
            raise Problem(503, "Too many SOAP calls in progress",
                          f"all upstream slots of this server (B2B_MAX_UPSTREAM) stayed busy "
                          f"for {self.wait:g} s; retry shortly",
                          headers={"Retry-After": "1"}) from None
        self.semaphore = semaphore
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if not self.kept and self.semaphore is not None:
            self.semaphore.release()

    def keep(self, result: Any) -> Any:
        if not isinstance(result, AsyncIterator):
            return result
        assert self.semaphore is not None
        self.kept = True
        return ClosingStream(result, self.semaphore.release)
