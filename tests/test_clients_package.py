"""The generated client packages: installable, mypy --strict clean, typed errors, retries, one
shared runtime (caiso-b2b-runtime) behind every system package."""

from __future__ import annotations

import asyncio
import email.utils
import importlib
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import ROOT, rendered

PACKAGES = ["bsap", "cmri", "drrs", "mris", "oasis", "sibr"]
RUNTIME = "caiso-b2b-runtime"


def test_one_package_per_system(built: tuple[Path, Path]) -> None:
    clients = built[0]
    assert sorted(p.name for p in clients.iterdir()) == sorted(
        [RUNTIME, *(f"caiso-b2b-{s}" for s in PACKAGES)])
    cmri = clients / "caiso-b2b-cmri" / "caiso_b2b_cmri"
    # both major versions side by side in one package
    assert (cmri / "retrieve_default_bid_curves_cmriv1" / "models.py").is_file()
    assert (cmri / "retrieve_default_bid_curves_cmriv2" / "models.py").is_file()


def with_runtime(clients: Path) -> dict[str, str]:
    """The environment for mypy to find caiso_b2b_runtime, as an install would provide it."""
    return {**os.environ, "MYPYPATH": str(clients / RUNTIME)}


@pytest.mark.parametrize("system", [*PACKAGES, "runtime"])
def test_package_passes_mypy_strict(built: tuple[Path, Path], system: str) -> None:
    folder = built[0] / f"caiso-b2b-{system}"
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", f"caiso_b2b_{system}"],
                          cwd=folder, capture_output=True, text=True, check=False,
                          env=with_runtime(built[0]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


USER_CODE = """
from caiso_b2b_mris import ClientConfig
from caiso_b2b_mris.retrieve_meter_data_availability_stlmtv1_doc_attach import (
    AsyncClient, Client, models)

def sync_use(config: ClientConfig) -> models.MeterDataAvailability:
    with Client(config) as client:
        return client.retrieve_meter_data_availability_v1_doc_attach({"scid": "ABC1"})

async def async_use(config: ClientConfig) -> models.MeterDataAvailability:
    async with AsyncClient(config) as client:
        return await client.retrieve_meter_data_availability_v1_doc_attach({"scid": "ABC1"})
"""


def test_calling_code_keeps_its_types_through_the_context_managers(
        built: tuple[Path, Path], tmp_path: Path) -> None:
    """``with Client(...) as client`` (the README's usage) must give the service's client
    class, not the runtime base, or mypy --strict rejects every call on it."""
    script = tmp_path / "use_client.py"
    script.write_text(USER_CODE)
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(script)],
                          cwd=built[0] / "caiso-b2b-mris", capture_output=True, text=True,
                          check=False, env=with_runtime(built[0]))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_runtime_is_the_checked_source_verbatim(built: tuple[Path, Path]) -> None:
    """The shipped runtime is templates/client/caiso_b2b_runtime as linted and type-checked
    (tests/test_quality.py), byte for byte: nothing rendered into it."""
    source = ROOT / "templates" / "client" / "caiso_b2b_runtime"
    shipped = built[0] / RUNTIME / "caiso_b2b_runtime"
    assert sorted(p.name for p in shipped.glob("*.py")) == sorted(
        p.name for p in source.glob("*.py"))
    for path in source.glob("*.py"):
        assert (shipped / path.name).read_bytes() == path.read_bytes()
    assert (shipped / "py.typed").is_file()


def build_wheel(folder: Path, into: Path) -> Path:
    """The package's wheel, built offline (setuptools from this environment)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-w", str(into), str(folder)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = into.glob(f"{folder.name.replace('-', '_')}-*.whl")
    return wheel


def test_packages_build_as_wheels_that_share_the_installed_runtime(
        built: tuple[Path, Path], tmp_path: Path) -> None:
    """Two system wheels and the runtime wheel, installed (not from the build folder): both
    systems' clients raise the runtime's classes, and a system wheel asks for the runtime of
    its own build."""
    wheels = tmp_path / "wheels"
    runtime = build_wheel(built[0] / RUNTIME, wheels)
    assert {"caiso_b2b_runtime/__init__.py", "caiso_b2b_runtime/client.py",
            "caiso_b2b_runtime/py.typed"} <= set(zipfile.ZipFile(runtime).namelist())
    mris_wheel = build_wheel(built[0] / "caiso-b2b-mris", wheels)
    build_wheel(built[0] / "caiso-b2b-sibr", wheels)
    names = set(zipfile.ZipFile(mris_wheel).namelist())
    assert {"caiso_b2b_mris/py.typed",
            "caiso_b2b_mris/retrieve_meter_data_availability_stlmtv1_doc_attach/models.py"} <= names
    assert not any("_runtime" in name for name in names)  # no private copy any more
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [line for line in zipfile.ZipFile(mris_wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    assert f"Requires-Dist: {RUNTIME}==0.1.0" in requires
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps",
                           "--target", str(site), *map(str, sorted(wheels.glob("*.whl")))],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check = """
