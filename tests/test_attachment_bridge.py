"""Attachments mapped by the gateway (docs/gateway.md "How attachments map"), in process: the
generated REST pipeline and the gateway talking to the real SOAP mock app (httpx's ASGI
transport).  CAISO's real GasBurn package (../shared, built into servers as a user would)
answers the payload document's JSON over both wire variants (SwA and DocAttach); damaged
attachments are 502s naming the cause; a submit-style DocAttach request (a small
CAISO-shaped package, test_packages.py's) reaches the mock hashed and decodable."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import xmlschema
from fastapi import Request, Response
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from test_packages import PAYLOAD_XSD, SOA, SWA_OUTPUT, only_operation, package, wsdl
from test_real_artifacts import CMRI, PACKAGES, REAL
from typer.testing import CliRunner

from b2b_openapi.cli import app as cli
from b2b_openapi.codec import attachments as att
from b2b_openapi.codec import jsonxml, soap
from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.codec.payload import AttachmentForm, PayloadCodec
from b2b_openapi.runtime import attachment_bridge, mockwire, upstream
from b2b_openapi.runtime.gateway import SoapGateway
from b2b_openapi.runtime.server import ServiceRuntime, Settings, create_app
from b2b_openapi.runtime.soapmock import SoapMockBackend, create_soap_mock_app
from b2b_openapi.runtime.spec import Problem, ServiceSpec
from b2b_openapi.xsd.wsdl import load_wsdl
from certs import Pki

real = pytest.mark.skipif(not PACKAGES, reason=f"no real packages at {REAL} (../shared is "
                          "beside the checkout in CI only)")
SUMMARY = "RetrieveGasBurnSummaryData_CMRIv1"
Edit = Callable[[str, bytes], bytes]


class Rewriting(httpx.AsyncBaseTransport):
    """The SOAP mock's answers passed through ``edit(content_type, body)`` (a man in the
    middle, or a CAISO that answers something else)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, edit: Edit) -> None:
        self.inner, self.edit = inner, edit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        data = self.edit(answer.headers.get("content-type", ""), await answer.aread())
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
        return httpx.Response(answer.status_code, headers=headers, content=data)


@dataclass
class Rig:
    rest: TestClient
    backend: SoapMockBackend
    spec: ServiceSpec
    path: str
    example: Any
    folder: Path

    def post(self, body: Any = None) -> httpx.Response:
        return self.rest.post(self.spec.base_path + self.path,
                              json=self.example if body is None else body,
                              headers={"X-API-Key": "key"})

    def codec(self, side: str) -> PayloadCodec:
        (op,) = self.spec.operations.values()
        form = AttachmentForm.from_extension(op.raw["x-caiso-attachment"][side])
        assert form is not None
        return PayloadCodec.load(form, self.folder)


def rig(document: dict[str, Any], wsdl_path: Path, corpus: Path, name: str,
        edit: Edit | None = None, gateway_side: upstream.Upstream | None = None,
        wire: mockwire.MockWire | None = None) -> Iterator[Rig]:
    """REST app (gateway mode) -> gateway -> the SOAP mock of ``corpus``'s service."""
    backend = SoapMockBackend.from_corpus(corpus, [name], wire)
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(create_soap_mock_app(backend))
    if edit is not None:
        transport = Rewriting(transport, edit)
    spec = ServiceSpec(document)
    runtime = ServiceRuntime(spec, Settings(
        mode="gateway", api_keys={"key": "alice"}, soap_endpoint=f"http://soap.test/{name}",
        aup_window_seconds=0), wsdl_path)
    runtime.gateway = SoapGateway(wsdl_path, f"http://soap.test/{name}", transport=transport,
                                  upstream=gateway_side)
    rest = create_app(runtime)
    ((op_id, op),) = spec.operations.items()

    async def handle(request: Request) -> Response:
        return await runtime.handle(op_id, request)

    rest.post(spec.base_path + op.path)(handle)
    example = next(iter(op.raw["requestBody"]["content"]["application/json"][
        "examples"].values()))["value"]
    with TestClient(rest, raise_server_exceptions=False) as client:
        yield Rig(client, backend, spec, op.path, example, wsdl_path.parent)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CAISO's GasBurnSummaryData package as published, built into server apps."""
    if not PACKAGES:
        pytest.skip(f"no real packages at {REAL}")
    out = tmp_path_factory.mktemp("gasburn")
    result = CliRunner().invoke(cli, [
        "build", "--xsd", str(CMRI / "GasBurnSummaryData"), "--specs", str(out / "specs"),
        "--build", str(out / "build"), "--postman", str(out / "postman"), "--jobs", "1",
        "--no-cache"])
    assert result.exit_code == 0, result.output
    return out / "build" / "servers" / "CMRI"


