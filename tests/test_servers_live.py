"""Generated servers in mock mode, over HTTP: security, validation, CAISO behaviours."""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.openapi.policies import AUP_MESSAGE
from live import AUP_WINDOW, CASES, call_sync

# the DocAttach variants: their criteria are query parameters, or the request element's
# content as a POST body (the plain variants' sit in the rpc requestData part of a POST body)
MRIS = "/mris/RetrieveMeterData_STLMTv1_DocAttach"
AVAILABILITY = "/mris/RetrieveMeterDataAvailability_STLMTv1_DocAttach/retrieveMeterDataAvailability"
DRRS = "/drrs/RetrieveRegistrationsIncremental_DRRSv1_DocAttach/retrieveRegistrationsIncremental"
DRRS_FULL = "/drrs/RetrieveRegistrations_DRRSv1_DocAttach/retrieveRegistrations"
METER_CASE = next(c for c in CASES if c.operation == "retrieveMeterData_v1_DocAttach")


def meter_data(url: str, key: str) -> httpx.Response:
    return httpx.post(f"{url}{MRIS}/retrieveMeterData", headers={"X-API-Key": key},
                      content=_json(METER_CASE.request))


def availability(url: str, key: str) -> httpx.Response:
    return httpx.get(f"{url}{AVAILABILITY}", headers={"X-API-Key": key},
                     params={"scid": "ABC1", "tradeDateStart": "2026-11-01",
                             "tradeDateEnd": "2026-11-03"})


def _json(value: Any) -> bytes:
    return dumps(value)


# ------------------------------------------------------------------------ acceptable use policy
def test_aup_second_call_inside_window_is_429_and_restarts_window(mock_url: str) -> None:
    first = meter_data(mock_url, "k-aup")
    assert first.status_code == 200, first.text
    second = meter_data(mock_url, "k-aup")
    assert second.status_code == 429
    assert second.json()["detail"] == AUP_MESSAGE
    assert second.json()["detail"] == (
        "CAISO MRI-S Acceptable Use Policy Violation. Please retry your request again in 30 "
        "seconds from now. Note: Time resets each time you request before expiration.")
    assert second.headers["Retry-After"] == str(int(AUP_WINDOW + 0.5))
    assert second.headers["Content-Type"].startswith("application/problem+json")

    # another operation and another user are not limited inside the window
    assert availability(mock_url, "k-aup").status_code == 200
    assert meter_data(mock_url, "k-error").status_code == 200

    # the refused call restarted the window: 2/3 of a window after it, still refused
    time.sleep(AUP_WINDOW * 2 / 3)
    assert meter_data(mock_url, "k-aup").status_code == 429
    # a full window after the last (refused) request: accepted again
    time.sleep(AUP_WINDOW + 0.2)
    assert meter_data(mock_url, "k-aup").status_code == 200


def test_aup_through_the_generated_client_raises_rate_limit_error(mock_url: str) -> None:
    runtime = METER_CASE.runtime()
    time.sleep(AUP_WINDOW + 0.2)  # whatever ran before with this user
    call_sync(METER_CASE, mock_url, "k-error")
    with pytest.raises(runtime.RateLimitError) as info:
        call_sync(METER_CASE, mock_url, "k-error")
    assert info.value.retry_after == float(int(AUP_WINDOW + 0.5))
    assert info.value.error.detail == AUP_MESSAGE


# ------------------------------------------------------------------------------- DRRS incremental
def registration_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["registrationId"] for r in response.json().get("Registration", [])]


def test_drrs_incremental_returns_records_changed_on_or_after_the_date(mock_url: str) -> None:
    headers = {"X-API-Key": "k-error"}
    since = httpx.get(mock_url + DRRS, headers=headers,
                      params={"scid": "SC01", "modifiedSince": "2026-11-01"})
    # REG-000131 created 2026-11-18, REG-000132 updated 2026-11-21; the others last changed
    # 2026-10-28, 2026-05-01 and 2026-01-02
    assert registration_ids(since) == ["REG-000131", "REG-000132"]
    on_the_day = httpx.get(mock_url + DRRS, headers=headers,
                           params={"scid": "SC01", "modifiedSince": "2026-11-21"})
    assert registration_ids(on_the_day) == ["REG-000132"]
    active = httpx.get(mock_url + DRRS, headers=headers,
                       params={"scid": "SC01", "modifiedSince": "2026-01-01", "status": "Active"})
    assert registration_ids(active) == ["REG-000123", "REG-000132"]
    nothing = httpx.get(mock_url + DRRS, headers=headers,
                        params={"scid": "SC01", "modifiedSince": "2027-01-01"})
    assert registration_ids(nothing) == []


