"""CAISO service behaviours the mock servers reproduce on top of the sample responses.

A behaviour shapes the sample answer from the request, the way the real service would; keyed
by operation id.  Both the JSON mock server and the SOAP mock backend apply them, so gateway
tests see the same data as mock tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Behaviour = Callable[[Mapping[str, Any], Any], Any]
_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)")
_NEVER = (-(10**18), 0, 0)  # a record without the date: before any date


def _day(value: str) -> tuple[int, int, int]:
    """The calendar date of an xs:date or xs:dateTime value, in its own offset, as a
    comparable (year, month, day): XSD years may be signed or longer than four digits, so
    the text itself does not sort."""
    match = _DATE.match(value)
    if match is None:
        return _NEVER
    year, month, day = match.groups()
    return int(year), int(month), int(day)


def drrs_incremental(request: Mapping[str, Any], response: Any) -> Any:
    """DRRS incremental retrieve: registrations created or updated on or after
    ``modifiedSince`` (compared as calendar dates), and in ``status`` when given."""
    since = _day(str(request["modifiedSince"]))
    status = request.get("status")
    kept = [
        r for r in response.get("Registration", [])
        if max(_day(r.get("lastModifiedDate", "")), _day(r.get("createdDate", ""))) >= since
        and (status is None or r.get("status") == status)
    ]
    shaped = {k: v for k, v in response.items() if k != "Registration"}
    if kept:  # the JSON convention has no empty arrays: zero occurrences, no key
        shaped["Registration"] = kept
    return shaped


BEHAVIOURS: dict[str, Behaviour] = {
    "retrieveRegistrationsIncremental": drrs_incremental,
}


def shape(operation: str, request: Mapping[str, Any], response: Any) -> Any:
    behaviour = BEHAVIOURS.get(operation)
    return behaviour(request, response) if behaviour else response
