"""Make the test helpers importable as ``support`` and keep hypothesis deterministic in CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings

from b2b_openapi.codec import wssecurity as wss
from b2b_openapi.runtime.combined import combined_app

sys.path.insert(0, str(Path(__file__).parent))

from certs import Pki, make_pki
from live import build_into, server_env, uvicorn
from support import XSD

# CI: no shrinking (on large nested documents it can run for minutes); the failing example
# is still printed. Use HYPOTHESIS_PROFILE=dev locally to get a shrunk one.
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=40, deadline=None, report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --------------------------------------------------------------------- generated code, live servers


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(clients, servers) generated from the bundled corpus; clients importable."""
    return build_into(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def mock_app(built: tuple[Path, Path]) -> Iterator[TestClient]:
    """Every generated server app, mock mode (no acceptable use window), in this process:
    for request pipeline tests that need no real HTTP server.  A server error is a 500
    answer here, as a client would see it, not an exception."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in server_env("mock", B2B_AUP_WINDOW_SECONDS="0").items():
            patch.setenv(name, value)
        app = combined_app(built[1])  # the apps read their settings when imported
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def mock_url(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Every generated server app, mock mode, in one uvicorn process."""
    log = tmp_path_factory.mktemp("logs") / "mock.log"
    env = server_env("mock", B2B_SERVERS_ROOT=str(built[1]))
    with uvicorn("b2b_openapi.runtime.combined:app_from_env", env, factory=True, log=log) as url:
        yield url


@pytest.fixture(scope="session")
def soap_url(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The SOAP mock backend for every service of the corpus."""
    log = tmp_path_factory.mktemp("logs") / "soap.log"
    with uvicorn("b2b_openapi.runtime.soapmock:app_from_env", {"B2B_XSD_ROOT": str(XSD)},
                 factory=True, log=log) as url:
        yield url


@pytest.fixture(scope="session")
def gateway_url(built: tuple[Path, Path], soap_url: str,  # type: ignore[no-untyped-def]
                tmp_path_factory: pytest.TempPathFactory):
    """Every generated server app, gateway mode, forwarding to the SOAP mock backend."""
    log = tmp_path_factory.mktemp("logs") / "gateway.log"
    env = server_env("gateway", B2B_SERVERS_ROOT=str(built[1]), B2B_SOAP_BASE_URL=soap_url,
                     B2B_AUP_WINDOW_SECONDS="0")
    with uvicorn("b2b_openapi.runtime.combined:app_from_env", env, factory=True, log=log) as url:
        yield url


# --------------------------------------------------------------------- tiers

# Modules whose tests start real processes or tools: uvicorn servers, TLS peers, Redis,
# newman, Chromium, Java, the spec linters, the command in fresh processes, a wheel install.
LIVE_MODULES = {"test_attachment_live", "test_build_commands", "test_build_safety",
                "test_clients_live", "test_clients_package", "test_gateway_live",
                "test_limiter", "test_lint_specs", "test_portal", "test_portal_safety",
                "test_postman", "test_real_artifacts", "test_schemathesis_live",
                "test_servers_live", "test_third_party", "test_tls_live", "test_wheel",
                "test_wss4j"}
# Corpus-wide checks that take minutes together: hypothesis over every message, whole
# builds.  Marked slow, and slow is part of the live tier: `-m "not live"` is the inner
# loop (well under a minute), CI runs everything.
SLOW_MODULES = {"test_attachment_bridge", "test_attachment_stream", "test_incremental",
                "test_property"}
SLOW_NAMES = ("generated", "mutated")  # test_codec*: every message, hypothesis or mutations


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        name = module.__name__.rpartition(".")[2] if module is not None else ""
        if name in SLOW_MODULES or any(word in item.name for word in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)
        if (name in LIVE_MODULES or name.endswith("_live")
                or item.get_closest_marker("slow") is not None):
            item.add_marker(pytest.mark.live)


# --------------------------------------------------------------------- throw-away PKI

@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A throw-away CA with RSA server, client and rogue identities, one per test module
    (RSA: what WS-Security signatures, and WSS4J, need); test_tls_live makes its own."""
    return make_pki(tmp_path_factory.mktemp("pki"), rsa=True)


@pytest.fixture(scope="module")
def identity(pki: Pki) -> wss.SigningIdentity:
    """The client's signing identity from :func:`pki`."""
    return wss.SigningIdentity.from_pem(pki.client.cert.read_bytes(),
                                        pki.client.key.read_bytes())