@pytest.mark.parametrize(("since", "expected"), [
    # REG-000132 was updated 2026-11-21T17:20:00-08:00, i.e. 01:20 UTC on the 22nd
    ("2026-11-22Z", ["REG-000132"]),
    ("2026-11-22-01:00", ["REG-000132"]),  # the day starts 01:00 UTC: before it
    ("2026-11-22-02:00", []),  # the day starts 02:00 UTC: after it
    ("2026-11-22-08:00", []),
    ("2026-11-22", []),  # no zone: calendar dates, the 21st in its own offset
    # REG-000131 was updated 2026-11-20T08:00:00-08:00 (16:00 UTC on the 20th)
    ("2026-11-21+14:00", ["REG-000131", "REG-000132"]),  # 10:00 UTC on the 20th
    ("2026-11-21", ["REG-000132"]),
])
def test_drrs_incremental_compares_instants_when_modified_since_has_a_zone(
        mock_url: str, since: str, expected: list[str]) -> None:
    response = httpx.get(mock_url + DRRS, headers={"X-API-Key": "k-error"},
                         params={"scid": "SC01", "modifiedSince": since})
    assert registration_ids(response) == expected


@pytest.mark.parametrize(("program", "expected"), [
    (None, ["REG-000123", "REG-000124", "REG-000131", "REG-000132", "REG-000099"]),
    ("RDRR", ["REG-000124"]),
    ("PDR", ["REG-000123", "REG-000132", "REG-000099"]),
    ("PDR-LSR", ["REG-000131"]),
])
def test_drrs_full_retrieve_filters_by_program_type_when_given(
        mock_url: str, program: str | None, expected: list[str]) -> None:
    params = {"scid": "SC01"} | ({"programType": program} if program else {})
    full = httpx.get(mock_url + DRRS_FULL, headers={"X-API-Key": "k-error"}, params=params)
    assert registration_ids(full) == expected


def test_drrs_incremental_requires_modified_since(mock_url: str) -> None:
    response = httpx.get(mock_url + DRRS, headers={"X-API-Key": "k-error"},
                         params={"scid": "SC01"})
    assert response.status_code == 422
    assert "modifiedSince" in response.json()["errors"][0]["message"]


# ------------------------------------------------------------------------ security, validation
def test_drrs_dates_compare_as_dates_not_text() -> None:
    """XSD years may have five digits: '10000-01-01' is after '2026-...' though it sorts
    before it as text."""
    from b2b_openapi.runtime.behaviours import drrs_incremental

    records = {"Registration": [{"registrationId": "A", "createdDate": "2026-11-20",
                                 "lastModifiedDate": "2026-11-21T10:00:00-08:00"},
                                {"registrationId": "B", "createdDate": "10000-01-02"}]}
    kept = drrs_incremental({"modifiedSince": "10000-01-01"}, records)
    assert [r["registrationId"] for r in kept["Registration"]] == ["B"]
    kept = drrs_incremental({"modifiedSince": "2026-11-21"}, records)
    assert [r["registrationId"] for r in kept["Registration"]] == ["A", "B"]
    assert "Registration" not in drrs_incremental({"modifiedSince": "10001-01-01"}, records)


def test_drrs_instants_only_when_both_sides_have_a_zone() -> None:
    from b2b_openapi.runtime.behaviours import drrs_incremental

    records = {"Registration": [
        {"registrationId": "local", "lastModifiedDate": "2026-11-21T23:30:00"},
        {"registrationId": "zoned", "lastModifiedDate": "2026-11-21T23:30:00-08:00"},
        {"registrationId": "far", "lastModifiedDate": "10000-01-01T00:00:00Z"},
        {"registrationId": "none"}]}

    def kept(since: str) -> list[str]:
        shaped = drrs_incremental({"modifiedSince": since}, records)
        return [r["registrationId"] for r in shaped.get("Registration", [])]

    assert kept("2026-11-22Z") == ["zoned", "far"]  # a zone-less stamp names no instant
    assert kept("2026-11-22") == ["far"]  # calendar dates, each in its own offset
    assert kept("2026-11-21") == ["local", "zoned", "far"]
    assert kept("10000-01-01+01:00") == ["far"]  # 23:00 UTC the day before
    assert kept("10000-01-01-01:00") == []  # 01:00 UTC


