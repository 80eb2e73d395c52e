"""The operation shortcut of the generated apps (runtime/server.py ``_Shortcut``) against the
FastAPI router it bypasses: the same route chosen for every method and path, and the same
answers, byte for byte, for valid and refused requests alike.

Each app is rendered from the real template (templates/server/app.py.j2) around a committed
spec and loaded twice: as generated, and with the shortcut taken out of its middleware, so
that FastAPI's routing answers everything, as it did before the shortcut existed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from b2b_openapi.codec.jsonio import dumps, load_yaml
from b2b_openapi.emit.examples import first_example, schema_example
from b2b_openapi.emit.naming import snake
from b2b_openapi.emit.templating import render
from b2b_openapi.emit.view import service_view
from b2b_openapi.runtime.combined import load_app
from b2b_openapi.runtime.server import ServiceRuntime, _Shortcut
from b2b_openapi.runtime.spec import Operation
from support import ROOT

KEY = "shortcut-test-key-0123456789"
# the other app's caller: the acceptable use window is per user, in a store the process's
# apps share, so each app gets its own user to see the same 200 then 429
OTHER_KEY = "shortcut-test-key-other-01234"
# a POST under acceptable use, a GET (criteria in the query), rpc and DocAttach bodies
SERVICES = ["MRIS/RetrieveMeterData_STLMTv1",
            "MRIS/RetrieveMeterDataAvailability_STLMTv1_DocAttach",
            "DRRS/RetrieveRegistrationsIncremental_DRRSv1",
            "CMRI/RetrieveDefaultBidCurves_CMRIv1", "SIBR/SubmitRawBidSet_SIBRv5_DocAttach"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def _app_folder(root: Path, service: str) -> Path:
    spec = ROOT / "specs" / f"{service}.yaml"
    folder = root / service
    folder.mkdir(parents=True)
    shutil.copy(spec, folder / "openapi.yaml")
    view = service_view(load_yaml(spec))
    (folder / "app.py").write_text(render(
        "server/app.py.j2", service=view, operations=view.operations, wsdl=None,
        folder=str(folder), version="test"), encoding="utf-8")
    return folder


@pytest.fixture(params=SERVICES)
def apps(request: pytest.FixtureRequest, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FastAPI, FastAPI]]:
    """(the app as generated, the same app without the shortcut)."""
    monkeypatch.setenv("B2B_API_KEYS", f"{KEY}=alice,{OTHER_KEY}=bob")
    monkeypatch.delenv("B2B_MODE", raising=False)
    folder = _app_folder(tmp_path, request.param)
    shortcut, router_only = load_app(folder), load_app(folder)
    router_only.user_middleware = [m for m in router_only.user_middleware
                                   if m.cls is not _Shortcut]
    assert len(router_only.user_middleware) == len(shortcut.user_middleware) - 1
    yield shortcut, router_only


def _runtime(app: FastAPI) -> ServiceRuntime:
    runtime: ServiceRuntime = app.state.runtime
    return runtime


def _router_choice(app: FastAPI, method: str, path: str) -> str | None:
    """The endpoint name of the route Starlette's router would run: the first full match,
    in the order the routes were declared; None when none matches fully."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "name", None))
    return None


def test_the_shortcut_takes_exactly_the_routes_the_router_gives_an_operation(
        apps: tuple[FastAPI, FastAPI]) -> None:
    app = apps[0]
    runtime = _runtime(app)
    table = runtime.operation_routes()
    paths = {runtime.route(op_id) for op_id in runtime.spec.operations}
    paths |= {runtime.spec.base_path + "/openapi.json", runtime.spec.base_path + "/nothing",
              *(p + "/" for p in paths)}
    assert table, "no operation is shortcut"
    for path in sorted(paths):
        for method in METHODS:
            chosen = _router_choice(app, method, path)
            taken = table.get((method, path))
            expected = None if chosen in (None, "openapi") else chosen
            assert (snake(taken) if taken else None) == expected, (method, path)


def _query(value: dict[str, Any]) -> list[tuple[str, str]]:
    """A GET request object as query parameters (XSD lexical forms)."""
    pairs: list[tuple[str, str]] = []
    for name, item in value.items():
        for one in item if isinstance(item, list) else [item]:
            pairs.append((name, "true" if one is True else "false" if one is False
                          else str(one)))
    return pairs


def _requests(runtime: ServiceRuntime, op: Operation) -> Iterator[dict[str, Any]]:
    """Requests for ``op``: valid, refused at each step of the pipeline, and beside it."""
    url = runtime.route(op.id)
    auth = {"X-API-Key": KEY, "CAISORequestUUID": "fixed-request-id"}
    example: Any
    if op.has_body:
        found, example = first_example(op.raw["requestBody"]["content"]["application/json"])
        assert found
        body = dumps(example)
        yield {"method": "POST", "url": url, "headers": auth, "content": body}
        yield {"method": "POST", "url": url, "headers": auth, "content": body}  # AUP: 429?
        yield {"method": "POST", "url": url, "headers": auth, "content": b'{"extra": 1}'}
        yield {"method": "POST", "url": url, "headers": auth, "content": b"{"}
        yield {"method": "POST", "url": url, "content": body,
               "headers": {**auth, "Content-Type": "text/plain"}}
        yield {"method": "POST", "url": url, "content": body,
               "headers": {"X-API-Key": "wrong"}}
        yield {"method": "GET", "url": url, "headers": auth}
    else:
        example = schema_example(op.request_schema, runtime.spec.components["schemas"])
        params = _query(example)
        yield {"method": "GET", "url": url, "headers": auth, "params": params}
        yield {"method": "GET", "url": url, "headers": auth, "params": params}
        yield {"method": "HEAD", "url": url, "headers": auth, "params": params}
        yield {"method": "GET", "url": url, "headers": auth, "params": [*params, ("x", "1")]}
        yield {"method": "GET", "url": url, "headers": auth,
               "params": [(name, "not valid ~~~") for name, _ in params]}
        yield {"method": "GET", "url": url, "headers": {"CAISORequestUUID": "x" * 200},
               "params": params}
        yield {"method": "GET", "url": url, "headers": {}, "params": params}
        yield {"method": "POST", "url": url, "headers": auth, "content": b"{}"}
    yield {"method": "GET", "url": url + "/", "headers": auth}
    yield {"method": "GET", "url": runtime.spec.base_path + "/openapi.json", "headers": {}}


def _seen(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """What a caller sees of an answer; a request id the server made up is any UUID."""
    headers = [(k, "<uuid>" if k == "caisorequestuuid" and UUID.fullmatch(v) else v)
               for k, v in response.headers.items()]
    return response.status_code, headers, response.content


def test_answers_are_the_routers_answers(apps: tuple[FastAPI, FastAPI]) -> None:
    shortcut, router_only = apps
    runtime = _runtime(shortcut)
    with TestClient(shortcut, raise_server_exceptions=False, follow_redirects=False) as a, \
            TestClient(router_only, raise_server_exceptions=False,
                       follow_redirects=False) as b:
        seen = set()
        for op in runtime.spec.operations.values():
            for request in _requests(runtime, op):
                other = {**request, "headers": {
                    k: OTHER_KEY if v == KEY else v for k, v in request["headers"].items()}}
                got, expected = a.request(**request), b.request(**other)
                seen.add(got.status_code)
                assert _seen(got) == _seen(expected), request
        assert {200, 401, 405, 422} <= seen
        if any(op.acceptable_use for op in runtime.spec.operations.values()):
            assert 429 in seen
