"""The fast path's JSON writer: orjson, with exact numbers passed through as raw text.

orjson writes ``str``, ``int``, ``bool``, ``None``, lists and dicts byte for byte as
:func:`b2b_openapi.codec.jsonio.dumps` (simplejson, compact, non-ASCII kept) does, but it
has no exact decimal type and writes floats in its own shortest form.  Numbers therefore
reach it as :class:`orjson.Fragment` - the JSON text the reference writer would produce
(``str(Decimal)``, ``repr(float)``, integers beyond 64 bits) - so the bytes stay equal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from b2b_openapi.codec.jsonio import dumps as reference_dumps

Fragment = orjson.Fragment
_INT64 = 1 << 63


def decimal_text(text: str) -> Any:
    """An xs:decimal lexical value as the JSON number the reference writes for it."""
    return Fragment(str(Decimal(text)))


def integer(text: str) -> Any:
    """An xs:integer lexical value: a JSON integer (a raw number beyond 64 bits, which
    orjson refuses)."""
    number = int(text)
    return number if -_INT64 <= number < _INT64 else Fragment(str(number))


def reference(value: Any) -> Any:
    """A value decoded by the reference converter, embedded as the reference's JSON."""
    return Fragment(reference_dumps(value))


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON of a plan's output."""
    return orjson.dumps(value)
