"""The gateway on CAISO's wire, for real: `b2b-openapi serve --mode gateway` with a TLS front
door requiring client certificates, mutual TLS to the SOAP mock (uvicorn requiring client
certificates from a throw-away CA) which verifies every request's WS-Security signature and
signs its answers, which the gateway verifies.  Every operation of the corpus round trips;
certificates that are expired, from an unknown CA or not matching their key fail clearly."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from b2b_openapi.codec import soap
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.emit.naming import snake
from b2b_openapi.runtime.server import REQUEST_ID
from b2b_openapi.runtime.spec import ServiceSpec
from certs import Pki
from live import (
    CASES,
    OperationCase,
    check_received,
    dump,
    free_port,
    operation,
    served,
    uvicorn,
)
from support import XSD, document

# the DocAttach variant: its criteria are query parameters
METER = "RetrieveMeterDataAvailability_STLMTv1_DocAttach"
CASE: OperationCase = next(c for c in CASES
                           if c.operation == "retrieveMeterDataAvailability_v1_DocAttach")


@pytest.fixture(scope="module")
def soap_mock(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"B2B_XSD_ROOT": str(XSD), "B2B_MOCK_VERIFY_CA": str(pki.ca),
           "B2B_MOCK_SIGN_CERT": str(pki.server.cert), "B2B_MOCK_SIGN_KEY": str(pki.server.key)}
    tls = {"cert": pki.server.cert, "key": pki.server.key, "ca": pki.ca}
    log = tmp_path_factory.mktemp("logs") / "soap.log"
    with uvicorn("b2b_openapi.runtime.soapmock:app_from_env", env, factory=True, tls=tls,
                 log=log) as url:
        yield url


def serve_args(built: tuple[Path, Path], port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "b2b_openapi", "serve", "--mode", "gateway", "--port",
            str(port), "--build", str(built[1].parent), *options]


# API keys in the environment: serve refuses plain keys on its command line
PASSWORD = {"B2B_SOAP_CLIENT_PASSWORD": "changeit", "B2B_AUP_WINDOW_SECONDS": "0",
            "B2B_API_KEYS": "k-wire=client,k-other=other"}


@pytest.fixture(scope="module")
def gateway(built: tuple[Path, Path], pki: Pki, soap_mock: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "gateway.log"
    args = serve_args(built, port, "--soap-endpoint", soap_mock,
                      "--soap-client-cert", str(pki.client.p12), "--soap-ca", str(pki.ca),
                      "--soap-verify-cert", str(pki.ca), "--tls-cert", str(pki.server.cert),
                      "--tls-key", str(pki.server.key), "--tls-client-ca", str(pki.ca))
    with served(args, PASSWORD, port, log):
        yield f"https://127.0.0.1:{port}"


def client_config(case: OperationCase, url: str, pki: Pki, key: str = "k-wire") -> Any:
    runtime = case.runtime()
    return runtime.ClientConfig(
        base_url=url, api_key=key, verify=pki.ca, max_retries=0, timeout=30,
        certificate=runtime.ClientCertificate.from_pem(pki.client.cert, pki.client.key))


def mtls(pki: Pki) -> ssl.SSLContext:
    """A TLS client context trusting the test CA and presenting the client certificate."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    context.load_cert_chain(pki.client.cert, pki.client.key)
    return context


def received(soap_mock: str, pki: Pki) -> bytes:
    return httpx.get(f"{soap_mock}/_received", verify=mtls(pki)).content


def answers_in_body(case: OperationCase) -> bool:
    """The answer is the SOAP body (no attachment the WSDL prescribes the form of)."""
    return operation(case).output.attachment is None


# each operation in its WSDL's wire form (SwA for a plain retrieve, ISOAttachment for a
# DocAttach one); an answer that is the SOAP body also as CAISO may send it: SwA, MTOM
WIRE = [(case, form) for case in CASES
        for form in (("inline", "swa", "mtom") if answers_in_body(case) else ("inline",))]


def set_form(soap_mock: str, pki: Pki, form: str) -> None:
    """The form of the SOAP mock's body answers: a plain envelope, SOAP with Attachments
    (the answer also as a gzip+base64 part, its attachmentHash signed), or MTOM/XOP."""
    httpx.put(f"{soap_mock}/_form/{form}", verify=mtls(pki)).raise_for_status()


@pytest.mark.parametrize(("case", "form"), WIRE, ids=[f"{f}-{c.id}" for c, f in WIRE])
def test_every_operation_round_trips_signed_over_mutual_tls(
        case: OperationCase, form: str, gateway: str, soap_mock: str, pki: Pki) -> None:
    set_form(soap_mock, pki, form)
    try:
        with case.module().Client(client_config(case, gateway, pki)) as client:
            result = getattr(client, snake(case.operation))(case.request)
    finally:
        set_form(soap_mock, pki, "inline")
    assert dump(result) == case.expected
    sent = received(soap_mock, pki)
    verified = wss.verify(sent, wss.Trust.from_file(pki.ca))
    assert verified.covered >= {"Body", "BinarySecurityToken", "CAISOWSHeader"}
    assert verified.algorithm == wss.Algorithm.RSA_SHA1.signature_uri
    payload = json.loads(httpx.get(f"{soap_mock}/_received_payload", verify=mtls(pki)).content,
                         parse_float=Decimal)
    if payload is not None:  # a submit: its attachment's hash is signed too
        assert "attachmentHash" in verified.covered
    # what arrived is CAISO's request, XSD-valid (the header's wsu:Id is its lax wildcard)
    message = check_received(case, sent, payload)
    (header,) = [h for h in message.headers if h.tag == f"{{{soap.CAISO_HEADER_NS}}}CAISOWSHeader"]
    assert header.findtext(f".//{{{soap.CAISO_HEADER_NS}}}Username") == \
        wss.caiso_username(verified.certificate)


