"""Streamed answers release the SOAP connection and the upstream slot whatever happens:
ended, failed, closed unstarted, or the client gone before the first byte."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from b2b_openapi.runtime.requestlimits import UpstreamSlot
from b2b_openapi.runtime.streams import ClosedAfterResponse, ClosingStream


async def _chunks(*parts: bytes, fail: bool = False) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    if fail:
        raise ConnectionResetError("SOAP service hung up")


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_cleanups_run_once_when_the_stream_ends() -> None:
    cleaned: list[str] = []

    async def scenario() -> list[bytes]:
        stream = ClosingStream(_chunks(b"a", b"b"), lambda: cleaned.append("x"))
        got = [chunk async for chunk in stream]
        await stream.aclose()  # again: nothing more
        return got

    assert _run(scenario()) == [b"a", b"b"]
    assert cleaned == ["x"]


def test_cleanups_run_when_the_stream_fails() -> None:
    cleaned: list[str] = []

    async def scenario() -> None:
        async def cleanup() -> None:
            cleaned.append("async")

        stream = ClosingStream(_chunks(b"a", fail=True), cleanup)
        with pytest.raises(ConnectionResetError):
            async for _ in stream:
                pass

    _run(scenario())
    assert cleaned == ["async"]


def test_an_unstarted_stream_closed_still_runs_its_cleanups() -> None:
    """An async generator closed before it ran skips its finally: this is the leak."""
    cleaned: list[str] = []
    _run(ClosingStream(_chunks(b"a"), lambda: cleaned.append("x")).aclose())
    assert cleaned == ["x"]


def test_a_client_gone_before_the_first_byte_frees_the_upstream_slot() -> None:
    """The slot a streamed gateway answer keeps comes back when the response is over even
    if sending its status line failed: a second call then gets the one slot at once."""

    async def scenario() -> None:
        async with UpstreamSlot(1, 0.5) as slot:
            body = slot.keep(_chunks(b"{}"))
        response = ClosedAfterResponse(body, 200, media_type="application/json")

        async def gone(message: Any) -> None:
            raise OSError("client disconnected")

        async def receive() -> dict[str, Any]:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        scope = {"type": "http", "asgi": {"spec_version": "2.4"}, "method": "GET",
                 "path": "/", "headers": []}
        with pytest.raises(Exception):  # noqa: B017 - starlette's ClientDisconnect
            await response(scope, receive, gone)
        async with UpstreamSlot(1, 0.5):  # a 503 after 0.5 s if the slot had leaked
            pass

    _run(scenario())
