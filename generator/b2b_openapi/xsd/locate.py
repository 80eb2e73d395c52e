"""Line numbers for xmlschema's ElementTree elements.

xmlschema parses with ElementTree, which keeps no line numbers.  To report ``file:line`` we
find the element's child-index path in xmlschema's tree and follow the same path in an lxml
parse of the file (comments and processing instructions dropped, as ElementTree drops them).
A schema embedded in a WSDL (``wsdl:types/xs:schema``) has no file of its own: its root is
an element of the WSDL's tree, registered by :func:`register_embedded_schemas`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

_PARSER = etree.XMLParser(remove_comments=True, remove_pis=True)
_XS_SCHEMA = "{http://www.w3.org/2001/XMLSchema}schema"
# root of an embedded schema -> (the file holding it, its index path in that file's tree)
_EMBEDDED: weakref.WeakKeyDictionary[Any, tuple[Path, tuple[int, ...]]] = (
    weakref.WeakKeyDictionary())


def url_to_path(url: str | None) -> Path | None:
    if not url:
        return None
    if url.startswith("file:"):
        return Path(unquote(urlparse(url).path))
    return Path(url)


def _index_path(root: Any, target: Any) -> list[int] | None:
    if root is target:
        return []
    for index, child in enumerate(root):
        found = _index_path(child, target)
        if found is not None:
            return [index, *found]
    return None


@cache
def _lxml_root(path: Path) -> Any:
    return etree.parse(str(path), _PARSER).getroot()


def element_line(path: Path | None, root: Any, elem: Any) -> int | None:
    """Source line of ``elem`` (an element of the ElementTree ``root`` parsed from ``path``)."""
    if path is None or root is None or elem is None:
        return None
    steps = _index_path(root, elem)
    return None if steps is None else _line_at(path, steps)


def _line_at(path: Path, steps: Iterable[int]) -> int | None:
    """Source line of the element at child-index path ``steps`` of ``path``'s tree."""
    if not path.is_file():
        return None
    try:
        node = _lxml_root(path)
        for index in steps:
            node = node[index]
    except (OSError, etree.XMLSyntaxError, IndexError):
        return None
    line = node.sourceline
    return int(line) if isinstance(line, int) else None


def register_embedded_schemas(path: Path, root: Any) -> None:
    """Remember where the xs:schema elements of a WSDL (ElementTree ``root`` parsed from
    ``path``) are, so errors in their components can name the WSDL and a line."""
    for elem in root.iter(_XS_SCHEMA):
        steps = _index_path(root, elem)
        if steps is not None:
            _EMBEDDED[elem] = (path, tuple(steps))


def schema_element_location(schema: Any, elem: Any) -> tuple[Path | None, int | None]:
    """``(file, line)`` of ``elem``, an element of an xmlschema schema (or resource):
    its own file, or the WSDL it is embedded in."""
    root = getattr(schema, "root", None)
    path = url_to_path(getattr(schema, "url", None))
    if path is not None or root is None:
        return path, element_line(path, root, elem)
    try:
        embedded = _EMBEDDED.get(root)
    except TypeError:  # not an element (weakly referenceable)
        embedded = None
    if embedded is None:
        return None, None
    path, prefix = embedded
    steps = _index_path(root, elem) if elem is not None else None
    return path, None if steps is None else _line_at(path, (*prefix, *steps))


def component_location(component: Any) -> tuple[Path | None, int | None]:
    """``(file, line)`` of a component (type, element, group...): the light reader's know
    it (their lxml elements keep lines), xmlschema's are looked up."""
    light: tuple[Path | None, int | None] | None = getattr(component, "light_location", None)
    if light is not None:
        return light
    return schema_element_location(getattr(component, "schema", None),
                                   getattr(component, "elem", None))


def error_location(exc: Any) -> tuple[Path | None, int | None]:
    """``(file, line)`` of an xmlschema validation/parse error."""
    return schema_element_location(getattr(exc, "source", None), getattr(exc, "elem", None))
