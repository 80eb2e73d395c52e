"""The ``format`` names the specs use for XSD date/time, duration and binary values.

JSON Schema's own ``date``/``date-time``/``duration``/``byte`` formats are RFC 3339/4648
value spaces, which XSD's are not: xs:dateTime may omit the time zone and allows years past
9999, xs:date may carry a time zone, xs:duration may be negative, xs:base64Binary may contain
spaces.  Claiming the RFC formats would make other tools reject valid CAISO values (and accept
invalid ones), so the specs name XSD formats: tools that do not know them treat them as
annotations and rely on the accompanying pattern; the generated servers check them fully
(calendar validity such as 2026-02-30 is beyond a pattern) with elementpath's XSD datatypes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from elementpath import datatypes

DATE_TIME = "xsd-date-time"
DATE = "xsd-date"
TIME = "xsd-time"
DURATION = "xsd-duration"
BASE64 = "xsd-base64"

# format -> parser raising ValueError/TypeError for values outside the XSD 1.0 value space
CHECKS: dict[str, Callable[[str], Any]] = {
    DATE_TIME: datatypes.DateTime10.fromstring,
    DATE: datatypes.Date10.fromstring,
    TIME: datatypes.Time.fromstring,
    DURATION: datatypes.Duration.fromstring,
    BASE64: datatypes.Base64Binary,
}
