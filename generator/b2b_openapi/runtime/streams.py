"""Streamed answers whose cleanups always run: the SOAP connection and the upstream slot
behind a streamed JSON answer are released when the stream ends, fails, or is closed.

An async generator that never started skips its ``finally`` when closed, so a client gone
before the first byte (a disconnect while the status line is sent) would keep the SOAP
connection open and its upstream slot taken until garbage collection, or for good: enough
of those and every later gateway call is a 503. :class:`ClosingStream` runs its cleanups
exactly once whatever happens, and :class:`ClosedAfterResponse` closes its stream when the
response is over, sent or not.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

Cleanup = Callable[[], Awaitable[None] | None]


class ClosingStream(AsyncIterator[bytes]):
    """``stream``, then ``cleanups`` (in order) once: at its end, on its error, on close."""

    def __init__(self, stream: AsyncIterator[bytes], *cleanups: Cleanup) -> None:
        self._stream = stream
        self._cleanups = cleanups
        self._closed = False

    def __aiter__(self) -> ClosingStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await anext(self._stream)
        except BaseException:  # the end (StopAsyncIteration) too
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close: Any = getattr(self._stream, "aclose", None)
            if close is not None:
                await close()
        finally:
            for cleanup in self._cleanups:
                result = cleanup()
                if inspect.isawaitable(result):
                    await result


class ClosedAfterResponse(StreamingResponse):
    """A streamed response that closes its body stream once the response is over, even
    when the client left before any of it was sent."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            close: Any = getattr(self.body_iterator, "aclose", None)
            if close is not None:
                await close()