METER_PATH = ServiceSpec(document(METER)).base_path + CASE.path


def get(gateway: str, path: str, pki: Pki, key: str, **headers: str) -> httpx.Response:
    with httpx.Client(verify=mtls(pki), timeout=30) as client:
        return client.get(gateway + path, params=CASE.request,
                          headers={"X-API-Key": key, **headers})


def test_the_certificate_names_the_caller(gateway: str, pki: Pki) -> None:
    assert get(gateway, METER_PATH, pki, "k-wire").status_code == 200
    refused = get(gateway, METER_PATH, pki, "k-other")
    assert refused.status_code == 401
    assert "not issued to the client certificate's subject" in refused.json()["detail"]


def test_the_request_id_becomes_the_message_id(gateway: str, soap_mock: str,
                                               pki: Pki) -> None:
    answer = get(gateway, METER_PATH, pki, "k-wire", **{REQUEST_ID: "b2b-req-7"})
    assert answer.status_code == 200 and answer.headers[REQUEST_ID] == "b2b-req-7"
    header = next(h for h in soap.parse(received(soap_mock, pki)).headers
                  if h.tag.endswith("}CAISOWSHeader"))
    assert header.findtext(f".//{{{soap.CAISO_HEADER_NS}}}MessageID") == "b2b-req-7"


def test_caisos_pages_through_the_whole_chain(gateway: str, soap_mock: str,
                                              pki: Pki) -> None:
    context = mtls(pki)
    httpx.put(f"{soap_mock}/_page/aup", verify=context)
    try:
        answer = get(gateway, METER_PATH, pki, "k-wire")
        assert answer.status_code == 429 and answer.headers["Retry-After"]
        httpx.put(f"{soap_mock}/_page/forbidden", verify=context)
        answer = get(gateway, METER_PATH, pki, "k-wire")
        assert answer.status_code == 403
    finally:
        httpx.delete(f"{soap_mock}/_page", verify=context)


def in_folder(pki: Pki, options: tuple[str, ...]) -> list[str]:
    """Options with ``@name`` standing for that file of the test PKI."""
    return [str(pki.ca.parent / o[1:]) if o.startswith("@") else o for o in options]


def test_an_attachment_not_matching_its_hash_is_a_502(gateway: str, soap_mock: str,
                                                      pki: Pki) -> None:
    httpx.put(f"{soap_mock}/_form/swa-bad-hash", verify=mtls(pki)).raise_for_status()
    try:
        answer = get(gateway, METER_PATH, pki, "k-wire")
    finally:
        httpx.put(f"{soap_mock}/_form/inline", verify=mtls(pki)).raise_for_status()
    assert answer.status_code == 502
    assert answer.json()["detail"].startswith("HashMismatch: the attachment's SHA-1 is")


@pytest.mark.parametrize(("options", "says"), [
    (("--soap-client-cert", "@expired.p12"), "the client certificate expired on"),
    (("--soap-client-cert", "@client.pem", "--soap-client-key", "@server.key"),
     "does not belong to the client certificate"),
    (("--soap-client-cert", "@client.p12"), "wrong password"),
    (("--soap-client-cert", "@client.p12", "--soap-verify-cert", "@client.key"),
     "holds no PEM certificate"),
    (("--soap-client-cert", "@client.pem"), "holds no private key; give --soap-client-key"),
    (("--soap-endpoint-preset", "staging"), "unknown endpoint preset 'staging'"),
])
def test_bad_certificates_stop_the_gateway_with_one_line(
        built: tuple[Path, Path], pki: Pki, options: tuple[str, ...], says: str) -> None:
    args = in_folder(pki, options)
    env = {**PASSWORD,
           "B2B_SOAP_CLIENT_PASSWORD": "changeit" if "wrong" not in says else "nope"}
    done = subprocess.run(serve_args(built, free_port(), *args), capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and says in lines[0], done.stderr


@pytest.mark.parametrize(("options", "reason", "warns"), [
    (("--soap-client-cert", "@rogue.p12", "--soap-ca", "@ca.pem"), "client certificate",
     False),
    (("--soap-client-cert", "@client.p12", "--soap-ca", "@rogue.pem"),
     "CERTIFICATE_VERIFY_FAILED", False),
    (("--soap-ca", "@ca.pem"), "client certificate", True),
])
def test_a_refused_handshake_is_a_502(built: tuple[Path, Path], pki: Pki, soap_mock: str,
                                      tmp_path: Path, options: tuple[str, ...], reason: str,
                                      warns: bool) -> None:
    args = in_folder(pki, options)
    port = free_port()
    log = tmp_path / "gateway.log"
    with served(serve_args(built, port, METER, "--soap-endpoint", f"{soap_mock}/{METER}",
                           *args), PASSWORD, port, log):
        answer = httpx.get(f"http://127.0.0.1:{port}{METER_PATH}",
                           params=CASE.request, headers={"X-API-Key": "k-wire"}, timeout=30)
    assert answer.status_code == 502, answer.text
    assert reason in answer.json()["detail"], answer.json()
    assert "Traceback" not in log.read_text()
    assert log.read_text().count("requests go out unsigned") == (1 if warns else 0)


def test_the_soap_mock_refuses_a_missing_trust_bundle_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "b2b_openapi", "soap-mock", "--xsd", str(XSD),
                           "--verify-ca", str(tmp_path / "missing.pem"),
                           "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error:") and "missing.pem" in done.stderr
