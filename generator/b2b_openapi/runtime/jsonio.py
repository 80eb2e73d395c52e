"""Exact JSON: numbers are ``Decimal`` both ways, so xs:decimal values survive untouched.

Python's :mod:`json` reads numbers as floats and cannot write a ``Decimal`` as a number;
simplejson does both (``use_decimal``), so it is the one JSON codec of the runtime.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import simplejson
import yaml

_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(data: bytes | str) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``."""
    return simplejson.loads(data, use_decimal=True)


def to_text(value: Any, indent: int | None = None, *, sort_keys: bool = False,
            compact: bool = False) -> str:
    """JSON text with ``Decimal`` written exactly as a JSON number (non-ASCII kept)."""
    text: str = simplejson.dumps(value, use_decimal=True, ensure_ascii=False, indent=indent,
                                 sort_keys=sort_keys,
                                 separators=(",", ":") if compact else None)
    return text


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON: the wire form of every response body.  A lone surrogate (a
    request can write ``"\\ud800"``; UTF-8 has no form for it) is written as its JSON
    escape, which means the same string: JSON text holds characters only inside strings."""
    text = to_text(value, compact=True)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return escape_surrogates(text).encode("utf-8")


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as a JSON ``\\uXXXX`` escape."""
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~8x


class _DecimalLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that reads YAML floats as ``Decimal`` (specs write decimals exactly)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    """Every YAML float as a Decimal: digits exactly; YAML's other float forms (``.inf``,
    ``-.inf``, ``.nan``, base-60 ``1:30.5``) as PyYAML reads them."""
    assert isinstance(node, yaml.ScalarNode)
    try:
        return Decimal(loader.construct_scalar(node).replace("_", ""))
    except InvalidOperation:
        return Decimal(repr(loader.construct_yaml_float(node)))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(source: Path | str) -> Any:
    """Load a spec (a path, or YAML text) with exact decimals: facets and examples keep
    every digit."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return yaml.load(text, Loader=_DecimalLoader)  # a SafeLoader subclass
