"""The gateway's wire to CAISO, in process: the generated REST pipeline and the gateway, talking
to the real SOAP mock app (through httpx's ASGI transport) playing CAISO: it verifies the
request signature, signs its answer, and can answer CAISO's refusal pages.  Mutual TLS, which
needs sockets, is in test_wire_live.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient
from lxml import etree

from b2b_openapi.codec import attachments as att
from b2b_openapi.codec import soap
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.runtime import mockwire, upstream
from b2b_openapi.runtime.gateway import SoapGateway
from b2b_openapi.runtime.server import REQUEST_ID, ServiceRuntime, Settings, create_app
from b2b_openapi.runtime.soapmock import SoapMockBackend, create_soap_mock_app
from b2b_openapi.runtime.spec import Problem, ServiceSpec
from certs import Pki
from live import CASES
from support import XSD, rendered

# the DocAttach variant: its criteria are query parameters
SERVICE = "RetrieveMeterDataAvailability_STLMTv1_DocAttach"
OPERATION = "retrieveMeterDataAvailability_v1_DocAttach"
CASE = next(c for c in CASES if c.operation == OPERATION)


def identity(pki: Pki, name: str) -> wss.SigningIdentity:
    who = getattr(pki, name)
    return wss.SigningIdentity.from_pem(who.cert.read_bytes(), who.key.read_bytes())


class Tampering(httpx.AsyncBaseTransport):
    """The SOAP mock's answers, with one byte string replaced (a man in the middle)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, old: bytes, new: bytes) -> None:
        self.inner, self.old, self.new = inner, old, new

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        data = (await answer.aread()).replace(self.old, self.new)
        return httpx.Response(answer.status_code, headers=answer.headers, content=data)


@dataclass
class Wire:
    rest: TestClient
    backend: SoapMockBackend

    def call(self, **headers: str) -> httpx.Response:
        return self.rest.get(CASE.path, params=CASE.request,
                             headers={"X-API-Key": "key", **headers})


@pytest.fixture
def wire(request: pytest.FixtureRequest, pki: Pki) -> Iterator[Wire]:
    """Parametrised by a dict: the gateway's ``upstream``, the mock's ``mock`` (MockWire),
    an optional ``tamper`` (old, new) of the answers."""
    options: dict[str, Any] = request.param(pki)
    spec = next(s for s in rendered() if s.service.id.full_name == SERVICE)
    backend = SoapMockBackend.from_corpus(XSD, [SERVICE], options["mock"])
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(create_soap_mock_app(backend))
    if "tamper" in options:
        transport = Tampering(transport, *options["tamper"])
    runtime = ServiceRuntime(ServiceSpec(load_yaml(spec.text)), Settings(
        mode="gateway", api_keys={"key": "alice"},
        soap_endpoint=f"http://soap.test/{SERVICE}", aup_window_seconds=0), spec.wsdl)
    runtime.gateway = SoapGateway(spec.wsdl, f"http://soap.test/{SERVICE}",
                                  transport=transport, upstream=options["upstream"])
    app = create_app(runtime)
    op = runtime.spec.operations[OPERATION]

    async def handle(request: Request) -> Response:
        return await runtime.handle(OPERATION, request)

    app.get(runtime.spec.base_path + op.path)(handle)
    with TestClient(app, raise_server_exceptions=False,
                    base_url="http://rest.test" + runtime.spec.base_path) as client:
        yield Wire(client, backend)


def signing(pki: Pki) -> dict[str, Any]:
    trust = wss.Trust.from_file(pki.ca)
    return {"upstream": upstream.Upstream(identity(pki, "client"), None, trust),
            "mock": mockwire.MockWire(trust, identity(pki, "server"))}


