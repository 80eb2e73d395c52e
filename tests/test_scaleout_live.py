"""Scale out for real: `serve --workers N` and several `serve` processes share CAISO's
acceptable use window through a real redis-server on loopback (tests/run installs it).

Exactly one call per caller per window passes across all of them; a call inside the window
restarts it; with Redis gone the limited operation fails closed (503) while the others work.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from live import CASES, call_sync, dump, redis_server, serve
from support import ROOT

WINDOW = 2.0  # seconds
LIMITED = next(c for c in CASES if c.operation == "retrieveMeterData_v1")
PATH = f"/mris/{LIMITED.service}/retrieveMeterData"
KEYS = "k-one=one,k-two=two,k-gone=gone"
ENV = {"B2B_API_KEYS": KEYS, "B2B_AUP_WINDOW_SECONDS": str(WINDOW)}


def fire(urls: list[str], key: str, count: int) -> Counter[int]:
    """``count`` concurrent calls of the limited operation, spread over ``urls``."""
    async def run() -> Counter[int]:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=count)
                                     ) as client:
            answers = await asyncio.gather(*(
                client.post(urls[i % len(urls)] + PATH, json=LIMITED.request,
                            headers={"X-API-Key": key}) for i in range(count)))
        return Counter(a.status_code for a in answers)
    return asyncio.run(run())


def call(url: str, key: str) -> httpx.Response:
    return httpx.post(url + PATH, json=LIMITED.request, headers={"X-API-Key": key}, timeout=30)


@pytest.fixture(scope="module")
def build_root(built: tuple[Path, Path]) -> Path:
    return built[1].parent


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with redis_server(tmp_path_factory.mktemp("redis")) as found:
        yield found


@pytest.fixture(scope="module")
def cluster(build_root: Path, redis: tuple[str, subprocess.Popen[bytes]],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two serve processes on one Redis, the first with two uvicorn workers: three event
    loops, as three hosts would be."""
    logs = tmp_path_factory.mktemp("cluster-logs")
    env = {**ENV, "B2B_REDIS_URL": redis[0]}
    with serve(build_root, LIMITED.service, "--workers", "2", env=env, log=logs / "a.log") as a, \
            serve(build_root, LIMITED.service, env=env, log=logs / "b.log") as b:
        yield [a, b]


def test_workers_without_redis_are_refused_in_one_line(build_root: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "b2b_openapi", "serve", "--build",
                           str(build_root), "--workers", "2"], cwd=ROOT, capture_output=True,
                          text=True, env={"B2B_API_KEYS": KEYS, "PATH": ""}, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --workers 2 needs --redis-url (B2B_REDIS_URL): the acceptable use window "
        "must be one for all workers"]


def test_exactly_one_call_per_window_across_workers_and_processes(cluster: list[str]) -> None:
    assert fire(cluster, "k-one", 30) == Counter({200: 1, 429: 29})
    # another caller has a window of its own
    assert fire(cluster, "k-two", 10) == Counter({200: 1, 429: 9})


def test_an_early_retry_restarts_the_window_everywhere(cluster: list[str]) -> None:
    a, b = cluster
    time.sleep(WINDOW)  # whatever came before has run out
    assert call(a, "k-one").status_code == 200
    time.sleep(WINDOW * 0.6)
    refused = call(b, "k-one")  # too early, on the other process: refused, window restarted
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(int(WINDOW))
    time.sleep(WINDOW * 0.6)  # past the first call's window, inside the restarted one
    assert call(a, "k-one").status_code == 429
    time.sleep(WINDOW + 0.2)
    assert call(b, "k-one").status_code == 200


def test_redis_gone_fails_closed_and_the_rest_keeps_working(
        build_root: Path, tmp_path: Path) -> None:
    # an operation of the process that is not limited: the availability query, which CAISO
    # publishes as a service of its own, so the process serves every service
    other = next(c for c in CASES if c.operation == "retrieveMeterDataAvailability_v1_DocAttach")
    with redis_server(tmp_path) as (url, proc), \
            serve(build_root, env={**ENV, "B2B_REDIS_URL": url},
                  log=tmp_path / "serve.log") as base:
        assert call(base, "k-gone").status_code == 200
        assert httpx.get(base + "/readyz").json() == {"status": "ready",
                                                      "checks": {"redis": "ok"}}
        proc.terminate()
        proc.wait(timeout=10)
        started = time.monotonic()
        answer = call(base, "k-gone")
        assert time.monotonic() - started < 5  # no hanging on a dead Redis
        assert answer.status_code == 503, answer.text
        assert answer.json()["title"] == "Acceptable use state unavailable"
        assert "cannot be reached" in answer.json()["detail"]
        assert "Retry-After" in answer.headers
        assert dump(call_sync(other, base, "k-gone")) == other.expected  # not limited
        ready = httpx.get(base + "/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"].startswith("Redis at redis://127.0.0.1:")