@pytest.mark.parametrize(("pattern", "value", "valid"), [
    ("^(?:W[0-9]{3})$", "W001", True),
    ("^(?:W[0-9]{3})$", "W001\n", False),  # Python's $ would take the final newline
    ("^(?:a\\$)$", "a$", True),
    ("^(?:[$]b)$", "$b", True),
    ("^(?:[$]b)$", "$b\n", False),
])
def test_server_patterns_follow_ecmascript(pattern: str, value: str, valid: bool) -> None:
    from b2b_openapi.runtime.spec import Validator

    assert Validator({"type": "string", "pattern": pattern}).is_valid(value) is valid


# Each of these took Fraction(value) tens of seconds of CPU on the event loop for 10 bytes of
# JSON (1e20000000 is twenty million digits as an integer); now they are instant.
@pytest.mark.parametrize(("value", "step", "multiple"), [
    ("1E+20000000", "0.0001", True),
    ("-1E+10000000", "0.0001", True),
    ("3E+20000000", "0.3", True),
    ("1E+20000000", "0.3", False),
    ("7E+20000000", "14", True),
    ("7E+20000000", "3", False),
    ("1E-20000000", "0.0001", False),
    ("12345E-2", "0.05", True),
    ("12345E-2", "0.02", False),
    ("12300E-2", "1", True),
    ("1" + "0" * 300000 + "E-300000", "1", True),  # 1 written with 300,000 zero decimals
    ("7" * 300000 + ".5", "0.5", True),
    ("7" * 300000 + ".5", "0.2", False),
    ("0E+20000000", "0.3", True),
])
def test_multiple_of_is_exact_for_any_exponent(value: str, step: str, multiple: bool) -> None:
    from b2b_openapi.runtime.spec import Validator

    validator = Validator({"type": "number", "multipleOf": Decimal(step)})
    assert validator.is_valid(Decimal(value)) is multiple


@given(st.integers(-10**12, 10**12), st.integers(-40, 40), st.integers(1, 10**4),
       st.integers(-12, 12))
def test_multiple_of_agrees_with_rational_arithmetic(coefficient: int, exponent: int,
                                                     step: int, step_exponent: int) -> None:
    from b2b_openapi.runtime.spec import is_multiple_of

    value, divisor = Decimal(coefficient).scaleb(exponent), Decimal(step).scaleb(step_exponent)
    expected = (Fraction(value) / Fraction(divisor)).denominator == 1
    assert is_multiple_of(value, divisor) is expected


def test_huge_exponent_in_a_body_is_judged_at_once(mock_url: str) -> None:
    """A 1 KB body of such numbers: every one refused by its maximum, none reported as a
    non-multiple (they are multiples of 0.0001), the server still answering others."""
    case = next(c for c in CASES if c.operation == "submitRawBidSet_v5")
    segments = [{"@segmentNumber": n, "mw": Decimal(f"{n}E+20000000"),
                 "price": Decimal("1.5")}
                for n in range(1, 11)]
    bid = case.request["Bid"][0]
    component = {**bid["EnergyBidComponent"][0], "BidCurve": {"segment": segments}}
    request = {**case.request, "Bid": [{**bid, "EnergyBidComponent": [component]}]}
    response = httpx.post(f"{mock_url}/sibr/{case.service}/submitRawBidSet",
                          content=_json(request), headers={"X-API-Key": "k-fuzz"}, timeout=60)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["path"] for e in errors} == {
        f"/Bid/0/EnergyBidComponent/0/BidCurve/segment/{i}/mw" for i in range(10)}
    assert all("is greater than" in e["message"] for e in errors), errors
    assert errors[0]["message"].startswith("1E+20000000 is greater than")


