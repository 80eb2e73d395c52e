"""Gateway mode end to end: generated client -> generated gateway -> SOAP mock backend -> back.

For every operation: the XML that reached the backend is an XSD-valid SOAP 1.1 envelope with a
valid CAISOWSHeader naming the caller, its body equals the sample request, and the JSON that
comes back equals the sample response.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import xmlschema

from b2b_openapi.codec import soap
from b2b_openapi.codec.jsonxml import decode
from b2b_openapi.xsd.documents import load_wsdl
from live import API_KEYS, CASES, OperationCase, call_sync, dump, server_env, uvicorn
from support import rendered

SCHEMAS = {s.service.id.full_name: (s.service, load_wsdl(s.service.wsdl).schema)
           for s in rendered()}


def received(soap_url: str) -> soap.SoapMessage:
    return soap.parse(httpx.get(f"{soap_url}/_received").content)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gateway_round_trip(case: OperationCase, gateway_url: str, soap_url: str) -> None:
    result = call_sync(case, gateway_url, "k-sync")
    assert dump(result) == case.expected

    service, schema = SCHEMAS[case.service]
    op = next(o for o in service.operations if o.name == case.operation)
    message = received(soap_url)
    assert message.body is not None and message.body.tag == op.input.element.qname
    element = schema.maps.elements[op.input.element.qname]
    element.validate(message.body)  # raises if the body is not XSD-valid
    assert decode(element, message.body) == case.request
    (header,) = message.headers
    schema.maps.elements[header.tag].validate(header)
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
    assert body["fault"]["errorCode"]  # the decoded fault detail from the sample
    assert info.value.error is not None and info.value.error.soapFaultCode == code


@pytest.fixture
def case_with_fault() -> OperationCase:
    return next(c for c in CASES if c.operation == "retrieveMeterData")


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
