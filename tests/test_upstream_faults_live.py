"""The gateway against SOAP backends that misbehave, for real: a TCP server on loopback that
drips, hangs up mid-answer, answers HTML, redirects, or sends an error status without a
fault; in front of it `b2b-openapi serve --mode gateway` as a participant runs it.

Each failure is the status the docs promise - 504 within the deadline plus one second, a
502 saying which failure, 500/400 only for SOAP faults, clipped - never a 200 or a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import socketserver
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from b2b_openapi.codec import soap
from b2b_openapi.codec.jsonio import dumps
from live import CASES, free_port, in_thread, serve

TIMEOUT = 2.0  # --soap-timeout
# a service whose answer is the SOAP body itself (a submit's acknowledgement)
CASE = next(c for c in CASES if c.service == "SubmitRawBidSet_SIBRv5_DocAttach")
SAMPLES = CASE.folder / "samples"
PATH = CASE.url
BODY = dumps(CASE.request)  # exact decimals: the bid set's MW and prices
HEADERS = {"X-API-Key": "k", "Content-Type": "application/json"}
ANSWER = soap.envelope(ElementTree.parse(SAMPLES / f"{CASE.operation}.output.xml").getroot())
XML = "text/xml; charset=utf-8"


def fault(string: str, code: str = "soap:Server") -> bytes:
    detail = ElementTree.parse(SAMPLES / f"{CASE.operation}.fault.xml").getroot()
    return soap.envelope(None, fault=soap.SoapFault(code, string, detail))


def http(status: str, body: bytes, content_type: str = XML, extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: "
            f"{len(body)}\r\n{extra}Connection: close\r\n\r\n").encode() + body


Behaviour = Callable[[socket.socket], None]


def drip(sock: socket.socket) -> None:  # one byte every 0.3 s: each read succeeds
    for byte in http("200 OK", ANSWER):
        sock.sendall(bytes([byte]))
        time.sleep(0.3)


def drip_body(sock: socket.socket) -> None:
    data = http("200 OK", ANSWER)
    head = data.index(b"\r\n\r\n") + 4
    sock.sendall(data[:head])
    for byte in data[head:]:
        sock.sendall(bytes([byte]))
        time.sleep(0.3)


def hang_up_mid_answer(sock: socket.socket) -> None:
    data = http("200 OK", ANSWER)
    sock.sendall(data[: len(data) // 2])


def slow_answer(sock: socket.socket) -> None:  # a whole answer, but 1.5 s late
    time.sleep(1.5)
    sock.sendall(http("200 OK", ANSWER))


BEHAVIOURS: dict[str, Behaviour] = {
    "ok": lambda sock: sock.sendall(http("200 OK", ANSWER)),
    "drip": drip,
    "drip-body": drip_body,
    "hang-up": hang_up_mid_answer,
    "html-500": lambda sock: sock.sendall(http(
        "500 Internal Server Error", b"<html><body>Proxy Error</body></html>", "text/html")),
    "redirect": lambda sock: sock.sendall(http(
        "302 Found", b"", extra="Location: http://elsewhere.test/soap\r\n")),
    "answer-with-500": lambda sock: sock.sendall(http("500 Internal Server Error", ANSWER)),
    "answer-with-503": lambda sock: sock.sendall(http("503 Service Unavailable", ANSWER)),
    "server-fault": lambda sock: sock.sendall(http(
        "500 Internal Server Error", fault("backend broke " * 50_000))),
    "client-fault": lambda sock: sock.sendall(http(
        "500 Internal Server Error", fault("bad resource", "soap:Client"))),
    "aup": lambda sock: sock.sendall(http(
        "200 OK", b"CAISO MRI-S Acceptable Use Policy Violation. Please retry your request "
        b"again in 30 seconds from now.", "text/plain")),
    "slow": slow_answer,
}


class Backend(socketserver.ThreadingTCPServer):
    """A SOAP backend on 127.0.0.1 behaving as ``self.behaviour`` says."""

    daemon_threads = True
    allow_reuse_address = True
    behaviour = "ok"


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            body += sock.recv(65536)
        assert isinstance(self.server, Backend)
        with contextlib.suppress(OSError):  # the gateway gave up first: a deadline's work
            BEHAVIOURS[self.server.behaviour](sock)


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with in_thread(Backend(("127.0.0.1", 0), Handler)) as server:
        yield server


@pytest.fixture(scope="module")
def gateway(built: tuple[Path, Path], backend: Backend,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("faults") / "gateway.log"
    endpoint = f"http://127.0.0.1:{backend.server_address[1]}/soap"
    with serve(built[1].parent, CASE.service, "--mode", "gateway", "--soap-endpoint", endpoint,
               "--max-upstream", "1", "--upstream-queue-seconds", "0.3",
               env={"B2B_API_KEYS": "k=user", "B2B_SOAP_TIMEOUT": str(TIMEOUT)},
               log=log) as url:
        yield url


def post(url: str) -> httpx.Response:
    return httpx.post(url + PATH, content=BODY, headers=HEADERS, timeout=30)


@pytest.mark.parametrize(("behaviour", "status", "title", "words"), [
    ("drip", 504, "SOAP service timed out", f"within {TIMEOUT:g} s"),
    ("drip-body", 504, "SOAP service timed out", f"within {TIMEOUT:g} s"),
    ("hang-up", 502, "SOAP service dropped the connection", "closed the connection"),
    ("html-500", 502, "Invalid SOAP response", "HTTP 500, text/html: not a SOAP envelope"),
    ("redirect", 502, "SOAP service redirected", "HTTP 302 to http://elsewhere.test/soap"),
    ("answer-with-500", 502, "SOAP service error", "HTTP 500 without a SOAP fault"),
    ("answer-with-503", 502, "SOAP service error", "HTTP 503 without a SOAP fault"),
    ("client-fault", 400, "SOAP fault", "bad resource"),
    ("aup", 429, "Too Many Requests", "Acceptable Use Policy Violation"),
])
def test_each_failure_is_its_documented_status(
        gateway: str, backend: Backend, behaviour: str, status: int, title: str,
        words: str) -> None:
    backend.behaviour = behaviour
    started = time.monotonic()
    answer = post(gateway)
    took = time.monotonic() - started
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == title
    assert words in answer.json()["detail"]
    assert took < TIMEOUT + 1, took


def test_a_huge_server_fault_is_a_clipped_500(gateway: str, backend: Backend) -> None:
    backend.behaviour = "server-fault"  # a 700 KB faultstring
    answer = post(gateway)
    assert answer.status_code == 500
    body = answer.json()
    assert body["soapFaultCode"] == "soap:Server"
    assert body["detail"].startswith("backend broke backend broke")
    assert re.search(r"\.\.\. \(6\d{5} characters\)$", body["detail"]), body["detail"][-40:]
    assert len(answer.content) < 5000
    assert body["fault"]["EventLog"][0]["Event"][0]["id"] == "SIB-1001"  # the sample detail


def test_an_unreachable_endpoint_is_a_502_naming_it(
        built: tuple[Path, Path], tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/soap"  # nobody listens
    with serve(built[1].parent, CASE.service, "--mode", "gateway", "--soap-endpoint", endpoint,
               env={"B2B_API_KEYS": "k=user"}, log=tmp_path / "gateway.log") as url:
        answer = post(url)
        assert answer.status_code == 502
        assert answer.json()["title"] == "SOAP service unreachable"
        assert f"cannot connect to {endpoint}" in answer.json()["detail"]
        ready = httpx.get(url + "/readyz")
        assert ready.status_code == 503
        (check,) = ready.json()["checks"].items()
        assert check[0] == f"soap {endpoint.removesuffix('/soap')}"
        assert check[1].startswith("cannot connect to 127.0.0.1:")


def test_a_good_answer_still_streams_through(gateway: str, backend: Backend) -> None:
    backend.behaviour = "ok"
    answer = post(gateway)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == set(CASE.expected)  # the sample itself, not shaped
    assert httpx.get(gateway + "/readyz").json()["status"] == "ready"


def test_concurrent_upstream_calls_are_bounded(gateway: str, backend: Backend) -> None:
    """--max-upstream 1, --upstream-queue-seconds 0.3: with one call holding the only slot
    for 1.5 s, the others wait 0.3 s and get 503 with Retry-After."""
    backend.behaviour = "slow"

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30) as client:
            first = asyncio.create_task(client.post(
                gateway + PATH, content=BODY, headers=HEADERS))
            await asyncio.sleep(0.3)
            rest = await asyncio.gather(*(client.post(
                gateway + PATH, content=BODY, headers=HEADERS)
                for _ in range(3)))
            return [await first, *rest]

    first, *rest = asyncio.run(run())
    assert first.status_code == 200, first.text
    for answer in rest:
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "1"
        assert answer.json()["title"] == "Too many SOAP calls in progress"