def real_rig(servers: Path, name: str, **options: Any) -> Iterator[Rig]:
    folder = servers / name
    wsdl_path = next(folder.glob("artifacts/**/*.wsdl"))
    return rig(load_yaml(folder / "openapi.yaml"), wsdl_path, CMRI / "GasBurnSummaryData",
               name, **options)


def _payload_element(folder: Path) -> Any:
    """The payload element as xmlschema reads CAISO's XSD on its own (the reference)."""
    schema = xmlschema.XMLSchema(str(folder / "GasBurnSummaryData_v1.xsd"))
    return schema.elements["GasBurnSummaryData"]


@real
@pytest.mark.parametrize("variant", ["", "_DocAttach"])
def test_real_gasburn_answers_the_payload_json(servers: Path, variant: str) -> None:
    """Both wire variants of CAISO's real package: the REST answer is the payload JSON,
    equal to the converter's decoding of the payload XML the mock attached; the payload
    XSD travelled into the server's artifacts/."""
    for r in real_rig(servers, SUMMARY + variant):
        answer = r.post()
        assert answer.status_code == 200, answer.text
        codec = r.codec("response")
        (op,) = r.spec.operations.values()
        sent = r.backend.services[SUMMARY + variant].example(
            next(o for o in r.backend.services[SUMMARY + variant].service.operations))
        xml = etree.fromstring(codec.to_xml(sent))
        expected = jsonxml.decode(_payload_element(r.folder), xml)
        assert answer.json() == jsonish(jsonxml.decode(codec.element, xml)) == \
            jsonish(expected)
        assert answer.json()["MessagePayload"]["GasBurnSummaryRecord"]
        assert op.raw["x-caiso-attachment"]["response"]["form"] == (
            "docattach" if variant else "swa")


def jsonish(value: Any) -> Any:
    """A decoded value as it reads back from JSON text (decimals as JSON numbers)."""
    if isinstance(value, dict):
        return {k: jsonish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonish(v) for v in value]
    return float(value) if isinstance(value, Decimal) else value


@real
def test_real_gasburn_signed_both_ways(servers: Path, pki: Pki) -> None:
    """Signed request, signed answer (its signature covers attachmentHash and
    standardAttachmentInfor), payload JSON out."""
    trust = wss.Trust.from_file(pki.ca)
    client = wss.SigningIdentity.from_pem(pki.client.cert.read_bytes(),
                                          pki.client.key.read_bytes())
    server = wss.SigningIdentity.from_pem(pki.server.cert.read_bytes(),
                                          pki.server.key.read_bytes())
    for r in real_rig(servers, SUMMARY + "_DocAttach",
                      gateway_side=upstream.Upstream(client, None, trust),
                      wire=mockwire.MockWire(trust, server)):
        answer = r.post()
        assert answer.status_code == 200, answer.text
        assert "MessagePayload" in answer.json()


def _docattach(text: bytes | str, fix_hash: bool = True) -> Edit:
    """An edit of a DocAttach answer: another AttachmentValue, the hash made to match it
    (or left as it was)."""
    def edit(_content_type: str, data: bytes) -> bytes:
        root = etree.fromstring(data)
        (value,) = root.iter(f"{{{att.ISO_ATTACHMENT_NS}}}AttachmentValue")
        value.text = text if isinstance(text, str) else text.decode()
        if fix_hash:
            (hashed,) = root.iter(f"{{{att.ATTACHMENT_HASH_NS}}}hashValue")
            hashed.text = att.attachment_hash(value.text)
        out: bytes = etree.tostring(root)
        return out
    return edit


def _swa_other_part(content_type: str, data: bytes) -> bytes:
    """A SwA answer whose attachment part is not the one its hash names."""
    (old,) = att.parse_multipart(content_type, data).parts.values()
    return data.replace(old, att.encode(b"<other/>").encode())