def test_missing_or_unknown_api_key_is_401(mock_url: str) -> None:
    for headers in ({}, {"X-API-Key": "nope"}):
        response = httpx.get(f"{mock_url}{AVAILABILITY}", headers=headers,
                             params={"scid": "ABC1", "tradeDateStart": "2026-11-01",
                                     "tradeDateEnd": "2026-11-03"})
        assert response.status_code == 401
        assert response.json()["status"] == 401


@pytest.mark.parametrize(("content", "where"), [
    (b"{not json", None),
    (b'{"scid": "ABC1"}', "/"),
    (b'{"scid": "lower", "resourceId": ["R"], "measurementType": "GEN", '
     b'"tradeDates": {"start": "2026-11-01", "end": "2026-11-02"}, "intervalLength": "PT1H"}',
     "/scid"),
])
def test_invalid_body_is_422_with_errors(mock_url: str, content: bytes, where: str | None) -> None:
    response = httpx.post(f"{mock_url}{MRIS}/retrieveMeterData", content=content,
                          headers={"X-API-Key": "k-fuzz"})
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["title"]
    if where is not None:
        assert where in [e["path"] for e in body["errors"]]


def test_text_xml_cannot_carry_is_422_before_any_soap_call(mock_url: str) -> None:
    """JSON allows control characters in strings, XML does not: the spec says so and the
    server refuses them (in mock mode too, so both modes agree) instead of the gateway
    posting broken XML; the violation is reported once."""
    case = next(c for c in CASES if c.operation == "submitRawBidSet_v5")
    ok = httpx.post(f"{mock_url}/sibr/{case.service}/submitRawBidSet", content=_json(
        case.request), headers={"X-API-Key": "k-fuzz"})
    assert ok.status_code == 200, ok.text
    request = {**case.request, "Bid": [{**case.request["Bid"][0], "comment": "bad\x01char"},
                                       *case.request["Bid"][1:]]}
    response = httpx.post(f"{mock_url}/sibr/{case.service}/submitRawBidSet",
                          content=_json(request), headers={"X-API-Key": "k-fuzz"})
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["/Bid/0/comment"]  # once


def test_query_values_are_typed_and_checked(mock_url: str) -> None:
    response = httpx.get(f"{mock_url}{AVAILABILITY}",
                         headers={"X-API-Key": "k-fuzz"},
                         params={"scid": "ABC1", "tradeDateStart": "yesterday",
                                 "tradeDateEnd": "2026-11-03", "bogus": "1"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"path": "/bogus", "message": "unknown parameter"}]


def test_each_server_serves_its_own_openapi_document(mock_url: str) -> None:
    document = httpx.get(f"{mock_url}{MRIS}/openapi.json").json()
    assert document["info"]["title"].startswith("RetrieveMeterData_STLMTv1")
    assert "/retrieveMeterData" in document["paths"]


def test_unknown_path_is_404(mock_url: str) -> None:
    assert httpx.get(f"{mock_url}/nope/Nothing/op").status_code == 404


# ------------------------------------------------------------- HTTP conventions, error shapes
SUBMIT = next(c for c in CASES if c.service == "SubmitRawBidSet_SIBRv5")
SUBMIT_URL = f"/sibr/{SUBMIT.service}/submitRawBidSet"
AVAILABILITY_QUERY = {"scid": "ABC1", "tradeDateStart": "2026-11-01", "tradeDateEnd": "2026-11-03"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml"])
def test_a_body_that_is_not_declared_json_is_415(mock_url: str, content_type: str) -> None:
    response = httpx.post(mock_url + SUBMIT_URL, content=_json(SUBMIT.request),
                          headers={"X-API-Key": "k-fuzz", "Content-Type": content_type})
    assert content_type in assert_problem(response, 415)["detail"]
    # and the spec says so, as it does for every status an operation answers with
    spec = httpx.get(f"{mock_url}/sibr/{SUBMIT.service}/openapi.json").json()
    declared = spec["paths"]["/submitRawBidSet"]["post"]["responses"]["415"]["content"]
    assert declared["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8",
                                          None])
def test_json_media_type_with_parameters_or_none_is_accepted(mock_url: str,
                                                             content_type: str | None) -> None:
    headers = {"X-API-Key": "k-fuzz"} | ({"Content-Type": content_type} if content_type else {})
    response = httpx.post(mock_url + SUBMIT_URL, content=_json(SUBMIT.request), headers=headers)
    assert response.status_code == 200, response.text


