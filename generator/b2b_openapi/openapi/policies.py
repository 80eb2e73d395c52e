"""CAISO business rules that the WSDL/XSD artifacts do not carry, but clients must know.

Kept as a table so adding a rule is one line.  The spec emitter documents each rule on the
operation (``x-caiso-acceptable-use`` and a ``429`` response); generated servers enforce it.
"""

from __future__ import annotations

from dataclasses import dataclass

AUP_MESSAGE = (
    "CAISO MRI-S Acceptable Use Policy Violation. Please retry your request again in "
    "30 seconds from now. Note: Time resets each time you request before expiration."
)


@dataclass(frozen=True)
class AcceptableUse:
    """One request per caller per window; a request inside the window restarts it."""

    window_seconds: int
    message: str


# (service name without version, operation name) -> policy
ACCEPTABLE_USE: dict[tuple[str, str], AcceptableUse] = {
    ("RetrieveMeterData", "retrieveMeterData"): AcceptableUse(30, AUP_MESSAGE),
}


def acceptable_use(service_name: str, operation: str) -> AcceptableUse | None:
    return ACCEPTABLE_USE.get((service_name, operation))