INVALID = (b'<m:GasBurnSummaryData xmlns:m="http://www.caiso.com/soa/GasBurnSummaryData_v1.xsd#">'
           b"<m:MessageHeader><m:TimeDate>not a time</m:TimeDate><m:Source>CMRI</m:Source>"
           b"</m:MessageHeader></m:GasBurnSummaryData>")
CAISO_ERROR = (b'<m:outputDataType xmlns:m="http://www.caiso.com/soa/2006-06-13/StandardOutput.xsd">'
               b"<m:EventLog><m:Event><m:result>Failure</m:result><m:description>Invalid role "
               b"and/or Entity list identifier.</m:description></m:Event></m:EventLog>"
               b"</m:outputDataType>")


@real
@pytest.mark.parametrize(("variant", "edit", "status", "cause"), [
    ("_DocAttach", _docattach(att.encode(b"<x/>"), fix_hash=False), 502, "HashMismatch"),
    ("_DocAttach", _docattach(base64.b64encode(b"not gzip")), 502, "BadGzip"),
    ("_DocAttach", _docattach("!!not base64!!"), 502, "BadBase64"),
    ("_DocAttach", _docattach(att.encode(INVALID)), 502, "GasBurnSummaryData_v1.xsd"),
    ("_DocAttach", _docattach(base64.b64encode(gzip.compress(CAISO_ERROR))), 400,
     "Invalid role and/or Entity list identifier."),
    ("", _swa_other_part, 502, "HashMismatch"),
], ids=["hash", "gzip", "base64", "xsd", "caiso-error", "swa-hash"])
def test_damaged_attachments_are_named(servers: Path, variant: str, edit: Edit, status: int,
                                       cause: str) -> None:
    for r in real_rig(servers, SUMMARY + variant, edit=edit):
        answer = r.post()
        assert answer.status_code == status, answer.text
        assert cause in answer.json()["detail"]
        if status == 400:
            assert answer.json()["title"] == "CAISO error document in the attachment"
            assert answer.json()["fault"]["EventLog"][0]["Event"][0]["result"] == "Failure"


SUBMIT = "submitWidgetData_v1_DocAttach"