@pytest.mark.parametrize("wire", [signing], indirect=True)
def test_a_signed_call_round_trips_and_carries_the_request_id(wire: Wire, pki: Pki) -> None:
    answer = wire.call(**{REQUEST_ID: "req-42"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == CASE.expected
    assert answer.headers[REQUEST_ID] == "req-42"
    sent = wire.backend.received
    assert sent is not None
    verified = wss.verify(sent, wss.Trust.from_file(pki.ca))
    assert verified.covered == {"Body", "BinarySecurityToken", "CAISOWSHeader"}
    (header,) = [h for h in soap.parse(sent).headers if h.tag.endswith("CAISOWSHeader")]
    q = f"{{{soap.CAISO_HEADER_NS}}}"
    assert header.findtext(f"{q}CAISOMessageInfo/{q}MessageID") == "req-42"
    # the Username is the user bound to the certificate the gateway signs with
    assert header.findtext(f"{q}CAISOUsernameToken/{q}Username") == \
        wss.caiso_username(verified.certificate)
    generated = wire.call()
    assert generated.status_code == 200 and len(generated.headers[REQUEST_ID]) == 36
    refused = wire.call(**{REQUEST_ID: "x" * 129})
    assert refused.status_code == 400 and refused.headers[REQUEST_ID] != "x" * 129


def unsigned_to_a_verifying_mock(pki: Pki) -> dict[str, Any]:
    return {"upstream": upstream.Upstream(),
            "mock": mockwire.MockWire(wss.Trust.from_file(pki.ca))}


def rogue_signer(pki: Pki) -> dict[str, Any]:
    return {"upstream": upstream.Upstream(identity(pki, "rogue")),
            "mock": mockwire.MockWire(wss.Trust.from_file(pki.ca))}


@pytest.mark.parametrize(("wire", "says"), [
    (unsigned_to_a_verifying_mock, "not signed"), (rogue_signer, "not in the trust bundle")],
    indirect=["wire"])
def test_caisos_signature_refusal_is_a_clear_502(wire: Wire, says: str) -> None:
    answer = wire.call()
    assert answer.status_code == 502
    body = answer.json()
    assert body["title"] == "CAISO refused the request signature"
    assert body["detail"].startswith(upstream.SIGNATURE_MARK)


def unsigned_answers(pki: Pki) -> dict[str, Any]:
    return {"upstream": upstream.Upstream(response_trust=wss.Trust.from_file(pki.ca)),
            "mock": mockwire.MockWire()}


def rogue_answers(pki: Pki) -> dict[str, Any]:
    return {"upstream": upstream.Upstream(response_trust=wss.Trust.from_file(pki.ca)),
            "mock": mockwire.MockWire(signer=identity(pki, "rogue"))}


def tampered_answers(pki: Pki) -> dict[str, Any]:
    # whitespace inside the signed Body, beside the attachment (whose own hash would catch
    # an edit of the document before the signature is checked)
    return {**signing(pki), "tamper": (b"ISOAttachment>\n    <", b"ISOAttachment>\n     <")}


@pytest.mark.parametrize(("wire", "reason"), [
    (unsigned_answers, "the envelope is not signed (no wsse:Security header)"),
    (rogue_answers, "is not in the trust bundle"),
    (tampered_answers, "the digest of Body does not match: changed after signing")],
    indirect=["wire"])
def test_unsigned_untrusted_or_tampered_answers_are_502s(wire: Wire, reason: str) -> None:
    answer = wire.call()
    assert answer.status_code == 502, answer.text
    assert answer.json()["title"] == "SOAP response signature check failed"
    assert reason in answer.json()["detail"]


def plain(pki: Pki) -> dict[str, Any]:
    return {"upstream": upstream.Upstream(), "mock": mockwire.MockWire()}


@pytest.mark.parametrize("wire", [plain], indirect=True)
def test_caisos_pages_are_mapped(wire: Wire) -> None:
    wire.backend.wire.show("aup")
    answer = wire.call()
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "30"  # the operation's window
    assert upstream.AUP_MARK in answer.json()["detail"]
    wire.backend.wire.show("forbidden")
    answer = wire.call()
    assert answer.status_code == 403
    assert "client certificate has no access" in answer.json()["detail"]
    wire.backend.wire.show(None)
    assert wire.call().status_code == 200


def test_the_mock_refuses_a_username_not_bound_to_the_certificate(pki: Pki) -> None:
    backend = SoapMockBackend.from_corpus(
        XSD, [SERVICE], mockwire.MockWire(wss.Trust.from_file(pki.ca)))
    op = backend.services[SERVICE].by_action(
        next(o.soap_action for o in backend.services[SERVICE].service.operations
             if o.name == OPERATION))
    assert op is not None
    sample = Path(op.input.samples[0].path).read_bytes()
    from xml.etree import ElementTree
    body = ElementTree.fromstring(sample)
    envelope = soap.envelope(body, (soap.caiso_header("someone else"),))
    signed = wss.sign(envelope, identity(pki, "client"))
    with TestClient(create_soap_mock_app(backend)) as client:
        answer = client.post(f"/{SERVICE}", content=signed,
                             headers={"SOAPAction": op.soap_action})
    fault = soap.parse(answer.content).fault
    assert fault is not None and fault.string == upstream.USERNAME_MARK
    problem = upstream.refusal(500, {}, answer.content, 30)
    assert problem is not None and problem.status == 502
    assert problem.title == "CAISO refused the CAISOWSHeader username"


def test_the_endpoint_presets_name_caisos_hosts() -> None:
    assert upstream.preset_endpoint("map-stage", "CMRI",
                                    "RetrieveGasBurnSummaryData_CMRIv1_DocAttach") == \
        "https://wsmap.caiso.com/sst/cmri/RetrieveGasBurnSummaryData_CMRIv1_DocAttach_AP"
    assert upstream.preset_endpoint("production", "MRIS", SERVICE).startswith(
        "https://ws.caiso.com/sst/mris/")
    with pytest.raises(upstream.UpstreamError, match="known: map-stage, production"):
        upstream.preset_endpoint("staging", "CMRI", SERVICE)


def docattach_envelope(text: str, hash_of: str | None = None) -> bytes:
    from xml.etree import ElementTree
    body = ElementTree.Element(f"{{{att.ISO_ATTACHMENT_NS}}}ISOAttachment")
    ElementTree.SubElement(body, f"{{{att.ISO_ATTACHMENT_NS}}}AttachmentValue").text = text
    headers = (att.hash_header(hash_of),) if hash_of is not None else ()
    return soap.envelope(body, headers)


def test_answers_with_attachments_are_checked_before_decoding() -> None:
    wire = upstream.Upstream()
    text = att.encode(b"<Payload/>")
    # DocAttach: the AttachmentValue against the attachmentHash header
    good = docattach_envelope(text, text)
    assert wire.check(200, {"content-type": "text/xml"}, good, 30) == good
    with pytest.raises(Problem) as caught:
        wire.check(200, {"content-type": "text/xml"}, docattach_envelope(text, text + "A"), 30)
    assert caught.value.status == 502 and caught.value.detail is not None
    assert caught.value.detail.startswith("HashMismatch")
    with pytest.raises(Problem) as caught:
        wire.check(200, {}, docattach_envelope("bm90IGd6aXA="), 30)
    assert caught.value.detail is not None and caught.value.detail.startswith("BadGzip")
    # SwA: the envelope is what gets decoded, once its attachment part matches the hash
    envelope = soap.envelope(None, (att.hash_header(text),))
    body, content_type = att.build_swa(envelope, text)
    checked = wire.check(200, {"content-type": content_type}, body, 30)
    assert etree.tostring(etree.fromstring(checked), method="c14n") == \
        etree.tostring(etree.fromstring(envelope), method="c14n")  # MIME's CRLF line ends
    body, content_type = att.build_swa(envelope, att.encode(b"<Other/>"))
    with pytest.raises(Problem) as caught:
        wire.check(200, {"content-type": content_type}, body, 30)
    assert caught.value.title == "SOAP response attachment is unusable"


def test_a_docattach_request_gets_a_signed_attachment_hash(pki: Pki) -> None:
    text = att.encode(b"<Bids/>")
    signed = upstream.Upstream(identity(pki, "client")).sign(docattach_envelope(text))
    assert att.hash_value(signed) == att.attachment_hash(text)
    covered = wss.verify(signed, wss.Trust.from_file(pki.ca), required=wss.RESPONSE_PARTS)
    assert "attachmentHash" in covered.covered


def test_a_preset_names_each_services_endpoint() -> None:
    spec = next(s for s in rendered() if s.service.id.full_name == SERVICE)
    settings = Settings.from_env({"B2B_MODE": "gateway", "B2B_API_KEYS": "k=u",
                                  "B2B_SOAP_ENDPOINT_PRESET": "map-stage"})
    runtime = ServiceRuntime(ServiceSpec(load_yaml(spec.text)), settings, spec.wsdl)
    assert runtime.gateway is not None
    assert runtime.gateway.endpoint == f"https://wsmap.caiso.com/sst/mris/{SERVICE}_AP"
    with_secret = Settings.from_env({"B2B_MODE": "mock", "B2B_API_KEYS": "k=u",
                                     "B2B_SOAP_CLIENT_PASSWORD": "s3cret"})
    assert with_secret.upstream.password == b"s3cret" and "s3cret" not in repr(with_secret)
