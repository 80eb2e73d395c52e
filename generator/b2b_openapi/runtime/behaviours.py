"""CAISO service behaviours the mock servers reproduce on top of the sample responses.

A behaviour shapes the sample answer from the request, the way the real service would; keyed
by operation id.  Both the JSON mock server and the SOAP mock backend apply them, so gateway
tests see the same data as mock tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from elementpath.datatypes import AbstractDateTime, Date10, DateTime10

from b2b_openapi.xsd.identity import operation_base

Behaviour = Callable[[Mapping[str, Any], Any], Any]
Record = Mapping[str, Any]


def _parsed(value: Any) -> AbstractDateTime | None:
    """An xs:dateTime (or xs:date) value as elementpath's XSD datatype, which keeps years
    past 9999 or before 1 and the time zone; None when absent or not one."""
    for kind in (DateTime10, Date10):
        try:
            parsed: AbstractDateTime = kind.fromstring(str(value))
        except (ValueError, TypeError, ArithmeticError):
            continue
        return parsed
    return None


def _on_or_after(stamp: Any, since: Date10) -> bool:
    """Whether a record's timestamp falls on or after the day ``since``.

    When both carry a time zone they are instants: the timestamp must not be before the
    start of that day in the zone ``since`` names (``2026-11-22Z`` takes
    ``2026-11-21T17:20:00-08:00``, which is 01:20 UTC on the 22nd).  Otherwise the calendar
    dates compare, the timestamp's in its own offset: a date without a zone names no
    instant."""
    when = _parsed(stamp)
    if when is None:  # no such timestamp: before any date
        return False
    if since.tzinfo is not None and when.tzinfo is not None and isinstance(when, DateTime10):
        start = DateTime10(since.year, since.month, since.day, tzinfo=since.tzinfo)
        return bool(when >= start)
    return (when.year, when.month, when.day) >= (since.year, since.month, since.day)


def _registrations(response: Any, keep: Callable[[Record], bool]) -> Any:
    """The DRRS ``Registrations`` answer with only the registrations ``keep`` accepts."""
    kept = [r for r in response.get("Registration", []) if keep(r)]
    shaped = {k: v for k, v in response.items() if k != "Registration"}
    if kept:  # the JSON convention has no empty arrays: zero occurrences, no key
        shaped["Registration"] = kept
    return shaped


def drrs_incremental(request: Mapping[str, Any], response: Any) -> Any:
    """DRRS incremental retrieve: registrations created or updated on or after
    ``modifiedSince`` (see :func:`_on_or_after`), and in ``status`` when given."""
    since = Date10.fromstring(str(request["modifiedSince"]))  # the server checked it
    status = request.get("status")
    return _registrations(response, lambda r: (
        (_on_or_after(r.get("lastModifiedDate"), since)
         or _on_or_after(r.get("createdDate"), since))
        and (status is None or r.get("status") == status)))


def drrs_full(request: Mapping[str, Any], response: Any) -> Any:
    """DRRS full retrieve: every registration of the SC, "optionally of one program type"
    (the WSDL): only those of ``programType`` when given."""
    program = request.get("programType")
    return _registrations(response, lambda r: program is None or r.get("program") == program)


BEHAVIOURS: dict[str, Behaviour] = {
    "retrieveRegistrations": drrs_full,
    "retrieveRegistrationsIncremental": drrs_incremental,
}


def applies(operation: str) -> bool:
    """Whether a behaviour shapes this operation's answers (in any version and variant:
    CAISO writes both into the operation name, identity.operation_base strips them)."""
    return operation_base(operation) in BEHAVIOURS


def shape(operation: str, request: Mapping[str, Any], response: Any) -> Any:
    """The mock's answer to ``request``: the sample (or synthesized) ``response`` as the
    operation's behaviour shapes it.  An rpc/literal request's criteria are in its
    ``requestData`` part."""
    behaviour = BEHAVIOURS.get(operation_base(operation))
    if behaviour is None:
        return response
    criteria = request.get("requestData")
    return behaviour(criteria if isinstance(criteria, Mapping) else request, response)
