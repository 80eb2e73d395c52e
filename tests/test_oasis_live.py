"""OASIS reports for real (docs/oasis.md): an OASIS-like HTTP server on 127.0.0.1 answering
ZIPs (the report as XML or CSV, error documents, garbage), `b2b-openapi serve --mode gateway`
in front of it, and the mock server and the generated client against the mock.

The fake OASIS records each query, so the test sees what the gateway sent: queryname,
version, the period in OASIS's UTC minutes, the filters, ``resultformat=6`` for CSV.
"""

from __future__ import annotations

import http.server
import io
import json
import time
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from live import in_thread, serve, server_env
from support import XSD, decimal_facets, document

V2 = "RetrieveCrrAggRevAdj_OASISv2"
SAMPLES = XSD / "OASIS" / V2 / "samples"
PATH = f"/oasis/{V2}/retrieveCrrAggRevAdj"
KEY = {"X-API-Key": "k-sync"}
PERIOD = {"startdatetime": "2026-11-01T00:00:00-08:00",
          "enddatetime": "2026-11-02T00:00:00-08:00"}
TIMEOUT = 2.0


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def error_document(code: str, text: str) -> bytes:
    return (SAMPLES / "error.xml").read_bytes().replace(b"1000", code.encode()).replace(
        b"No data returned for the specified selection", text.encode())


class FakeOasis(http.server.ThreadingHTTPServer):
    """Answers every GET with ``answer`` (status, content type, body), after ``delay``."""

    daemon_threads = True
    answer: tuple[int, str, bytes] = (200, "application/x-zip-compressed", b"")
    delay = 0.0
    drip = 0.0  # seconds between the body's bytes, after the headers went at once
    queries: ClassVar[list[dict[str, str]]] = []


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, FakeOasis)
        parts = urlsplit(self.path)
        self.server.queries.append({"path": parts.path, **dict(parse_qsl(parts.query))})
        time.sleep(self.server.delay)
        status, content_type, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.server.drip:
            self.wfile.write(body)
            return
        for byte in body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(self.server.drip)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def oasis() -> Iterator[FakeOasis]:
    with in_thread(FakeOasis(("127.0.0.1", 0), Handler)) as server:
        yield server


@pytest.fixture(autouse=True)
def reset(oasis: FakeOasis) -> None:
    oasis.answer = (200, "application/x-zip-compressed",
                    zipped("CRR_AGG_REV_ADJ_v2.csv", (SAMPLES / "report.csv").read_bytes()))
    oasis.delay = oasis.drip = 0.0
    oasis.queries.clear()


