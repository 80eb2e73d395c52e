"""Load and soak of the generated servers, beside a bare uvicorn/Starlette hello-world floor
measured in the same run.  Prints figures; asserts nothing.  All traffic on 127.0.0.1.

    python benchmarks/load.py [--workers 1 2] [--concurrency 16] [--seconds 10] [--rounds 5]
                              [--soak 60]

For each worker count N: requests/s and p50/p99 latency of
  (floor) a bare Starlette hello-world under uvicorn, N workers;
  (a) a mock GET   (MRIS retrieveMeterDataAvailability, query parameters);
  (b) a mock POST  (CMRI retrieveDefaultBidCurves, a JSON body validated and shaped);
  (c) a gateway POST of (b) against the SOAP mock (`b2b-openapi soap-mock`), one worker;
with the ratio to the floor (target: mock GET >= 0.5x the floor).  The machine is shared, so
the floor and the mock figures are measured interleaved: both servers run side by side and
each round drives the floor, then the mock GET, then the mock POST, for --seconds / --rounds
each; a figure is its rounds together, the ratio is theirs, and the spread of the rounds'
own ratios is printed beside it (a burst of someone else's load lands on one round, not on
one figure).  Beside each, the server's CPU time per answer (all its processes, from
/proc), which others' load disturbs far less than requests/s: the ratio of the floor's to
the mock's says how much more work a mock answer is, whatever the machine was doing.
Then a soak: the mock POST
at moderate load (--soak-concurrency) for --soak seconds, with the server's RSS (all its
processes) before and after (target: growth under 10%).

The load generator is a small keep-alive HTTP/1.1 client on asyncio streams (no third-party
client's overhead in the figures), one connection per concurrent caller, in this process.
Several workers need the acceptable use window in Redis: Debian's redis-server is started
on a free loopback port when N > 1 (and is skipped, with a note, when absent).  Each caller
has its own API key so that the acceptable use window (30 s for meter data) is not what is
measured: the window is set to 0 here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GET_PATH = ("/mris/RetrieveMeterDataAvailability_STLMTv1_DocAttach/retrieveMeterDataAvailability"
            "?scid=ABC1&tradeDateStart=2026-11-01&tradeDateEnd=2026-11-03")
POST_PATH = "/cmri/RetrieveDefaultBidCurves_CMRIv1/retrieveDefaultBidCurves"
POST_BODY = (b'{"tradeDateStart":"2026-11-24","tradeDateEnd":"2026-11-24",'
             b'"resourceId":["ALAMIT_7_UNIT_1","BIGCRK_2_EXESWD"]}')
KEY = "bench-key-0123456789abcdef"
HELLO = '''
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def hello(request):
    return JSONResponse({"hello": "world"})

app = Starlette(routes=[Route("/", hello)])
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(port: int, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"a server exited (code {proc.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("a server did not start")


@contextlib.contextmanager
def started(args: list[str], env: dict[str, str] | None = None) -> Iterator[tuple[int, int]]:
    """Run a server on a free port (``{port}`` in ``args``); yield (port, pid)."""
    port = free_port()
    proc = subprocess.Popen([a.replace("{port}", str(port)) for a in args], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
        time.sleep(1.0)  # all workers up, not only the first
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _family(pid: int) -> list[int]:
    """``pid`` and all its descendants (workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo += [int(c) for c in children]
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (workers), in MB."""
    total = 0
    for current in _family(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its live descendants, in seconds."""
    ticks = 0
    for current in _family(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def _read_answer(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 answer (Content-Length or chunked); return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lines = head.lower().split(b"\r\n")
    length = next((int(h.split(b":")[1]) for h in lines if h.startswith(b"content-length:")),
                  None)
    if length is not None:
        await reader.readexactly(length)
    elif any(h.startswith(b"transfer-encoding:") and b"chunked" in h for h in lines):
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _caller(port: int, request: bytes, until: float, latencies: list[float],
                  statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            writer.write(request)
            status = await _read_answer(reader)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


class Run:
    """The answers' latencies over one or more periods of load, and the time they took."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.elapsed = 0.0
        self.rounds: list[float] = []  # requests/s of each period
        self.cpu = 0.0  # the server's CPU seconds over the periods, when measured

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {"rps": len(ordered) / self.elapsed, "p50": ordered[len(ordered) // 2] * 1000,
                "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000}


def load(port: int, method: str, path: str, body: bytes, concurrency: int,
         seconds: float, into: Run | None = None, pid: int | None = None) -> Run:
    """Drive ``concurrency`` keep-alive callers for ``seconds``; add what they saw to
    ``into`` (a new :class:`Run` when None), and the CPU time of server ``pid`` when
    given, and return it."""
    request = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {KEY}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
               ).encode() + body
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def run() -> float:
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(_caller(port, request, until, latencies, statuses)
                               for _ in range(concurrency)))
        return time.perf_counter() - start

    cpu = cpu_seconds(pid) if pid is not None else 0.0
    elapsed = asyncio.run(run())
    cpu = cpu_seconds(pid) - cpu if pid is not None else 0.0
    bad = sum(n for s, n in statuses.items() if s != 200)
    if bad:
        print(f"    note: {bad} answers were not 200: {statuses}")
    into = into if into is not None else Run()
    into.latencies += latencies
    into.elapsed += elapsed
    into.rounds.append(len(latencies) / elapsed)
    into.cpu += cpu
    return into


def show(name: str, run: Run, floor: Run | None) -> None:
    figures = run.figures()
    ratio = ""
    if floor is not None:
        each = [r / f for r, f in zip(run.rounds, floor.rounds, strict=True)]
        ratio = (f"  {figures['rps'] / floor.figures()['rps']:.2f}x floor"
                 f" (rounds {min(each):.2f}-{max(each):.2f}x)")
    print(f"  {name:<28} {figures['rps']:8.0f} req/s   p50 {figures['p50']:6.1f} ms   "
          f"p99 {figures['p99']:6.1f} ms{ratio}")
    if run.cpu:
        per = run.cpu / len(run.latencies) * 1e6
        cost = (f"  (floor/this: {floor.cpu / len(floor.latencies) * 1e6 / per:.2f}x)"
                if floor is not None and floor.cpu else "")
        print(f"  {'':<28} server CPU {per:6.0f} us per answer{cost}")


@contextlib.contextmanager
def redis() -> Iterator[str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as folder, started(
            [binary, "--port", "{port}", "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", folder]) as (port, _):
        yield f"redis://127.0.0.1:{port}/0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--soak", type=float, default=60)
    parser.add_argument("--soak-concurrency", type=int, default=4)
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 256 or args.seconds > 120 or args.soak > 600 or \
            not 1 <= args.rounds <= 20:
        raise SystemExit("bounded: concurrency 1..256, --seconds <= 120, --rounds 1..20, "
                         "--soak <= 600")
    period = args.seconds / args.rounds

    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build"
        subprocess.run([PY, "-m", "b2b_openapi", "servers", "--xsd", str(ROOT / "xsd"),
                        "--build", str(build)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        (Path(tmp) / "hello.py").write_text(HELLO)
        env = {"B2B_API_KEYS": f"{KEY}=bench", "B2B_AUP_WINDOW_SECONDS": "0"}
        serve = [PY, "-m", "b2b_openapi", "serve", "--build", str(build), "--port", "{port}"]
        print(f"concurrency {args.concurrency}, {args.seconds:g} s per figure in "
              f"{args.rounds} rounds, {os.cpu_count()} CPUs (shared; quote ratios), load "
              f"average {os.getloadavg()[0]:.1f}")
        with redis() as redis_url:
            for workers in args.workers:
                if workers > 1 and redis_url is None:
                    print(f"workers {workers}: skipped (no redis-server installed)")
                    continue
                print(f"workers {workers}:")
                hello = [PY, "-m", "uvicorn", "hello:app", "--app-dir", tmp, "--port",
                         "{port}", "--workers", str(workers), "--log-level", "warning",
                         "--no-access-log"]
                wenv = {**env, "B2B_WORKERS": str(workers),
                        **({"B2B_REDIS_URL": redis_url} if redis_url else {})}
                floor, get, post = Run(), Run(), Run()
                with started(hello) as (hello_port, hello_pid), \
                        started(serve, wenv) as (port, pid):
                    for _ in range(args.rounds):
                        load(hello_port, "GET", "/", b"", args.concurrency, period, floor,
                             hello_pid)
                        load(port, "GET", GET_PATH, b"", args.concurrency, period, get, pid)
                        load(port, "POST", POST_PATH, POST_BODY, args.concurrency, period,
                             post, pid)
                show("floor: Starlette hello", floor, None)
                show("mock GET", get, floor)
                show("mock POST", post, floor)
        with started([PY, "-m", "b2b_openapi", "soap-mock", "--xsd", str(ROOT / "xsd"),
                      "--port", "{port}"]) as (soap_port, _), started(
                [*serve, "--mode", "gateway", "--soap-endpoint",
                 f"http://127.0.0.1:{soap_port}"], env) as (port, _):
            show("gateway POST (1 worker)", load(port, "POST", POST_PATH, POST_BODY,
                                                 args.concurrency, args.seconds), None)
        if args.soak > 0:
            with started(serve, env) as (port, pid):
                load(port, "POST", POST_PATH, POST_BODY, args.soak_concurrency, 5)  # warm
                before = rss_mb(pid)
                figures = load(port, "POST", POST_PATH, POST_BODY, args.soak_concurrency,
                               args.soak)
                after = rss_mb(pid)
            print(f"soak: mock POST, concurrency {args.soak_concurrency}, {args.soak:g} s")
            show("soak", figures, None)
            print(f"  RSS {before:.0f} MB -> {after:.0f} MB ({(after / before - 1) * 100:+.1f}%;"
                  " target < +10%)")


if __name__ == "__main__":
    main()