def test_routing_refusals_inside_an_app_are_problem_documents(mock_url: str) -> None:
    headers = {"X-API-Key": "k-fuzz"}
    missing = assert_problem(httpx.get(f"{mock_url}{MRIS}/noSuchOperation", headers=headers),
                             404)
    assert missing["title"] == "Not Found" and "noSuchOperation" in missing["detail"]
    wrong = httpx.get(f"{mock_url}{MRIS}/retrieveMeterData", headers=headers)
    assert assert_problem(wrong, 405)["title"] == "Method Not Allowed"
    assert wrong.headers["Allow"] == "POST"
    assert_problem(httpx.get(f"{mock_url}/nope/Nothing/op"), 404)  # outside every app


def test_head_answers_like_get_without_a_body(mock_url: str) -> None:
    url, headers = f"{mock_url}{AVAILABILITY}", {"X-API-Key": "k-fuzz"}
    get = httpx.get(url, headers=headers, params=AVAILABILITY_QUERY)
    head = httpx.head(url, headers=headers, params=AVAILABILITY_QUERY)
    assert (head.status_code, get.status_code) == (200, 200)
    assert head.content == b""
    for name in ("Content-Type", "Content-Length"):
        assert head.headers[name] == get.headers[name]
    assert httpx.head(url, params=AVAILABILITY_QUERY).status_code == 401  # same pipeline
    assert httpx.head(f"{mock_url}{MRIS}/openapi.json").status_code == 200
    post_only = httpx.head(f"{mock_url}{MRIS}/retrieveMeterData", headers=headers)
    assert (post_only.status_code, post_only.headers["Allow"]) == (405, "POST")


def test_422_messages_quote_values_as_json_and_cut_long_ones(mock_url: str) -> None:
    bid = SUBMIT.request["Bid"][0]
    component = bid["EnergyBidComponent"][0]
    segment = {**component["BidCurve"]["segment"][0], "mw": Decimal("1E+10")}
    huge = "QUJD" * 100_000  # 400 KB of base64
    request = {**SUBMIT.request, "Bid": [{
        **bid, "resource": None, "comment": huge + "\x01",
        "EnergyBidComponent": [{**component, "BidCurve": {"segment": [segment]}}]}]}
    response = httpx.post(mock_url + SUBMIT_URL, content=_json(request),
                          headers={"X-API-Key": "k-fuzz"})
    body = assert_problem(response, 422)
    messages = {e["path"]: e["message"] for e in body["errors"]}
    assert messages["/Bid/0/EnergyBidComponent/0/BidCurve/segment/0/mw"].startswith(
        "1E+10 is greater than the maximum of ")
    assert messages["/Bid/0/resource"] == "null is not allowed here (not nullable)"
    assert messages["/Bid/0/comment"].startswith('"QUJDQUJD')
    assert "(400008 characters)" in messages["/Bid/0/comment"]
    assert "Decimal(" not in response.text and "None" not in response.text
    assert len(response.content) < 3000


def test_query_value_messages_quote_json(mock_url: str) -> None:
    response = httpx.get(f"{mock_url}{AVAILABILITY}",
                         headers={"X-API-Key": "k-fuzz"},
                         params={**AVAILABILITY_QUERY, "tradeDateStart": "x" * 500})
    message = assert_problem(response, 422)["errors"][0]["message"]
    assert message.startswith('"xxx') and "... (502 characters) does not match" in message


@pytest.mark.parametrize(("text", "schema", "message"), [
    ("1.5", {"type": "integer"}, '"1.5" is not an integer'),
    ("NaN", {"type": "number"}, '"NaN" is not a finite number'),
    ("yes", {"type": "boolean"}, '"yes" is not a boolean (true/false)'),
])
def test_query_typing_messages_quote_json(text: str, schema: dict[str, Any],
                                          message: str) -> None:
    from b2b_openapi.runtime.spec import _typed

    with pytest.raises(ValueError) as info:
        _typed(text, schema)
    assert str(info.value) == message


# ------------------------------------------- hostile bodies, in process (the same pipeline)
METER_URL = f"{MRIS}/retrieveMeterData"


def post_meter(app: TestClient, content: bytes | str) -> httpx.Response:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return app.post(METER_URL, content=raw,
                    headers={"X-API-Key": "k-fuzz", "Content-Type": "application/json"})