@pytest.fixture(scope="module")
def gateway(built: tuple[Path, Path], oasis: FakeOasis,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"http://127.0.0.1:{oasis.server_address[1]}/oasisapi/SingleZip"
    log = tmp_path_factory.mktemp("oasis") / "gateway.log"
    with serve(built[1].parent, V2, "--mode", "gateway", "--soap-timeout", str(TIMEOUT),
               env=server_env("gateway", B2B_OASIS_URL=url), log=log) as base:
        yield base


@pytest.fixture(scope="module")
def mock(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("oasis") / "mock.log"
    with serve(built[1].parent, V2, env=server_env("mock"), log=log) as base:
        yield base


def sample_rows() -> Any:
    value = document(V2)["paths"]["/retrieveCrrAggRevAdj"]["get"]["responses"]["200"][
        "content"]["application/json"]["examples"]["report"]["value"]
    return json.loads(json.dumps(value), parse_float=Decimal)


def rows_valid(rows: Any) -> bool:
    components = decimal_facets(document(V2)["components"])
    return OAS30Validator({"type": "array", "items": {"$ref": "#/components/schemas/ReportRow"},
                           "components": components}).is_valid(rows)


def get(base: str, **params: str) -> httpx.Response:
    return httpx.get(base + PATH, params={**PERIOD, **params}, headers=KEY, timeout=10)


# ----------------------------------------------------------------------------- the gateway
def test_the_gateway_queries_oasis_and_answers_the_csv_rows(gateway: str,
                                                             oasis: FakeOasis) -> None:
    response = get(gateway, market_run_id="DAM")
    assert response.status_code == 200, response.text
    rows = json.loads(response.text, parse_float=Decimal)
    assert rows == sample_rows() and rows_valid(rows)
    assert rows[0]["CLAWBACK_REV"] == Decimal("-310.40")  # exact, as OASIS wrote it
    assert oasis.queries == [{
        "path": "/oasisapi/SingleZip", "queryname": "CRR_AGG_REV_ADJ",
        "startdatetime": "20261101T08:00-0000", "enddatetime": "20261102T08:00-0000",
        "version": "2", "market_run_id": "DAM", "resultformat": "6"}]


def test_an_xml_report_in_the_zip_gives_the_same_rows(gateway: str, oasis: FakeOasis) -> None:
    oasis.answer = (200, "application/x-zip-compressed",
                    zipped("CRR_AGG_REV_ADJ_v2.xml", (SAMPLES / "report.xml").read_bytes()))
    response = get(gateway)
    assert response.status_code == 200, response.text
    assert json.loads(response.text, parse_float=Decimal) == sample_rows()


@pytest.mark.parametrize(("code", "status", "title"), [
    ("1000", 404, "OASIS has no data for the selection"),
    ("1002", 400, "OASIS refused the query"),
    ("5001", 502, "OASIS failed the query"),
])
def test_an_error_document_in_the_zip_is_a_problem_with_its_code(
        gateway: str, oasis: FakeOasis, code: str, status: int, title: str) -> None:
    text = "The specified date range is invalid"
    oasis.answer = (200, "application/x-zip-compressed",
                    zipped("INVALID_REQUEST.xml", error_document(code, text)))
    response = get(gateway)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {"status": status, "title": title, "detail": text,
                                "oasisError": {"code": code, "description": text}}


@pytest.mark.parametrize(("answer", "says"), [
    ((200, "text/html", b"<html><body>Service unavailable</body></html>"),
     "OASIS answered not a ZIP archive (45 bytes: '<html><body>Service"),
    ((503, "text/html", b"<html>busy</html>"), "OASIS answered HTTP 503, not a ZIP"),
    ((200, "application/zip", zipped("CRR.xml", b"<OASISReport><REPORT_DATA>")),
     "OASIS answered a ZIP whose 'CRR.xml' cannot be read: line 1 malformed XML"),
    ((200, "application/zip", zipped("CRR.csv", b"TRADE_DATE,CRR_MW\n2026-11-01,x\n")),
     "OASIS answered a ZIP whose 'CRR.csv' cannot be read: line 2 column CRR_MW: 'x' is "
     "not a decimal"),
])
def test_what_is_not_a_readable_report_is_a_502_naming_it(
        gateway: str, oasis: FakeOasis, answer: tuple[int, str, bytes], says: str) -> None:
    oasis.answer = answer
    response = get(gateway)
    assert response.status_code == 502
    assert response.json()["detail"].startswith(says), response.json()


def test_oasis_too_slow_is_a_504_within_the_deadline(gateway: str, oasis: FakeOasis) -> None:
    oasis.delay = TIMEOUT + 1.5
    started = time.monotonic()
    response = get(gateway)
    assert response.status_code == 504
    assert time.monotonic() - started < TIMEOUT + 1.0


def test_oasis_dripping_its_answer_is_a_504_within_the_deadline(
        gateway: str, oasis: FakeOasis) -> None:
    """The deadline is the whole call's: a byte a while keeps each read short but never
    finishes (what a per-read timeout would wait on for ever)."""
    oasis.drip = 0.2
    started = time.monotonic()
    response = get(gateway)
    assert response.status_code == 504, response.text
    assert response.json()["title"] == "OASIS timed out"
    assert time.monotonic() - started < TIMEOUT + 1.0


def test_a_period_oasis_cannot_take_never_reaches_it(gateway: str, oasis: FakeOasis) -> None:
    response = get(gateway, startdatetime="2026-11-01T00:00:30-08:00")
    assert response.status_code == 400 and "whole minutes" in response.json()["detail"]
    response = httpx.get(gateway + PATH, params={"startdatetime": PERIOD["startdatetime"]},
                         headers=KEY)
    assert response.status_code == 422  # enddatetime is required
    assert oasis.queries == []


# ----------------------------------------------------------------------- the mock, a client
def test_the_mock_answers_the_sample_rows_by_filter(mock: str) -> None:
    assert json.loads(get(mock).text, parse_float=Decimal) == sample_rows()
    one = get(mock, crr_id="CRR-26-1104507").json()
    assert [r["CRR_ID"] for r in one] == ["CRR-26-1104507"]
    none = get(mock, market_run_id="RTM")
    assert none.status_code == 404 and none.json()["oasisError"]["code"] == "1000"


def test_the_generated_client_reads_the_rows(built: tuple[Path, Path], mock: str) -> None:
    from caiso_b2b_oasis import ClientConfig
    from caiso_b2b_oasis.retrieve_crr_agg_rev_adj_oasisv2 import Client

    with Client(ClientConfig(base_url=mock, api_key="k-sync")) as client:
        rows = client.retrieve_crr_agg_rev_adj({**PERIOD, "market_run_id": "DAM"})
    assert type(rows).__name__ == "RetrieveCrrAggRevAdjResponse"  # a RootModel of rows
    assert type(rows.root[0]).__name__ == "ReportRow"
    dumped = [r.model_dump(by_alias=True, exclude_none=True) for r in rows.root]
    assert [r["CRR_ID"] for r in dumped] == ["CRR-26-1104481", "CRR-26-1104507"]
    assert Decimal(str(dumped[0]["CRR_MW"])) == Decimal("25.0")
