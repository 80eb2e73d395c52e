"""The request pipeline of a generated server, shared by mock and gateway modes.

auth (X-API-Key; client certificates are enforced by the TLS server and, when one was
presented, name the caller: :mod:`.peercert`) -> request as JSON
(query or body) -> validation against the spec (422) -> acceptable use policy (429) ->
answer from the samples (mock) or from the SOAP service (gateway).
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from ..jsonxml import xml_text_errors
from . import behaviours, peercert
from .gateway import SoapGateway
from .jsonio import JsonLimitError, dumps, loads
from .policy import AcceptableUseLimiter, authenticate, parse_api_keys
from .spec import Operation, Problem, ServiceSpec, pointer, shown
from .upstream import Upstream, UpstreamSettings, preset_endpoint

LOG = logging.getLogger("b2b_openapi.server")
Mode = Literal["mock", "gateway"]
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
# the request id CAISO's own REST APIs carry; it becomes the CAISOWSHeader MessageID
REQUEST_ID = "CAISORequestUUID"
_REQUEST_ID_TEXT = re.compile(r"[\x21-\x7e]{1,128}")


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        mode = env.get("B2B_MODE", "mock")
        if mode not in ("mock", "gateway"):
            raise ValueError(f"B2B_MODE must be mock or gateway, not {mode!r}")
        if "B2B_API_KEYS" not in env:
            raise ValueError("set B2B_API_KEYS to key=user[,key=user...]")
        window = env.get("B2B_AUP_WINDOW_SECONDS")
        return cls(mode=mode,  # type: ignore[arg-type]  # checked above
                   api_keys=parse_api_keys(env["B2B_API_KEYS"]),
                   soap_endpoint=env.get("B2B_SOAP_ENDPOINT"),
                   soap_base_url=env.get("B2B_SOAP_BASE_URL"),
                   soap_timeout=float(env.get("B2B_SOAP_TIMEOUT", "30")),
                   aup_window_seconds=float(window) if window is not None else None,
                   upstream=UpstreamSettings.from_env(env))


class ServiceRuntime:
    """One service version served in one mode."""

    def __init__(self, spec: ServiceSpec, settings: Settings, wsdl: Path | None = None) -> None:
        self.spec = spec
        self.settings = settings
        self.gateway: SoapGateway | None = None
        if settings.mode == "gateway":
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
        self.limiters = {
            op.id: AcceptableUseLimiter(
                settings.aup_window_seconds if settings.aup_window_seconds is not None
                else float(op.acceptable_use["windowSeconds"]))
            for op in spec.operations.values() if op.acceptable_use
        }

    def route(self, operation_id: str) -> str:
        return self.spec.base_path + self.spec.operations[operation_id].path

    async def handle(self, operation_id: str, request: Request) -> Response:
        op = self.spec.operations[operation_id]
        given = request.headers.get(REQUEST_ID)
        valid = given is not None and _REQUEST_ID_TEXT.fullmatch(given) is not None
        request_id = given if given is not None and valid else str(uuid.uuid4())
        response = await self._handle(op, request, request_id, given is None or valid)
        response.headers[REQUEST_ID] = request_id  # a refused id is not echoed
        return response

    async def _handle(self, op: Operation, request: Request, request_id: str,
                      valid_id: bool) -> Response:
        try:
            if not valid_id:
                raise Problem(400, "Bad Request",
                              f"{REQUEST_ID} must be 1 to 128 visible ASCII characters")
            user = peercert.caller(request.scope,
                                   authenticate(request.headers, self.settings.api_keys))
            payload = await self._payload(op, request)
            errors = self.spec.errors(op.request_schema, payload)
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
                self.limiters[op.id].enforce(user, op.id, op.acceptable_use["message"]
                                             if op.acceptable_use else "")
            result = await self._answer(op, payload, user, request_id)
        except Problem as problem:
            return _problem_response(problem)
        except Exception:  # a bug: still answer in the documented shape, and log it
            LOG.exception("%s failed", op.id)
            return _problem_response(Problem(500, "Internal server error",
                                             "unexpected error; see the server log"))
        if isinstance(result, AsyncIterator):  # a streamed gateway answer
            return StreamingResponse(result, 200, media_type=JSON)
        return Response(dumps(result), 200, media_type=JSON)

    async def _payload(self, op: Operation, request: Request) -> Any:
        if op.method == "GET":
            return self.spec.query_object(op, list(request.query_params.multi_items()))
        content_type = request.headers.get("content-type")
        # no Content-Type at all is taken as JSON (RFC 9110 lets the recipient judge)
        if content_type is not None and not _is_json(content_type):
            raise Problem(415, "Unsupported Media Type",
                          f"the request body must be {JSON}, not {shown(content_type)}")
        raw = await request.body()
        try:
            return loads(raw)
        except JsonLimitError as exc:
            raise Problem(422, "Request body is beyond the JSON limits", str(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem(422, "Request body is not JSON", str(exc)) from None

    async def _answer(self, op: Operation, payload: Any, user: str, request_id: str) -> Any:
        if self.gateway is not None:
            return await self.gateway.call(op, payload, user, request_id)
        return behaviours.shape(op.id, payload, op.example_response())


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
    document = dumps(spec.document)

    @app.get(spec.base_path + "/openapi.json", include_in_schema=False)
    async def openapi() -> Response:
        return Response(document, media_type=JSON)

    return app