import caiso_b2b_mris, caiso_b2b_runtime, caiso_b2b_sibr
assert caiso_b2b_runtime.__file__.startswith(SITE), caiso_b2b_runtime.__file__
assert caiso_b2b_sibr.B2BError is caiso_b2b_mris.B2BError is caiso_b2b_runtime.B2BError
assert caiso_b2b_sibr.ClientConfig is caiso_b2b_mris.ClientConfig
print(caiso_b2b_runtime.__version__)
"""
    proc = subprocess.run([sys.executable, "-c", f"SITE = {str(site)!r}\n" + check],
                          env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True,
                          text=True, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "0.1.0"  # the installed distribution's version


# ------------------------------------------------------------------ behaviour with a fake transport
AVAILABILITY_MODULE = "retrieve_meter_data_availability_stlmtv1_doc_attach"
METER_MODULE = "retrieve_meter_data_stlmtv1_doc_attach"


def mris(built: tuple[Path, Path]) -> tuple[Any, Any]:
    """The shared runtime and one service module of the MRIS package (the availability
    query's DocAttach variant: its criteria are query parameters)."""
    del built  # only needed for sys.path
    return (importlib.import_module("caiso_b2b_runtime"),
            importlib.import_module(f"caiso_b2b_mris.{AVAILABILITY_MODULE}"))


def test_two_systems_share_one_exception_tree_and_config(built: tuple[Path, Path]) -> None:
    """Code calling SIBR and MRIS catches either's errors with one ``except`` and configures
    both with one ClientConfig: the classes are the runtime's, not per-package copies."""
    runtime, _ = mris(built)
    sibr, cmri, mris_package = (importlib.import_module(f"caiso_b2b_{s}")
                                for s in ("sibr", "cmri", "mris"))
    for name in sibr.__all__:
        assert getattr(sibr, name) is getattr(cmri, name) is getattr(runtime, name), name
    config = sibr.ClientConfig(base_url="http://b2b.test", api_key="secret", max_retries=0)
    client = importlib.import_module(f"caiso_b2b_mris.{AVAILABILITY_MODULE}").Client(
        config, transport=httpx.MockTransport(lambda r: problem(401, detail="who?")))
    with pytest.raises(sibr.ApiError) as info:  # SIBR's name for it catches an MRIS error
        client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert isinstance(info.value, mris_package.AuthenticationError)
    assert isinstance(info.value, cmri.B2BError)


AVAILABILITY = {"scid": "ABC1", "tradeDateStart": "2026-11-01", "tradeDateEnd": "2026-11-02"}
AVAILABLE = {"AvailableDate": [{"tradeDate": "2026-11-01", "status": "MISSING"}]}


def meter_request() -> Any:
    spec = next(s for s in rendered()
                if s.service.id.full_name == "RetrieveMeterData_STLMTv1_DocAttach")
    (op,) = spec.service.operations
    return op.input.samples[0].value


def client_with(built: tuple[Path, Path], handler: Any, **config: Any) -> Any:
    runtime, service = mris(built)
    cfg = runtime.ClientConfig(base_url="http://b2b.test", api_key="secret",
                               **{"backoff_seconds": 0, **config})
    return service.Client(cfg, transport=httpx.MockTransport(handler))


def meter_client_with(built: tuple[Path, Path], handler: Any, **config: Any) -> Any:
    """The meter data retrieve's client (DocAttach: the request element's content)."""
    runtime, _ = mris(built)
    cfg = runtime.ClientConfig(base_url="http://b2b.test", api_key="secret",
                               **{"backoff_seconds": 0, **config})
    service = importlib.import_module(f"caiso_b2b_mris.{METER_MODULE}")
    return service.Client(cfg, transport=httpx.MockTransport(handler))


def problem(status: int, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"status": status, "title": "x", **extra},
                          headers={"Content-Type": "application/problem+json"})


