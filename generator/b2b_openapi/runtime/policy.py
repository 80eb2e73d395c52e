"""Caller identity (API keys) and the acceptable use policy limiter."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping

from b2b_openapi.runtime.limiter import MemoryWindows, StoreUnavailable, WindowStore
from b2b_openapi.runtime.spec import Problem

API_KEY_HEADER = "x-api-key"
HASH_PREFIX = "sha256:"
_HASHED = re.compile(r"sha256:[0-9a-f]{64}")


def hash_key(key: str) -> str:
    """What an API key is kept as: ``sha256:<hex>``.  API keys are long random tokens,
    not passwords, so one SHA-256 is enough to make a keys file hold no usable secret
    (nothing to try by brute force), and cheap enough for every request."""
    return HASH_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


def hashed_keys(keys: Mapping[str, str]) -> dict[str, str]:
    """{key or its hash: user} -> {hash: user}."""
    return {k if _HASHED.fullmatch(k) else hash_key(k): user for k, user in keys.items()}


def parse_api_keys(text: str) -> dict[str, str]:
    """``"key1=alice,sha256:<hex>=bob"`` (commas or newlines; ``#`` comments) -> {hashed
    key: user}.  A key is given as itself or as its :func:`hash_key`; only the hash is kept.
    Keys identify callers; the user name goes into the CAISOWSHeader the gateway sends."""
    keys: dict[str, str] = {}
    lines = (line.partition("#")[0] for line in text.splitlines())
    for item in filter(None, (part.strip() for line in lines for part in line.split(","))):
        key, sep, user = item.rpartition("=")
        key, user = key.strip(), user.strip()
        if not sep or not key or not user:
            shown = item if _HASHED.fullmatch(key) else f"{item[:3]}..."  # never a whole key
            raise ValueError(f"API key entry {shown!r} is not key=user")
        keys[key] = user
    if not keys:
        raise ValueError("no API keys configured")
    return hashed_keys(keys)


def authenticate(headers: Mapping[str, str], keys: Mapping[str, str]) -> str:
    """The caller's user name, or a 401 :class:`Problem`.  ``keys`` maps hashed keys."""
    key = headers.get(API_KEY_HEADER)
    if not key:
        raise Problem(401, "Unauthorized", "missing X-API-Key header")
    user = keys.get(hash_key(key))
    if user is None:
        raise Problem(401, "Unauthorized", "unknown API key")
    return user


class AcceptableUseLimiter:
    """One request per (user, operation) per window; any request inside the window is refused
    *and restarts it* (CAISO: "Time resets each time you request before expiration").  The
    state is in ``store``: this process's memory, or Redis shared by many (:mod:`.limiter`)."""

    def __init__(self, window_seconds: float, store: WindowStore | None = None) -> None:
        self.window = window_seconds
        self.store = store if store is not None else MemoryWindows()

    async def check(self, user: str, operation: str) -> float | None:
        """None when the request may proceed, else the seconds to wait."""
        if self.window <= 0:
            return None
        if await self.store.stamp(f"{operation}:{user}", self.window):
            return None
        return self.window

    async def enforce(self, user: str, operation: str, message: str) -> None:
        try:
            wait = await self.check(user, operation)
        except StoreUnavailable as exc:  # fail closed: no caller may bypass the policy
            raise Problem(503, "Acceptable use state unavailable",
                          f"{operation} is limited by CAISO's acceptable use policy and its "
                          f"shared window state cannot be reached ({exc}); other operations "
                          "still work", headers={"Retry-After": "5"}) from None
        if wait is not None:
            raise Problem(429, "Too Many Requests", message,
                          headers={"Retry-After": str(math.ceil(wait))})
