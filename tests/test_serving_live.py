"""`b2b-openapi serve` as an operator runs it, for real on loopback: request size limits,
duplicate keys, API keys kept out of the command line and the logs, configuration errors
naming the variable, health, the access log and Prometheus metrics."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from live import CASES, serve
from support import ROOT

SECRET = "Zq3-long-random-participant-key-0001"
CASE = next(c for c in CASES if c.service == "RetrieveDefaultBidCurves_CMRIv1_DocAttach")
PATH = CASE.url


def cli(*args: str, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "b2b_openapi", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, check=False,
                          env={"PATH": os.environ.get("PATH", ""), **(env or {})})


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keys file as an operator makes it: hash-key fed the key on stdin."""
    proc = cli("hash-key", "--user", "alice", stdin=SECRET + "\n")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith("sha256:") and line.endswith("=alice") and SECRET not in line
    path = tmp_path_factory.mktemp("keys") / "api-keys"
    path.write_text(f"# participant keys\n{line}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(built: tuple[Path, Path], keys_file: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("serving") / "serve.log"
    env = {"B2B_API_KEYS_FILE": str(keys_file), "B2B_MAX_BODY_MB": "1"}
    with serve(built[1].parent, CASE.service, env=env, log=log) as url:
        yield url, log


def post(url: str, **kwargs: object) -> httpx.Response:
    return httpx.post(url + PATH, headers={"X-API-Key": SECRET,
                                           "Content-Type": "application/json"},
                      timeout=30, **kwargs)  # type: ignore[arg-type]


def test_a_hashed_key_file_lets_the_key_in(server: tuple[str, Path], keys_file: Path) -> None:
    url, _ = server
    answer = post(url, json=CASE.request)
    assert answer.status_code == 200, answer.text
    assert SECRET not in keys_file.read_text()
    wrong = httpx.post(url + PATH, json=CASE.request, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    # the hash itself is no key
    hashed = keys_file.read_text().splitlines()[1].rpartition("=")[0]
    assert httpx.post(url + PATH, json=CASE.request,
                      headers={"X-API-Key": hashed}).status_code == 401


def _raw(url: str, head: bytes, body_parts: Iterator[bytes]) -> bytes:
    """Send ``head`` and body parts until the server answers; return its whole answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        sock.settimeout(0.05)
        answer = b""
        for part in body_parts:
            try:
                sock.sendall(part)
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:  # the server closed the connection after answering
                break
            if answer:
                break
        sock.settimeout(1)
        while b"}" not in answer:  # the problem+json body
            try:
                more = sock.recv(65536)
            except (TimeoutError, OSError):
                break
            if not more:
                break
            answer += more
        return answer


def test_a_declared_large_body_is_413_before_it_is_read(server: tuple[str, Path]) -> None:
    url, _ = server
    head = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-API-Key: {SECRET}\r\n"
            "Content-Type: application/json\r\nContent-Length: 52428800\r\n\r\n").encode()
    answer = _raw(url, head, iter([b"[" + b" " * 1000]))  # 50 MB declared, 1 KB sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"at most 1 MB (B2B_MAX_BODY_MB)" in answer


def test_a_chunked_body_is_cut_off_at_the_limit(server: tuple[str, Path]) -> None:
    url, _ = server
    head = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-API-Key: {SECRET}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b" " * 65536
    parts = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(64))  # 4 MB if all sent
    answer = _raw(url, head, parts)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"more than 1048576 bytes were sent" in answer


def test_duplicate_keys_are_422(server: tuple[str, Path]) -> None:
    url, _ = server
    body = json.dumps(CASE.request)[:-1] + ', "tradeDateStart": "2026-11-25"}'
    answer = post(url, content=body.encode())
    assert answer.status_code == 422, answer.text
    assert answer.json()["title"] == "Request body has a duplicate key"
    assert "'tradeDateStart' appears twice" in answer.json()["detail"]


def test_health_metrics_and_one_access_line_per_request(server: tuple[str, Path]) -> None:
    url, log = server
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(url + "/readyz").json() == {"status": "ready", "checks": {}}
    answer = httpx.post(url + PATH, json=CASE.request,
                        headers={"X-API-Key": SECRET, "X-Request-ID": "trace-42"})
    assert answer.headers["x-request-id"] == "trace-42"
    generated = httpx.post(url + PATH, json=CASE.request, headers={"X-API-Key": "bad"})
    assert len(generated.headers["x-request-id"]) == 36  # a new UUID
    caiso = httpx.post(url + PATH, json=CASE.request,
                       headers={"X-API-Key": SECRET, "CAISORequestUUID": "caiso-7"})
    assert caiso.headers["x-request-id"] == "caiso-7"
    # any id the server takes (1-128 visible ASCII) is the one logged, echoed and sent on
    braced = "{8f14e45f-ceea-467a-9538-3b1b2e1a0f12}/retry+1"
    both = httpx.post(url + PATH, json=CASE.request,
                      headers={"X-API-Key": SECRET, "CAISORequestUUID": braced})
    assert both.headers["x-request-id"] == both.headers["CAISORequestUUID"] == braced
    metrics = httpx.get(url + "/metrics").text
    assert (f'b2b_requests_total{{operation="{CASE.operation}",status="200"}}') in metrics
    assert "b2b_request_duration_seconds_bucket" in metrics
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{")]
    mine = next(line for line in lines if line["request_id"] == "trace-42")
    assert mine["caller"] == "alice" and mine["operation"] == CASE.operation
    assert mine["status"] == 200 and mine["ms"] > 0 and mine["path"] == PATH
    assert next(line for line in lines if line["request_id"] == braced)["status"] == 200
    refused = next(line for line in lines if line["request_id"]
                   == generated.headers["x-request-id"])
    assert refused["status"] == 401 and refused["caller"] == "-"
    assert SECRET not in log.read_text()


def test_the_key_is_on_no_command_line(server: tuple[str, Path]) -> None:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            assert SECRET.encode() not in cmdline.read_bytes()
        except OSError:  # gone meanwhile
            continue


@pytest.mark.parametrize(("env", "args", "message"), [
    ({"B2B_SOAP_TIMEOUT": "abc"}, [], "error: B2B_SOAP_TIMEOUT: 'abc' is not a number"),
    ({}, ["--soap-timeout", "abc"], "error: --soap-timeout: 'abc' is not a number"),
    ({"B2B_MAX_BODY_MB": "0"}, [], "error: B2B_MAX_BODY_MB: '0' is not a number above 0"),
    ({"B2B_WORKERS": "two"}, [], "error: B2B_WORKERS: 'two' is not a whole number"),
    ({"B2B_API_KEYS_FILE": "/nonexistent/keys"}, [],
     "error: B2B_API_KEYS_FILE: cannot read '/nonexistent/keys': No such file or directory"),
    ({"B2B_API_KEYS": "justakey"}, [], "error: B2B_API_KEYS: API key entry 'jus...' is not "
                                       "key=user"),
    ({}, ["--redis-url", "redis://:pw@127.0.0.1:6379/0"],
     "error: a Redis URL with credentials on the command line is visible to every local user "
     "(ps): set B2B_REDIS_URL instead"),
])
def test_a_bad_setting_is_one_line_naming_it(built: tuple[Path, Path], env: dict[str, str],
                                             args: list[str], message: str) -> None:
    proc = cli("serve", "--build", str(built[1].parent), *args,
               env={"B2B_API_KEYS": "k=u", **env})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [message]


def test_hash_key_refuses_an_empty_stdin() -> None:
    proc = cli("hash-key", stdin="")
    assert proc.returncode == 2
    assert "no key on stdin" in proc.stderr
