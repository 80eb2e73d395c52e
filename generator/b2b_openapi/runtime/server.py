"""The request pipeline of a generated server, shared by mock and gateway modes.

auth (X-API-Key; client certificates are enforced by the TLS server and, when one was
presented, name the caller: :mod:`.peercert`) -> request as JSON (query or body, at most
``B2B_MAX_BODY_MB``: 413) -> validation against the spec (422) -> acceptable use policy
(429; 503 when its shared state in Redis is gone) -> answer from the samples (mock) or from
the SOAP service (gateway), at most ``B2B_MAX_UPSTREAM`` calls at once per process (the
excess waits, then 503).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from b2b_openapi.codec.jsonio import DuplicateKeyError, JsonLimitError, dumps, loads
from b2b_openapi.codec.jsonxml import xml_text_errors
from b2b_openapi.runtime import (
    behaviours,
    envconfig,
    oasis,
    observability,
    peercert,
    requestlimits,
)
from b2b_openapi.runtime.gateway import SoapGateway
from b2b_openapi.runtime.limiter import shared_store
from b2b_openapi.runtime.policy import (
    AcceptableUseLimiter,
    authenticate,
    hashed_keys,
    parse_api_keys,
)
from b2b_openapi.runtime.spec import Operation, Problem, ServiceSpec, pointer, shown
from b2b_openapi.runtime.streams import ClosedAfterResponse
from b2b_openapi.runtime.upstream import Upstream, UpstreamSettings, preset_endpoint

LOG = logging.getLogger("b2b_openapi.server")
Mode = Literal["mock", "gateway"]
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
# the request id CAISO's own REST APIs carry; it becomes the CAISOWSHeader MessageID
REQUEST_ID = "CAISORequestUUID"


@dataclass(frozen=True)
class Settings:
    """Server configuration, from ``B2B_*`` environment variables (see README)."""

    mode: Mode
    api_keys: Mapping[str, str]
    soap_endpoint: str | None = None
    soap_base_url: str | None = None  # endpoint = base URL + "/" + service full name
    soap_timeout: float = 30.0
    aup_window_seconds: float | None = None  # None: the spec's window
    upstream: UpstreamSettings = field(default_factory=UpstreamSettings)
    redis_url: str | None = None  # None: the acceptable use state in this process only
    max_body_bytes: int = requestlimits.DEFAULT_MAX_BODY_MB * 2**20
    max_upstream: int = requestlimits.DEFAULT_MAX_UPSTREAM
    upstream_queue_seconds: float = requestlimits.DEFAULT_QUEUE_SECONDS
    oasis: oasis.OasisSettings = field(default_factory=oasis.OasisSettings)

    def __post_init__(self) -> None:
        # only hashes are kept: keys given as themselves (in-process callers) are hashed
        object.__setattr__(self, "api_keys", hashed_keys(self.api_keys))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Raises :class:`envconfig.ConfigError`, one line naming the variable."""
        env = os.environ if env is None else env
        mode = env.get("B2B_MODE", "mock")
        if mode not in ("mock", "gateway"):
            raise envconfig.ConfigError(f"B2B_MODE: must be mock or gateway, not {mode!r}")
        keys_file = envconfig.text_file(env, "B2B_API_KEYS_FILE")
        if "B2B_API_KEYS" not in env and keys_file is None:
            raise envconfig.ConfigError("B2B_API_KEYS: set it to key=user[,key=user...], or "
                                        "B2B_API_KEYS_FILE to a file of (hashed) keys")
        keys: dict[str, str] = {}
        for name, text in (("B2B_API_KEYS", env.get("B2B_API_KEYS")),
                           ("B2B_API_KEYS_FILE", keys_file)):
            if text is not None:
                try:
                    keys.update(parse_api_keys(text))
                except ValueError as exc:
                    raise envconfig.ConfigError(f"{name}: {exc}") from None
        window = env.get("B2B_AUP_WINDOW_SECONDS")
        return cls(mode=mode,  # type: ignore[arg-type]  # checked above
                   api_keys=keys,
                   soap_endpoint=env.get("B2B_SOAP_ENDPOINT"),
                   soap_base_url=env.get("B2B_SOAP_BASE_URL"),
                   soap_timeout=envconfig.number(env, "B2B_SOAP_TIMEOUT", 30.0, exclusive=True),
                   aup_window_seconds=None if window is None else
                   envconfig.number(env, "B2B_AUP_WINDOW_SECONDS", 0.0),
                   redis_url=env.get("B2B_REDIS_URL") or None,
                   max_body_bytes=round(envconfig.number(
                       env, "B2B_MAX_BODY_MB", requestlimits.DEFAULT_MAX_BODY_MB,
                       exclusive=True) * 2**20),
                   max_upstream=envconfig.integer(
                       env, "B2B_MAX_UPSTREAM", requestlimits.DEFAULT_MAX_UPSTREAM, minimum=1),
                   upstream_queue_seconds=envconfig.number(
                       env, "B2B_UPSTREAM_QUEUE_SECONDS", requestlimits.DEFAULT_QUEUE_SECONDS),
                   upstream=UpstreamSettings.from_env(env),
                   oasis=oasis.OasisSettings.from_env(env))


