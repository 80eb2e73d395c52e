"""Which API changes break a client: one named rule per change kind and direction.

The table is the policy; :mod:`b2b_openapi.diff` only finds changes.  "Breaking" is judged
from a client's side: a request change breaks clients when a request that used to be
accepted may now be refused; a response change breaks clients when they may now receive
something they could not receive before (or miss something they could rely on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["request", "response", "operation"]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    direction: Direction
    breaking: bool
    why: str


RULES: tuple[Rule, ...] = (
    Rule("operation-added", "operation-added", "operation", False,
         "a new operation does not change existing calls"),
    Rule("operation-removed", "operation-removed", "operation", True,
         "calls to the operation fail"),
    Rule("operation-method-changed", "operation-method-changed", "operation", True,
         "calls with the old HTTP method fail"),
    Rule("operation-doc-changed", "doc-changed", "operation", False,
         "documentation only"),
    Rule("request-property-added-optional", "property-added-optional", "request", False,
         "old requests need not send it"),
    Rule("request-property-added-required", "property-added-required", "request", True,
         "old requests lack it and are refused"),
    Rule("response-property-added", "property-added-optional", "response", False,
         "clients ignore data they did not ask about"),
    Rule("response-property-added-required", "property-added-required", "response", False,
         "clients ignore data they did not ask about"),
    Rule("request-property-removed", "property-removed", "request", True,
         "requests still sending it are refused (unknown property)"),
    Rule("response-property-removed", "property-removed", "response", True,
         "clients reading it find nothing"),
    Rule("request-property-renamed", "property-renamed", "request", True,
         "requests using the old name are refused"),
    Rule("response-property-renamed", "property-renamed", "response", True,
         "clients reading the old name find nothing"),
    Rule("request-property-became-required", "required-added", "request", True,
         "requests without it are refused"),
    Rule("response-property-became-required", "required-added", "response", False,
         "clients get it more often than before"),
    Rule("request-property-became-optional", "required-removed", "request", False,
         "requests that send it still work"),
    Rule("response-property-became-optional", "required-removed", "response", True,
         "clients relying on it may not get it"),
    Rule("request-type-changed", "type-changed", "request", True,
         "values of the old type are refused"),
    Rule("response-type-changed", "type-changed", "response", True,
         "clients receive values of another type"),
    Rule("request-format-changed", "format-changed", "request", True,
         "values in the old format may be refused"),
    Rule("response-format-changed", "format-changed", "response", True,
         "clients receive values in another format"),
    Rule("request-enum-value-added", "enum-value-added", "request", False,
         "old values are still accepted"),
    Rule("response-enum-value-added", "enum-value-added", "response", True,
         "clients may receive a value they do not know"),
    Rule("request-enum-value-removed", "enum-value-removed", "request", True,
         "requests with the value are refused"),
    Rule("response-enum-value-removed", "enum-value-removed", "response", False,
         "clients just stop seeing the value"),
    Rule("request-constraint-tightened", "constraint-tightened", "request", True,
         "values that were valid may be refused"),
    Rule("response-constraint-tightened", "constraint-tightened", "response", False,
         "clients receive a subset of what they could before"),
    Rule("request-constraint-loosened", "constraint-loosened", "request", False,
         "everything that was valid still is"),
    Rule("response-constraint-loosened", "constraint-loosened", "response", True,
         "clients may receive values outside the old limits"),
    Rule("request-pattern-changed", "pattern-changed", "request", True,
         "values matching the old pattern may be refused"),
    Rule("response-pattern-changed", "pattern-changed", "response", True,
         "clients may receive values the old pattern excluded"),
    Rule("request-nullable-added", "nullable-added", "request", False,
         "non-null values are still accepted"),
    Rule("response-nullable-added", "nullable-added", "response", True,
         "clients may receive null"),
    Rule("request-nullable-removed", "nullable-removed", "request", True,
         "requests sending null are refused"),
    Rule("response-nullable-removed", "nullable-removed", "response", False,
         "clients no longer receive null"),
    Rule("request-choice-changed", "choice-changed", "request", True,
         "which properties may appear together changed"),
    Rule("response-choice-changed", "choice-changed", "response", True,
         "which properties may appear together changed"),
    Rule("request-doc-changed", "doc-changed", "request", False, "documentation only"),
    Rule("response-doc-changed", "doc-changed", "response", False, "documentation only"),
)

_BY_KEY = {(r.kind, r.direction): r for r in RULES}


def rule_for(kind: str, direction: Direction) -> Rule:
    """The rule for a change; a change kind without a rule is a bug in the table."""
    try:
        return _BY_KEY[(kind, direction)]
    except KeyError:
        raise LookupError(f"no diff rule for {kind!r} in a {direction}") from None
