"""The generated client packages: installable, mypy --strict clean, typed errors, retries."""

from __future__ import annotations

import importlib
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import rendered

PACKAGES = ["bsap", "cmri", "drrs", "mris", "oasis", "sibr"]


def test_one_package_per_system(built: tuple[Path, Path]) -> None:
    clients = built[0]
    assert sorted(p.name for p in clients.iterdir()) == [f"caiso-b2b-{s}" for s in PACKAGES]
    cmri = clients / "caiso-b2b-cmri" / "caiso_b2b_cmri"
    # both major versions side by side in one package
    assert (cmri / "retrieve_default_bid_curves_cmriv1" / "models.py").is_file()
    assert (cmri / "retrieve_default_bid_curves_cmriv2" / "models.py").is_file()


@pytest.mark.parametrize("system", PACKAGES)
def test_package_passes_mypy_strict(built: tuple[Path, Path], system: str) -> None:
    folder = built[0] / f"caiso-b2b-{system}"
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", f"caiso_b2b_{system}"],
                          cwd=folder, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


USER_CODE = """
from caiso_b2b_mris import ClientConfig
from caiso_b2b_mris.retrieve_meter_data_stlmtv1 import AsyncClient, Client, models

def sync_use(config: ClientConfig) -> models.MeterDataAvailability:
    with Client(config) as client:
        return client.retrieve_meter_data_availability({"scid": "ABC1"})

async def async_use(config: ClientConfig) -> models.MeterDataAvailability:
    async with AsyncClient(config) as client:
        return await client.retrieve_meter_data_availability({"scid": "ABC1"})
"""


def test_calling_code_keeps_its_types_through_the_context_managers(
        built: tuple[Path, Path], tmp_path: Path) -> None:
    """``with Client(...) as client`` (the README's usage) must give the service's client
    class, not the runtime base, or mypy --strict rejects every call on it."""
    script = tmp_path / "use_client.py"
    script.write_text(USER_CODE)
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(script)],
                          cwd=built[0] / "caiso-b2b-mris", capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_builds_as_a_wheel(built: tuple[Path, Path], tmp_path: Path) -> None:
    folder = built[0] / "caiso-b2b-mris"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-w", str(tmp_path), str(folder)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = tmp_path.glob("caiso_b2b_mris-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"caiso_b2b_mris/_runtime.py", "caiso_b2b_mris/py.typed",
            "caiso_b2b_mris/retrieve_meter_data_stlmtv1/models.py"} <= names


# ------------------------------------------------------------------ behaviour with a fake transport
def mris(built: tuple[Path, Path]) -> tuple[Any, Any]:
    del built  # only needed for sys.path
    return (importlib.import_module("caiso_b2b_mris._runtime"),
            importlib.import_module("caiso_b2b_mris.retrieve_meter_data_stlmtv1"))


AVAILABILITY = {"scid": "ABC1", "tradeDateStart": "2026-11-01", "tradeDateEnd": "2026-11-02"}
AVAILABLE = {"AvailableDate": [{"tradeDate": "2026-11-01", "status": "MISSING"}]}


def meter_request() -> Any:
    spec = next(s for s in rendered() if s.service.id.full_name == "RetrieveMeterData_STLMTv1")
    op = next(o for o in spec.service.operations if o.name == "retrieveMeterData")
    return op.input.samples[0].value


def client_with(built: tuple[Path, Path], handler: Any, **config: Any) -> Any:
    runtime, service = mris(built)
    cfg = runtime.ClientConfig(base_url="http://b2b.test", api_key="secret",
                               backoff_seconds=0, **config)
    return service.Client(cfg, transport=httpx.MockTransport(handler))


def problem(status: int, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"status": status, "title": "x", **extra},
                          headers={"Content-Type": "application/problem+json"})


def test_get_sends_query_and_api_key(built: tuple[Path, Path]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=AVAILABLE)

    client_with(built, handler).retrieve_meter_data_availability(AVAILABILITY)
    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == "/mris/RetrieveMeterData_STLMTv1/retrieveMeterDataAvailability"
    assert dict(request.url.params) == AVAILABILITY
    assert request.headers["X-API-Key"] == "secret"


def test_decimals_travel_exactly(built: tuple[Path, Path]) -> None:
    body = (b'{"@scid":"ABC1","Channel":[{"@uom":"MWh","resourceId":"R1","tradeDate":'
            b'"2026-11-01","measurementType":"GEN","intervalLength":"PT1H","Reading":'
            b'[{"@interval":1,"@quality":"A","$":0.1000000000000000055511151231257827}]}]}')

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    result = client_with(built, handler).retrieve_meter_data(meter_request())
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
        client.retrieve_meter_data_availability(AVAILABILITY)
    assert type(info.value).__name__ == kind
    assert info.value.status == status
    assert isinstance(info.value.error, service.models.Error)
    assert info.value.error.detail == "nope"


def test_429_exposes_retry_after(built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)

    def handler(request: httpx.Request) -> httpx.Response:
        response = problem(429, detail="slow down")
        response.headers["Retry-After"] = "30"
        return response

    with pytest.raises(runtime.RateLimitError) as info:
        client_with(built, handler).retrieve_meter_data_availability(AVAILABILITY)
    assert info.value.retry_after == 30.0


def test_get_retries_on_503_but_post_does_not(built: tuple[Path, Path]) -> None:
    runtime, _ = mris(built)
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) < 3:
            return problem(503)
        return httpx.Response(200, json=AVAILABLE)

    client_with(built, handler, max_retries=2).retrieve_meter_data_availability(AVAILABILITY)
    assert calls == ["GET"] * 3
    calls.clear()
    with pytest.raises(runtime.ServerError):
        client_with(built, handler, max_retries=2).retrieve_meter_data(meter_request())
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
        client_with(built, refuse, max_retries=2).retrieve_meter_data_availability(AVAILABILITY)
    assert len(attempts) == 3
    with pytest.raises(runtime.TransportError, match="timed out"):
        client_with(built, slow).retrieve_meter_data_availability(AVAILABILITY)


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

    client_with(built, broken_once).retrieve_meter_data_availability(AVAILABILITY)
    assert calls == ["GET", "GET"]
    calls.clear()
    with pytest.raises(runtime.TransportError, match="connection reset"):
        client_with(built, broken_once).retrieve_meter_data(meter_request())
    assert calls == ["POST"]

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectTimeout("no route", request=request)

    calls.clear()
    with pytest.raises(runtime.TransportError, match="no route"):
        client_with(built, refused, max_retries=2).retrieve_meter_data(meter_request())
    assert calls == ["POST"] * 3  # never sent, so safe to try again


def test_request_is_validated_before_sending(built: tuple[Path, Path]) -> None:
    client = client_with(built, lambda r: pytest.fail("must not send"))
    with pytest.raises(ValueError, match="scid"):
        client.retrieve_meter_data_availability({**AVAILABILITY, "scid": "not a scid"})
