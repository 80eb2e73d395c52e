"""HTTP plumbing of the generated service clients: encoding, sending, retrying, decoding.

A generated service module subclasses :class:`ServiceClient` / :class:`AsyncServiceClient`
with its base path, its ``Error`` model and one typed method per operation, each calling
``_call``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Self, TypeVar

import httpx
import simplejson
from pydantic import BaseModel, ValidationError

from .config import ClientConfig
from .errors import (
    ApiError,
    AuthenticationError,
    B2BError,
    BadRequestError,
    RateLimitError,
    RequestValidationError,
    ResponseError,
    ServerError,
    TransportError,
)

ModelT = TypeVar("ModelT", bound=BaseModel)
RETRY_STATUSES = frozenset({502, 503, 504})
# failures before the request was sent: it cannot have reached the service
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError, 401: AuthenticationError, 422: RequestValidationError,
    429: RateLimitError,
}


def _error_for(response: httpx.Response, error_model: type[BaseModel]) -> ApiError:
    content = _content(response)
    body: Any = None
    if content is not None:
        try:
            body = simplejson.loads(content, use_decimal=True)
        except (ValueError, RecursionError):  # RecursionError: nested past the stack
            body = response.text
    error = None
    if isinstance(body, dict):
        try:
            error = error_model.model_validate(body)
        except ValueError:
            error = None
    kind = _BY_STATUS.get(response.status_code,
                          ServerError if response.status_code >= 500 else ApiError)
    return kind(response.status_code, body, error, response.headers)


# ---------------------------------------------------------------------------------- encoding
def _dump(request: BaseModel) -> Any:
    return request.model_dump(mode="python", by_alias=True, exclude_unset=True)


def encode_body(request: BaseModel) -> bytes:
    text: str = simplejson.dumps(_dump(request), use_decimal=True, ensure_ascii=False)
    return text.encode("utf-8")


def _query_value(value: Any) -> str:
    if isinstance(value, Enum):  # a plain Enum's str() is its name (enum without a type)
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


QueryItems = list[tuple[str, str | int | float | bool | None]]


def encode_query(request: BaseModel) -> QueryItems:
    """Query parameters in XSD lexical form; an xs:list repeats its parameter."""
    params: QueryItems = []
    for name, value in _dump(request).items():
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        params.extend((name, _query_value(v)) for v in values)
    return params


def _received(response: httpx.Response) -> httpx.Response:
    """``response`` (sent with ``stream=True``) read and closed.  A body that does not
    decode as its ``Content-Encoding`` says (a proxy's gzip header on plain bytes) is left
    unread rather than raised: the status still tells what happened (see :func:`_content`).
    Sent unstreamed, httpx would raise that error without the response."""
    try:
        response.read()
    except httpx.DecodingError:
        pass
    finally:
        response.close()
    return response


async def _areceived(response: httpx.Response) -> httpx.Response:
    """:func:`_received` for the async client."""
    try:
        await response.aread()
    except httpx.DecodingError:
        pass
    finally:
        await response.aclose()
    return response


def _content(response: httpx.Response) -> bytes | None:
    """The body :func:`_received` read, or None when it did not decode."""
    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


class BinaryAnswer(BaseModel):
    """A 2xx answer that is not JSON (a file download, say): its bytes and media type as
    they came (a third-party operation answering ``application/octet-stream``)."""

    content: bytes
    media_type: str | None = None


def decode_body(response: httpx.Response, model: type[ModelT]) -> ModelT:
    """The 2xx answer as ``model``, or :class:`ResponseError`: whatever arrives, callers see
    only this client's errors."""
    content = _content(response)
    if content is None:
        encoding = response.headers.get("Content-Encoding")
        raise ResponseError(f"the body does not decode as Content-Encoding {encoding!r} says",
                            response, None)
    if issubclass(model, BinaryAnswer):
        return model(content=content, media_type=response.headers.get("Content-Type"))
    try:
        body = simplejson.loads(content, use_decimal=True)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bytes that are not
        # UTF-8, and arrays nested deeper than the stack
        raise ResponseError(f"the body is not JSON ({exc})", response, response.text) from exc
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ResponseError(f"the body is not a {model.__name__}: {exc}", response,
                            body) from exc


@dataclass(frozen=True)
class Call:
    """One operation call: HTTP method and path, and the models it sends and receives.

    A request without a body (``body`` False; by default a GET's) is sent as query
    parameters, except the keys named in ``headers``, which are sent as HTTP headers (a
    third-party API's header parameters, docs/third-party.md)."""

    method: str
    path: str
    request: BaseModel
    body: bool | None = None  # None: a body for every method but GET
    headers: frozenset[str] = frozenset()
    accept: str | None = None  # the answer's media type, when it is not JSON

    def build(self, client: httpx.Client | httpx.AsyncClient, base_path: str) -> httpx.Request:
        url = base_path + self.path
        if not (self.method != "GET" if self.body is None else self.body):
            query = encode_query(self.request)
            headers = {name: str(value) for name, value in query if name in self.headers}
            if self.accept:
                headers["Accept"] = self.accept
            return client.build_request(
                self.method, url, headers=headers,
                params=[(name, value) for name, value in query if name not in self.headers])
        return client.build_request(self.method, url, content=encode_body(self.request),
                                    headers={"Content-Type": "application/json"})


def _as_model(request: BaseModel | Mapping[str, Any], model: type[ModelT]) -> ModelT:
    return request if isinstance(request, model) else model.model_validate(request)


def _retry_or_raise(config: ClientConfig, label: str, repeatable: bool, attempt: int,
                    failure: httpx.Response | httpx.TransportError,
                    error_model: type[BaseModel]) -> float:
    """Seconds to wait before retrying a failed attempt (0-based), else raise the error it
    ends in.  See :class:`ClientConfig` for what is retried; a timeout after connecting is
    not (another wait as long rarely helps)."""
    final: B2BError
    wait = _backoff(config, attempt)
    if isinstance(failure, httpx.Response):
        final = _error_for(failure, error_model)
        asked = final.retry_after
        allowed = (repeatable and failure.status_code in RETRY_STATUSES
                   and (asked is None or asked <= config.max_retry_after))
        wait = max(wait, asked or 0.0)
    elif isinstance(failure, _NOT_SENT):
        allowed, final = True, TransportError(f"{label} failed: {failure}")
    elif isinstance(failure, httpx.TimeoutException):
        allowed, final = False, TransportError(f"{label} timed out: {failure}")
    else:  # the request may have reached the service
        allowed, final = repeatable, TransportError(f"{label} failed: {failure}")
    if allowed and attempt < config.max_retries:
        return wait
    if isinstance(failure, Exception):
        raise final from failure
    raise final


def _backoff(config: ClientConfig, attempt: int) -> float:
    """``backoff_seconds`` doubled per attempt (0-based), at most ``max_retry_after``."""
    doubled = config.backoff_seconds * 2.0 ** min(attempt, 64)  # no float overflow
    return min(doubled, config.max_retry_after)


# ----------------------------------------------------------------------------------- clients
class ServiceClient:
    """Synchronous client base: one ``httpx.Client`` per instance; use it as a context."""

    base_path: ClassVar[str] = ""
    error_model: ClassVar[type[BaseModel]]

    def __init__(self, config: ClientConfig | None = None, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.config = config or ClientConfig.from_env()
        self._http = httpx.Client(base_url=self.config.base_url, headers=self.config.headers(),
                                  timeout=self.config.timeout, verify=self.config.ssl_context(),
                                  transport=transport)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, request: BaseModel | Mapping[str, Any],
              request_model: type[BaseModel], response_model: type[ModelT], *,
              repeatable: bool = False, body: bool | None = None,
              headers: frozenset[str] = frozenset(), accept: str | None = None) -> ModelT:
        call = Call(method, path, _as_model(request, request_model), body, headers, accept)
        attempt = 0
        while True:
            failure: httpx.Response | httpx.TransportError
            try:
                failure = _received(self._http.send(call.build(self._http, self.base_path),
                                                    stream=True))
            except httpx.TransportError as exc:
                failure = exc
            else:
                if failure.is_success:
                    return decode_body(failure, response_model)
            time.sleep(_retry_or_raise(self.config, f"{method} {path}", repeatable, attempt,
                                       failure, self.error_model))
            attempt += 1


class AsyncServiceClient:
    """Asynchronous twin of :class:`ServiceClient` on ``httpx.AsyncClient``."""

    base_path: ClassVar[str] = ""
    error_model: ClassVar[type[BaseModel]]

    def __init__(self, config: ClientConfig | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config or ClientConfig.from_env()
        self._http = httpx.AsyncClient(base_url=self.config.base_url,
                                       headers=self.config.headers(),
                                       timeout=self.config.timeout,
                                       verify=self.config.ssl_context(), transport=transport)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, request: BaseModel | Mapping[str, Any],
                    request_model: type[BaseModel], response_model: type[ModelT], *,
                    repeatable: bool = False, body: bool | None = None,
                    headers: frozenset[str] = frozenset(), accept: str | None = None
                    ) -> ModelT:
        call = Call(method, path, _as_model(request, request_model), body, headers, accept)
        attempt = 0
        while True:
            failure: httpx.Response | httpx.TransportError
            try:
                failure = await _areceived(await self._http.send(
                    call.build(self._http, self.base_path), stream=True))
            except httpx.TransportError as exc:
                failure = exc
            else:
                if failure.is_success:
                    return decode_body(failure, response_model)
            await asyncio.sleep(_retry_or_raise(self.config, f"{method} {path}", repeatable,
                                                attempt, failure, self.error_model))
            attempt += 1
