"""Interoperability with Apache WSS4J (Debian's libwss4j-java, with Apache Santuario), an
independent WS-Security implementation: what the gateway signs verifies there, what WSS4J signs
verifies in our verifier, and a tampered Body, CAISOWSHeader or attachmentHash fails both ways.

The small Java tool (tests/wss4j/Wss4jTool.java) is compiled into the git-ignored build/wss4j;
``tests/run`` installs the Debian packages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from b2b_openapi.codec import soap
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.runtime.mockwire import MockWire
from b2b_openapi.runtime.soapmock import SoapMockBackend, create_soap_mock_app
from certs import Pki
from support import XSD

ROOT = Path(__file__).resolve().parent.parent
JARS = [Path("/usr/share/java") / name for name in (
    "wss4j.jar", "xmlsec.jar", "commons-logging.jar", "commons-codec.jar", "slf4j-api.jar",
    "slf4j-nop.jar")]
OUT = ROOT / "build" / "wss4j"

pytestmark = pytest.mark.skipif(
    shutil.which("javac") is None or not all(j.is_file() for j in JARS),
    reason="needs javac and Debian's libwss4j-java + libxml-security-java (tests/run installs "
           "them)")


@pytest.fixture(scope="module")
def classpath() -> str:
    source = ROOT / "tests" / "wss4j" / "Wss4jTool.java"
    jars = ":".join(map(str, JARS))
    built = OUT / "Wss4jTool.class"
    if not built.is_file() or built.stat().st_mtime < source.stat().st_mtime:
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(["javac", "-nowarn", "-cp", jars, "-d", str(OUT), str(source)],
                       check=True, capture_output=True, timeout=120)
    return f"{OUT}:{jars}"


def wss4j(classpath: str, *args: str, data: bytes, password: str = "") -> \
        subprocess.CompletedProcess[bytes]:
    return subprocess.run(["java", "-cp", classpath, "Wss4jTool", *args], input=data,
                          capture_output=True, timeout=120,
                          env={**os.environ, "WSS4J_TOOL_PASSWORD": password})


def envelope() -> bytes:
    body = ElementTree.fromstring('<r:Req xmlns:r="urn:r"><r:x>payload</r:x></r:Req>')
    holder = ElementTree.Element(f"{{{wss.ATTACHMENT_HASH_NS}}}attachmentHash")
    ElementTree.SubElement(holder, f"{{{wss.ATTACHMENT_HASH_NS}}}hashValue").text = "abc="
    return soap.envelope(body, (soap.caiso_header("CN=client", "msg-1"), holder))


TAMPERING = [(b">payload<", b">forged<", "Body"), (b">msg-1<", b">msg-2<", "CAISOWSHeader"),
             (b">abc=<", b">xyz=<", "attachmentHash")]


@pytest.mark.parametrize("algorithm", list(wss.Algorithm))
def test_wss4j_verifies_what_the_gateway_signs(classpath: str, pki: Pki,
                                               identity: wss.SigningIdentity,
                                               algorithm: wss.Algorithm) -> None:
    signed = wss.sign(envelope(), identity, algorithm)
    result = wss4j(classpath, "verify", str(pki.ca), data=signed)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().split() == ["Body", "BinarySecurityToken", "CAISOWSHeader",
                                              "attachmentHash"]


@pytest.mark.parametrize("algorithm", list(wss.Algorithm))
def test_we_verify_what_wss4j_signs(classpath: str, pki: Pki, algorithm: wss.Algorithm) -> None:
    result = wss4j(classpath, "sign", str(pki.client.p12), algorithm.name.lower().replace(
        "_", "-"), data=envelope(), password=pki.password)
    assert result.returncode == 0, result.stderr.decode()
    verified = wss.verify(result.stdout, wss.Trust.from_file(pki.ca))
    assert verified.covered == {"Body", "BinarySecurityToken", "CAISOWSHeader",
                                "attachmentHash"}
    assert verified.algorithm == algorithm.signature_uri


@pytest.mark.parametrize(("old", "new", "part"), TAMPERING)
def test_tampering_fails_in_both_directions(classpath: str, pki: Pki,
                                            identity: wss.SigningIdentity, old: bytes,
                                            new: bytes, part: str) -> None:
    ours = wss.sign(envelope(), identity).replace(old, new)
    refused = wss4j(classpath, "verify", str(pki.ca), data=ours)
    assert refused.returncode == 1
    assert b"signature" in refused.stderr.lower()
    theirs = wss4j(classpath, "sign", str(pki.client.p12), "rsa-sha1", data=envelope(),
                   password=pki.password).stdout
    assert old in theirs
    with pytest.raises(wss.WsSecurityError, match=f"the digest of {part} does not match"):
        wss.verify(theirs.replace(old, new), wss.Trust.from_file(pki.ca))


def test_an_unknown_ca_fails_in_both_directions(classpath: str, pki: Pki) -> None:
    rogue = wss.SigningIdentity.from_pem(pki.rogue.cert.read_bytes(),
                                         pki.rogue.key.read_bytes())
    assert wss4j(classpath, "verify", str(pki.ca), data=wss.sign(envelope(), rogue)
                 ).returncode == 1
    theirs = wss4j(classpath, "sign", str(pki.rogue.p12), "rsa-sha1", data=envelope(),
                   password=pki.password).stdout
    with pytest.raises(wss.WsSecurityError, match="not in the trust bundle"):
        wss.verify(theirs, wss.Trust.from_file(pki.ca))


def test_the_soap_mock_takes_a_request_wss4j_signed(classpath: str, pki: Pki,
                                                    identity: wss.SigningIdentity) -> None:
    """A request signed by WSS4J, not by us, passes the SOAP mock's CAISO checks (signature,
    coverage, the Username bound to the certificate) and gets the sample answer."""
    service = "RetrieveMeterDataAvailability_STLMTv1_DocAttach"
    backend = SoapMockBackend.from_corpus(XSD, [service], MockWire(wss.Trust.from_file(pki.ca)))
    op = next(o for o in backend.services[service].service.operations
              if o.name == "retrieveMeterDataAvailability_v1_DocAttach")
    body = ElementTree.parse(op.input.samples[0].path).getroot()
    request = soap.envelope(body, (soap.caiso_header(wss.caiso_username(identity.certificate)),))
    signed = wss4j(classpath, "sign", str(pki.client.p12), "rsa-sha1", data=request,
                   password=pki.password)
    assert signed.returncode == 0, signed.stderr.decode()
    with TestClient(create_soap_mock_app(backend)) as client:
        answer = client.post(f"/{service}", content=signed.stdout,
                             headers={"SOAPAction": op.soap_action})
        assert answer.status_code == 200, answer.text
        tampered = client.post(f"/{service}", content=signed.stdout.replace(
            b"Created>", b"Created> ", 1), headers={"SOAPAction": op.soap_action})
    assert soap.parse(answer.content).body is not None
    fault = soap.parse(tampered.content).fault
    assert fault is not None and fault.string.startswith("Signature validation status: false")
    assert "CAISOWSHeader" in fault.string
