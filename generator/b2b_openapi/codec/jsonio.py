"""Exact JSON: numbers are ``Decimal`` both ways, so xs:decimal values survive untouched.

Python's :mod:`json` reads numbers as floats and cannot write a ``Decimal`` as a number;
simplejson does both (``use_decimal``), so it is the one JSON codec of the runtime.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import simplejson
import yaml

# Arrays and objects nested deeper than this are refused when read.  The deepest request of
# the corpus nests 8 levels; whatever walks a value afterwards (the schema validator, the
# XML encoder, error messages) recurses a few frames per level, so a document that merely
# parsed, ~970 levels on the default stack, would still overflow it later.
MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonLimitError(ValueError):
    """Valid JSON the runtime does not read: nested deeper than :data:`MAX_DEPTH`, or an
    integer longer than Python converts (``sys.get_int_max_str_digits()``, 4300 digits)."""


class DuplicateKeyError(ValueError):
    """An object names one key twice: JSON leaves its meaning open (RFC 8259 4), so a
    request that does is refused rather than read as whichever value a parser keeps."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise DuplicateKeyError(f"the key {escape_surrogates(twice[:100])!r} appears twice "
                                "in one object")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # a JSON integer literal: only its length can make int() refuse it
        raise JsonLimitError(f"an integer of {len(text.lstrip('-'))} digits: none longer "
                             f"than {sys.get_int_max_str_digits()} digits is read") from None


def loads(data: bytes | str) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``.  Raises
    :class:`JsonLimitError` for nesting or integers past the limits (valid JSON, so
    that it can be told apart from a syntax error's ValueError), and
    :class:`DuplicateKeyError` for an object with a key twice."""
    try:
        value = simplejson.loads(data, use_decimal=True, parse_int=_integer,
                                 object_pairs_hook=_object)
    except RecursionError:  # the parser's own stack ran out first
        raise JsonLimitError(f"arrays and objects nest deeper than {MAX_DEPTH} levels") \
            from None
    if nesting_exceeds(value, MAX_DEPTH):
        raise JsonLimitError(f"arrays and objects nest deeper than {MAX_DEPTH} levels")
    return value


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels deep in ``value``: found
    level by level, without recursion, as no deep value may be recursed into."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        level = [item for container in level
                 for item in (container.values() if isinstance(container, dict) else container)
                 if isinstance(item, (dict, list))]
        if not level:
            return False
    return bool(level)


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


def _bool(loader: yaml.SafeLoader, node: yaml.Node) -> bool | str:
    """YAML 1.2's booleans (OpenAPI documents are YAML 1.2): only true and false.  PyYAML
    reads YAML 1.1, where ``ON``, ``off``, ``yes`` and ``n`` are booleans too, which turned a
    third-party document's ``enum: [ON, OFF]`` (CAISO's CRR TimeOfUse) into
    ``[True, False]``; those stay the strings they are in YAML 1.2."""
    text = loader.construct_scalar(node)  # type: ignore[arg-type]
    assert isinstance(text, str)
    lowered = text.lower()
    return lowered == "true" if lowered in ("true", "false") else text


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:bool", _bool)


def load_yaml(source: Path | str) -> Any:
    """Load a spec (a path, or YAML text) with exact decimals: facets and examples keep
    every digit."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return yaml.load(text, Loader=_DecimalLoader)  # a SafeLoader subclass
