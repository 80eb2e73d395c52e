"""Real packages, exactly as published (../shared/real-artifacts), build with no edits.

Each package is copied to a scratch folder and built as a user would (``specs``): every
concrete WSDL becomes one valid spec with as many operations as its binding, attachment
services speak their payload document's JSON, and every synthesized example is valid
against its schema.  Where ../shared is absent (a user's clone) these tests skip.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from fastapi.testclient import TestClient
from lxml import etree
from openapi_schema_validator import OAS30Validator
from typer.testing import CliRunner

from b2b_openapi.cli import app
from b2b_openapi.codec import jsonxml
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.xsd.wsdl import load_wsdl

REAL = Path(os.environ.get("B2B_REAL_ARTIFACTS") or
            Path(__file__).resolve().parents[1].parent / "shared" / "real-artifacts")
PACKAGES = sorted(p for p in REAL.iterdir() if p.is_dir()) if REAL.is_dir() else []
pytestmark = pytest.mark.skipif(not PACKAGES, reason=f"no real packages at {REAL} "
                                "(../shared is beside the checkout in CI only; "
                                "B2B_REAL_ARTIFACTS names another place)")
W = "{http://schemas.xmlsoap.org/wsdl/}"
CMRI = REAL / "caiso-cmri-gasburn-v1"


def _concrete(package: Path) -> dict[str, int]:
    """WSDL file -> operations of its bindings, for every concrete WSDL."""
    out = {}
    for wsdl in sorted(package.rglob("*.wsdl")):
        root = etree.parse(str(wsdl)).getroot()
        bindings = root.findall(W + "binding")
        if bindings:
            out[wsdl.name] = len({op.get("name") for b in bindings
                                  for op in b.findall(W + "operation")})
    return out


def _specs(corpus: Path, target: Path) -> tuple[Any, list[Path]]:
    result = CliRunner().invoke(app, ["specs", "--xsd", str(corpus), "--specs", str(target)])
    return result, sorted(target.rglob("*.yaml"))


def _validate_examples(document: dict[str, Any]) -> int:
    """Check every example against its schema; how many there were."""
    checked = 0
    for item in document["paths"].values():
        for op in item.values():
            media = [op.get("requestBody", {}).get("content", {}).get("application/json"),
                     op["responses"]["200"]["content"]["application/json"]]
            for content in filter(None, media):
                schema = {**content["schema"], "components": document["components"]}
                for example in content.get("examples", {}).values():
                    OAS30Validator(schema).validate(example["value"])
                    checked += 1
    return checked


@pytest.mark.parametrize("package", PACKAGES, ids=[p.name for p in PACKAGES])
def test_real_package_builds_as_published(package: Path, tmp_path: Path) -> None:
    shutil.copytree(package, tmp_path / "in" / package.name)
    result, specs = _specs(tmp_path / "in", tmp_path / "specs")
    assert result.exit_code == 0, result.output
    wsdls = _concrete(package)
    assert len(specs) == len(wsdls), [p.name for p in specs]
    operations = sorted(len(load_yaml(p)["paths"]) for p in specs)
    assert operations == sorted(wsdls.values())
    for spec in specs:
        assert _validate_examples(load_yaml(spec)) >= 1


def test_cmri_identity_and_payload_documents(tmp_path: Path) -> None:
    """CAISO's API names, the CMRI system from the built-in table, and the payload XSD
    (imported by neither WSDL) behind both the SwA and the DocAttach variant."""
    result, specs = _specs(CMRI, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    assert [p.relative_to(tmp_path / "specs").as_posix() for p in specs] == [
        "CMRI/RetrieveGasBurnResourceData_CMRIv1.yaml",
        "CMRI/RetrieveGasBurnResourceData_CMRIv1_DocAttach.yaml",
        "CMRI/RetrieveGasBurnSummaryData_CMRIv1.yaml",
        "CMRI/RetrieveGasBurnSummaryData_CMRIv1_DocAttach.yaml"]
    for spec, form in ((specs[2], "swa"), (specs[3], "docattach")):
        document = load_yaml(spec)
        (op,) = [o for item in document["paths"].values() for o in item.values()]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": "#/components/schemas/GasBurnSummaryData"}
        attachment = op["x-caiso-attachment"]["response"]
        assert attachment["form"] == form
        assert attachment["payloadElement"] == "GasBurnSummaryData"
        assert attachment["payloadNamespace"] == (
            "http://www.caiso.com/soa/GasBurnSummaryData_v1.xsd#")
        assert attachment["compression"] == "gzip" and attachment["encoding"] == "base64"
        assert attachment["infoHeader"]["name"] == "standardAttachmentInfor"
        assert op["x-soap-response-headers"] == [{
            "name": "standardAttachmentInfor",
            "namespace": "http://www.caiso.com/soa/2006-06-13/StandardAttachmentInfor.xsd"}]
    swa = load_yaml(specs[2])
    (op,) = swa["paths"]["/retrieveGasBurnSummaryData"].values()
    assert op["x-soap-request-element"] == {
        "name": "retrieveGasBurnSummaryData_v1",
        "namespace": "http://www.caiso.com/soa/retrieveGasBurnSummaryData_v1"}
    assert op["x-soap-rpc"]["request"] == [{"name": "requestData", "type": {
        "name": "RequestGasBurnSummary",
        "namespace": "http://www.caiso.com/soa/RequestGasBurnSummaryData_v1.xsd#"}}]
    assert "synthesized from the schema" in result.stderr


def test_missing_payload_xsd_is_a_base64_fallback_with_a_warning(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(CMRI / "GasBurnSummaryData", corpus / "GasBurnSummaryData")
    (corpus / "GasBurnSummaryData" / "20171001" / "GasBurnSummaryData_v1.xsd").unlink()
    result, specs = _specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    assert "no payload XSD in the package" in result.stderr
    document = load_yaml(specs[1])
    (op,) = [o for item in document["paths"].values() for o in item.values()]
    assert op["x-caiso-attachment"]["response"]["fallback"] == "base64"
    assert op["x-caiso-attachment"]["response"]["payloadElement"] is None


def test_zip_package_and_newest_release(tmp_path: Path) -> None:
    """A .zip package as downloaded; an older release of the same major version beside
    it is ignored with a warning."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    with zipfile.ZipFile(corpus / "GasBurnSummaryData.zip", "w") as package:
        for path in sorted((CMRI / "GasBurnSummaryData").rglob("*")):
            if path.is_file():
                package.write(path, path.relative_to(CMRI).as_posix())
    shutil.copytree(CMRI / "GasBurnSummaryData" / "20171001",
                    corpus / "GasBurnSummaryData" / "20160101")
    result, specs = _specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    assert len(specs) == 2
    assert "release 20160101 of RetrieveGasBurnSummaryData_CMRIv1 ignored" in result.stderr