def test_get_sends_query_and_api_key(built: tuple[Path, Path]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=AVAILABLE)

    client_with(built, handler).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == ("/mris/RetrieveMeterDataAvailability_STLMTv1_DocAttach/"
                                "retrieveMeterDataAvailability")
    assert dict(request.url.params) == AVAILABILITY
    assert request.headers["X-API-Key"] == "secret"


def test_decimals_travel_exactly(built: tuple[Path, Path]) -> None:
    body = (b'{"@scid":"ABC1","Channel":[{"@uom":"MWh","resourceId":"R1","tradeDate":'
            b'"2026-11-01","measurementType":"GEN","intervalLength":"PT1H","Reading":'
            b'[{"@interval":1,"@quality":"A","$":0.1000000000000000055511151231257827}]}]}')

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    result = meter_client_with(built, handler).retrieve_meter_data_v1_doc_attach(meter_request())
    value = result.Channel[0].Reading[0].field_
    assert value == Decimal("0.1000000000000000055511151231257827")


@pytest.mark.parametrize(("status", "kind"), [
    (400, "BadRequestError"), (401, "AuthenticationError"), (422, "RequestValidationError"),
    (500, "ServerError"), (502, "ServerError"), (418, "ApiError")])
def test_non_2xx_raise_typed_errors_with_the_parsed_body(built: tuple[Path, Path], status: int,
                                                         kind: str) -> None:
    runtime, service = mris(built)
    client = client_with(built, lambda r: problem(status, detail="nope"), max_retries=0)
    with pytest.raises(runtime.ApiError) as info:
        client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert type(info.value).__name__ == kind
    assert info.value.status == status
    assert isinstance(info.value.error, service.models.Error)
    assert info.value.error.detail == "nope"


def test_a_config_printed_or_logged_shows_no_secret(built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)
    certificate = runtime.ClientCertificate(b"PUBLIC CERT", b"PRIVATE KEY", b"key password")
    config = runtime.ClientConfig(api_key="s3cret-api-key", certificate=certificate)
    shown = repr(config) + str(config)
    assert "PUBLIC CERT" in shown  # the certificate is public, and tells which one it is
    for secret in ("s3cret-api-key", "PRIVATE KEY", "key password"):
        assert secret not in shown


def test_429_exposes_retry_after(built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)

    def handler(request: httpx.Request) -> httpx.Response:
        response = problem(429, detail="slow down")
        response.headers["Retry-After"] = "30"
        return response

    with pytest.raises(runtime.RateLimitError) as info:
        client_with(built, handler).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert info.value.retry_after == 30.0


def test_get_retries_on_503_but_post_does_not(built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) < 3:
            return problem(503)
        return httpx.Response(200, json=AVAILABLE)

    client = client_with(built, handler, max_retries=2)
    client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert calls == ["GET"] * 3
    calls.clear()
    with pytest.raises(runtime.ServerError):
        client = meter_client_with(built, handler, max_retries=2)
        client.retrieve_meter_data_v1_doc_attach(meter_request())
    assert calls == ["POST"]


def test_timeouts_and_connection_failures_raise_transport_error(built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)
    attempts: list[int] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(runtime.TransportError, match="failed"):
        client = client_with(built, refuse, max_retries=2)
        client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert len(attempts) == 3
    with pytest.raises(runtime.TransportError, match="timed out"):
        client_with(built, slow).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)


