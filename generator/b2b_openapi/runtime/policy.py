"""Caller identity (API keys) and the acceptable use policy limiter."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping

from b2b_openapi.runtime.spec import Problem

API_KEY_HEADER = "x-api-key"


def parse_api_keys(text: str) -> dict[str, str]:
    """``"key1=alice,key2=bob"`` -> {key: user}.  Keys identify callers; the user name goes
    into the CAISOWSHeader the gateway sends."""
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, user = item.partition("=")
        if not sep or not key.strip() or not user.strip():
            raise ValueError(f"API key entry {item!r} is not key=user")
        keys[key.strip()] = user.strip()
    if not keys:
        raise ValueError("no API keys configured")
    return keys


def authenticate(headers: Mapping[str, str], keys: Mapping[str, str]) -> str:
    """The caller's user name, or a 401 :class:`Problem`."""
    key = headers.get(API_KEY_HEADER)
    if not key:
        raise Problem(401, "Unauthorized", "missing X-API-Key header")
    user = keys.get(key)
    if user is None:
        raise Problem(401, "Unauthorized", "unknown API key")
    return user


class AcceptableUseLimiter:
    """One request per (user, operation) per window; any request inside the window is refused
    *and restarts it* (CAISO: "Time resets each time you request before expiration")."""

    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.window = window_seconds
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def check(self, user: str, operation: str) -> float | None:
        """None when the request may proceed, else the seconds to wait."""
        if self.window <= 0:
            return None
        now = self.clock()
        with self._lock:
            last = self._last.get((user, operation))
            self._last[(user, operation)] = now
        if last is not None and now - last < self.window:
            return self.window
        return None

    def enforce(self, user: str, operation: str, message: str) -> None:
        wait = self.check(user, operation)
        if wait is not None:
            raise Problem(429, "Too Many Requests", message,
                          headers={"Retry-After": str(math.ceil(wait))})
