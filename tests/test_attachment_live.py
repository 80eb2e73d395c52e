"""Attachments for real: CAISO's GasBurnSummaryData package as published, built into server
apps, `b2b-openapi serve --mode gateway` (TLS front door with client certificates) signing
over mutual TLS to the SOAP mock under uvicorn, which verifies the signature, serves the
package's two variants (SwA multipart and DocAttach) and signs its answers.  The REST caller
gets the payload document's JSON from both."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from test_attachment_bridge import SUMMARY, jsonish
from test_real_artifacts import CMRI, PACKAGES, REAL
from test_wire_live import PASSWORD, mtls
from typer.testing import CliRunner

from b2b_openapi.cli import app as cli
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.codec.payload import AttachmentForm, PayloadCodec
from b2b_openapi.runtime.spec import ServiceSpec
from certs import Pki
from live import free_port, served, uvicorn

pytestmark = pytest.mark.skipif(not PACKAGES, reason=f"no real packages at {REAL} "
                                "(../shared is beside the checkout in CI only)")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gasburn-live")
    result = CliRunner().invoke(cli, [
        "build", "--xsd", str(CMRI / "GasBurnSummaryData"), "--specs", str(out / "specs"),
        "--build", str(out / "build"), "--postman", str(out / "postman"), "--jobs", "1",
        "--no-cache"])
    assert result.exit_code == 0, result.output
    return out / "build"


@pytest.fixture(scope="module")
def soap_mock(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"B2B_XSD_ROOT": str(CMRI / "GasBurnSummaryData"), "B2B_MOCK_VERIFY_CA": str(pki.ca),
           "B2B_MOCK_SIGN_CERT": str(pki.server.cert), "B2B_MOCK_SIGN_KEY": str(pki.server.key)}
    tls = {"cert": pki.server.cert, "key": pki.server.key, "ca": pki.ca}
    log = tmp_path_factory.mktemp("logs") / "soap.log"
    with uvicorn("b2b_openapi.runtime.soapmock:app_from_env", env, factory=True, tls=tls,
                 log=log) as url:
        yield url


@pytest.fixture(scope="module")
def gateway(build: Path, pki: Pki, soap_mock: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "gateway.log"
    args = [sys.executable, "-m", "b2b_openapi", "serve", "--mode", "gateway", "--port",
            str(port), "--build", str(build), "--soap-endpoint", soap_mock,
            "--soap-client-cert", str(pki.client.p12), "--soap-ca", str(pki.ca),
            "--soap-verify-cert", str(pki.ca), "--tls-cert", str(pki.server.cert),
            "--tls-key", str(pki.server.key), "--tls-client-ca", str(pki.ca)]
    with served(args, PASSWORD, port, log):
        yield f"https://127.0.0.1:{port}"


@pytest.mark.parametrize("variant", ["", "_DocAttach"], ids=["swa", "docattach"])
def test_real_package_answers_payload_json_over_the_real_wire(
        variant: str, build: Path, gateway: str, soap_mock: str, pki: Pki) -> None:
    folder = build / "servers" / "CMRI" / (SUMMARY + variant)
    document: dict[str, Any] = load_yaml(folder / "openapi.yaml")
    spec = ServiceSpec(document)
    (op,) = spec.operations.values()
    request = op.raw["requestBody"]["content"]["application/json"]["examples"][
        "synthesized"]["value"]
    with httpx.Client(verify=mtls(pki), timeout=30) as client:
        answer = client.post(gateway + spec.base_path + op.path, json=request,
                             headers={"X-API-Key": "k-wire"})
        sent = client.get(f"{soap_mock}/_received").content
    assert answer.status_code == 200, answer.text
    # the mock attached the spec's synthesized example: what comes back is its decoding
    form = AttachmentForm.from_extension(op.raw["x-caiso-attachment"]["response"])
    assert form is not None
    codec = PayloadCodec.load(form, next(folder.glob("artifacts/**/*.wsdl")).parent)
    example = op.raw["responses"]["200"]["content"]["application/json"]["examples"][
        "synthesized"]["value"]
    assert answer.json() == jsonish(codec.to_json(codec.to_xml(example)))
    verified = wss.verify(sent, wss.Trust.from_file(pki.ca))
    assert verified.covered >= {"Body", "BinarySecurityToken", "CAISOWSHeader"}
    body = etree.fromstring(sent).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None and body[0].tag == op.request_element
