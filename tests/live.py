"""Real servers for tests: generated code built into a temporary folder, uvicorn processes
on 127.0.0.1, and the generated client packages importable."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
import xmlschema

from b2b_openapi.codec import jsonxml, rpc, soap
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.emit.naming import snake
from b2b_openapi.emit.postman import LOCAL_API_KEY
from b2b_openapi.emit.sdk import client_files, package_name
from b2b_openapi.emit.servers import server_files
from b2b_openapi.model import Operation
from b2b_openapi.openapi.policies import acceptable_use
from b2b_openapi.outputs import replace_tree
from b2b_openapi.runtime.behaviours import shape
from support import ROOT, XSD, rendered, rendered_all, xsd_schema

# The CAISOWSHeader every request carries: CAISO's WSDLs do not declare it (clients add it),
# so its schema is the project's, written from CAISO's client code (docs/gateway.md).
HEADER_XSD = ROOT / "tests" / "schemas" / "CAISOWSHeader_v1.xsd"

# X-API-Key -> user.  Separate users keep per-user acceptable-use windows apart.
API_KEYS = {"k-sync": "sync", "k-async": "async", "k-aup": "aup", "k-fuzz": "fuzz",
            "k-error": "errors", "k-client-fault": "fault-client",
            "k-server-fault": "fault-server", "k-tls": "tls",
            LOCAL_API_KEY: "postman"}
AUP_WINDOW = 1.5  # seconds, short for tests (CAISO's is 30)


def build_into(root: Path) -> tuple[Path, Path]:
    """Generate clients and servers from the bundled corpus; put the clients on sys.path."""
    specs = list(rendered_all())
    clients, servers = root / "clients", root / "servers"
    replace_tree(clients, client_files([load_yaml(s.text) for s in specs]))
    replace_tree(servers, server_files(specs, XSD))
    for package in sorted(clients.iterdir()):
        if str(package) not in sys.path:
            sys.path.insert(0, str(package))
    return clients, servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


Server = TypeVar("Server", bound=socketserver.BaseServer)


@contextmanager
def in_thread(server: Server) -> Iterator[Server]:
    """``server`` (a stdlib socketserver bound on 127.0.0.1: a fake backend, a static site)
    answering from a daemon thread for the block; shut down and its socket closed after,
    whatever the block did."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_site(directory: Path) -> Iterator[str]:
    """A folder served over HTTP on 127.0.0.1 as a browser would reach the portal: its
    base URL."""
    handler = partial(_QuietFiles, directory=str(directory))
    with in_thread(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def uvicorn(target: str, env: Mapping[str, str], *, factory: bool = False,
            app_dir: Path | None = None, tls: Mapping[str, Path] | None = None,
            log: Path, python: str | Path = sys.executable,
            cwd: Path | None = None) -> Iterator[str]:
    """Run ``uvicorn target`` in a child process (of ``python``, in ``cwd``); yield its base
    URL once it answers."""
    port = free_port()
    args = [str(python), "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]
    if factory:
        args.append("--factory")
    if app_dir is not None:
        args += ["--app-dir", str(app_dir)]
    scheme = "http"
    if tls:
        scheme = "https"
        args += ["--ssl-certfile", str(tls["cert"]), "--ssl-keyfile", str(tls["key"]),
                 "--ssl-ca-certs", str(tls["ca"]), "--ssl-cert-reqs", "2"]
    with served(args, env, port, log, cwd):
        yield f"{scheme}://127.0.0.1:{port}"


@contextmanager
def served(args: list[str], env: Mapping[str, str], port: int, log: Path,
           cwd: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server command in a child process (in ``cwd``) until the block ends; enter
    once ``port`` on 127.0.0.1 accepts."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=out, cwd=cwd,
                                stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, proc, log)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-2000:]}")


def wait_out_window(service: str) -> None:
    """Before a call of a limited operation of ``service`` (full name): the plain and
    _DocAttach variants of the meter data retrieve share one window per user
    (docs/servers.md), so a test calling both with one key waits the window out first."""
    spec = next((s for s in rendered() if s.service.id.full_name == service), None)
    if spec is not None and any(acceptable_use(spec.service.id.name, op.name)
                                for op in spec.service.operations):
        time.sleep(AUP_WINDOW)


def server_env(mode: str, **extra: str) -> dict[str, str]:
    return {"B2B_MODE": mode, "B2B_AUP_WINDOW_SECONDS": str(AUP_WINDOW),
            "B2B_API_KEYS": ",".join(f"{k}={u}" for k, u in API_KEYS.items()), **extra}


