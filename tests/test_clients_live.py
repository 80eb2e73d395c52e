"""Generated clients against generated servers (mock mode) over real HTTP on loopback:
every operation of every service, sync and async, returns the sample answer."""

from __future__ import annotations

import asyncio

import pytest

from live import CASES, OperationCase, call_async, call_sync, dump, wait_out_window
from support import rendered


def test_every_operation_is_covered() -> None:
    assert len(CASES) == sum(len(s.service.operations) for s in rendered()) >= 17


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_sync_client_against_mock(case: OperationCase, mock_url: str) -> None:
    wait_out_window(case.service)
    result = call_sync(case, mock_url, "k-sync")
    assert type(result).__name__ != "dict"
    assert dump(result) == case.expected


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_async_client_against_mock(case: OperationCase, mock_url: str) -> None:
    wait_out_window(case.service)
    result = asyncio.run(call_async(case, mock_url, "k-async"))
    assert dump(result) == case.expected
