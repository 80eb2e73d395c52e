"""Deterministic YAML for specs: key order as built, exact decimals, no aliases, LF endings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.outputs import write_atomically

# libyaml's emitter: ~4x faster, byte-identical output (the specs test would catch a change)
_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _SpecDumper(_Base):  # type: ignore[valid-type,misc]
    """SafeDumper that never emits anchors and writes Decimal as an exact YAML number."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if not value.is_finite():  # YAML's own spelling (.inf, -.inf, .nan), as for a float
        return dumper.represent_float(float(value))
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_SpecDumper.add_representer(Decimal, _decimal)


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=_SpecDumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


def atomic_write(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` via a temp file + rename; return False if unchanged."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)
    return True


class LazyDocument(Mapping[str, Any]):
    """A spec's YAML text read as its OpenAPI document (``load_yaml``: exact decimals) on
    first use: a rendered spec is validated in another process
    (:mod:`b2b_openapi.openapi.validating`), and a later stage whose result is cached never
    looks at the document, so parsing waits until someone does."""

    def __init__(self, text: str, document: Mapping[str, Any] | None = None) -> None:
        self.text = text
        if document is not None:  # already parsed: nothing left to do
            self.__dict__["_document"] = document

    def parse(self) -> Mapping[str, Any]:
        """The document from the text (what a subclass may find elsewhere first)."""
        document: Mapping[str, Any] = load_yaml(self.text)
        return document

    def parsed_yet(self) -> Mapping[str, Any] | None:
        """The document if it was parsed already, else None (nothing is parsed)."""
        document: Mapping[str, Any] | None = self.__dict__.get("_document")
        return document

    @cached_property
    def _document(self) -> Mapping[str, Any]:
        return self.parse()

    def __reduce__(self) -> tuple[Callable[..., LazyDocument], tuple[object, ...]]:
        """Ship the text and, once parsed, the tree (pickling it is ~20x cheaper than
        parsing the YAML again in another process)."""
        return type(self), (self.text, self.parsed_yet())

    def __getitem__(self, key: str) -> Any:
        return self._document[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._document)

    def __len__(self) -> int:
        return len(self._document)