# ----------------------------------------------------------------- one case per operation
@dataclass(frozen=True)
class OperationCase:
    system: str
    service: str
    operation: str
    request: Any
    expected: Any
    path: str  # the operation's REST path under the service's base path
    folder: Path  # where the service's WSDL and samples/ are

    @property
    def url(self) -> str:
        """The operation's URL path on a server of every service."""
        return f"/{self.system.lower()}/{self.service}{self.path}"

    @property
    def id(self) -> str:
        return f"{self.service}.{self.operation}"

    def module(self) -> Any:
        return importlib.import_module(f"{package_name(self.system)}.{snake(self.service)}")

    def runtime(self) -> Any:
        """The shared client runtime, as this system's package re-exports it."""
        return importlib.import_module(package_name(self.system))


@cache
def header_schema() -> Any:
    return xmlschema.XMLSchema(str(HEADER_XSD))


def operation(case: OperationCase) -> Operation:
    spec = next(s for s in rendered() if s.service.id.full_name == case.service)
    return next(o for o in spec.service.operations if o.name == case.operation)


def check_received(case: OperationCase, envelope: bytes, payload: Any) -> soap.SoapMessage:
    """What reached the SOAP service for ``case`` was CAISO's request: a CAISOWSHeader valid
    by its schema, a body valid by the WSDL's schemas (an rpc wrapper part by part, a
    DocAttach ``ISOAttachment``, or the request element), and the case's request JSON in
    it, or, for a submit, in the attachment the service decoded (``payload``)."""
    message = soap.parse(envelope)
    (header,) = [h for h in message.headers if h.tag == f"{{{soap.CAISO_HEADER_NS}}}CAISOWSHeader"]
    header_schema().validate(header)
    spec = next(s for s in rendered() if s.service.id.full_name == case.service)
    schema = xsd_schema(spec.service.wsdl)
    side = operation(case).input
    body = message.body
    assert body is not None and body.tag == (side.soap_element or side.element).qname
    attached = side.attachment is not None and side.attachment.payload_element is not None
    if body.tag not in schema.maps.elements:  # an rpc/literal wrapper: part by part
        value: Any = rpc.decode(schema, body, side.rpc_parts)
    else:
        element = schema.maps.elements[body.tag]
        element.validate(body)
        value = None if attached else jsonxml.decode(element, body)
    if attached:
        assert payload == case.request
        assert value in (None, {})  # nothing but the attachment carries the request
    else:
        assert value == case.request
    return message


def operation_cases() -> list[OperationCase]:
    cases = []
    for spec in rendered():
        sid = spec.service.id
        for op in spec.service.operations:
            request = op.input.samples[0].value
            expected = shape(op.name, request, op.output.samples[0].value)  # type: ignore[arg-type]
            cases.append(OperationCase(sid.folder_system, sid.full_name, op.name, request,
                                       expected, op.path, spec.service.wsdl.parent))
    return cases


CASES = operation_cases()


def dump(model: Any) -> Any:
    return model.model_dump(mode="python", by_alias=True, exclude_unset=True)


def call_sync(case: OperationCase, base_url: str, key: str) -> Any:
    config = case.runtime().ClientConfig(base_url=base_url, api_key=key)
    with case.module().Client(config) as client:
        return getattr(client, snake(case.operation))(case.request)


async def call_async(case: OperationCase, base_url: str, key: str) -> Any:
    config = case.runtime().ClientConfig(base_url=base_url, api_key=key)
    async with case.module().AsyncClient(config) as client:
        return await getattr(client, snake(case.operation))(case.request)


def newman() -> str:
    """The newman executable tests/run installed (or $NEWMAN)."""
    found = os.environ.get("NEWMAN") or shutil.which(
        "newman", path=str(ROOT / "build" / "tools" / "node_modules" / ".bin")) or \
        shutil.which("newman")
    if found is None:
        pytest.fail("newman not found: run tests/run (it installs newman from npm into "
                    "build/tools) or set NEWMAN")
    return found


def run_newman(collection: Path, environment: Path, base_url: str,
               report: Path) -> dict[str, Any]:
    """Run ``collection`` with newman against ``base_url``; the run's statistics (the test
    fails, with newman's output, when newman does)."""
    proc = subprocess.run(
        [newman(), "run", str(collection), "--environment", str(environment),
         "--env-var", f"baseUrl={base_url}", "--reporters", "cli,json",
         "--reporter-json-export", str(report), "--color", "off"],
        capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    stats: dict[str, Any] = json.loads(report.read_text())["run"]["stats"]
    return stats


# ----------------------------------------------------------------- serve and redis, for real
@contextmanager
def serve(build: Path, *args: str, env: Mapping[str, str], log: Path) -> Iterator[str]:
    """``b2b-openapi serve`` (with ``args``) over the servers built under ``build``; yields
    its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "b2b_openapi", "serve", "--build", str(build),
               "--port", str(port), *args]
    with served(command, env, port, log):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def redis_server(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real ``redis-server`` (Debian's; tests/run installs it) on a free loopback port,
    nothing persisted; yields (its URL, its process)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not found: run tests/run (it installs Debian's redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(folder)]
    with served(command, {}, port, folder / "redis.log") as proc:
        yield f"redis://127.0.0.1:{port}/0", proc
