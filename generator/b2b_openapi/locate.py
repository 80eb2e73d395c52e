"""Line numbers for xmlschema's ElementTree elements.

xmlschema parses with ElementTree, which keeps no line numbers.  To report ``file:line`` we
find the element's child-index path in xmlschema's tree and follow the same path in an lxml
parse of the file (comments and processing instructions dropped, as ElementTree drops them).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

_PARSER = etree.XMLParser(remove_comments=True, remove_pis=True)


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
    if path is None or root is None or elem is None or not path.is_file():
        return None
    steps = _index_path(root, elem)
    if steps is None:
        return None
    try:
        node = _lxml_root(path)
        for index in steps:
            node = node[index]
    except (OSError, etree.XMLSyntaxError, IndexError):
        return None
    line = node.sourceline
    return int(line) if isinstance(line, int) else None


def component_location(component: Any) -> tuple[Path | None, int | None]:
    """``(file, line)`` of an xmlschema component (type, element, group...)."""
    schema = getattr(component, "schema", None)
    path = url_to_path(getattr(schema, "url", None))
    root = getattr(schema, "root", None)
    return path, element_line(path, root, getattr(component, "elem", None))


def error_location(exc: Any) -> tuple[Path | None, int | None]:
    """``(file, line)`` of an xmlschema validation/parse error."""
    source = getattr(exc, "source", None)
    path = url_to_path(getattr(source, "url", None))
    root = getattr(source, "root", None)
    return path, element_line(path, root, getattr(exc, "elem", None))
