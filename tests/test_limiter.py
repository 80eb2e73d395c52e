"""The acceptable use window against its reference rule, in memory (property-tested with a
clock the test drives) and in a real redis-server (the same rule on Redis's clock); API keys
kept hashed."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.runtime.limiter import MemoryWindows, RedisWindows, redacted
from b2b_openapi.runtime.policy import authenticate, hash_key, parse_api_keys
from b2b_openapi.runtime.server import ServiceRuntime, Settings, create_app
from b2b_openapi.runtime.spec import Problem, ServiceSpec
from live import redis_server
from support import rendered

WINDOW = 30.0


def reference(gaps: list[float], window: float) -> list[bool]:
    """CAISO's text: a call is allowed when no call (allowed or not) came within the
    window before it - every call restarts the window."""
    return [i == 0 or gap >= window for i, gap in enumerate(gaps)]


@given(st.lists(st.tuples(st.sampled_from(["alice", "bob"]),
                          st.floats(min_value=0, max_value=90, allow_nan=False)),
                min_size=1, max_size=30))
def test_memory_windows_follow_the_reference(calls: list[tuple[str, float]]) -> None:
    now = [1000.0]
    windows = MemoryWindows(clock=lambda: now[0])
    got: dict[str, list[bool]] = {}
    gaps: dict[str, list[float]] = {}
    last: dict[str, float] = {}
    for user, gap in calls:
        now[0] += gap
        got.setdefault(user, []).append(windows.stamp_now(f"op:{user}", WINDOW))
        gaps.setdefault(user, []).append(now[0] - last.get(user, now[0]))
        last[user] = now[0]
    for user in got:
        assert got[user] == reference(gaps[user], WINDOW), user


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with redis_server(tmp_path_factory.mktemp("redis")) as found:
        yield found


@pytest.mark.parametrize("gaps", [
    [0, 0.05, 0.05, 0.05, 0.05, 0.05],  # always early: never again once the first passed
    [0, 0.45, 0.05, 0.45, 0.45, 0.05],
    [0, 0.15, 0.15, 0.15, 0.45],  # each early call restarts: 0.45 after 3 x 0.15 of 0.3 s
])
def test_redis_windows_follow_the_reference(redis_url: tuple[str, subprocess.Popen[bytes]],
                                            gaps: list[float]) -> None:
    window = 0.3  # gaps are kept >= 0.1 s from it: the clocks involved may differ a little
    windows = RedisWindows(redis_url[0])
    key = f"op:{time.monotonic_ns()}"

    async def run() -> list[bool]:
        got = []
        for gap in gaps:
            await asyncio.sleep(gap)
            got.append(await windows.stamp(key, window))
        return got

    assert asyncio.run(run()) == reference(gaps, window)


def test_hashed_keys_authenticate_and_the_hash_does_not() -> None:
    key = "a-long-random-key-=with=equals="
    for text in (f"{key}=alice", f"{hash_key(key)}=alice"):
        keys = parse_api_keys(f"# a comment\n{text}\n")
        assert list(keys) == [hash_key(key)]
        assert authenticate({"x-api-key": key}, keys) == "alice"
        with pytest.raises(Problem) as refused:
            authenticate({"x-api-key": hash_key(key)}, keys)
        assert refused.value.status == 401


def test_a_redis_password_is_never_shown() -> None:
    assert redacted("redis://user:s3cret@host:6380/1") == "redis://user:***@host:6380/1"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"


def test_parse_errors_do_not_quote_a_key() -> None:
    with pytest.raises(ValueError, match=r"'s3c\.\.\.' is not key=user"):
        parse_api_keys("s3cretkeywithoutuser")


def test_the_meter_data_retrieves_variants_share_one_window_per_user() -> None:
    """CAISO counts a user's meter data retrieves, whichever WSDL they come through: a call of
    the plain variant's app and then one of its _DocAttach twin's (two apps of one process,
    one window store) is a call inside the window; another user, or the availability query,
    is not held up by it."""
    settings = Settings(mode="mock", api_keys={"k-variants": "variants", "k-else": "else"},
                        aup_window_seconds=WINDOW)
    specs = {s.service.id.full_name: s for s in rendered()}

    def client(full_name: str) -> TestClient:
        spec = specs[full_name]
        runtime = ServiceRuntime(ServiceSpec(load_yaml(spec.text)), settings, spec.wsdl)
        return TestClient(create_app(runtime), base_url="http://rest.test"
                          + runtime.spec.base_path)

    plain = client("RetrieveMeterData_STLMTv1")
    twin = client("RetrieveMeterData_STLMTv1_DocAttach")
    (op,) = specs["RetrieveMeterData_STLMTv1_DocAttach"].service.operations
    request = op.input.samples[0].value
    with plain, twin, client("RetrieveMeterDataAvailability_STLMTv1_DocAttach") as availability:
        first = plain.post("/retrieveMeterData", json={"requestData": request},
                           headers={"X-API-Key": "k-variants"})
        assert first.status_code == 200, first.text
        second = twin.post("/retrieveMeterData", json=request, headers={"X-API-Key": "k-variants"})
        assert second.status_code == 429
        assert second.headers["Retry-After"] == str(int(WINDOW))
        assert twin.post("/retrieveMeterData", json=request,
                         headers={"X-API-Key": "k-else"}).status_code == 200
        assert availability.get("/retrieveMeterDataAvailability", params={
            "scid": "ABC1", "tradeDateStart": "2026-11-01", "tradeDateEnd": "2026-11-03"},
            headers={"X-API-Key": "k-variants"}).status_code == 200