@pytest.fixture(scope="module")
def submit_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A small CAISO-shaped submit package: the request is ISOAttachment carrying
    WidgetData, the answer a plain document."""
    root = tmp_path_factory.mktemp("submit")
    corpus = package(root / "in", {
        f"{SUBMIT}.wsdl": wsdl(SUBMIT, request='element="att:ISOAttachment"',
                               response='element="in:RequestWidgetData"'),
        "WidgetData_v1.xsd": PAYLOAD_XSD})
    (corpus / "b2b-packages.toml").write_text('default_system = "SIBR"\n')
    result = CliRunner().invoke(cli, ["specs", "--xsd", str(corpus), "--specs",
                                      str(root / "specs")])
    assert result.exit_code == 0, result.output
    return corpus, load_yaml(root / "specs" / "SIBR" / "SubmitWidgetData_SIBRv1_DocAttach.yaml")


def test_submit_docattach_request_arrives_hashed_and_decodable(
        submit_package: tuple[Path, dict[str, Any]]) -> None:
    corpus, document = submit_package
    sent = {"record": [{"resource": "ABCD_1", "mw": 12}, {"resource": "WXYZ_9", "mw": -5}]}
    for r in rig(document, corpus / "WidgetData" / "20240101" / f"{SUBMIT}.wsdl", corpus,
                 "SubmitWidgetData_SIBRv1_DocAttach"):
        answer = r.post(sent)
        assert answer.status_code == 200, answer.text
        envelope = r.backend.received
        assert envelope is not None
        text = att.attachment_value(envelope)
        assert text is not None and att.hash_value(envelope) == att.attachment_hash(text)
        assert r.backend.received_payload == sent
        assert r.codec("request").decode(text, att.hash_value(envelope)) == sent
        bad = r.post({"record": [{"resource": "lower_1", "mw": 1}]})
        assert bad.status_code == 422, bad.text


def test_mock_refuses_a_request_whose_attachment_is_not_its_hash(
        submit_package: tuple[Path, dict[str, Any]]) -> None:
    corpus, document = submit_package
    for r in rig(document, corpus / "WidgetData" / "20240101" / f"{SUBMIT}.wsdl", corpus,
                 "SubmitWidgetData_SIBRv1_DocAttach"):
        codec = r.codec("request")
        out = attachment_bridge.outgoing(codec, {"record": [{"resource": "ABCD_1", "mw": 1}]})
        schema = r.backend.services["SubmitWidgetData_SIBRv1_DocAttach"].schema
        body = attachment_bridge.value_body(codec.form, schema, att.encode(b"<other/>"))
        envelope = soap.envelope(body, (soap.caiso_header("alice"), *out.headers))
        answer = r.backend.answer("SubmitWidgetData_SIBRv1_DocAttach", f"{SOA}/{SUBMIT}",
                                  envelope)
        assert answer.status_code == 500 and b"HashMismatch" in answer.body


RECORDS = st.lists(st.fixed_dictionaries({
    "resource": st.from_regex(r"\A[A-Z]{4}_[0-9]\Z"),
    "mw": st.decimals(min_value=-5, max_value=500, places=2, allow_nan=False)}),
    min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(records=RECORDS, form=st.sampled_from(["docattach", "swa"]))
def test_payload_round_trips_through_each_wire_form(
        submit_package: tuple[Path, dict[str, Any]], records: list[dict[str, Any]],
        form: str) -> None:
    """JSON -> payload XML -> gzip -> base64 -> container or MIME part -> back: the same
    JSON (the mock's reading and the gateway's are one code path)."""
    corpus, document = submit_package
    entry = next(o for i in document["paths"].values() for o in i.values())[
        "x-caiso-attachment"]["request"]
    base = AttachmentForm.from_extension(entry)
    assert base is not None
    codec = PayloadCodec.load(base if form == "docattach" else AttachmentForm(
        "swa", base.element, base.schema_file, "widget_attachment"),
        corpus / "WidgetData" / "20240101")
    value = {"record": records}
    out = attachment_bridge.outgoing(codec, value)
    body = (attachment_bridge.value_body(codec.form, _wsdl_schema(corpus), out.text)
            if form == "docattach" else ElementTree.Element("{urn:x}wrapper"))
    envelope = soap.envelope(body, out.headers)
    content, content_type = attachment_bridge.package(codec, envelope, out.text)
    received = envelope if form == "docattach" else att.parse_multipart(
        content_type, content).envelope
    assert attachment_bridge.answer_json(codec, content_type, content, received) == value


@cache
def _wsdl_schema(corpus: Path) -> Any:
    return load_wsdl(corpus / "WidgetData" / "20240101" / f"{SUBMIT}.wsdl").schema


MTOM_POLICY = ('\n  <wsp:Policy xmlns:wsp="http://www.w3.org/ns/ws-policy" wsu:Id="m" xmlns:wsu='
               '"urn:u"><wsoma:OptimizedMimeSerialization xmlns:wsoma="http://www.w3.org/2007/'
               '08/soap12-mtom-policy"/></wsp:Policy>')
RETRIEVE, SUBMIT_SWA = "retrieveWidgetData_v1", "submitWidgetData_v1"
SUBMIT_MTOM = "submitWidgetMtom_v1"


def _swa_input(text: str, name: str, part: str) -> str:
    """A WSDL's rpc input turned into SOAP with Attachments (``part`` a mime:content)."""
    body = f'<soap:body use="literal" namespace="{SOA}/{name}"/>'
    assert f"<wsdl:input>{body}</wsdl:input>" in text
    return text.replace(f"<wsdl:input>{body}</wsdl:input>", (
        f"<wsdl:input><mime:multipartRelated><mime:part>{body}</mime:part><mime:part>"
        f'<mime:content part="{part}" type="application/octetstream"/></mime:part>'
        "</mime:multipartRelated></wsdl:input>"))


