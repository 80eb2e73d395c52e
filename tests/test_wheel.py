"""The b2b-openapi wheel and its extras.

Installed from its wheel into a fresh virtual environment, b2b-openapi builds everything from
an ``xsd/`` corpus in a folder outside the checkout (the templates and the vendored Redoc
travel inside the package), and the servers it built run from that install.  The servers'
runtime imports only what it runs on: nothing of the build stack, nothing outside the
``server`` extra, so a gateway host installs ``b2b-openapi[server]`` alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from importlib.metadata import (
    PackageNotFoundError,
    distributions,
    packages_distributions,
    requires,
)
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from live import server_env, uvicorn
from support import ROOT, XSD, rendered_all

BUILD_STACK = ("jinja2", "datamodel_code_generator", "openapi_spec_validator")
RUNTIME = ["b2b_openapi.runtime.server", "b2b_openapi.runtime.gateway",
           "b2b_openapi.runtime.soapmock", "b2b_openapi.runtime.combined",
           "b2b_openapi.codec.jsonxml", "b2b_openapi.codec.soap", "b2b_openapi.codec.streaming"]


def loaded_by(*modules: str) -> set[str]:
    """Top-level names of every module a fresh interpreter holds after importing
    ``modules`` (a fresh one: this test process has loaded everything)."""
    code = ("import importlib, json, sys\n"
            f"for name in {list(modules)!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout))


@pytest.mark.parametrize("module", RUNTIME)
def test_the_servers_runtime_loads_no_build_stack(module: str) -> None:
    assert not loaded_by(module) & set(BUILD_STACK)


def closure(name: str, extras: Iterable[str] = ()) -> set[str]:
    """The installed distributions ``name`` with ``extras`` requires, itself included,
    transitively (by their installed metadata)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    found: set[str] = set()
    todo = [(canonicalize_name(name), frozenset(extras))]
    while todo:
        dist, wanted = todo.pop()
        if (dist, wanted) in seen:
            continue
        seen.add((dist, wanted))
        found.add(dist)
        try:
            lines = requires(dist) or []
        except PackageNotFoundError:  # an optional dependency this environment lacks
            continue
        for line in lines:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in ("", *wanted)):
                todo.append((canonicalize_name(requirement.name),
                             frozenset(requirement.extras)))
    return found


def distributions_of(names: Iterable[str]) -> set[str]:
    owners = packages_distributions()
    return {canonicalize_name(d) for n in names for d in owners.get(n, ())
            if not n.startswith("b2b_openapi")}


@pytest.mark.parametrize(("modules", "extras"), [
    (RUNTIME, ("server",)),
    (["b2b_openapi.cli"], ()),  # every command's help, and `serve` on the server extra
])
def test_what_is_imported_is_declared(modules: list[str], extras: tuple[str, ...]) -> None:
    """Every distribution these modules load is required by b2b-openapi with ``extras``:
    an install with just those extras runs them."""
    declared = closure("b2b-openapi", extras)
    imported = loaded_by(*modules) - loaded_by()  # not what site.py loads at start-up
    assert distributions_of(imported) - declared == set()


def test_a_server_install_has_no_build_stack() -> None:
    server = closure("b2b-openapi", ("server",))
    assert not server & {"jinja2", "datamodel-code-generator", "openapi-spec-validator"}
    assert {"jinja2", "datamodel-code-generator"} <= closure("b2b-openapi", ("build",))