def test_a_request_that_may_have_arrived_is_not_sent_again(built: tuple[Path, Path]) -> None:
    """A broken read may come after the service took the request: a submit (POST) or an
    operation under the acceptable use policy must not go twice; a plain GET may."""
    runtime, _ = mris(built)
    calls: list[str] = []

    def broken_once(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset", request=request)
        return httpx.Response(200, json=AVAILABLE)

    client_with(built, broken_once).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert calls == ["GET", "GET"]
    calls.clear()
    with pytest.raises(runtime.TransportError, match="connection reset"):
        meter_client_with(built, broken_once).retrieve_meter_data_v1_doc_attach(meter_request())
    assert calls == ["POST"]

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectTimeout("no route", request=request)

    calls.clear()
    with pytest.raises(runtime.TransportError, match="no route"):
        client = meter_client_with(built, refused, max_retries=2)
        client.retrieve_meter_data_v1_doc_attach(meter_request())
    assert calls == ["POST"] * 3  # never sent, so safe to try again


def test_request_is_validated_before_sending(built: tuple[Path, Path]) -> None:
    client = client_with(built, lambda r: pytest.fail("must not send"))
    with pytest.raises(ValueError, match="scid"):
        client.retrieve_meter_data_availability_v1_doc_attach(
            {**AVAILABILITY, "scid": "not a scid"})


# ------------------------------------------------------------------------------- Retry-After
@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Retry-After": "30"}, 30.0),
    ({"Retry-After": " 0 "}, 0.0),
    # an HTTP-date counts from the answer's own Date, whatever this machine's clock says
    ({"Retry-After": "Thu, 26 Nov 2026 01:15:48 GMT",
      "Date": "Thu, 26 Nov 2026 01:14:18 GMT"}, 90.0),
    ({"Retry-After": "Thursday, 26-Nov-26 01:15:48 GMT",  # RFC 850 form
      "Date": "Thu, 26 Nov 2026 01:15:18 GMT"}, 30.0),
    ({"Retry-After": "Thu Nov 26 01:15:48 2026",  # asctime form, no zone: GMT
      "Date": "Thu, 26 Nov 2026 01:15:47 GMT"}, 1.0),
    ({"Retry-After": "Thu, 26 Nov 2026 01:15:48 GMT",  # already past: no wait
      "Date": "Thu, 26 Nov 2026 02:00:00 GMT"}, 0.0),
    ({"Retry-After": "Sat, 01 Jan 2000 00:00:00 GMT"}, 0.0),  # past by this machine's clock
    ({"Retry-After": "nan"}, None),
    ({"Retry-After": "inf"}, None),
    ({"Retry-After": "-5"}, None),
    ({"Retry-After": "1.5"}, None),  # delay-seconds is a whole number
    ({"Retry-After": "soon"}, None),
    ({"Retry-After": "Thu, 31 Feb 2026 01:15:48 GMT"}, None),
    ({"Retry-After": "Mon, 99999999999999999999 Jan 2026 00:00:00 GMT"}, None),  # overflows
    ({"Retry-After": "Sat, 01 Jan 2000 00:00:00 GMT",  # an unreadable Date: this clock
      "Date": "Mon, 99999999999999999999 Jan 2026 00:00:00 GMT"}, 0.0),
    ({}, None),
])
def test_retry_after_reads_seconds_and_http_dates(built: tuple[Path, Path],
                                                  headers: dict[str, str],
                                                  seconds: float | None) -> None:
    runtime, _ = mris(built)

    def handler(request: httpx.Request) -> httpx.Response:
        response = problem(429, detail="slow down")
        response.headers.update(headers)
        return response

    with pytest.raises(runtime.RateLimitError) as info:
        client_with(built, handler).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert info.value.retry_after == seconds


def test_retry_after_of_an_http_date_counts_from_now_without_a_date(
        built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)
    soon = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120),
                                       usegmt=True)
    assert 115 <= runtime.retry_after_seconds(soon) <= 120


