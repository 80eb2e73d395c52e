"""OASIS reports (docs/oasis.md): HTTP GET + ZIP, not SOAP.

The report file and its samples -> the model -> the OpenAPI document; the answer decoding
the gateway shares with the artifact stage, differentially: one set of rows written as an
OASISReport XML and as a CSV (by writers here, not the decoder's) must decode to the same
JSON rows, valid against the spec's row schema; the ZIP bounds; the period's OASIS form;
the mock's answer.
"""

from __future__ import annotations

import csv
import io
import shutil
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator

from b2b_openapi.codec.oasis import (
    Column,
    OasisDocumentError,
    OasisError,
    csv_rows,
    document_rows,
    error_status,
    unzip,
    xml_rows,
)
from b2b_openapi.emit.view import service_view
from b2b_openapi.errors import ArtifactError
from b2b_openapi.openapi import stage as specs
from b2b_openapi.runtime.envconfig import ConfigError
from b2b_openapi.runtime.oasis import OasisSettings, mock_answer, oasis_time, query
from b2b_openapi.runtime.server import Settings
from b2b_openapi.runtime.spec import Problem
from support import XSD, decimal_facets, document, oasis_specs

NS = "http://www.caiso.com/soa/OASISReport_v1.xsd"
V1, V2 = "RetrieveCrrAggRevAdj_OASISv1", "RetrieveCrrAggRevAdj_OASISv2"
ADDED = ["DIRECTION", "IFM_NET_FLOW_MW", "CLAWBACK_REV", "CIR_SCH_REV"]


def operation(name: str) -> dict[str, Any]:
    op: dict[str, Any] = document(name)["paths"]["/retrieveCrrAggRevAdj"]["get"]
    return op


def columns(name: str) -> list[Column]:
    return [Column.from_extension(c) for c in operation(name)["x-caiso-oasis"]["columns"]]


def row_validator(name: str) -> OAS30Validator:
    components = decimal_facets(document(name)["components"])
    return OAS30Validator({"type": "array", "items": {"$ref": "#/components/schemas/ReportRow"},
                           "components": components})


# ------------------------------------------------------------------------- the documents
def test_the_corpus_has_both_report_versions_and_no_soap_for_them() -> None:
    assert sorted(s.full_name for s in oasis_specs()) == [V1, V2]
    assert not list((XSD / "OASIS").rglob("*.wsdl")) and not list((XSD / "OASIS").rglob("*.xsd"))
    for name in (V1, V2):
        doc = document(name)
        text = str(doc)
        assert "x-soap" not in text and "x-b2b-mutual-tls" not in doc
        assert list(doc["paths"]) == ["/retrieveCrrAggRevAdj"]
        assert list(doc["paths"]["/retrieveCrrAggRevAdj"]) == ["get"]


@pytest.mark.parametrize(("name", "version"), [(V1, 1), (V2, 2)])
def test_the_operation_is_the_reports_query_and_its_rows(name: str, version: int) -> None:
    op = operation(name)
    ext = op["x-caiso-oasis"]
    assert (ext["queryname"], ext["version"]) == ("CRR_AGG_REV_ADJ", version)
    assert ext["endpoint"] == "https://oasis.caiso.com/oasisapi/SingleZip"
    params = {p["name"]: p for p in op["parameters"]}
    assert list(params) == ["startdatetime", "enddatetime", "market_run_id", "crr_id"]
    assert all(params[p]["required"] and params[p]["schema"]["format"] == "xsd-date-time"
               for p in ("startdatetime", "enddatetime"))
    ok = op["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/ReportRow"}}
    row = document(name)["components"]["schemas"]["ReportRow"]
    assert row["properties"]["CRR_MW"] == {"type": "number", "x-xsd-type": "xs:decimal",
                                           "description": "CRR quantity, MW."}
    assert row["properties"]["TRADE_DATE"]["format"] == "xsd-date"
    assert set(ADDED) <= set(row["properties"]) if version == 2 else \
        not set(ADDED) & set(row["properties"])
    example = ok["examples"]["report"]["value"]
    assert len(example) == 2 and row_validator(name).is_valid(example)
    no_data = op["responses"]["404"]["content"]["application/problem+json"]["examples"]
    assert no_data["error"]["value"]["oasisError"]["code"] == "1000"


