"""What an operator sees of a running server: health, readiness, metrics, the access log.

:class:`Observed` wraps the server's ASGI app (what ``b2b-openapi serve`` runs):

* ``GET /healthz``: 200 while the process serves at all (liveness).
* ``GET /readyz``: 200 when every dependency answers - Redis (a PING, when the acceptable
  use state is there) and each SOAP endpoint of gateway mode (a TCP connection, within
  :data:`PROBE_SECONDS`) - else 503; the body names each check and its result.
* ``GET /metrics``: Prometheus text (prometheus-client): requests by operation and status,
  their durations.  With several workers, ``PROMETHEUS_MULTIPROC_DIR`` (``serve`` sets it)
  makes every worker's figures add up in each answer.
* One JSON access log line per request on the ``b2b_openapi.access`` logger: request id
  (the caller's ``CAISORequestUUID`` - CAISO's REST header - or ``X-Request-ID`` when it is
  a plain token, else a new UUID; sent back as ``X-Request-ID``), method, path, operation,
  caller (the user name, never a key), status, ms.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import uuid
from collections.abc import Iterable, MutableMapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from b2b_openapi.codec.jsonio import dumps, to_text
from b2b_openapi.runtime.combined import Receive, Scope, Send
from b2b_openapi.runtime.limiter import StoreUnavailable, WindowStore
from b2b_openapi.runtime.requestlimits import RECORD_KEY

ACCESS_LOG = logging.getLogger("b2b_openapi.access")
PROBE_SECONDS = 2.0
REQUEST_ID_HEADER = b"x-request-id"
REQUEST_ID_HEADERS = (b"caisorequestuuid", REQUEST_ID_HEADER)  # the first one given counts
# A request id: 1 to 128 visible ASCII characters (no space, no control character, so it
# is safe in a log line and a SOAP header).  The one rule: the server refuses any other
# CAISORequestUUID with a 400, the access log never records any other.
REQUEST_ID_TEXT = re.compile(r"[\x21-\x7e]{1,128}")

REQUESTS = Counter("b2b_requests", "Requests answered, by operation and HTTP status.",
                   ["operation", "status"])
DURATION = Histogram("b2b_request_duration_seconds",
                     "Time to the answer's first byte, by operation.", ["operation"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


@lru_cache(maxsize=4096)
def _counted(operation: str, status: int) -> Any:
    """The request counter's child for these labels: prometheus-client looks a child up
    under a lock on every ``labels()`` call; operations and statuses are few."""
    return REQUESTS.labels(operation, str(status))


@lru_cache(maxsize=4096)
def _timed(operation: str) -> Any:
    return DURATION.labels(operation)


def _access_line(line: str) -> None:
    """``ACCESS_LOG.info(line)`` without its search of the stack for the calling file and
    line (a record's ``pathname``, ``lineno``, ``funcName``; a tenth of a mock answer's
    cost): an access line says where it comes from by its logger's name."""
    ACCESS_LOG.handle(ACCESS_LOG.makeRecord(ACCESS_LOG.name, logging.INFO, __file__, 0,
                                            "%s", (line,), None))


def is_request_id(value: str) -> bool:
    """Whether a caller's request id may be used as given (:data:`REQUEST_ID_TEXT`)."""
    return REQUEST_ID_TEXT.fullmatch(value) is not None


def request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The caller's request id when it is one (:func:`is_request_id`), else a new one."""
    given = dict((k.lower(), v) for k, v in headers)
    found = next((given[h] for h in REQUEST_ID_HEADERS if h in given), b"")
    text = found.decode("latin-1")
    return text if is_request_id(text) else str(uuid.uuid4())


def metrics_text() -> bytes:
    """The Prometheus exposition of this process, or of all workers in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


async def _tcp_probe(endpoint: str) -> str | None:
    """None when ``endpoint``'s host accepts a TCP connection, else why not."""
    parts = urlsplit(endpoint)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port), PROBE_SECONDS)
    except (OSError, TimeoutError) as exc:
        return f"cannot connect to {parts.hostname}:{port}: {exc or type(exc).__name__}"
    writer.close()
    return None


async def readiness(store: WindowStore | None, endpoints: Iterable[str]
                    ) -> tuple[bool, dict[str, str]]:
    """(ready, check -> "ok" or the reason) for Redis and each distinct SOAP host."""
    checks: dict[str, str] = {}
    if store is not None:
        try:
            await store.ping()
            checks["redis"] = "ok"
        except StoreUnavailable as exc:
            checks["redis"] = str(exc)
    hosts: dict[str, str] = {}
    for endpoint in endpoints:
        parts = urlsplit(endpoint)
        hosts.setdefault(f"{parts.scheme}://{parts.netloc}", endpoint)
    results = await asyncio.gather(*(_tcp_probe(e) for e in hosts.values()))
    for host, result in zip(hosts, results, strict=True):
        checks[f"soap {host}"] = result or "ok"
    return all(v == "ok" for v in checks.values()), checks


class Observed:
    """ASGI middleware: the operator endpoints, then the access log and metrics of every
    other request (the request pipeline adds operation and caller, see
    :func:`.requestlimits.request_record`)."""

    def __init__(self, app: Any, store: WindowStore | None, endpoints: Iterable[str]) -> None:
        self.app = app
        self.store = store
        self.endpoints = sorted(set(endpoints))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope.get("method") in ("GET", "HEAD") and path in ("/healthz", "/readyz",
                                                                "/metrics"):
            await self._operator(path, send)
            return
        started = time.perf_counter()
        record: dict[str, Any] = {"request_id": request_id(scope.get("headers", ()))}
        scope[RECORD_KEY] = record
        rid = record["request_id"].encode("ascii")
        status = 500

        async def observed_send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*(h for h in message.get("headers", ())
                                        if h[0].lower() != REQUEST_ID_HEADER),
                                      (REQUEST_ID_HEADER, rid)]
                record["seconds"] = time.perf_counter() - started
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            seconds = record.get("seconds", time.perf_counter() - started)
            operation = record.get("operation", "-")
            _counted(operation, status).inc()
            _timed(operation).observe(seconds)
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                _access_line(to_text({
                    "request_id": record["request_id"], "method": scope.get("method"),
                    "path": path[:200], "operation": operation,
                    "caller": record.get("caller", "-"), "status": status,
                    "ms": round(seconds * 1000, 1)}, compact=True))

    async def _operator(self, path: str, send: Send) -> None:
        status, content_type = 200, b"application/json"
        if path == "/metrics":
            body, content_type = metrics_text(), CONTENT_TYPE_LATEST.encode()
        elif path == "/readyz":
            ready, checks = await readiness(self.store, self.endpoints)
            status = 200 if ready else 503
            body = dumps({"status": "ready" if ready else "not ready", "checks": checks})
        else:
            body = dumps({"status": "ok"})
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type),
                                (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
