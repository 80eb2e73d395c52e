"""CAISO business rules that the WSDL/XSD artifacts do not carry, but clients must know.

Kept as a table so adding a rule is one line.  The spec emitter documents each rule on the
operation (``x-caiso-acceptable-use`` and a ``429`` response); generated servers enforce it.
"""

from __future__ import annotations

from dataclasses import dataclass

from b2b_openapi.xsd.identity import operation_base

AUP_MESSAGE = (
    "CAISO MRI-S Acceptable Use Policy Violation. Please retry your request again in "
    "30 seconds from now. Note: Time resets each time you request before expiration."
)


@dataclass(frozen=True)
class AcceptableUse:
    """One request per caller per window; a request inside the window restarts it."""

    window_seconds: int
    message: str


# (service name without version, operation name without version or variant) -> policy.
# CAISO writes the version and variant into each operation name (retrieveMeterData_v1,
# retrieveMeterData_v1_DocAttach); the policy is the service's, whichever WSDL is called.
ACCEPTABLE_USE: dict[tuple[str, str], AcceptableUse] = {
    ("RetrieveMeterData", "retrieveMeterData"): AcceptableUse(30, AUP_MESSAGE),
}


def acceptable_use(service_name: str, operation: str) -> AcceptableUse | None:
    """The policy of ``operation`` (as the WSDL names it) of service ``service_name``."""
    return ACCEPTABLE_USE.get(_key(service_name, operation))


def window_name(service_name: str, operation: str) -> str:
    """The window the operation's calls share per user: ``RetrieveMeterData/retrieveMeterData``
    for every version and variant, since CAISO counts a user's calls of the service, not of
    one WSDL (a call of the plain variant and one of its _DocAttach twin are two calls)."""
    return "/".join(_key(service_name, operation))


def _key(service_name: str, operation: str) -> tuple[str, str]:
    return service_name, operation_base(operation)


# Who answers for a document's ``info.contact`` and ``info.license``.  The documents describe
# CAISO's services and data, so the contact is CAISO's service desk, the address CAISO's own
# published OpenAPI documents give (its CRR REST APIs).  Neither CAISO nor this project
# publishes a licence for the interface artifacts, so the licence says what holds: the
# services and their data are CAISO's, used under the participant's agreements with CAISO.
# A deployment that runs its own gateway edits these two (they are the whole policy).
CONTACT: dict[str, str] = {
    "name": "California ISO service desk",
    "email": "servicedesk@caiso.com",
    "url": "https://www.caiso.com",
}
LICENSE: dict[str, str] = {
    "name": "Proprietary: CAISO's B2B services and data, used under the market "
            "participant's agreements with CAISO",
    "url": "https://www.caiso.com",  # the licensor, whose site publishes its terms
}


def document_contact() -> dict[str, str]:
    """``info.contact`` of every generated document (a fresh copy)."""
    return dict(CONTACT)


def document_license() -> dict[str, str]:
    """``info.license`` of every generated document (a fresh copy)."""
    return dict(LICENSE)
