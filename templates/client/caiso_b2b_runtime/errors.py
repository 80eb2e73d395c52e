"""The one exception tree of every generated client: :class:`B2BError` and its subclasses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel

MESSAGE_CHARS = 300  # of an answer's body in an exception's message (the whole is kept)


class B2BError(Exception):
    """Base of every error this client raises."""


class TransportError(B2BError):
    """The service could not be reached (after the configured retries) or timed out."""


class ResponseError(B2BError):
    """A 2xx answer that is not the operation's response document: its body is not JSON (an
    HTML page from a proxy, an empty 204), does not decode as its ``Content-Encoding`` says,
    or is not the response model's shape.  ``response`` is the httpx response, ``status``
    its code, ``body`` its JSON (or text; None when it did not decode); the JSON or
    validation error is the ``__cause__``."""

    def __init__(self, message: str, response: httpx.Response, body: Any) -> None:
        self.response = response
        self.status = response.status_code
        self.body = body
        super().__init__(f"HTTP {self.status}: {message}")


_DELAY_SECONDS = re.compile(r"[0-9]+")


def retry_after_seconds(value: str | None, date: str | None = None) -> float | None:
    """A ``Retry-After`` value (RFC 9110 10.2.3) as seconds to wait, never negative: either
    delay-seconds or an HTTP-date, counted from the answer's ``Date`` (so the two clocks
    need not agree) or else from this machine's clock; None when absent or neither."""
    if value is None:
        return None
    text = value.strip()
    if _DELAY_SECONDS.fullmatch(text):
        return float(text)
    when = _http_date(text)
    if when is None:
        return None
    now = _http_date(date) if date is not None else None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _http_date(text: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):  # a day of 20 digits, say
        return None
    # HTTP-dates are GMT; the obsolete asctime form carries no zone at all
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class ApiError(B2BError):
    """A non-2xx answer.  ``body`` is the problem+json document (the text when it is not
    JSON, None when it does not decode as its ``Content-Encoding`` says), ``error`` the same
    parsed into the service's ``Error`` model (None when the body was not a problem
    document)."""

    def __init__(self, status: int, body: Any, error: BaseModel | None,
                 headers: Mapping[str, str]) -> None:
        self.status = status
        self.body = body
        self.error = error
        self.headers = dict(headers)
        detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
        if body is None:
            detail = "the body does not decode as its Content-Encoding says"
        text = str(detail or repr(body))
        if len(text) > MESSAGE_CHARS:  # a proxy's HTML page: the whole of it is in .body
            text = f"{text[:MESSAGE_CHARS]}... ({len(text)} characters)"
        super().__init__(f"HTTP {status}: {text}")

    @property
    def fault(self) -> Any:
        """The decoded SOAP fault detail, when the service raised a SOAP fault."""
        return self.body.get("fault") if isinstance(self.body, dict) else None

    @property
    def retry_after(self) -> float | None:
        """Seconds the service asked to wait (``Retry-After``, on a 429 or 503), else None."""
        return retry_after_seconds(self.headers.get("retry-after"), self.headers.get("date"))


class BadRequestError(ApiError):
    """400: CAISO rejected the request by its business rules (a SOAP Client fault)."""


class AuthenticationError(ApiError):
    """401: missing or unknown API key or client certificate."""


class RequestValidationError(ApiError):
    """422: the request does not conform to the service schema; see ``body['errors']``."""


class RateLimitError(ApiError):
    """429: an acceptable use policy refused the call; wait ``retry_after`` seconds."""


class ServerError(ApiError):
    """5xx: a SOAP Server fault (500) or an unreachable/invalid SOAP backend (502)."""
