"""Which API changes break a client: one named rule per change kind and direction.

The table is the policy; :mod:`b2b_openapi.diff` only finds changes.  "Breaking" is judged
from a client's side: a request change breaks clients when a request that used to be
accepted may now be refused; a response change breaks clients when they may now receive
something they could not receive before (or miss something they could rely on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["request", "response", "operation", "document"]


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
    Rule("document-doc-changed", "doc-changed", "document", False,
         "documentation only (the API's description, a tag's)"),
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
    Rule("request-bound-changed", "bound-changed", "request", True,
         "a bound moved where its type has no order between the two (P1M against P30D): "
         "values inside the old bound may be refused"),
    Rule("response-bound-changed", "bound-changed", "response", True,
         "a bound moved where its type has no order between the two: clients may receive "
         "values beyond the old bound"),
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
    Rule("request-doc-changed", "doc-changed", "request", False,
         "documentation only (a description or title)"),
    Rule("response-doc-changed", "doc-changed", "response", False,
         "documentation only (a description or title)"),
    Rule("request-default-changed", "default-changed", "request", True,
         "clients omitting the value now get another one"),
    Rule("response-default-changed", "default-changed", "response", True,
         "clients (and generated models) fill in another value where the property is "
         "absent, so the same response reads differently"),
    Rule("request-union-member-added", "union-member-added", "request", False,
         "values matching the old members are still accepted"),
    Rule("response-union-member-added", "union-member-added", "response", True,
         "clients may receive a value of a kind they do not know"),
    Rule("request-union-member-removed", "union-member-removed", "request", True,
         "values matching only that member are refused"),
    Rule("response-union-member-removed", "union-member-removed", "response", False,
         "clients receive a subset of what they could before"),
    Rule("request-body-added-optional", "body-added-optional", "request", False,
         "old requests, without a body, are still accepted"),
    Rule("request-body-added-required", "body-added-required", "request", True,
         "old requests lack the body and are refused"),
    Rule("request-body-removed", "body-removed", "request", True,
         "requests still sending a body may be refused, and what they send is not used"),
    Rule("request-media-type-added", "media-type-added", "request", False,
         "requests in the old media types are still accepted"),
    Rule("request-media-type-removed", "media-type-removed", "request", True,
         "requests in that media type are refused (415)"),
    Rule("response-media-type-added", "media-type-added", "response", False,
         "clients get the media type they ask for (Accept), which is still offered"),
    Rule("response-media-type-removed", "media-type-removed", "response", True,
         "clients asking for or parsing that media type get something else"),
    Rule("response-success-status-added", "success-status-added", "response", True,
         "clients may receive a success status (and body) they do not handle, and take it "
         "for a failure or misread it"),
    Rule("response-success-status-removed", "success-status-removed", "response", True,
         "clients waiting for that status never get it; the outcome now arrives otherwise"),
    Rule("response-error-status-added", "error-status-added", "response", False,
         "an error (any non-2xx status, or default) is already handled by clients as a "
         "failure; the new status only documents one precisely"),
    Rule("response-error-status-removed", "error-status-removed", "response", False,
         "clients just stop seeing that error; failures still arrive as errors"),
    Rule("request-security-alternative-added", "security-alternative-added", "request", False,
         "clients keep authenticating the way they did"),
    Rule("request-security-alternative-removed", "security-alternative-removed", "request",
         True, "clients authenticating that way are refused"),
    Rule("request-security-scheme-added", "security-scheme-added", "request", True,
         "clients of that alternative lack the added scheme or scope and are refused"),
    Rule("request-security-scheme-removed", "security-scheme-removed", "request", False,
         "clients send more credentials than needed, which is still accepted"),
    Rule("request-security-definition-changed", "security-definition-changed", "request", True,
         "clients send their credentials as the old definition says (its type, the header "
         "or query parameter carrying the key, the HTTP scheme, the OAuth URLs) and are "
         "refused"),
    Rule("response-header-added", "header-added", "response", False,
         "clients ignore headers they do not read"),
    Rule("response-header-removed", "header-removed", "response", True,
         "clients reading the header find nothing"),
)

_BY_KEY = {(r.kind, r.direction): r for r in RULES}


def rule_for(kind: str, direction: Direction) -> Rule:
    """The rule for a change; a change kind without a rule is a bug in the table."""
    try:
        return _BY_KEY[(kind, direction)]
    except KeyError:
        raise LookupError(f"no diff rule for {kind!r} in a {direction}") from None
