"""Local copies of well-known W3C and OASIS schemas, so that builds never use the network.

Real packages import ``xml.xsd``, XML-DSig and the WS-Security 2004 schemas, often by their
remote URL (ERCOT's secext imports ``http://www.w3.org/2001/xml.xsd``).  A schemaLocation
that names one of them resolves, in this order, to:

1. the copy xmlschema ships (xml.xsd, XML-DSig, XML-Enc, XLink), for the W3C schemas;
2. a copy under ``b2b_openapi/xsd/wellknown/`` (package data; an OASIS schema placed
   there must keep its copyright header, which OASIS requires of copies);
3. a file of the same package whose targetNamespace is the imported namespace (packages
   that ship their own copy but name the remote URL).

Anything else remote stays a refusal (:func:`b2b_openapi.xsd.wsdl._resolve_location`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from lxml import etree


def _xmlschema_schemas() -> Path:
    """The schemas xmlschema ships, found without importing it (the spec stage's fast path
    does not load xmlschema, xsd/fastpath.py)."""
    spec = find_spec("xmlschema")
    assert spec is not None and spec.submodule_search_locations, "xmlschema is installed"
    return Path(next(iter(spec.submodule_search_locations))) / "schemas"


SCHEMAS_DIR = _xmlschema_schemas()

HERE = Path(__file__).parent / "wellknown"
XML_NS = "http://www.w3.org/XML/1998/namespace"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XENC_NS = "http://www.w3.org/2001/04/xmlenc#"
XLINK_NS = "http://www.w3.org/1999/xlink"
WSSE_NS = ("http://docs.oasis-open.org/wss/2004/01/"
           "oasis-200401-wss-wssecurity-secext-1.0.xsd")
WSU_NS = ("http://docs.oasis-open.org/wss/2004/01/"
          "oasis-200401-wss-wssecurity-utility-1.0.xsd")

# namespace -> the local copy
BY_NAMESPACE: dict[str, Path] = {
    XML_NS: SCHEMAS_DIR / "XML" / "xml.xsd",
    DSIG_NS: SCHEMAS_DIR / "DSIG" / "xmldsig-core-schema.xsd",
    XENC_NS: SCHEMAS_DIR / "XENC" / "xenc-schema.xsd",
    XLINK_NS: SCHEMAS_DIR / "XLINK" / "xlink.xsd",
    WSSE_NS: HERE / "oasis-200401-wss-wssecurity-secext-1.0.xsd",
    WSU_NS: HERE / "oasis-200401-wss-wssecurity-utility-1.0.xsd",
}
# the file names these schemas are published under -> namespace
_BY_FILE = {
    "xml.xsd": XML_NS,
    "xmldsig-core-schema.xsd": DSIG_NS,
    "xenc-schema.xsd": XENC_NS,
    "xlink.xsd": XLINK_NS,
    "oasis-200401-wss-wssecurity-secext-1.0.xsd": WSSE_NS,
    "oasis-200401-wss-wssecurity-utility-1.0.xsd": WSU_NS,
}


def _is_remote(location: str) -> bool:
    return re.match(r"^[a-z][a-z0-9+.-]*://", location) is not None \
        and not location.startswith("file:")


@cache
def target_namespace(path: Path) -> str | None:
    try:
        for _event, elem in etree.iterparse(str(path), events=("start",)):
            value = elem.get("targetNamespace")
            return str(value) if value else None
    except (OSError, etree.XMLSyntaxError):
        return None
    return None


def local_copy(location: str, namespace: str | None, package: Path | None) -> Path | None:
    """The local file for a *remote* schemaLocation of a well-known schema, else None."""
    if not _is_remote(location):
        return None
    known = namespace or _BY_FILE.get(location.rstrip("/").rsplit("/", 1)[-1])
    if known is None:
        return None
    copy = BY_NAMESPACE.get(known)
    if copy is not None and copy.is_file():
        return copy
    if package is not None:
        same = sorted(p.resolve() for p in package.rglob("*.xsd")
                      if target_namespace(p.resolve()) == known)
        if same:
            return same[0]
    return None