@pytest.fixture(scope="module")
def mime_packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """An rpc retrieve answering MTOM (SOAP 1.1, the policy assertion) and an rpc submit
    sending its document as a SwA part, in CAISO's shapes."""
    root = tmp_path_factory.mktemp("mime")
    corpus = package(root / "in", {
        f"{RETRIEVE}.wsdl": wsdl(RETRIEVE, style="rpc", request='element="in:RequestWidgetData"',
                                 response='type="xs:base64Binary"', output=SWA_OUTPUT,
                                 extra=MTOM_POLICY),
        "WidgetData_v1.xsd": PAYLOAD_XSD})
    package(corpus, {"WidgetData_v1.xsd": PAYLOAD_XSD, f"{SUBMIT_SWA}.wsdl": _swa_input(
        wsdl(SUBMIT_SWA, style="rpc", request='type="xs:base64Binary"',
             response='element="in:RequestWidgetData"'), SUBMIT_SWA, "requestData")},
        folder="WidgetSubmit/20240101")
    package(corpus, {"WidgetData_v1.xsd": PAYLOAD_XSD, f"{SUBMIT_MTOM}.wsdl": _swa_input(
        wsdl(SUBMIT_MTOM, style="rpc", request='type="xs:base64Binary"',
             response='element="in:RequestWidgetData"', extra=MTOM_POLICY), SUBMIT_MTOM,
        "requestData")}, folder="WidgetMtom/20240101")
    (corpus / "b2b-packages.toml").write_text('default_system = "SIBR"\n')
    result = CliRunner().invoke(cli, ["specs", "--xsd", str(corpus), "--specs",
                                      str(root / "specs")])
    assert result.exit_code == 0, result.output
    return corpus, {p.stem: load_yaml(p) for p in (root / "specs" / "SIBR").glob("*.yaml")}


def test_mtom_answer_is_the_payload_json(mime_packages: tuple[Path, dict[str, Any]]) -> None:
    corpus, documents = mime_packages
    seen: list[str] = []

    def record(content_type: str, data: bytes) -> bytes:
        seen.append(content_type)
        return data

    name = "RetrieveWidgetData_SIBRv1"
    for r in rig(documents[name], corpus / "WidgetData" / "20240101" / f"{RETRIEVE}.wsdl",
                 corpus, name, edit=record):
        answer = r.post()
        assert answer.status_code == 200, answer.text
        mock = r.backend.services[name]
        sent = mock.example(mock.service.operations[0])
        codec = r.codec("response")
        assert answer.json() == jsonish(codec.to_json(codec.to_xml(sent)))
        assert seen[0].startswith("multipart/related") and "application/xop+xml" in seen[0]


@pytest.mark.parametrize(("name", "folder", "form"), [
    ("SubmitWidgetData_SIBRv1", f"WidgetSubmit/20240101/{SUBMIT_SWA}.wsdl", "swa"),
    ("SubmitWidgetMtom_SIBRv1", f"WidgetMtom/20240101/{SUBMIT_MTOM}.wsdl", "mtom")],
    ids=["swa", "mtom"])
def test_mime_submit_request_arrives_as_a_hashed_part(
        mime_packages: tuple[Path, dict[str, Any]], name: str, folder: str,
        form: str) -> None:
    corpus, documents = mime_packages
    sent = {"record": [{"resource": "QRST_4", "mw": 499}]}
    op = only_operation(documents[name])
    assert op["x-caiso-attachment"]["request"]["form"] == form
    for r in rig(documents[name], corpus / folder, corpus, name):
        answer = r.post(sent)
        assert answer.status_code == 200, answer.text
        assert r.backend.received_payload == sent
        assert r.backend.received is not None
        assert att.hash_value(r.backend.received) is not None
        # the answer (an rpc wrapper with an element part) decoded part by part
        assert set(answer.json()) == {"widget_attachment"}


def test_a_server_without_its_payload_xsd_says_so(
        submit_package: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """A server whose artifacts/ lost the payload XSD: a 500 naming the file, not a
    traceback."""
    corpus, document = submit_package
    folder = tmp_path / "artifacts"
    for path in (corpus / "WidgetData" / "20240101").iterdir():
        if path.name != "WidgetData_v1.xsd":
            (folder / path.name).parent.mkdir(exist_ok=True)
            (folder / path.name).write_bytes(path.read_bytes())
    gateway = SoapGateway(folder / f"{SUBMIT}.wsdl", "http://soap.test/x")
    (op,) = ServiceSpec(document).operations.values()
    with pytest.raises(Problem) as raised:
        gateway.attachments(op)
    assert raised.value.status == 500 and "WidgetData_v1.xsd" in (raised.value.detail or "")
