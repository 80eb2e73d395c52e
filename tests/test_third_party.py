"""Third-party OpenAPI documents (CAISO's own CRR REST specs, not written by this project):
clients, Postman collections, portal pages and mock servers work from their standard parts;
the gateway, which needs the x- extensions, says so in one line.

The documents are read from ../shared/third-party-openapi relative to the checkout root
(never copied into the project); the tests skip, saying why, when that folder is absent."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from test_portal import browser, heading, visit  # noqa: F401  (browser: a fixture)

from b2b_openapi.codec.jsonio import dumps, load_yaml
from b2b_openapi.emit.examples import first_example, schema_example
from b2b_openapi.emit.servers import third_party_server_files
from b2b_openapi.emit.view import operation_parameters, service_view
from b2b_openapi.outputs import replace_tree
from b2b_openapi.runtime.combined import combined_app
from b2b_openapi.runtime.server import ServiceRuntime, Settings
from b2b_openapi.runtime.spec import ServiceSpec
from live import API_KEYS, run_newman, server_env, static_site, uvicorn
from support import ROOT, XSD

THIRD_PARTY = ROOT.parent / "shared" / "third-party-openapi"
CRR = sorted((THIRD_PARTY / "caiso-crr").glob("*.yaml"))
NAMES = {"caiso_crr_market_data_v1.2.0.yaml": "MarketDataAPI_CRRv1",
         "caiso_crr_market_status_v1.2.0.yaml": "MarketStatusAPI_CRRv1"}
KEY = next(iter(API_KEYS))

pytestmark = pytest.mark.skipif(
    not CRR, reason=f"CAISO's CRR OpenAPI documents are not in {THIRD_PARTY}/caiso-crr "
                    "(shared test inputs, kept outside the checkout)")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "b2b_openapi", *args], capture_output=True,
                          text=True, check=False, timeout=600, env={**os.environ, **(env or {})})


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, load_yaml(path)) for path in CRR]


def test_names_come_from_info_title_and_version() -> None:
    for path, document in _documents():
        view = service_view(document)
        assert (view.system, view.full_name) == ("CRR", NAMES[path.name])
        assert not view.generated
        assert all(op.soap_action is None for op in view.operations)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    build = tmp_path_factory.mktemp("third-party-clients")
    proc = _cli("clients", "--specs", str(THIRD_PARTY), "--build", str(build))
    assert proc.returncode == 0, proc.stderr
    package = build / "clients" / "caiso-b2b-crr"
    runtime = build / "clients" / "caiso-b2b-runtime"  # every client package runs on it
    sys.path[:0] = [str(package), str(runtime)]
    yield package
    sys.path.remove(str(package))
    sys.path.remove(str(runtime))


def test_client_package_imports_with_a_method_per_operation(clients: Path) -> None:
    for _, document in _documents():
        view = service_view(document)
        module = importlib.import_module(f"caiso_b2b_crr.{view.module}")
        for op in view.operations:
            assert callable(getattr(module.Client, op.method_name)), op.id
            assert callable(getattr(module.AsyncClient, op.method_name)), op.id
        assert module.Client.base_path == view.base_path


def test_client_package_passes_mypy_strict(clients: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "caiso_b2b_crr"],
                          cwd=clients, capture_output=True, text=True, check=False,
                          env={**os.environ,  # as an install of the runtime would provide it
                               "MYPYPATH": str(clients.parent / "caiso-b2b-runtime")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("third-party-servers")
    replace_tree(root, third_party_server_files(
        (document, path.read_text(encoding="utf-8")) for path, document in _documents()))
    return root


@pytest.fixture(scope="module")
def mock(servers: Path) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in server_env("mock").items():
            patch.setenv(name, value)
        app = combined_app(servers)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _call(document: dict[str, Any], path: str, method: str, drop: str | None = None
          ) -> tuple[str, dict[str, Any], dict[str, str]]:
    """URL, query and headers of one operation's request, from the document's examples
    (or its schemas'), without the parameter ``drop``."""
    components = document.get("components", {}).get("schemas", {})
    query: dict[str, Any] = {}
    headers = {"X-API-Key": KEY}
    for param in operation_parameters(document, document["paths"][path], document["paths"][
            path][method]):
        found, value = first_example(param)
        value = value if found else schema_example(param.get("schema"), components)
        if param["name"] == drop or not param.get("required"):
            continue
        if param["in"] == "query":
            query[param["name"]] = value
        elif param["in"] == "header":
            headers[param["name"]] = str(value)
    return service_view(document).base_path + path, query, headers


def test_mock_answers_every_operation_from_the_examples(mock: TestClient) -> None:
    answered = 0
    for path_file, document in _documents():
        spec = ServiceSpec(document, path_file)
        for op in spec.operations.values():
            url, query, headers = _call(document, op.path, op.method.lower())
            response = mock.request(op.method, url, params=query, headers=headers)
            assert response.status_code == op.status, (op.id, response.text)
            assert response.headers["content-type"].startswith(op.media_type or ""), op.id
            if op.media_type == "application/json":
                body = response.json()
                assert body == op.example_response(), op.id
                assert spec.errors(op.response_schema, body) == [], op.id
            answered += 1
    assert answered == 14  # 8 market data + 6 market status operations


def test_mock_refuses_a_request_without_a_required_header(mock: TestClient) -> None:
    _, document = _documents()[1]
    url, query, headers = _call(document, "/marketstatus/v1.0/marketStatus", "get",
                                drop="caiso-request-id")
    response = mock.get(url, params=query, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "/header/caiso-request-id", "message": "required header is missing"}]
    url, query, headers = _call(document, "/marketstatus/v1.0/marketStatus", "get")
    response = mock.get(url, params=query, headers={**headers, "caiso-request-id": "nope"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/header/caiso-request-id"


def test_servers_command_adds_a_mock_only_app_per_document(tmp_path: Path) -> None:
    proc = _cli("servers", "--xsd", str(XSD), "--build", str(tmp_path), "--specs",
                str(THIRD_PARTY), "--service", "RetrieveMeterData_STLMTv1")
    assert proc.returncode == 0, proc.stderr
    assert "1 apps and 2 mock-only (third-party)" in proc.stderr
    for path in CRR:
        folder = tmp_path / "servers" / "CRR" / NAMES[path.name]
        assert sorted(p.name for p in folder.iterdir()) == ["app.py", "openapi.yaml"]
        assert (folder / "openapi.yaml").read_text(encoding="utf-8") == path.read_text(
            encoding="utf-8")
        assert "mock mode only" in (folder / "app.py").read_text(encoding="utf-8")
    assert (tmp_path / "servers" / "MRIS" / "RetrieveMeterData_STLMTv1" / "app.py").is_file()


def test_gateway_mode_names_the_missing_extension_and_the_file(servers: Path) -> None:
    path = CRR[0]
    with pytest.raises(ValueError, match=r"x-soap-service.*" + path.name):
        ServiceRuntime(ServiceSpec.load(path), Settings("gateway", {KEY: "alice"}))


def test_serve_in_gateway_mode_is_one_line_exit_1(tmp_path: Path) -> None:
    build = tmp_path / "build"
    replace_tree(build / "servers", third_party_server_files(
        (document, path.read_text(encoding="utf-8")) for path, document in _documents()))
    proc = _cli("serve", "MarketStatusAPI_CRRv1", "--mode", "gateway", "--build", str(build),
                env={"B2B_API_KEYS": "k=a"})
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "x-soap-service" in proc.stderr and "MarketStatusAPI_CRRv1/openapi.yaml" in \
        proc.stderr


def test_postman_collections_run_in_newman_against_the_mock(servers: Path,
                                                             tmp_path: Path) -> None:
    postman = tmp_path / "postman"
    proc = _cli("postman", "--specs", str(THIRD_PARTY), "--postman", str(postman))
    assert proc.returncode == 0, proc.stderr
    collections = sorted(postman.glob("CRR/*.postman_collection.json"))
    assert [c.name.split(".")[0] for c in collections] == sorted(NAMES.values())
    env = server_env("mock", B2B_SERVERS_ROOT=str(servers))
    with uvicorn("b2b_openapi.runtime.combined:app_from_env", env, factory=True,
                 log=tmp_path / "mock.log") as url:
        for collection in collections:
            stats = run_newman(
                collection, postman / "environments" / "local-mock.postman_environment.json",
                url, tmp_path / f"{collection.stem}.json")
            assert stats["requests"]["total"] == len(json.loads(collection.read_text())[
                "item"])
            assert stats["assertions"]["failed"] == 0


def test_client_calls_every_operation_of_the_mock(clients: Path, servers: Path,
                                                  tmp_path: Path) -> None:
    """Each call sends its caiso-request-id header parameter as a header (the mock refuses
    a call without it) and returns the mock's answer: the example as the typed model for a
    JSON answer, the bytes and media type as a BinaryAnswer for a download."""
    package = importlib.import_module("caiso_b2b_crr")
    env = server_env("mock", B2B_SERVERS_ROOT=str(servers))
    config = package.ClientConfig(api_key=KEY)
    called = 0
    with uvicorn("b2b_openapi.runtime.combined:app_from_env", env, factory=True,
                 log=tmp_path / "mock.log") as url:
        for path, document in _documents():
            spec = ServiceSpec(document, path)
            view = service_view(document)
            module = importlib.import_module(f"caiso_b2b_crr.{view.module}")
            with module.Client(replace(config, base_url=url)) as client:
                for op_view in view.operations:
                    op = spec.operations[op_view.id]
                    _, query, headers = _call(document, op.path, "get")
                    request = {**query, "caiso-request-id": headers["caiso-request-id"]}
                    answer = getattr(client, op_view.method_name)(request)
                    expected = op.example_response()
                    if op.media_type == "application/json":
                        assert answer.model_dump(mode="json", by_alias=True) == expected
                    else:
                        assert isinstance(answer, package.BinaryAnswer), op.id
                        assert answer.media_type == op.media_type, op.id
                        assert answer.content == dumps(expected), op.id
                    called += 1
                with pytest.raises(ValidationError, match="caiso-request-id"):  # not sent
                    getattr(client, view.operations[0].method_name)(
                        {**query, "caiso-request-id": "not-a-uuid"})
    assert called == 14


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    build = tmp_path_factory.mktemp("third-party-portal")
    proc = _cli("portal", "--specs", str(THIRD_PARTY), "--build", str(build))
    assert proc.returncode == 0, proc.stderr
    with static_site(build / "portal") as url:
        yield url


def test_portal_index_and_reference_pages_load(browser: Any, site: str) -> None:  # noqa: F811
    page, errors = visit(browser, f"{site}/index.html")
    assert errors == []
    assert page.locator("tr.service").count() == len(CRR)
    page.close()
    for _, document in _documents():
        view = service_view(document)
        summaries = [op.summary for op in view.operations]
        page, errors = visit(browser, f"{site}/reference/{view.full_name}.html",
                             ready=summaries[0])
        assert errors == [], view.full_name
        headings = {t.strip() for t in page.locator("h2").all_inner_texts()}
        assert set(summaries) <= headings
        assert heading(page, summaries[-1]).is_visible()
        page.close()