def test_503_retries_wait_for_retry_after_within_the_bound(
        built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A GET answered 503 with Retry-After is retried after that long (not the shorter
    backoff); asked to wait longer than ``max_retry_after``, the client gives up at once
    and the error says how long the service asked for."""
    runtime, _ = mris(built)
    waits: list[float] = []
    monkeypatch.setattr(runtime.client.time, "sleep", waits.append)
    calls: list[int] = []

    def unavailable(after: str) -> Any:
        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(1)
            if len(calls) < 3:
                response = problem(503)
                response.headers["Retry-After"] = after
                return response
            return httpx.Response(200, json=AVAILABLE)
        return handler

    client = client_with(built, unavailable("4"))
    client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert (len(calls), waits) == (3, [4.0, 4.0])
    calls.clear()
    waits.clear()
    with pytest.raises(runtime.ServerError) as info:
        client_with(built, unavailable("3600"), max_retry_after=60
                    ).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert (len(calls), waits, info.value.retry_after) == (1, [], 3600.0)


def test_backoff_doubles_up_to_max_retry_after(built: tuple[Path, Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a Retry-After, twelve retries wait 0.5, 1, 2, 4, 8 s and then 10 s each (not
    up to 1024 s, half an hour in all)."""
    runtime, _ = mris(built)
    waits: list[float] = []
    monkeypatch.setattr(runtime.client.time, "sleep", waits.append)
    with pytest.raises(runtime.ServerError):
        client_with(built, lambda r: problem(503), max_retries=12, backoff_seconds=0.5,
                    max_retry_after=10).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert waits == [0.5, 1, 2, 4, 8] + [10] * 7


# ------------------------------------------------------------------- 2xx answers, new keys
@pytest.mark.parametrize(("status", "content", "reason"), [
    (200, b"<html><body>Gateway login</body></html>", "not JSON"),
    (204, b"", "not JSON"),
    (200, b"\xff\xfe{}", "not JSON"),
    (200, b'{"bogus": 1}', "not a MeterDataAvailability"),
    (200, b"[1, 2]", "not a MeterDataAvailability"),
    (200, b'{"AvailableDate": [{"tradeDate": "yesterday", "status": "MISSING"}]}',
     "not a MeterDataAvailability"),
])
def test_a_2xx_that_is_not_the_response_document_raises_response_error(
        built: tuple[Path, Path], status: int, content: bytes, reason: str) -> None:
    runtime, _ = mris(built)
    client = client_with(built, lambda r: httpx.Response(status, content=content))
    with pytest.raises(runtime.ResponseError, match=reason) as info:
        client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert isinstance(info.value, runtime.B2BError)
    assert (info.value.status, info.value.response.content) == (status, content)
    assert info.value.__cause__ is not None


DEEP = b"[" * 100_000 + b"]" * 100_000  # deeper than any parser's stack


def gzip_header_on_plain_bytes(status: int) -> httpx.Response:
    # a stream: httpx.Response(content=...) would decode it here, in the test
    return httpx.Response(status, headers={"Content-Encoding": "gzip"},
                          stream=httpx.ByteStream(b"<html>proxy</html>"))


@pytest.mark.parametrize("status", [200, 422, 503])
def test_an_answer_that_does_not_decode_raises_this_clients_errors(
        built: tuple[Path, Path], status: int) -> None:
    """Nested past the stack, or not decoding as its Content-Encoding says: a 2xx is a
    ResponseError, any other status that status's ApiError (body the text, or None when it
    did not decode); sync and async alike."""
    runtime, service = mris(built)
    expected = runtime.ResponseError if status == 200 else (
        runtime.RequestValidationError if status == 422 else runtime.ServerError)
    config = runtime.ClientConfig(base_url="http://b2b.test", api_key="secret", max_retries=0)
    for answer, body in ((lambda r: httpx.Response(status, content=DEEP), DEEP.decode()),
                         (lambda r: gzip_header_on_plain_bytes(status), None)):
        client = client_with(built, answer, max_retries=0)
        with pytest.raises(expected) as info:
            client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
        assert (info.value.status, info.value.body) == (status, body)
        assert len(str(info.value)) < 400  # the message quotes the body cut short

        async def call(handler: Any) -> Any:
            async with service.AsyncClient(config, transport=httpx.MockTransport(handler)) \
                    as client:
                return await client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)

        with pytest.raises(expected) as info:
            asyncio.run(call(answer))
        assert (info.value.status, info.value.body) == (status, body)


def test_async_client_raises_response_error_too(built: tuple[Path, Path]) -> None:
    runtime, service = mris(built)
    config = runtime.ClientConfig(base_url="http://b2b.test", api_key="secret")
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"<html>"))

    async def call() -> Any:
        async with service.AsyncClient(config, transport=transport) as client:
            return await client.retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)

    with pytest.raises(runtime.ResponseError, match="not JSON"):
        asyncio.run(call())


def test_a_response_with_a_new_optional_key_is_read(built: tuple[Path, Path]) -> None:
    """An added optional response property is non-breaking by the diff rules: a client
    generated before it must still read the answer, and can see the new key."""
    newer = {"AvailableDate": [{**AVAILABLE["AvailableDate"][0], "revision": 2}],
             "generatedAt": "2026-11-26T01:00:00Z"}
    result = client_with(built, lambda r: httpx.Response(200, json=newer)
                         ).retrieve_meter_data_availability_v1_doc_attach(AVAILABILITY)
    assert result.AvailableDate[0].status.value == "MISSING"
    assert result.model_extra == {"generatedAt": "2026-11-26T01:00:00Z"}
    assert result.AvailableDate[0].model_extra == {"revision": 2}


def test_a_request_with_an_unknown_key_is_sent_for_the_server_to_refuse(
        built: tuple[Path, Path]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return problem(422, detail="unknown parameter")

    runtime, _ = mris(built)
    with pytest.raises(runtime.RequestValidationError):
        client_with(built, handler).retrieve_meter_data_availability_v1_doc_attach(
            {**AVAILABILITY, "tradeDateStrat": "2026-11-01"})
    assert seen[0].url.params["tradeDateStrat"] == "2026-11-01"