def test_mapping_file_names_an_unknown_service(tmp_path: Path) -> None:
    nodal = REAL / "ercot-ews-nodal"
    shutil.copytree(nodal, tmp_path / "in" / "nodal")
    result, specs = _specs(tmp_path / "in", tmp_path / "specs")
    assert result.exit_code == 0 and "unknown service 'Nodal'" in result.stderr
    assert [p.name for p in specs] == ["Nodal_B2Bv1.yaml"]
    assert "abstract WSDL (no wsdl:binding) skipped" in result.stderr
    assert "resolved to" in result.stderr  # Message.xsd, found elsewhere in the package
    (tmp_path / "in" / "b2b-packages.toml").write_text(
        '[services.Nodal]\nsystem = "ERCOT"\nname = "NodalService"\nversion = 3\n')
    result, specs = _specs(tmp_path / "in", tmp_path / "specs2")
    assert result.exit_code == 0, result.output
    assert "unknown service" not in result.stderr
    assert [p.relative_to(tmp_path / "specs2").as_posix() for p in specs] == [
        "ERCOT/NodalService_ERCOTv3.yaml"]


def _load_app(app_py: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"real_app_{app_py.parent.name}", app_py)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


@pytest.mark.parametrize("package", PACKAGES, ids=[p.name for p in PACKAGES])
def test_mock_servers_of_real_packages_answer_every_operation(
        package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`build` on the package as published, then every operation of every generated mock
    server answers 200 with its (synthesized) example request."""
    shutil.copytree(package, tmp_path / "in" / package.name)
    result = CliRunner().invoke(app, [
        "build", "--xsd", str(tmp_path / "in"), "--specs", str(tmp_path / "specs"),
        "--build", str(tmp_path / "build"), "--postman", str(tmp_path / "postman"),
        "--jobs", "1", "--no-cache"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("B2B_API_KEYS", "k-real=real")
    monkeypatch.setenv("B2B_MODE", "mock")
    apps = sorted((tmp_path / "build" / "servers").glob("*/*/app.py"))
    assert len(apps) == len(_concrete(package))
    answered = 0
    for app_py in apps:
        document = load_yaml(app_py.parent / "openapi.yaml")
        base = document["servers"][0]["url"].replace("{baseUrl}", "")
        for wsdl in app_py.parent.glob("artifacts/**/*.wsdl"):  # what a gateway loads
            assert load_wsdl(wsdl).schema.maps.elements
        client = TestClient(_load_app(app_py))
        for path, item in document["paths"].items():
            for method, op in item.items():
                if method == "get":
                    params = {p["name"]: p["example"] for p in op.get("parameters", ())}
                    response = client.get(base + path, params=params,
                                          headers={"X-API-Key": "k-real"})
                else:
                    examples = op["requestBody"]["content"]["application/json"]["examples"]
                    response = client.post(base + path,
                                           json=next(iter(examples.values()))["value"],
                                           headers={"X-API-Key": "k-real"})
                assert response.status_code == 200, (path, response.text)
                answered += 1
    assert answered == sum(_concrete(package).values())


@pytest.mark.parametrize("service", ["GasBurnSummaryData", "GasBurnResourceData"])
def test_synthesized_payload_examples_are_valid_xml_too(service: str, tmp_path: Path) -> None:
    """The payload document JSON the REST API speaks (here the synthesized example) encodes
    to XML valid against CAISO's payload XSD, and decodes back to the same JSON."""
    result, specs = _specs(CMRI / service, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    docattach = load_yaml(next(p for p in specs if p.stem.endswith("_DocAttach")))
    op = next(o for item in docattach["paths"].values() for o in item.values())
    attachment = op["x-caiso-attachment"]["response"]
    release = CMRI / service / "20171001"
    schema = xmlschema.XMLSchema(str(release / attachment["payloadSchema"]))
    element = schema.elements[attachment["payloadElement"]]
    assert schema.target_namespace == attachment["payloadNamespace"]
    value = op["responses"]["200"]["content"]["application/json"]["examples"][
        "synthesized"]["value"]
    xml = jsonxml.encode(element, value)
    element.validate(xml)
    assert jsonxml.decode(element, xml) == value
    request = op["requestBody"]["content"]["application/json"]["examples"]["synthesized"]
    wsdl = load_wsdl(next(release.glob("*_DocAttach.wsdl")))
    soap_request = op["x-soap-request-element"]
    request_element = wsdl.schema.maps.elements[
        f"{{{soap_request['namespace']}}}{soap_request['name']}"]
    request_xml = jsonxml.encode(request_element, request["value"])
    request_element.validate(request_xml)


RPC_SAMPLE = """<r:retrieveGasBurnSummaryData_v1 xmlns:r="http://www.caiso.com/soa/retrieveGasBurnSummaryData_v1">
  <requestData xmlns:m="http://www.caiso.com/soa/RequestGasBurnSummaryData_v1.xsd#">
    <m:MessageHeader><m:TimeDate>2026-01-15T08:00:00Z</m:TimeDate><m:Source>CMRI</m:Source><m:Version>v20171001</m:Version></m:MessageHeader>
    <m:MessagePayload><m:RequestGasBurnSummaryRecord><m:dateTimeEnd>2026-01-16T08:00:00Z</m:dateTimeEnd><m:dateTimeStart>2026-01-15T08:00:00Z</m:dateTimeStart><m:executionType>IFM</m:executionType><m:marketType>DAM</m:marketType><m:GasCompanyList><m:gasCompany>SCG</m:gasCompany></m:GasCompanyList></m:RequestGasBurnSummaryRecord></m:MessagePayload>
  </requestData>
</r:retrieveGasBurnSummaryData_v1>
"""


def test_rpc_sample_with_a_type_part_is_the_example(tmp_path: Path) -> None:
    """A sample of the rpc/literal request (wrapper element, unqualified ``requestData`` of
    CAISO's request type) decodes to the REST JSON and becomes the request example."""
    corpus = tmp_path / "in"
    shutil.copytree(CMRI / "GasBurnSummaryData", corpus / "GasBurnSummaryData")
    samples = corpus / "GasBurnSummaryData" / "20171001" / "samples"
    samples.mkdir()
    (samples / "retrieveGasBurnSummaryData_v1.input.xml").write_text(RPC_SAMPLE)
    result, specs = _specs(corpus, tmp_path / "specs")
    assert result.exit_code == 0, result.output
    op = load_yaml(specs[0])["paths"]["/retrieveGasBurnSummaryData"]["post"]
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    value = examples["retrieveGasBurnSummaryData_v1_input"]["value"]
    assert value["requestData"]["MessagePayload"]["RequestGasBurnSummaryRecord"][
        "GasCompanyList"] == [{"gasCompany": "SCG"}]
