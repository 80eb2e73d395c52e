"""Serve every generated server app of a build from one process, routed by base path.

Each app owns a distinct base path (``/{system}/{ServiceFullName}``), so one dispatcher can
host them all: what ``b2b-openapi serve --all`` runs, and what the tests and the Postman
collections talk to.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.runtime.spec import Problem, ServiceSpec, shown

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def load_app(folder: Path) -> FastAPI:
    """Import ``folder/app.py`` under a unique module name."""
    name = "b2b_server_" + "_".join(folder.parts[-2:])
    spec = importlib.util.spec_from_file_location(name, folder / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {folder / 'app.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app: FastAPI = module.app
    return app


class Dispatcher:
    """ASGI app: the request goes to the app whose base path prefixes its path."""

    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self.apps = dict(sorted(apps.items(), key=lambda kv: -len(kv[0])))
        # (base, base + "/", app), the longest base first: made once, not per request
        self._prefixes = [(base, base + "/", app) for base, app in self.apps.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope.get("path", "")
        for base, prefix, app in self._prefixes:
            if path == base or path.startswith(prefix):
                await app(scope, receive, send)
                return
        body = dumps(Problem(404, "Not Found", f"no service at {shown(path)}").body())
        await send({"type": "http.response.start", "status": 404,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def combined_app(servers_root: Path, service: str | None = None) -> Dispatcher:
    """Every app under ``servers_root``, or only ``service``'s (a service full name)."""
    folders = sorted(p.parent for p in servers_root.glob(f"*/{service or '*'}/app.py"))
    if not folders:
        raise FileNotFoundError(f"no generated server apps under {servers_root}")
    return Dispatcher({ServiceSpec.load(f / "openapi.yaml").base_path: load_app(f)
                       for f in folders})


def app_from_env() -> Any:
    """uvicorn factory (what ``serve`` runs): ``B2B_SERVERS_ROOT`` (default
    ``build/servers``), only ``B2B_SERVICE`` when set, with health, readiness, metrics and
    the access log around it (:mod:`.observability`)."""
    from b2b_openapi.runtime.limiter import shared_store
    from b2b_openapi.runtime.observability import Observed

    dispatcher = combined_app(Path(os.environ.get("B2B_SERVERS_ROOT", "build/servers")),
                              os.environ.get("B2B_SERVICE") or None)
    runtimes = [app.state.runtime for app in dispatcher.apps.values()]
    redis_url = runtimes[0].settings.redis_url  # one environment: the same for all
    return Observed(dispatcher, shared_store(redis_url) if redis_url else None,
                    [r.gateway.endpoint for r in runtimes if r.gateway is not None])