@pytest.mark.parametrize(("content", "path", "message"), [
    ('{"scid": "\\ud800"}', "/scid", '"\\ud800" is too short'),
    ('{"\\udfff": 1}', "/", 'additional properties are not allowed: ["\\udfff"]'),
    ('{"tradeDates": {"\\udfff": {"\\udfff": 1}}}', "/tradeDates/\\udfff",
     "character U+DFFF is not allowed in XML"),
])
def test_a_lone_surrogate_is_quoted_as_its_json_escape(mock_app: TestClient, content: str,
                                                        path: str, message: str) -> None:
    """JSON can write a lone surrogate; UTF-8 cannot carry one: messages and paths spell it
    as the request did, and the answer is a 422, not a 500 from encoding it."""
    response = post_meter(mock_app, content)
    body = assert_problem(response, 422)
    response.content.decode("utf-8")  # strict
    assert {"path": path, "message": message} in body["errors"]


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,  # deeper than the parser's stack
    '{"scid": ' + "[" * 900 + "]" * 900 + "}",  # parses, then every walk over it would recurse
    '{"tradeDates": ' + '{"a": ' * 64 + "1" + "}" * 64 + "}",  # 65 levels
])
def test_deep_nesting_is_refused_before_anything_recurses_into_it(mock_app: TestClient,
                                                                   content: str) -> None:
    body = assert_problem(post_meter(mock_app, content), 422)
    assert body["title"] == "Request body is beyond the JSON limits"
    assert body["detail"] == "arrays and objects nest deeper than 64 levels"
    # 64 levels are read, and judged by the schema
    within = '{"tradeDates": ' + '{"a": ' * 63 + "1" + "}" * 63 + "}"
    assert assert_problem(post_meter(mock_app, within), 422)["title"] == \
        "Request does not conform to the schema"


def test_an_integer_longer_than_python_reads_is_a_clear_422(mock_app: TestClient) -> None:
    body = assert_problem(post_meter(mock_app, '{"scid": ' + "1" * 4301 + "}"), 422)
    assert body["detail"] == "an integer of 4301 digits: none longer than 4300 digits is read"
    body = assert_problem(post_meter(mock_app, '{"scid": ' + "1" * 4300 + "}"), 422)
    assert body["errors"][-1]["message"].endswith('... (4300 characters) is not of type "string"')


@pytest.mark.parametrize(("value", "message"), [
    ("'GEN'", '"\'GEN\'" is not one of ["GEN", "LOAD", "INTERTIE"]'),
    ("x['GEN', 'LOAD', 'INTERTIE']",
     '"x[\'GEN\', \'LOAD\', \'INTERTIE\']" is not one of ["GEN", "LOAD", "INTERTIE"]'),
    (["'GEN'"], '["\'GEN\'"] is not one of ["GEN", "LOAD", "INTERTIE"]'),
    ({"'GEN'": 1}, '{"\'GEN\'": 1} is not one of ["GEN", "LOAD", "INTERTIE"]'),
    ("GEN\n", '"GEN\\n" is not one of ["GEN", "LOAD", "INTERTIE"]'),
])
def test_422_messages_quote_the_callers_value_exactly(mock_app: TestClient, value: Any,
                                                      message: str) -> None:
    """Each repr in jsonschema's message is swapped for JSON once: the enum member ``'GEN'``
    inside the caller's ``"'GEN'"`` is not swapped again."""
    response = post_meter(mock_app, _json({**METER_CASE.request, "measurementType": value}))
    errors = assert_problem(response, 422)["errors"]
    assert {"path": "/measurementType", "message": message} in errors


def test_paths_of_text_xml_cannot_carry_are_cut_like_every_path(mock_app: TestClient) -> None:
    """A 100 KB key holding a control character: the path names it cut short, and the
    answer stays small."""
    key = "k" * 100_000
    request = {**METER_CASE.request,
               "tradeDates": {**METER_CASE.request["tradeDates"], key: "\x01"}}
    response = post_meter(mock_app, _json(request))
    errors = assert_problem(response, 422)["errors"]
    assert {"path": "/tradeDates/" + "k" * 100 + "... (100000 characters)",
            "message": "character U+0001 is not allowed in XML"} in errors
    assert len(response.content) < 2000
