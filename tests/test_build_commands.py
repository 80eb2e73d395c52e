"""The build/clients/servers/serve commands and the generated-tree writer."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from b2b_openapi.cli import app
from b2b_openapi.codec import soap
from b2b_openapi.openapi import stage as spec_stage
from b2b_openapi.openapi.yamlio import atomic_write
from b2b_openapi.outputs import replace_tree, sync_tree, write_atomically
from b2b_openapi.runtime.soapmock import SoapMockBackend, create_soap_mock_app
from support import ROOT, XSD, rendered, rendered_all

HASHED_KEY = "sha256:" + "0" * 64 + "=u"  # keys on the command line only as hashes


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "b2b_openapi", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_build_writes_specs_clients_and_servers(tmp_path: Path) -> None:
    proc = cli("build", "--xsd", str(XSD), "--specs", str(tmp_path / "specs"),
               "--build", str(tmp_path / "build"), "--postman", str(tmp_path / "postman"))
    assert proc.returncode == 0, proc.stderr
    assert "build: 24 services" in proc.stderr
    # one package per system, and the runtime they share
    assert len(list((tmp_path / "build" / "clients").glob("caiso-b2b-*"))) == 6 + 1
    assert (tmp_path / "build" / "clients" / "caiso-b2b-runtime" / "pyproject.toml").is_file()
    assert len(list((tmp_path / "postman").glob("*/*.postman_collection.json"))) == 24
    assert (tmp_path / "build" / "portal" / "index.html").is_file()
    assert len(list((tmp_path / "build" / "diff").rglob("*.md"))) == 3  # CMRI x2, OASIS
    assert len(list((tmp_path / "specs").glob("*/*.yaml"))) == 24
    apps = sorted(p.parent.name for p in (tmp_path / "build" / "servers").glob("*/*/app.py"))
    assert apps == sorted(s.full_name for s in rendered_all())
    assert (tmp_path / "build" / "clients" / "caiso-b2b-sibr" / "pyproject.toml").is_file()
    # the same input gives the same clients
    first = {p: p.read_bytes() for p in (tmp_path / "build" / "clients").rglob("*.py")}
    assert cli("clients", "--specs", str(tmp_path / "specs"),
               "--build", str(tmp_path / "build")).returncode == 0
    again = {p: p.read_bytes() for p in (tmp_path / "build" / "clients").rglob("*.py")}
    assert first == again


def test_clients_without_specs_fails_clearly(tmp_path: Path) -> None:
    proc = cli("clients", "--specs", str(tmp_path), "--build", str(tmp_path / "build"))
    assert proc.returncode == 1
    assert "no OpenAPI documents found" in proc.stderr
    assert not (tmp_path / "build").exists()


def test_serve_unknown_service_names_the_known_ones(tmp_path: Path) -> None:
    app_file = tmp_path / "servers" / "SIBR" / "SubmitRawBidSet_SIBRv5" / "app.py"
    app_file.parent.mkdir(parents=True)
    app_file.write_text("")
    proc = cli("serve", "Nope_SIBRv1", "--build", str(tmp_path), "--api-key", HASHED_KEY)
    assert proc.returncode == 1
    assert "unknown service 'Nope_SIBRv1'; built servers: SubmitRawBidSet_SIBRv5" in proc.stderr


def test_serve_without_built_servers_says_to_build(tmp_path: Path) -> None:
    proc = cli("serve", "--build", str(tmp_path), "--api-key", HASHED_KEY)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"error: {tmp_path / 'servers'}: no generated server apps "
                                   "here: run `b2b-openapi build` first")


@pytest.mark.parametrize(("args", "message"), [
    (["--mode", "gatewy"], "'gatewy' is not one of 'mock', 'gateway'"),
    (["--api-key", "a"], "'a...' is not key=user"),
    (["--api-key", "=alice"], "'=al...' is not key=user"),
    (["--api-key", "s3cret=alice"], "a plain key on the command line is visible"),
    (["--tls-cert", "nope.pem", "--tls-key", "nope.key", "--tls-client-ca", "ca.pem"],
     "'nope.pem': no such file"),
])
def test_serve_usage_errors_are_one_message_not_a_traceback(
        tmp_path: Path, args: list[str], message: str) -> None:
    defaults = ["--api-key", HASHED_KEY] if "--api-key" not in args else []
    proc = cli("serve", "--build", str(tmp_path), *defaults, *args)
    assert proc.returncode == 2
    assert message in " ".join(proc.stderr.replace("│", " ").split())
    assert "Traceback" not in proc.stderr


def test_serve_refuses_tls_without_client_certificates(tmp_path: Path) -> None:
    """The specs say x-b2b-mutual-tls: required; TLS without a client CA would quietly
    accept anyone with an API key over an encrypted channel."""
    proc = cli("serve", "--build", str(tmp_path), "--api-key", HASHED_KEY,
               "--tls-cert", "server.pem", "--tls-key", "server.key")
    assert proc.returncode == 2
    assert "TLS is mutual" in proc.stderr


@pytest.mark.parametrize(("command", "option"), [
    ("specs", "--specs"), ("build", "--build"), ("build", "--postman"), ("postman", "--postman"),
    ("clients", "--build"), ("portal", "--build"), ("servers", "--build"),
    ("specs", "--xsd"), ("servers", "--xsd"), ("check", "--xsd"), ("soap-mock", "--xsd")])
def test_a_file_where_a_folder_belongs_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, option: str) -> None:
    """Checked before any work: a file there would fail a write half-way (a traceback) or
    be swapped aside for the generated tree; below it, no folder can be made."""
    monkeypatch.chdir(tmp_path)  # short paths: the usage error box wraps long lines
    here = Path("here.txt")
    here.write_text("mine\n")
    good = str(ROOT / "tests" / "broken" / "good")
    defaults = {"--xsd": good, "--specs": str(ROOT / "specs"),
                "--build": str(tmp_path / "build"), "--postman": str(tmp_path / "postman")}
    for target in (here, here / "below"):
        args = {**{k: v for k, v in defaults.items() if k in _options(command)},
                option: str(target)}
        result = CliRunner().invoke(app, [command, *(x for kv in args.items() for x in kv)])
        assert result.exit_code == 2, result.output
        assert "'here.txt' is a file, not a folder" in " ".join(
            result.stderr.replace("│", " ").split())
    assert here.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.txt"]  # nothing written


def _options(command: str) -> set[str]:
    return {"specs": {"--xsd", "--specs"}, "build": {"--xsd", "--specs", "--build", "--postman"},
            "postman": {"--specs", "--postman"}, "clients": {"--specs", "--build"},
            "portal": {"--specs", "--build"}, "servers": {"--xsd", "--build"},
            "check": {"--xsd", "--specs"}, "soap-mock": {"--xsd"}}[command]


def test_soap_mock_on_a_broken_corpus_is_one_error_line() -> None:
    """The backend is loaded before uvicorn starts, not in its app factory (a traceback)."""
    broken = ROOT / "tests" / "broken" / "missing_import"
    result = CliRunner().invoke(app, ["soap-mock", "--xsd", str(broken), "--port", "1"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and line.endswith(
        "RetrieveWidget_TESTv1.wsdl:11: import of 'Widgets_v1.xsd': file not found"), line


def test_an_unwritable_output_is_one_error_line(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(root: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(root / "TEST"))

    monkeypatch.setattr(spec_stage, "write_all", refuse)
    result = CliRunner().invoke(app, ["specs", "--xsd", str(ROOT / "tests" / "broken" / "good"),
                                      "--specs", str(tmp_path / "specs")])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {tmp_path / 'specs' / 'TEST'}: Permission denied"]


def test_servers_on_a_broken_corpus_write_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "xsd"
    shutil.copytree(XSD, corpus)
    xsd = corpus / "CMRI" / "DefaultBidCurves" / "20190101" / "DefaultBidCurves_v1.xsd"
    xsd.write_text(xsd.read_text().replace("</xs:schema>", ""))
    proc = cli("servers", "--xsd", str(corpus), "--build", str(tmp_path / "build"))
    assert proc.returncode == 1
    assert "DefaultBidCurves_v1.xsd:" in proc.stderr
    assert not (tmp_path / "build").exists()


def test_the_command_keeps_exit_codes_and_output_through_its_hard_exit(
        tmp_path: Path) -> None:
    """main() leaves with os._exit: usage errors still exit 2 with their message, a
    breaking diff with --fail-on exits 1, and a report on stdout arrives whole."""
    usage = cli("build", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
    old = ROOT / "specs/CMRI/RetrieveDefaultBidCurves_CMRIv1.yaml"
    new = ROOT / "specs/CMRI/RetrieveDefaultBidCurves_CMRIv2.yaml"
    report = cli("diff", str(old), str(new), "--format", "json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["summary"] == {"changes": 12, "breaking": 3,
                                                     "nonBreaking": 9}
    failing = cli("diff", str(old), str(new), "--fail-on", "breaking")
    assert failing.returncode == 1 and "3 breaking" in failing.stderr


def test_outputs_get_the_usual_permissions(tmp_path: Path) -> None:
    """Written through owner-only temporary files, outputs must still end up readable as
    the umask allows (a web server serving build/portal runs as another user)."""
    mask = os.umask(0)
    os.umask(mask)
    sync_tree(tmp_path / "synced", {Path("x/y.txt"): "y"})
    replace_tree(tmp_path / "replaced", {Path("z.txt"): "z"})
    atomic_write(tmp_path / "spec.yaml", "openapi: 3.0.3\n")
    files = [tmp_path / "synced/x/y.txt", tmp_path / "replaced/z.txt", tmp_path / "spec.yaml"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o666 & ~mask}
    assert stat.S_IMODE((tmp_path / "replaced").stat().st_mode) == 0o777 & ~mask


def test_replace_tree_keeps_the_old_tree_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out"
    replace_tree(target, {Path("keep.txt"): "old"})
    with pytest.raises(OSError):
        replace_tree(target, {Path("x"): "file", Path("x/y"): "needs x to be a folder"})
    assert (target / "keep.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left


# ------------------------------------------------------------------------ SOAP mock backend
# the DocAttach variant: its answer is one SOAP envelope (the plain variant's is SwA MIME)
METER = "RetrieveMeterData_STLMTv1_DocAttach"


@pytest.fixture(scope="module")
def soap_mock() -> TestClient:
    backend = SoapMockBackend.from_corpus(XSD, [METER])
    return TestClient(create_soap_mock_app(backend))


# A corpus whose WSDLs declare the CAISOWSHeader as a request soap:header (CAISO's real WSDLs
# do not: clients add it), for the mock's check of a declared header.
DECLARED_HEADER = ROOT / "tests" / "corpus" / "shared"
DECLARED_SERVICE = "RetrieveDefaultBidCurves_CMRIv1"


def meter_op() -> object:
    spec = next(s for s in rendered() if s.service.id.full_name == METER)
    (op,) = spec.service.operations
    return op


def post(client: TestClient, body: bytes, action: str) -> soap.SoapMessage:
    response = client.post(f"/{METER}", content=body,
                           headers={"SOAPAction": f'"{action}"'})
    return soap.parse(response.content)


def sample_envelope(mutate: str | None = None, header: bool = True) -> bytes:
    op = meter_op()
    text = op.input.samples[0].path.read_text()  # type: ignore[attr-defined]
    if mutate:
        text = text.replace(*mutate.split("|"))
    headers = (soap.caiso_header("alice"),) if header else ()
    return soap.envelope(ElementTree.fromstring(text.encode()), headers)


def test_soap_mock_answers_a_valid_request_with_the_sample(soap_mock: TestClient) -> None:
    op = meter_op()
    message = post(soap_mock, sample_envelope(), op.soap_action)  # type: ignore[attr-defined]
    assert message.fault is None and message.body is not None
    # the body is the WSDL's element (ISOAttachment), carrying the sample document
    body = op.output.soap_element or op.output.element  # type: ignore[attr-defined]
    assert message.body.tag == body.qname


@pytest.mark.parametrize(("body", "action", "says"), [
    (b"<not-xml", None, "not well-formed"),
    (None, "http://wrong/action", "unknown SOAPAction"),
    ("invalid", None, "request is not valid"),
])
def test_soap_mock_refuses_bad_requests_with_client_faults(
        soap_mock: TestClient, body: bytes | str | None, action: str | None, says: str) -> None:
    op = meter_op()
    if body is None:
        data = sample_envelope()
    elif body == "invalid":
        data = sample_envelope(mutate=">ABC1<|>not a scid<")
    else:
        assert isinstance(body, bytes)
        data = body
    message = post(soap_mock, data, action or op.soap_action)  # type: ignore[attr-defined]
    assert message.fault is not None and message.fault.is_client
    assert says in message.fault.string


def test_soap_mock_refuses_a_request_without_the_header_its_wsdl_declares() -> None:
    backend = SoapMockBackend.from_corpus(DECLARED_HEADER, [DECLARED_SERVICE])
    (op,) = backend.services[DECLARED_SERVICE].service.operations
    body = ElementTree.Element(op.input.element.qname)  # type: ignore[union-attr]
    with TestClient(create_soap_mock_app(backend)) as client:
        response = client.post(f"/{DECLARED_SERVICE}", content=soap.envelope(body),
                               headers={"SOAPAction": f'"{op.soap_action}"'})
    message = soap.parse(response.content)
    assert message.fault is not None and message.fault.is_client
    assert "missing SOAP header" in message.fault.string


def test_soap_mock_takes_a_header_less_request_when_the_wsdl_declares_none(
        soap_mock: TestClient) -> None:
    """CAISO's WSDLs declare no CAISOWSHeader: the mock answers without one (the caller's
    name is then empty), as it does not know what CAISO would refuse."""
    op = meter_op()
    message = post(soap_mock, sample_envelope(header=False), op.soap_action)  # type: ignore[attr-defined]
    assert message.fault is None and message.body is not None


def test_a_failed_write_names_the_file_not_its_temporary_sibling(tmp_path: Path) -> None:
    """The error line must name what the user can look at (a folder squatting on a file's
    place, here), not the hidden temporary file the write went through."""
    target = tmp_path / "page.html"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(OSError) as info:
        write_atomically(target, b"<html/>")
    assert info.value.filename == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]  # no temporary left


def test_version_prints_the_installed_distribution_version() -> None:
    from importlib.metadata import version

    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"b2b-openapi {version('b2b-openapi')}\n"


def test_folders_default_from_the_environment_and_quiet_drops_progress(
        tmp_path: Path) -> None:
    """B2B_XSD / B2B_SPECS stand in for --xsd / --specs; --quiet leaves stderr empty on
    success, while the same run without it reports what it wrote."""
    env = {**os.environ, "B2B_XSD": str(ROOT / "tests" / "broken" / "good"),
           "B2B_SPECS": str(tmp_path / "specs")}
    quiet = subprocess.run([sys.executable, "-m", "b2b_openapi", "--quiet", "specs"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert len(list((tmp_path / "specs").glob("*/*.yaml"))) == 1
    loud = subprocess.run([sys.executable, "-m", "b2b_openapi", "specs"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=False)
    assert loud.returncode == 0
    assert "specs: 1 OpenAPI documents valid, 0 written" in loud.stderr


@pytest.mark.parametrize(("args", "option"), [
    (["diff", "a.yaml", "b.yaml", "--format", "xml"], "--format"),
    (["diff", "a.yaml", "b.yaml", "--fail-on", "minor"], "--fail-on"),
    (["build", "--jobs", "0"], "--jobs"),
])
def test_choices_are_checked_before_any_work(args: list[str], option: str,
                                             tmp_path: Path) -> None:
    proc = cli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert f"Invalid value for '{option}'" in proc.stderr
    assert not any(tmp_path.iterdir())