def test_the_view_sees_a_get_with_query_parameters_and_no_soap_action() -> None:
    view = service_view(document(V2))
    (op,) = view.operations
    assert (op.method, op.has_body, op.soap_action) == ("GET", False, None)
    assert op.example_response()[0]["CRR_ID"] == "CRR-26-1104481"


def test_samples_decode_alike_as_xml_and_csv() -> None:
    """The artifact stage checks this too; here against the written example."""
    for spec in oasis_specs():
        assert spec.report is not None
        assert spec.report.rows == spec.report.csv_rows is not None


# ------------------------------------------------------------- XML and CSV, differentially
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
               max_size=12).filter(lambda s: s.strip() == s)
VALUES = {
    "string": TEXT,
    "date": st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=3,
                           min_value=-10**9, max_value=10**9),
    "integer": st.integers(-10**12, 10**12),
    "dateTime": st.datetimes().map(lambda d: f"{d.year:04d}-{d:%m-%dT%H:%M:%S}-00:00"),
}
COLUMNS = [Column("OPR_DATE", "date", True), Column("INTERVAL_NUM", "integer", True),
           Column("DATA_ITEM", "string", True), Column("VALUE", "decimal"),
           Column("INTERVAL_START_GMT", "dateTime", csv="INTERVALSTARTTIME_GMT")]


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        row = {c.name: draw(VALUES[c.type]) for c in COLUMNS
               if c.required or draw(st.booleans())}
        out.append(row)
    return out


def as_xml(table: list[dict[str, Any]], by: str = "name") -> bytes:
    root = ElementTree.Element(f"{{{NS}}}OASISReport")
    rto = ElementTree.SubElement(ElementTree.SubElement(root, f"{{{NS}}}MessagePayload"),
                                 f"{{{NS}}}RTO")
    item = ElementTree.SubElement(rto, f"{{{NS}}}REPORT_ITEM")
    for row in table:
        data = ElementTree.SubElement(item, f"{{{NS}}}REPORT_DATA")
        for column in COLUMNS:
            if column.name in row:
                name = getattr(column, by) or column.name
                ElementTree.SubElement(data, f"{{{NS}}}{name}").text = str(row[column.name])
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def as_csv(table: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.csv or c.name for c in COLUMNS])
    for row in table:
        writer.writerow([str(row[c.name]) if c.name in row else "" for c in COLUMNS])
    return out.getvalue().encode()


