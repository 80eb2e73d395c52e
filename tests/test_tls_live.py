"""Mutual TLS: a generated server under uvicorn with ssl_cert_reqs=required accepts the
generated client with a CA-issued certificate (PEM or PKCS#12) and refuses any other."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from b2b_openapi.emit.naming import snake
from certs import Pki, make_pki
from live import CASES, OperationCase, newman, server_env, uvicorn
from support import ROOT

CASE: OperationCase = next(c for c in CASES
                           if c.operation == "retrieveMeterDataAvailability_v1_DocAttach")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_url(built: tuple[Path, Path], pki: Pki,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = built[1] / CASE.system / CASE.service
    log = tmp_path_factory.mktemp("logs") / "tls.log"
    tls = {"cert": pki.server.cert, "key": pki.server.key, "ca": pki.ca}
    with uvicorn("app:app", server_env("mock"), app_dir=folder, tls=tls, log=log) as url:
        yield url


def call(url: str, pki: Pki, certificate: Any, key: str = "k-tls") -> Any:
    runtime = CASE.runtime()
    config = runtime.ClientConfig(base_url=url, api_key=key, verify=pki.ca,
                                  certificate=certificate, max_retries=0, timeout=10)
    with CASE.module().Client(config) as client:
        return getattr(client, snake(CASE.operation))(CASE.request)


def test_ca_issued_pem_certificate_is_accepted(tls_url: str, pki: Pki) -> None:
    runtime = CASE.runtime()
    cert = runtime.ClientCertificate.from_pem(pki.client.cert, pki.client.key)
    assert call(tls_url, pki, cert).AvailableDate


def test_ca_issued_pkcs12_bundle_is_accepted(tls_url: str, pki: Pki) -> None:
    runtime = CASE.runtime()
    cert = runtime.ClientCertificate.from_pkcs12(pki.client.p12, pki.password)
    assert call(tls_url, pki, cert).AvailableDate


def test_unknown_certificate_is_refused(tls_url: str, pki: Pki) -> None:
    runtime = CASE.runtime()
    rogue = runtime.ClientCertificate.from_pkcs12(pki.rogue.p12, pki.password)
    with pytest.raises(runtime.TransportError):
        call(tls_url, pki, rogue)


def test_no_certificate_is_refused(tls_url: str, pki: Pki) -> None:
    runtime = CASE.runtime()
    with pytest.raises(runtime.TransportError):
        call(tls_url, pki, None)


def test_api_key_is_still_required_over_mutual_tls(tls_url: str, pki: Pki) -> None:
    runtime = CASE.runtime()
    cert = runtime.ClientCertificate.from_pem(pki.client.cert, pki.client.key)
    with pytest.raises(runtime.AuthenticationError):
        call(tls_url, pki, cert, key="wrong")


def run_newman(url: str, pki: Pki, tmp_path: Path, *extra: str) -> dict[str, Any]:
    report = tmp_path / "report.json"
    collection = ROOT / "postman" / CASE.system / f"{CASE.service}.postman_collection.json"
    proc = subprocess.run(
        [newman(), "run", str(collection),
         "--environment", str(ROOT / "postman/environments/local-mock.postman_environment.json"),
         "--env-var", f"baseUrl={url}", "--ssl-extra-ca-certs", str(pki.ca), *extra,
         "--reporters", "json", "--reporter-json-export", str(report)],
        capture_output=True, text=True, check=False, timeout=300)
    stats: dict[str, Any] = json.loads(report.read_text())["run"]["stats"]
    stats["returncode"] = proc.returncode
    return stats


def test_postman_collection_runs_over_mutual_tls_with_a_certificate_list(
        tls_url: str, pki: Pki, tmp_path: Path) -> None:
    """The committed collections take the client certificate the way the committed
    map-stage/production lists give it (newman --ssl-client-cert-list); without one the
    handshake fails."""
    template = json.loads((ROOT / "postman/environments/map-stage.ssl-client-cert-list.json")
                          .read_text())[0]
    certs = tmp_path / "certs.json"
    certs.write_text(json.dumps([{**template, "matches": [f"{tls_url}/*"],
                                  "cert": {"src": str(pki.client.cert)},
                                  "key": {"src": str(pki.client.key)}, "passphrase": ""}]))
    ok = run_newman(tls_url, pki, tmp_path, "--ssl-client-cert-list", str(certs))
    assert ok["returncode"] == 0, ok
    assert ok["requests"]["total"] == 1 and ok["requests"]["failed"] == 0
    assert ok["assertions"]["failed"] == 0
    refused = run_newman(tls_url, pki, tmp_path)
    assert refused["returncode"] != 0 and refused["requests"]["failed"] == 1
