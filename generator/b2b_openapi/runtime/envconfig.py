"""Reading ``B2B_*`` environment variables: a bad value is one line naming the variable.

The server apps are configured by environment alone (uvicorn workers import them afresh),
so ``serve`` hands each option over as its variable and this module reads them back; a
value that does not parse is a :class:`ConfigError` whose message starts with the
variable's name (``B2B_SOAP_TIMEOUT: 'abc' is not a number``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path


class ConfigError(ValueError):
    """A ``B2B_*`` variable holds a value the server cannot use."""


def number(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0,
           exclusive: bool = False) -> float:
    """``env[name]`` as a finite number not below ``minimum`` (above it when ``exclusive``),
    else ``default`` when unset."""
    text = env.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value) or value < minimum or (exclusive and value == minimum):
        bound = f"above {minimum:g}" if exclusive else f"at least {minimum:g}"
        raise ConfigError(f"{name}: {text[:40]!r} is not a number {bound}")
    return value


def integer(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    """``env[name]`` as a whole number not below ``minimum``, else ``default``."""
    text = env.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name}: {text[:40]!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}: {text[:40]!r} is not a whole number of at least "
                          f"{minimum}")
    return value


def text_file(env: Mapping[str, str], name: str) -> str | None:
    """The text of the file ``env[name]`` names, or None when unset."""
    path = env.get(name)
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot read {path!r}: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