@settings(max_examples=60, deadline=None)
@given(rows())
def test_one_table_as_xml_and_as_csv_gives_the_same_typed_rows(table: list[dict[str, Any]]
                                                                ) -> None:
    expected = [{k: Decimal(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                for row in table]
    from_xml = xml_rows(as_xml(table), COLUMNS)
    from_csv = csv_rows(as_csv(table), COLUMNS)
    assert from_xml == from_csv == expected
    assert all(type(r.get("INTERVAL_NUM")) is int for r in from_xml)


def test_columns_named_otherwise_in_the_csv_are_mapped() -> None:
    table = [{"OPR_DATE": "2026-11-01", "INTERVAL_NUM": 1, "DATA_ITEM": "LMP",
              "INTERVAL_START_GMT": "2026-11-01T08:00:00-00:00"}]
    assert csv_rows(as_csv(table), COLUMNS) == table
    assert b"INTERVALSTARTTIME_GMT" in as_csv(table)


@pytest.mark.parametrize(("text", "says", "line"), [
    (b"<OASISReport><REPORT_DATA><OPR_DATE>2026-11-01</OPR_DATE><INTERVAL_NUM>x"
     b"</INTERVAL_NUM></REPORT_DATA></OASISReport>", "column INTERVAL_NUM: 'x' is not", 1),
    (b"<OASISReport>\n<REPORT_DATA>\n<INTERVAL_NUM>1</INTERVAL_NUM>\n</REPORT_DATA>"
     b"</OASISReport>", "a row without the required column OPR_DATE", 2),
    (b"<html><body>Service unavailable</body></html>", "the root element is 'html'", 1),
    (b"<OASISReport>", "malformed XML", 1),
    (b"<OASISReport><ERROR><ERR_DESC>x</ERR_DESC></ERROR></OASISReport>",
     "an ERROR without ERR_CODE", 1),
])
def test_unreadable_xml_is_refused_saying_where(text: bytes, says: str, line: int) -> None:
    with pytest.raises(OasisDocumentError, match=says) as caught:
        xml_rows(text, COLUMNS)
    assert caught.value.line == line


def test_csv_rows_of_another_width_are_refused_with_their_line() -> None:
    with pytest.raises(OasisDocumentError, match="2 fields where the header has 5") as caught:
        csv_rows(b"OPR_DATE,INTERVAL_NUM,DATA_ITEM,VALUE,INTERVALSTARTTIME_GMT\n"
                 b"2026-11-01,1,LMP,1,2026-11-01T08:00:00-00:00\n2026-11-01,1\n", COLUMNS)
    assert caught.value.line == 3


def test_the_error_document_is_recognised_and_mapped() -> None:
    error = xml_rows((XSD / "OASIS" / V2 / "samples" / "error.xml").read_bytes(), COLUMNS)
    assert error == OasisError("1000", "No data returned for the specified selection")
    assert [error_status(c) for c in ("1000", "1002", "5001", "X")] == [404, 400, 502, 502]


# ------------------------------------------------------------------------------ the ZIP
def zipped(*members: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_of_one_document_is_read_by_its_name() -> None:
    csv_zip = zipped(("20261101_20261102_CRR_AGG_REV_ADJ_N_v2.csv",
                      (XSD / "OASIS" / V2 / "samples" / "report.csv").read_bytes()))
    name, data = unzip(csv_zip)
    rows = document_rows(name, data, columns(V2))
    report = next(s.report for s in oasis_specs() if s.full_name == V2)
    assert report is not None and report.rows is not None
    assert rows == list(report.rows)  # the XML sample's, read by the artifact stage
    assert rows[0]["CLAWBACK_REV"] == Decimal("-310.40")  # exact, as OASIS wrote it


@pytest.mark.parametrize(("data", "says"), [
    (b"<html>Proxy Error</html>", "not a ZIP archive"),
    (zipped(), "an empty ZIP archive"),
    (zipped(("a.xml", b"<a/>"), ("b.xml", b"<b/>")), "a ZIP of 2 documents"),
    (zipped(("big.xml", b" " * 5000)), "unzips to 5000 bytes, more than the 1000"),
])
def test_what_is_not_one_bounded_document_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(OasisDocumentError, match=says):
        unzip(data, max_bytes=1000)


def test_a_zip_lying_about_its_size_is_cut_at_the_bound() -> None:
    """A member whose header declares a small size but inflates to more: the declared
    size is not trusted."""
    data = bytearray(zipped(("bomb.xml", b"<a>" + b" " * 100_000 + b"</a>")))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # local and central headers: size 10
        at = data.index(header)
        offset = 22 if header == b"PK\x03\x04" else 24
        data[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(OasisDocumentError):
        unzip(bytes(data), max_bytes=1000)


# --------------------------------------------------------------------------- the gateway
@pytest.mark.parametrize(("given_", "sent"), [
    ("2026-11-01T07:00:00Z", "20261101T07:00-0000"),
    ("2026-11-01T00:00:00-08:00", "20261101T08:00-0000"),
    ("2026-03-08T23:30:00-07:00", "20260309T06:30-0000"),
])
def test_the_period_goes_to_oasis_in_utc_minutes(given_: str, sent: str) -> None:
    assert oasis_time("startdatetime", given_) == sent


@pytest.mark.parametrize(("given_", "status", "says"), [
    ("2026-11-01T07:00:30Z", 400, "whole minutes"),
    ("2026-11-01T07:00:00", 400, "no UTC offset"),
    ("yesterday", 422, "not a date-time"),
])
def test_a_period_oasis_cannot_take_is_refused(given_: str, status: int, says: str) -> None:
    with pytest.raises(Problem) as caught:
        oasis_time("enddatetime", given_)
    assert caught.value.status == status and says in str(caught.value.detail)


def test_the_query_names_report_version_period_filters_and_csv() -> None:
    ext = operation(V2)["x-caiso-oasis"]
    payload = {"startdatetime": "2026-11-01T07:00:00Z", "enddatetime": "2026-11-02T07:00:00Z",
               "market_run_id": "DAM"}
    assert query(ext, payload, "csv") == [
        ("queryname", "CRR_AGG_REV_ADJ"), ("startdatetime", "20261101T07:00-0000"),
        ("enddatetime", "20261102T07:00-0000"), ("version", "2"), ("market_run_id", "DAM"),
        ("resultformat", "6")]
    assert ("resultformat", "6") not in query(ext, payload, "xml")


def test_the_mock_filters_the_sample_rows_and_answers_no_data_as_oasis() -> None:
    (op,) = service_view(document(V2)).operations
    period = {"startdatetime": "2026-11-01T07:00:00Z", "enddatetime": "2026-11-02T07:00:00Z"}
    assert len(mock_answer(op, period)) == 2
    one = mock_answer(op, {**period, "crr_id": "CRR-26-1104507"})
    assert [r["CRR_ID"] for r in one] == ["CRR-26-1104507"]
    with pytest.raises(Problem) as caught:
        mock_answer(op, {**period, "market_run_id": "RTM"})
    assert caught.value.status == 404
    assert caught.value.extra["oasisError"]["code"] == "1000"


def test_entities_are_not_expanded() -> None:
    """A billion-laughs answer is refused (libxml2's amplification limit, entities left
    unresolved) at once, not expanded to gigabytes."""
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
    text = (f'<!DOCTYPE OASISReport [<!ENTITY l0 "lol">{laughs}]>'
            "<OASISReport><REPORT_DATA><OPR_DATE>2026-11-01</OPR_DATE><INTERVAL_NUM>1"
            "</INTERVAL_NUM><DATA_ITEM>&l8;</DATA_ITEM></REPORT_DATA></OASISReport>")
    started = time.monotonic()
    with pytest.raises(OasisDocumentError):
        xml_rows(text.encode(), COLUMNS)
    assert time.monotonic() - started < 1


def test_the_oasis_settings_come_from_the_environment_and_are_checked() -> None:
    env = {"B2B_API_KEYS": "k=u", "B2B_OASIS_URL": "http://127.0.0.1:9/SingleZip",
           "B2B_OASIS_FORMAT": "xml", "B2B_OASIS_MAX_MB": "2"}
    oasis = Settings.from_env(env).oasis
    assert (oasis.url, oasis.result_format, oasis.max_bytes) == (
        "http://127.0.0.1:9/SingleZip", "xml", 2 * 2**20)
    assert Settings.from_env({"B2B_API_KEYS": "k=u"}).oasis == OasisSettings()
    with pytest.raises(ConfigError, match=r"^B2B_OASIS_FORMAT: must be csv or xml, not 'json'"):
        Settings.from_env({**env, "B2B_OASIS_FORMAT": "json"})


# ------------------------------------------------------------------- the report file refused
GOOD = (XSD / "OASIS" / V1 / "oasis-report.toml").read_text()


@pytest.mark.parametrize(("old", "new", "says", "line_of"), [
    ('name = "crr_id"', 'name = "version"', "parameter 'version' is set by the gateway",
     '[[parameter]]\nname = "version"'),
    ('example = "DAM"', 'examples = "DAM"', "unknown key 'examples'", 'examples = "DAM"'),
    ('type = "decimal"\nrequired = true\ndescription = "CRR quantity, MW."',
     'type = "decimal"\nenum = ["1"]\ndescription = "CRR quantity, MW."',
     "enum must be a non-empty list of strings, on a string", 'enum = ["1"]'),
    ('name = "SINK"', 'name = "SOURCE"', "column 'SOURCE' is declared twice",
     '[[column]]\nname = "SOURCE"\ntype = "string"\nrequired = true\ndescription = "Sink'),
    ('version = 1', 'version = 0', "version must be a whole number from 1", "version = 0"),
    ('queryname = "CRR_AGG_REV_ADJ"', 'queryname = "crr agg"', "queryname must be a string",
     'queryname = "crr agg"'),
])
def test_a_bad_report_file_is_one_error_naming_its_line(tmp_path: Path, old: str, new: str,
                                                         says: str, line_of: str) -> None:
    folder = tmp_path / "OASIS" / V1
    shutil.copytree(XSD / "OASIS" / V1, folder)
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    (folder / "oasis-report.toml").write_text(text)
    with pytest.raises(ArtifactError) as caught:
        specs.render_all(tmp_path)
    assert says in caught.value.message
    assert caught.value.path == folder / "oasis-report.toml"
    assert caught.value.line == text[:text.index(line_of)].count("\n") + 1