def test_a_command_whose_extra_is_missing_says_so_and_writes_nothing(tmp_path: Path) -> None:
    """Without the build extra (jinja2 made unimportable), `build` stops in one line naming
    the extra before writing anything; `postman`, which needs no extra, still works."""
    code = ("import sys\nsys.modules['jinja2'] = None\nsys.argv[0] = 'b2b-openapi'\n"
            "from b2b_openapi.cli import main\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code, "build", "--xsd", str(XSD),
                           "--specs", str(tmp_path / "specs"), "--build", str(tmp_path / "b"),
                           "--postman", str(tmp_path / "postman")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "error: this command needs the build extra (module 'jinja2' is not installed): "
        "pip install 'b2b-openapi[build]'"]
    assert list(tmp_path.iterdir()) == []
    proc = subprocess.run([sys.executable, "-c", code, "postman", "--specs",
                           str(ROOT / "specs"), "--postman", str(tmp_path / "postman")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


# ----------------------------------------------------------------------- the installed wheel
def build_wheel(into: Path) -> Path:
    """This checkout's wheel, built offline (hatchling from this environment)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-w", str(into), str(ROOT)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = into.glob("b2b_openapi-*.whl")
    return wheel


def test_the_wheel_holds_the_templates_and_the_client_runtime(tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    tracked = subprocess.run(["git", "ls-files", "templates"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    assert len(tracked) > 10
    assert {f"b2b_openapi/{path}" for path in tracked} <= names
    assert "b2b_openapi/templates/portal/vendor/redoc/redoc.standalone.js" in names
    assert "b2b_openapi/templates/client/caiso_b2b_runtime/client.py" in names
    assert "b2b_openapi/py.typed" in names
    # nothing git ignores (caches a local run of mypy or Python leaves beside the sources)
    assert not [n for n in names if "__pycache__/" in n or ".mypy_cache/" in n]


def this_environment(into: Path) -> Path:
    """A pip constraints file pinning every distribution of this environment (but b2b-openapi
    itself): the fresh install gets the versions the other tests ran with."""
    pins = sorted({f"{d.metadata['Name']}=={d.version}" for d in distributions()
                   if canonicalize_name(d.metadata["Name"]) != "b2b-openapi"})
    into.write_text("\n".join(pins) + "\n")
    return into


@pytest.mark.slow
def test_the_installed_wheel_builds_everything_outside_the_checkout(tmp_path: Path) -> None:
    """A fresh venv (its packages from the configured index: a package install), the wheel
    with both extras, a folder holding only a copy of xsd/: `b2b-openapi build` writes the
    specs this checkout renders, the client packages, servers, Postman and the portal; and a
    server it built answers, run from that install, as a mock and as a gateway to the SOAP
    mock backend (both read WSDL and XSD at run time)."""
    wheel = build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    proc = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--constraint",
                           str(this_environment(tmp_path / "constraints.txt")),
                           f"{wheel}[build,server]"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    work = tmp_path / "work"
    shutil.copytree(XSD, work / "xsd")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(venv / "bin" / "b2b-openapi"), "build", "--jobs", "1"],
                          cwd=work, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    where = subprocess.run([str(python), "-c", "import b2b_openapi; print(b2b_openapi.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv)  # not this checkout's code

    specs = {p.relative_to(work / "specs"): p.read_text(encoding="utf-8")
             for p in (work / "specs").rglob("*.yaml")}
    assert specs == {s.path: s.text for s in rendered_all()}
    clients = work / "build" / "clients"
    assert sorted(p.name for p in clients.iterdir()) == [
        "caiso-b2b-bsap", "caiso-b2b-cmri", "caiso-b2b-drrs", "caiso-b2b-mris",
        "caiso-b2b-oasis", "caiso-b2b-runtime", "caiso-b2b-sibr"]
    assert len(list((work / "build" / "servers").glob("*/*/app.py"))) == len(specs)
    assert len(list((work / "postman").glob("*/*.postman_collection.json"))) == len(specs)
    portal = work / "build" / "portal"
    assert (portal / "index.html").is_file()
    assert (portal / "assets" / "redoc" / "redoc.standalone.js").stat().st_size > 100_000
    assert len(list((portal / "reference").glob("*.html"))) == len(specs)

    service = "RetrieveMeterDataAvailability_STLMTv1_DocAttach"  # criteria in the query
    app = next((work / "build" / "servers").glob(f"*/{service}/app.py")).parent
    installed = {"python": python, "cwd": work}
    params = {"scid": "ABC1", "tradeDateStart": "2026-11-01", "tradeDateEnd": "2026-11-02"}

    def answer(mode: str, **extra: str) -> httpx.Response:
        with uvicorn("app:app", {**server_env(mode, **extra), "PYTHONPATH": ""},
                     app_dir=app, log=tmp_path / f"{mode}.log", **installed) as url:
            return httpx.get(f"{url}/mris/{service}/retrieveMeterDataAvailability",
                             params=params, headers={"X-API-Key": "k-sync"})

    mock = answer("mock")
    assert mock.status_code == 200, mock.text
    with uvicorn("b2b_openapi.runtime.soapmock:app_from_env",
                 {"B2B_XSD_ROOT": str(work / "xsd"), "PYTHONPATH": ""}, factory=True,
                 log=tmp_path / "soap.log", **installed) as soap_url:
        gateway = answer("gateway", B2B_SOAP_ENDPOINT=f"{soap_url}/{service}")
    assert gateway.status_code == 200, gateway.text
    assert gateway.json() == mock.json()  # the SOAP mock answers with the same sample