class ServiceRuntime:
    """One service version served in one mode."""

    def __init__(self, spec: ServiceSpec, settings: Settings, wsdl: Path | None = None) -> None:
        self.spec = spec
        self.settings = settings
        self.gateway: SoapGateway | oasis.OasisGateway | None = None
        if settings.mode == "gateway" and oasis.is_oasis(spec.document):
            # an OASIS report: HTTP GET + ZIP to public OASIS, no SOAP (docs/oasis.md)
            self.gateway = oasis.OasisGateway(oasis.endpoint(spec.document, settings.oasis),
                                              settings.oasis, settings.soap_timeout)
        elif settings.mode == "gateway":
            if "x-soap-service" not in spec.document:
                where = f" {spec.source}" if spec.source else ""
                raise ValueError(f"gateway mode needs the x-soap-service extension (a document "
                                 f"b2b-openapi generated from a WSDL); the document{where} has "
                                 "none: serve it in mock mode")
            if wsdl is None:
                raise ValueError("gateway mode needs the service WSDL")
            preset = settings.upstream.preset
            endpoint = settings.soap_endpoint or (
                f"{settings.soap_base_url.rstrip('/')}/{spec.view.full_name}"
                if settings.soap_base_url else
                preset_endpoint(preset, spec.view.system, spec.view.full_name) if preset
                else spec.document["x-soap-service"].get("endpoint"))
            if not endpoint:
                raise ValueError("gateway mode needs B2B_SOAP_ENDPOINT or B2B_SOAP_BASE_URL")
            self.gateway = SoapGateway(wsdl, endpoint, settings.soap_timeout,
                                       upstream=Upstream.from_settings(settings.upstream))
        # mock answers without a behaviour never change: each is encoded once, when first
        # asked for (a sample missing is then the same 500 on every call, as before)
        self._samples: dict[str, _Encoded] = {}
        store = shared_store(settings.redis_url)
        self.limiters = {
            op.id: AcceptableUseLimiter(
                settings.aup_window_seconds if settings.aup_window_seconds is not None
                else float(op.acceptable_use["windowSeconds"]), store)
            for op in spec.operations.values() if op.acceptable_use
        }

    def route(self, operation_id: str) -> str:
        return self.spec.base_path + self.spec.operations[operation_id].path

    async def handle(self, operation_id: str, request: Request) -> Response:
        op = self.spec.operations[operation_id]
        seen = requestlimits.request_record(request.scope)  # for the access log and metrics
        seen["operation"] = op.id
        given = request.headers.get(REQUEST_ID)
        valid = given is not None and observability.is_request_id(given)
        request_id = (given if given is not None and valid else
                      seen.get("request_id") or str(uuid.uuid4()))
        response = await self._handle(op, request, request_id, seen, given is None or valid)
        response.headers[REQUEST_ID] = request_id  # a refused id is not echoed
        return response

    async def _handle(self, op: Operation, request: Request, request_id: str,
                      seen: dict[str, Any], valid_id: bool) -> Response:
        try:
            if not valid_id:
                raise Problem(400, "Bad Request",
                              f"{REQUEST_ID} must be 1 to 128 visible ASCII characters")
            user = peercert.caller(request.scope,
                                   authenticate(request.headers, self.settings.api_keys))
            seen["caller"] = user
            payload = await self._payload(op, request)
            errors = self.spec.errors(op.request_schema, payload)
            errors += self.spec.header_errors(op, request.headers)
            # text no XML (so no SOAP service) can carry, where the schema cannot say so
            # itself (wildcard content): free-text schemas already refuse it
            flagged = {e["path"] for e in errors}
            errors += [e for e in xml_text_errors(payload, pointer) if e["path"] not in flagged]
            errors.sort(key=lambda e: (e["path"], e["message"]))
            if errors:
                raise Problem(422, "Request does not conform to the schema",
                              f"{len(errors)} schema violation(s); first: {errors[0]['path']}: "
                              f"{errors[0]['message']}", {"errors": errors})
            if op.id in self.limiters:
                policy = op.acceptable_use or {}
                # the window the spec names is shared by every variant's app (one store per
                # process, or Redis); a document without one limits this operation alone
                await self.limiters[op.id].enforce(user, policy.get("window", op.id),
                                                   policy.get("message", ""))
            result = await self._answer(op, payload, user, request_id)
        except Problem as problem:
            return _problem_response(problem)
        except Exception:  # a bug: still answer in the documented shape, and log it
            LOG.exception("%s failed", op.id)
            return _problem_response(Problem(500, "Internal server error",
                                             "unexpected error; see the server log"))
        if isinstance(result, AsyncIterator):  # a streamed gateway answer
            return ClosedAfterResponse(result, 200, media_type=JSON)
        body = result.body if isinstance(result, _Encoded) else _encode(op, result)
        return Response(body, op.status, media_type=op.media_type)

    async def _payload(self, op: Operation, request: Request) -> Any:
        if not op.has_body:  # the query as Starlette's QueryParams reads it, in order
            query = parse_qsl(request.scope["query_string"].decode("latin-1"),
                              keep_blank_values=True)
            return self.spec.query_object(op, query)
        content_type = request.headers.get("content-type")
        # no Content-Type at all is taken as JSON (RFC 9110 lets the recipient judge)
        if content_type is not None and not _is_json(content_type):
            raise Problem(415, "Unsupported Media Type",
                          f"the request body must be {JSON}, not {shown(content_type)}")
        raw = await requestlimits.read_body(request, self.settings.max_body_bytes)
        try:
            return loads(raw)
        except JsonLimitError as exc:
            raise Problem(422, "Request body is beyond the JSON limits", str(exc)) from None
        except DuplicateKeyError as exc:
            raise Problem(422, "Request body has a duplicate key", str(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem(422, "Request body is not JSON", str(exc)) from None

    async def _answer(self, op: Operation, payload: Any, user: str, request_id: str) -> Any:
        if self.gateway is not None:
            async with requestlimits.UpstreamSlot(self.settings.max_upstream,
                                                  self.settings.upstream_queue_seconds) as slot:
                return slot.keep(await self.gateway.call(op, payload, user, request_id))
        if oasis.extension(op) is not None:  # rows filtered by the query
            return oasis.mock_answer(op, payload)
        if self.spec.view.generated and behaviours.applies(op.id):  # any version, variant
            return behaviours.shape(op.id, payload, op.example_response())
        # the sample as it is (a third-party document's example too), encoded once
        if op.id not in self._samples:
            self._samples[op.id] = _Encoded(_encode(op, op.example_response()))
        return self._samples[op.id]

    def operation_routes(self) -> dict[tuple[str, str], str]:
        """(method, path) -> operation id, for each route the generated app declares
        (``templates/server/app.py.j2``: one per operation, in the document's order, a GET
        answering HEAD too), as Starlette's router would pick among them; the spec's own
        ``/openapi.json`` route, declared first, wins where it coincides, and templated
        paths (``{id}``) are left to the router."""
        routes: dict[tuple[str, str], str | None] = {
            (method, self.spec.base_path + "/openapi.json"): None for method in ("GET", "HEAD")}
        for op in self.spec.view.operations:
            path = self.spec.base_path + op.path
            if "{" in path:
                continue
            for method in (op.method, "HEAD") if op.method == "GET" else (op.method,):
                routes.setdefault((method, path), op.id)
        return {route: op_id for route, op_id in routes.items() if op_id is not None}


@dataclass(frozen=True)
class _Encoded:
    """An answer's body as it goes on the wire."""

    body: bytes | None


def _encode(op: Operation, result: Any) -> bytes | None:
    """The body of a success answer: none when the operation declares no content, text as
    sampled for a media type other than JSON, else compact JSON."""
    if op.media_type is None:
        return None
    if op.media_type != JSON and isinstance(result, str):  # text or bytes, as sampled
        return result.encode()
    return dumps(result)


class _Shortcut:
    """ASGI middleware of a service app: a request for one of its operations goes
    straight to :meth:`ServiceRuntime.handle`, as the generated route would send it,
    without FastAPI's routing and dependency machinery (about a fifth of a mock answer's
    cost); everything else (``/openapi.json``, a wrong method, an unknown path, a
    ``root_path``) goes to the app's router as before."""

    def __init__(self, app: ASGIApp, runtime: ServiceRuntime) -> None:
        self.app = app
        self.runtime = runtime
        self.routes = runtime.operation_routes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            operation_id = self.routes.get((scope["method"], scope["path"]))
            if operation_id is not None:
                request = Request(scope, receive, send)
                response = await self.runtime.handle(operation_id, request)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _is_json(content_type: str) -> bool:
    return content_type.partition(";")[0].strip().lower() == JSON


def _problem_response(problem: Problem) -> Response:
    return Response(dumps(problem.body()), problem.status, dict(problem.headers),
                    media_type=PROBLEM_JSON)


async def _http_problem(request: Request, exc: Exception) -> Response:
    """Routing's own refusals (404 no such operation, 405 wrong method, with ``Allow``) in
    the problem+json ``Error`` shape of every other answer, not FastAPI's ``{"detail"}``."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    path = shown(request.url.path)
    detail = {404: f"no operation at {path}",
              405: f"{request.method} is not allowed at {path}; allowed: "
                   f"{headers.get('Allow', 'none')}"}.get(exc.status_code, str(exc.detail))
    return _problem_response(Problem(exc.status_code, HTTPStatus(exc.status_code).phrase,
                                     detail, headers=headers))


class _GetAnswersHead(APIRoute):
    """A route whose GET also answers HEAD, as HTTP requires of a GET server (RFC 9110
    9.3.2): the same answer, whose body the ASGI server leaves out (Starlette's plain routes
    do this too; FastAPI's do not)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.methods and "GET" in self.methods:
            self.methods.add("HEAD")


def create_app(runtime: ServiceRuntime) -> FastAPI:
    """A FastAPI app whose /openapi.json is the service's own document (not FastAPI's),
    with the request pipeline's conventions on routing answers too (see above)."""
    spec = runtime.spec

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if runtime.gateway is not None:
            await runtime.gateway.aclose()

    app = FastAPI(title=spec.view.title, version=spec.view.version, docs_url=None,
                  redoc_url=None, openapi_url=None, lifespan=lifespan,
                  exception_handlers={HTTPException: _http_problem})
    app.router.route_class = _GetAnswersHead  # the generated routes are added after this
    app.add_middleware(_Shortcut, runtime=runtime)
    app.state.runtime = runtime  # what the serving process probes (observability.Observed)
    document = dumps(spec.document)

    @app.get(spec.base_path + "/openapi.json", include_in_schema=False)
    async def openapi() -> Response:
        return Response(document, media_type=JSON)

    return app
