"""Gateway mode end to end: generated client -> generated gateway -> SOAP mock backend -> back.

For every operation: the XML that reached the backend is an XSD-valid SOAP 1.1 envelope with a
valid CAISOWSHeader naming the caller, its body equals the sample request, and the JSON that
comes back equals the sample response.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import xmlschema

from b2b_openapi.codec import soap
from live import (
    API_KEYS,
    CASES,
    OperationCase,
    call_sync,
    check_received,
    dump,
    server_env,
    uvicorn,
)


def received_payload(soap_url: str) -> Any:
    """The payload JSON of the last request's attachment, as the SOAP service decoded it."""
    return json.loads(httpx.get(f"{soap_url}/_received_payload").content, parse_float=Decimal)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gateway_round_trip(case: OperationCase, gateway_url: str, soap_url: str) -> None:
    result = call_sync(case, gateway_url, "k-sync")
    assert dump(result) == case.expected
    message = check_received(case, httpx.get(f"{soap_url}/_received").content,
                             received_payload(soap_url))
    header = next(h for h in message.headers if h.tag.endswith("}CAISOWSHeader"))
    assert header.findtext(f".//{{{soap.CAISO_HEADER_NS}}}Username") == API_KEYS["k-sync"]


def test_envelope_is_soap_11_with_the_soap_action(soap_url: str, gateway_url: str) -> None:
    case = CASES[0]
    call_sync(case, gateway_url, "k-sync")
    raw = httpx.get(f"{soap_url}/_received").content
    assert b"http://schemas.xmlsoap.org/soap/envelope/" in raw
    envelope = xmlschema.XMLResource(raw).root
    assert envelope.tag == f"{{{soap.SOAP_ENV}}}Envelope"


@pytest.mark.parametrize(("key", "status", "code"), [
    ("k-client-fault", 400, "soap:Client"), ("k-server-fault", 500, "soap:Server")])
def test_soap_faults_become_problem_documents(case_with_fault: OperationCase, gateway_url: str,
                                              key: str, status: int, code: str) -> None:
    runtime = case_with_fault.runtime()
    with pytest.raises(runtime.ApiError) as info:
        call_sync(case_with_fault, gateway_url, key)
    assert info.value.status == status
    body: dict[str, Any] = info.value.body
    assert body["soapFaultCode"] == code
    assert body["fault"]["EventLog"][0]["Event"][0]["description"]  # the sample's detail
    assert info.value.error is not None and info.value.error.soapFaultCode == code


@pytest.fixture
def case_with_fault() -> OperationCase:
    return next(c for c in CASES if c.operation == "retrieveMeterData_v1")


def test_unreachable_soap_service_is_502(built: Any, tmp_path: Any) -> None:
    env = server_env("gateway", B2B_SERVERS_ROOT=str(built[1]),
                     B2B_SOAP_BASE_URL="http://127.0.0.1:9")  # discard port: refused
    with uvicorn("b2b_openapi.runtime.combined:app_from_env", env, factory=True,
                 log=tmp_path / "gw.log") as url:
        case = CASES[0]
        runtime = case.runtime()
        with pytest.raises(runtime.ServerError) as info:
            call_sync(case, url, "k-sync")
    assert info.value.status == 502
    assert "unreachable" in info.value.body["title"]
