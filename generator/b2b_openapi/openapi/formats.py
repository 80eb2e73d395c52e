"""The ``format`` names the specs use for XSD values JSON Schema has no exact check for.

JSON Schema's own ``date``/``date-time``/``duration``/``byte`` formats are RFC 3339/4648
value spaces, which XSD's are not: xs:dateTime may omit the time zone and allows years past
9999, xs:date may carry a time zone, xs:duration may be negative, xs:base64Binary may contain
spaces.  Claiming the RFC formats would make other tools reject valid CAISO values (and accept
invalid ones), so the specs name XSD formats: tools that do not know them treat them as
annotations and rely on the accompanying pattern; the generated servers check them fully
(calendar validity such as 2026-02-30 is beyond a pattern) with elementpath's XSD datatypes.

XML names (xs:Name, xs:NCName and the ID/IDREF/ENTITY types derived from it, xs:NMTOKEN,
xs:QName) have patterns too, but which characters are name characters is xmlschema's
business: the servers ask xmlschema's own built-in types, the ones the gateway's encoder
applies.

The spec stage only names the formats: xmlschema and elementpath are imported by the checks,
on first use (importing them is a good part of the spec stage's time, docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

DATE_TIME = "xsd-date-time"
DATE = "xsd-date"
TIME = "xsd-time"
DURATION = "xsd-duration"
BASE64 = "xsd-base64"
NAME = "xsd-name"
NCNAME = "xsd-ncname"
NMTOKEN = "xsd-nmtoken"
QNAME = "xsd-qname"


@cache
def builtin_type(local_name: str) -> Any:
    """One of xmlschema's XSD 1.0 built-in types (its meta-schema is built on first use)."""
    import xmlschema

    return xmlschema.XMLSchema10.builtin_types()[local_name]


def _lexical(local_name: str) -> Callable[[str], None]:
    """A check by xmlschema's built-in type.  The value must also be its own whitespace
    normal form: XML would accept `` a `` for an xs:NCName, but gives back ``a``."""
    def check(value: str) -> None:
        xsd_type = builtin_type(local_name)
        if xsd_type.normalize(value) != value or not xsd_type.is_valid(value):
            raise ValueError(f"{value!r} is not an xs:{local_name}")
    return check


def _qname(value: str) -> None:
    """xs:QName's lexical space, ``prefix:local`` or ``local``, both NCNames.  Whether the
    prefix is bound depends on the XML it is written into, which JSON has not: the
    gateway validates the XML it encoded before sending it, and refuses (422) a prefix
    the request document does not bind (any prefix: the JSON declares no namespaces)."""
    for part in value.split(":", 1):
        _lexical("NCName")(part)


@cache
def checks() -> dict[str, Callable[[str], Any]]:
    """format -> parser raising ValueError/TypeError for values outside the XSD 1.0 value
    space."""
    from elementpath import datatypes

    return {
        DATE_TIME: datatypes.DateTime10.fromstring,
        DATE: datatypes.Date10.fromstring,
        TIME: datatypes.Time.fromstring,
        DURATION: datatypes.Duration.fromstring,
        BASE64: datatypes.Base64Binary,
        NAME: _lexical("Name"),
        NCNAME: _lexical("NCName"),
        NMTOKEN: _lexical("NMTOKEN"),
        QNAME: _qname,
    }
