"""The acceptable use window's state: in this process, or in Redis for many workers and hosts.

CAISO's rule (see :mod:`b2b_openapi.policies`): one request per caller and operation per
window, and a request inside the window is refused *and restarts it* ("Time resets each
time you request before expiration").  So every request, allowed or not, stamps the window
afresh, and a request is allowed exactly when no stamp of the last ``window`` seconds exists.

In Redis that is one atomic command, ``SET key 1 PX window GET``: it stamps the key with a
fresh expiry and answers the previous value, nil when the window had run out (or never
began).  One command cannot interleave with another worker's, so exactly one of any number
of concurrent first requests finds the key missing, on any number of hosts, with the
window timed by the one Redis clock rather than each host's.

When Redis cannot be reached the limited operations fail closed (:class:`StoreUnavailable`,
answered 503): letting calls through would break the policy for every caller at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

KEY_PREFIX = "b2b-openapi:aup:"
REDIS_TIMEOUT_SECONDS = 2.0  # a Redis that does not answer within this is "gone"


class StoreUnavailable(Exception):
    """The shared window state cannot be read or written; the message says why."""


class WindowStore(Protocol):
    async def stamp(self, key: str, window: float) -> bool:
        """Stamp ``key``'s window afresh; True when no earlier stamp was still inside it
        (the request may proceed)."""

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` when the state cannot be reached."""


class MemoryWindows:
    """The window state of this process alone: right for one process, and only for one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def stamp_now(self, key: str, window: float) -> bool:
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            self._last[key] = now
            if len(self._last) > 100_000:  # callers x operations is small; stale stamps go
                self._last = {k: t for k, t in self._last.items() if now - t < window}
        return last is None or now - last >= window

    async def stamp(self, key: str, window: float) -> bool:
        return self.stamp_now(key, window)

    async def ping(self) -> None:
        return None


class RedisWindows:
    """The window state in Redis, shared by every worker and host pointed at it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.shown_url = redacted(url)
        self._clients: dict[int, aioredis.Redis] = {}

    def _client(self) -> aioredis.Redis:
        # a connection pool belongs to one event loop: one client per loop (uvicorn runs
        # one loop per process; a test client may make several)
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            self._clients[loop] = aioredis.Redis.from_url(
                self.url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        return self._clients[loop]

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(f"Redis at {self.shown_url}: {exc or type(exc).__name__}")

    async def stamp(self, key: str, window: float) -> bool:
        try:
            previous = await self._client().set(
                KEY_PREFIX + key, b"1", px=max(1, round(window * 1000)), get=True)
        except (RedisError, OSError) as exc:
            raise self._unavailable(exc) from None
        return previous is None

    async def ping(self) -> None:
        try:
            await self._client().ping()
        except (RedisError, OSError) as exc:
            raise self._unavailable(exc) from None


def redacted(url: str) -> str:
    """``url`` without its password, fit for logs and error answers."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@cache
def shared_store(redis_url: str | None) -> WindowStore:
    """The process's one store for ``redis_url`` (None: in memory), shared by every service
    app the process serves so that one Redis connection pool serves them all."""
    return RedisWindows(redis_url) if redis_url else MemoryWindows()
