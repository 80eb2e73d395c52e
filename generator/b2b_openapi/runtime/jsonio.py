"""Exact JSON: numbers are ``Decimal`` both ways, so xs:decimal values survive untouched.

Python's :mod:`json` reads numbers as floats and cannot write a ``Decimal`` as a number;
simplejson does both (``use_decimal``), so it is the one JSON codec of the runtime.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import simplejson
import yaml


def loads(data: bytes | str) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``."""
    return simplejson.loads(data, use_decimal=True)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON with ``Decimal`` written exactly as a JSON number."""
    text: str = simplejson.dumps(value, use_decimal=True, ensure_ascii=False,
                                 separators=(",", ":"))
    return text.encode("utf-8")


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~8x


class _DecimalLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that reads YAML floats as ``Decimal`` (specs write decimals exactly)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    assert isinstance(node, yaml.ScalarNode)
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(source: Path | str) -> Any:
    """Load a spec (a path, or YAML text) with exact decimals: facets and examples keep
    every digit."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return yaml.load(text, Loader=_DecimalLoader)  # a SafeLoader subclass
