"""Parse the schemas services share (CAISOWSHeader, StandardOutput, ...) once per process.

Every CAISO service imports the same few namespaced schemas from a common folder; loading
each WSDL on its own would parse them again for every service.  xmlschema lets a schema's
global maps inherit from a built *parent* schema, and an import that resolves to a file the
parent already loaded reuses the parent's components.  So each service is loaded over a
parent holding the WSDL meta-schema and every namespaced XSD of the schema-only folders it
imports from (a common/ folder); the parent is built once per process per state of those folders,
and a build builds it before its process pool forks, so the workers inherit it.

Each schema document xmlschema loads is first validated against the XSD meta-schema; the
same document is loaded again for every service that reaches it (a chameleon include, a
package's two WSDLs, the same CAISO file copied into every service folder), and that check
costs as much as building it.  :func:`meta_checked_once` skips the check of a document
already found valid in this process.

Chameleon schemas (no targetNamespace, pulled in with xs:include) take the including
schema's namespace, so their components differ per service by definition: they stay with
the service.  Anything wrong in a shared folder (even in a file this service does not use)
makes :func:`parent_schema` answer ``None``, and the caller loads the service on its own so
that errors are reported exactly as before, against the file the service really reaches.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import xmlschema
from lxml import etree
from xmlschema.locations import SCHEMAS_DIR

# One (path, mtime_ns, size) per shared file: an edited file gives a new parent.
FolderState = tuple[tuple[str, int, int], ...]

WSDL_META_SCHEMA = SCHEMAS_DIR / "WSDL" / "wsdl.xsd"

# The schema a service's own maps hang from; its namespace is ours so that it never meets
# a namespace of the corpus (which would make xmlschema merge the parent into the service).
SERVICE_ROOT = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                'targetNamespace="urn:b2b-openapi:service-root"/>')

_ERRORS = (xmlschema.XMLSchemaException, ElementTree.ParseError, etree.XMLSyntaxError,
           OSError, SyntaxError, ValueError, KeyError, xmlschema.XMLSchemaImportWarning,
           xmlschema.XMLSchemaIncludeWarning)


def _target_namespace(path: Path) -> str | None:
    try:
        for _event, elem in etree.iterparse(str(path), events=("start",)):
            namespace = elem.get("targetNamespace")
            return str(namespace) if namespace else None
    except (OSError, etree.XMLSyntaxError):
        return None
    return None


def folder_state(folders: Iterable[Path]) -> FolderState:
    """The namespaced XSDs of ``folders`` with what identifies their current content."""
    files = sorted({p.resolve() for folder in folders for p in folder.glob("*.xsd")
                    if _target_namespace(p)})
    state = []
    for path in files:
        stat = path.stat()
        state.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(state)


@lru_cache(maxsize=8)
def _build_parent(state: FolderState) -> xmlschema.XMLSchema10 | None:
    try:
        with warnings.catch_warnings(), meta_checked_once():
            warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
            warnings.simplefilter("error", xmlschema.XMLSchemaIncludeWarning)
            parent = xmlschema.XMLSchema10(str(WSDL_META_SCHEMA), allow="local", build=False)
            for path, _mtime, _size in state:
                parent.add_schema(path, build=False)
            parent.build()
    except _ERRORS:
        return None
    return parent


def parent_schema(folders: Iterable[Path]) -> xmlschema.XMLSchema10 | None:
    """A built schema holding the WSDL meta-schema and the shared folders' schemas."""
    return _build_parent(folder_state(folders))


def service_root(parent: xmlschema.XMLSchema10) -> xmlschema.XMLSchema10:
    """An empty schema whose maps inherit ``parent``'s, for one service's WSDL to fill."""
    return xmlschema.XMLSchema10(SERVICE_ROOT, parent=parent, allow="local")


# Digests of the schema documents (with their namespace maps) the XSD meta-schema found
# valid in this process.
_META_VALID: set[str] = set()


def _meta_key(source: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """What the meta-schema's verdict on ``source`` depends on, or None when the call is
    not the plain check of a parsed schema document.  The verdict is a function of the
    document and its namespace map alone: the meta-schema's maps never load more
    namespaces (xmlschema: "Do not load additional namespaces in meta-schema maps")."""
    if args or set(kwargs) - {"namespaces"} or not isinstance(source, ElementTree.Element):
        return None
    digest = hashlib.sha256(ElementTree.tostring(source))
    digest.update(repr(sorted((kwargs.get("namespaces") or {}).items())).encode())
    return digest.hexdigest()


def _recording(errors: Iterator[Any], key: str) -> Iterator[Any]:
    """``errors`` as they come; a document that had none is remembered as valid."""
    clean = True
    for error in errors:
        clean = False
        yield error
    if clean:
        _META_VALID.add(key)


_META_LOCK = threading.Lock()
_meta_users = 0  # contexts open, in any thread: the memo is on while there is one


@contextmanager
def meta_checked_once() -> Iterator[None]:
    """While active (in any thread; nested use is fine), the XSD 1.0 meta-schema skips a
    document it already found valid in this process (same bytes, same namespaces) and
    checks any other one as before: an invalid document is checked, and reported, every
    time."""
    global _meta_users
    meta = xmlschema.XMLSchema10.meta_schema
    if meta is None:
        yield
        return
    with _META_LOCK:
        _meta_users += 1
        if _meta_users == 1:
            meta.iter_errors = _memo_iter_errors(meta)  # type: ignore[method-assign]
    try:
        yield
    finally:
        with _META_LOCK:
            _meta_users -= 1
            if _meta_users == 0:
                del meta.iter_errors


def _memo_iter_errors(meta: Any) -> Callable[..., Iterator[Any]]:
    """The meta-schema's own ``iter_errors``, behind the memo of valid documents."""
    check: Callable[..., Iterator[Any]] = type(meta).iter_errors.__get__(meta)

    def iter_errors(source: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        key = _meta_key(source, args, kwargs)
        if key is None:
            return check(source, *args, **kwargs)
        if key in _META_VALID:
            return iter(())
        return _recording(check(source, *args, **kwargs), key)

    return iter_errors
