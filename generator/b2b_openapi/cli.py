"""Command line: ``b2b-openapi build|specs|check``.

Every command exits 0 on success, 1 on an artifact error (printed as one ``file:line:
message`` line on stderr) and 2 on bad usage.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import signal
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import typer
import yaml

from b2b_openapi import __version__
from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.console import Reporter
from b2b_openapi.diff.compare import CannotCompare, diff_documents
from b2b_openapi.diff.report import render_report
from b2b_openapi.docs import stale_docs
from b2b_openapi.errors import ArtifactError
from b2b_openapi.incremental import pipeline, stages
from b2b_openapi.openapi import stage as spec_stage
from b2b_openapi.openapi.yamlio import atomic_write
from b2b_openapi.outputs import leftovers

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn CAISO SOAP artifacts (WSDL + XSD) into OpenAPI 3.0 and friends.")
P = ParamSpec("P")
R = TypeVar("R")
REPORTER = Reporter()


class Mode(StrEnum):
    """What a served app does with a request."""

    mock = "mock"
    gateway = "gateway"


class ReportFormat(StrEnum):
    md = "md"
    json = "json"
    html = "html"


class FailOn(StrEnum):
    breaking = "breaking"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"b2b-openapi {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", envvar="B2B_QUIET",
        help="No progress lines (warnings and errors are still printed).")] = False,
) -> None:
    """Turn CAISO SOAP artifacts (WSDL + XSD) into OpenAPI 3.0 and friends."""
    REPORTER.quiet = quiet


def _folder(path: Path) -> Path:
    """A folder option must name a folder, or a place one can be made: checked before any
    work, so a wrong path stops the command with nothing written (a file there would
    otherwise fail a write half-way, or be swapped aside for the generated tree).  For the
    corpus a missing folder is left to the artifact errors ("artifact folder not found")."""
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == path else f" (in {str(path)!r})"
        raise typer.BadParameter(f"{str(existing)!r} is a file, not a folder{where}")
    return path


def _optional_folder(path: Path | None) -> Path | None:
    return None if path is None else _folder(path)


def _corpus(path: Path) -> Path:
    """The corpus option: a folder, or one downloaded ``.zip`` package."""
    if path.is_file() and path.suffix.lower() == ".zip":
        return path
    return _folder(path)


XsdOption = Annotated[Path, typer.Option(
    "--xsd", help="Artifact corpus root (or one .zip package).", envvar="B2B_XSD",
    callback=_corpus)]
SpecsOption = Annotated[Path, typer.Option("--specs", help="Where OpenAPI YAML is written.",
                                           envvar="B2B_SPECS", callback=_folder)]
ServiceOption = Annotated[list[str] | None, typer.Option(
    "--service", "-s", help="Only this service (repeatable), e.g. RetrieveCleanBidSet_SIBRv5.")]
BuildOption = Annotated[Path, typer.Option("--build", help="Where generated code goes.",
                                           envvar="B2B_BUILD", callback=_folder)]
PostmanOption = Annotated[Path, typer.Option("--postman", help="Where collections go.",
                                             envvar="B2B_POSTMAN", callback=_folder)]


def _say(message: str) -> None:
    REPORTER.progress(message)


def _warn(message: str) -> None:
    REPORTER.warning(message)


def _fail(exc: ArtifactError) -> NoReturn:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _file_errors(command: Callable[P, R]) -> Callable[P, R]:
    """A file that cannot be read or written (permissions, a full disk) is one error line
    naming it, exit 1, like a bad artifact - not a traceback."""
    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except OSError as exc:
            _fail(ArtifactError(exc.strerror or str(exc), exc.filename))
    return run


# The modules of each extra (pyproject.toml), imported only by the commands that use them: a
# gateway host installs b2b-openapi[server] without the code generators, and the reverse.
EXTRAS = {
    "build": ("jinja2", "datamodel_code_generator", "openapi_spec_validator"),
    "server": ("fastapi", "uvicorn", "httpx", "pydantic", "jsonschema",
               "openapi_schema_validator"),
}


def _needs(extra: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A command of ``extra`` stops before any work, in one line, when the extra is not
    installed (rather than with an ImportError traceback half-way through a build)."""
    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            missing = [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]
            if missing:
                typer.secho(f"error: this command needs the {extra} extra (module "
                            f"{missing[0]!r} is not installed): pip install "
                            f"'b2b-openapi[{extra}]'", err=True, fg=typer.colors.RED)
                raise typer.Exit(1)
            return command(*args, **kwargs)
        return run
    return decorate


PruneOption = Annotated[bool, typer.Option(
    "--prune", help="Also delete specs (and collections) this corpus does not generate; "
    "without it nothing is deleted that this run did not write (`check` lists stale files).")]


def _read_specs(folder: Path) -> list[stages.SpecDocument]:
    try:
        return stages.read_specs(folder)
    except ArtifactError as exc:
        _fail(exc)


@app.command("specs")
@_needs("build")
@_file_errors
def specs_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  service: ServiceOption = None, prune: PruneOption = False) -> None:
    """Generate and validate the OpenAPI documents under specs/."""
    if prune and service:
        raise typer.BadParameter("prunes only a whole corpus: leave out --service",
                                 param_hint="--prune")
    try:
        with _terminate_as_interrupt():
            written = stages.write_specs(xsd, specs, service or (), progress=_say, warn=_warn,
                                         prune=prune)
    except ArtifactError as exc:
        _fail(exc)
    _say(f"specs: {len(written.files)} OpenAPI documents valid, {written.changed} written, "
         f"{written.removed} removed -> {specs}")


@app.command("build")
@_needs("build")
@_file_errors
def build_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  build: BuildOption = Path("build"),
                  postman: PostmanOption = Path("postman"),
                  jobs: Annotated[int | None, typer.Option(
                      envvar="B2B_JOBS", min=1,
                      help="Worker processes for rendering specs (default: CPU count).")] = None,
                  cache: Annotated[bool, typer.Option(
                      help="Reuse unchanged results from build/.cache/.")] = True,
                  prune: PruneOption = False) -> None:
    """Build everything from the artifact corpus: specs, client packages, server apps,
    diff reports, Postman collections and the portal (incrementally)."""
    try:
        with _terminate_as_interrupt(), REPORTER.status("building"):
            result = pipeline.build(xsd, specs, build, postman, progress=_say, jobs=jobs,
                                    use_cache=cache, warn=_warn, prune=prune)
    except ArtifactError as exc:
        _fail(exc)
    for name, (written, removed) in result.written.items():
        _say(f"{name}: {written} files written, {removed} removed")
    _say(f"build: {len(result.specs)} services; cache {result.cache.hits} hits, "
         f"{result.cache.misses} misses")


@app.command("portal")
@_needs("build")
@_file_errors
def portal_command(specs: SpecsOption = Path("specs"), build: BuildOption = Path("build")
                   ) -> None:
    """Generate the static developer portal (build/portal/) from specs/."""
    documents = _read_specs(specs)
    index = stages.write_portal(documents, build)
    _say(f"portal: {len(documents)} API references -> {index}")


@app.command("postman")
@_file_errors
def postman_command(specs: SpecsOption = Path("specs"),
                    postman: PostmanOption = Path("postman")) -> None:
    """Generate the Postman collections and environments (postman/) from specs/."""
    count = stages.write_postman(_read_specs(specs), postman)
    _say(f"postman: {count} collections -> {postman}")


def _load_document(path: Path) -> dict[str, object]:
    try:
        document = load_yaml(path)
    except FileNotFoundError:
        _fail(ArtifactError("file not found", path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        _fail(ArtifactError(f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}", path, line))
    if not isinstance(document, dict) or "paths" not in document or "info" not in document:
        _fail(ArtifactError("not an OpenAPI document (no info/paths)", path))
    return document


@app.command("diff")
@_needs("build")
def diff_command(
    old: Annotated[Path, typer.Argument(help="Older OpenAPI document (YAML or JSON).")],
    new: Annotated[Path, typer.Argument(help="Newer OpenAPI document.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = (
        ReportFormat.md),
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="`breaking`: exit 1 when any change is breaking (for CI).")] = None,
) -> None:
    """Compare two OpenAPI documents; classify every change as breaking or not.

    Exit codes as diff(1): 0 compared (no breaking change under --fail-on breaking), 1
    breaking changes found under --fail-on breaking, 2 trouble (a file unreadable or not an
    OpenAPI 3.0 document, a $ref unresolved or to another file, the comparison or the
    output failed).
    """
    try:
        documents = [_load_document(old), _load_document(new)]
    except typer.Exit:  # _load_document named the file and the problem; 1 is "breaking" here
        raise typer.Exit(2) from None
    except OSError as exc:  # a folder, no permission...
        typer.secho(f"error: {ArtifactError(exc.strerror or str(exc), exc.filename)}",
                    err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    try:
        report = diff_documents(*documents)
        text = render_report(report, fmt.value)
    except CannotCompare as exc:  # not 3.0, a $ref unresolved or to another file: made up
        source = old if exc.side == "old" else new
        typer.secho(f"error: {ArtifactError(str(exc), source)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    except Exception as exc:  # any failure here is trouble (2), never "breaking" (1)
        typer.secho(f"error: could not compare {old} with {new}: {exc!r}", err=True,
                    fg=typer.colors.RED)
        raise typer.Exit(2) from None
    try:
        if out is None:
            typer.echo(text, nl=False)
        else:
            atomic_write(out, text)
    except OSError as exc:
        typer.secho(f"error: {ArtifactError(f'cannot write: {exc.strerror or exc}', out)}",
                    err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    _say(f"{len(report.changes)} changes, {len(report.breaking)} breaking")
    if fail_on is FailOn.breaking and report.breaking:
        raise typer.Exit(1)


@app.command("client", hidden=True)
@app.command("clients")
@_needs("build")
@_file_errors
def clients_command(specs: SpecsOption = Path("specs"), build: BuildOption = Path("build")) -> None:
    """Generate the client packages (build/clients/) from the OpenAPI documents in specs/."""
    count = stages.write_clients(_read_specs(specs), build, progress=_say)
    _say(f"clients: {count} packages -> {build / 'clients'}")


@app.command("server", hidden=True)
@app.command("servers")
@_needs("build")
@_file_errors
def servers_command(xsd: XsdOption = Path("xsd"), build: BuildOption = Path("build"),
                    service: ServiceOption = None,
                    specs: Annotated[Path | None, typer.Option(
                        "--specs", callback=_optional_folder,
                        help="Also a mock-only app for each third-party OpenAPI document "
                             "in this folder (DIR/*/*.yaml, docs/third-party.md).")] = None,
                    ) -> None:
    """Generate the server apps (build/servers/): mock and REST->SOAP gateway."""
    third_party = _read_specs(specs) if specs is not None else []
    try:
        apps, mocks = stages.write_servers(xsd, build, service or (), third_party,
                                           progress=_say)
    except ArtifactError as exc:
        _fail(exc)
    extra = f" and {mocks} mock-only (third-party)" if mocks else ""
    _say(f"servers: {apps} apps{extra} -> {build / 'servers'}")


DocsOption = Annotated[Path, typer.Option("--docs", help="The documentation folder.",
                                          envvar="B2B_DOCS", callback=_folder)]


def _stale_docs(docs: Path) -> dict[Path, str]:
    """The docs files whose generated parts are stale; none when there is no docs/ folder
    (an artifact corpus outside this repository has no docs to keep)."""
    if not docs.is_dir():
        return {}
    try:
        return stale_docs(docs)
    except ValueError as exc:
        _fail(ArtifactError(str(exc)))


@app.command("add")
@_file_errors
def add_command(
    package: Annotated[Path, typer.Argument(help="A downloaded package: .zip or folder.")],
    xsd: XsdOption = Path("xsd"),
    system: Annotated[str | None, typer.Option(
        help="The CAISO system (SIBR, CMRI...) when the built-in table does not know the "
             "service; written to the corpus's b2b-packages.toml.")] = None,
) -> None:
    """File a downloaded artifact package into the corpus, unchanged (docs/artifacts.md)."""
    from b2b_openapi.xsd.filing import add_package

    try:
        filed = add_package(package, xsd, system)
    except ArtifactError as exc:
        _fail(exc)
    for message in filed.warnings:
        _warn(message)
    names = ", ".join(a.full_name for a in filed.artifacts)
    _say(f"add: {len(filed.artifacts)} services ({names}) -> {filed.target}")


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so the writers remove their
    temporary files (:mod:`.outputs`) instead of leaving them in specs/ or postman/."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (an in-process caller): nothing to set
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command("check")
@_needs("build")
def check_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  postman: PostmanOption = Path("postman"),
                  docs: DocsOption = Path("docs")) -> None:
    """Fail if specs/ is not exactly what the corpus generates, if an interrupted build left
    temporary files in specs/ or postman/, or if a generated part of docs/ (the diff rules
    table) is stale (for CI)."""
    try:
        files = spec_stage.render_all(xsd)
    except ArtifactError as exc:
        _fail(exc)
    junk = leftovers((specs, postman))
    for path in junk:
        _say(f"leftover temporary file: {path} (an interrupted build; delete it)")
    stale = [*spec_stage.stale_specs(specs, files), *_stale_docs(docs)]
    for path in stale:
        _say(f"out of date: {path}")
    if junk and not stale:
        raise typer.Exit(1)
    if stale:
        _say("run `b2b-openapi specs --prune` and `b2b-openapi docs`, and commit specs/ "
             "and docs/")
        raise typer.Exit(1)
    _say(f"specs/ is up to date ({len(files)} documents), docs/ too")


@app.command("docs")
@_file_errors
def docs_command(docs: DocsOption = Path("docs")) -> None:
    """Rewrite the generated parts of docs/ (the diff rules table) from the code."""
    stale = _stale_docs(docs)
    for path, text in stale.items():
        atomic_write(path, text)
    _say(f"docs: {len(stale)} files rewritten")


def _env_option(option: str, help_: str, **kwargs: object) -> object:
    """A serve option that its ``B2B_*`` variable (:data:`launch.SERVE_VARIABLES`) also sets."""
    from b2b_openapi.runtime.launch import SERVE_VARIABLES

    return typer.Option(option, help=help_, envvar=SERVE_VARIABLES[option],
                        show_envvar=True, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- serve (docs/operations.md)
@app.command("serve")
@_needs("server")
def serve_command(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Argument(
        envvar="B2B_SERVICE", show_envvar=True,
        help="Service full name, e.g. RetrieveMeterData_STLMTv1; all services if omitted.")] = None,
    mode: Annotated[Mode, _env_option("--mode", "Mock answers, or the REST->SOAP gateway.")
                    ] = Mode.mock,
    api_key: Annotated[list[str] | None, typer.Option(
        "--api-key", help="sha256:<hash>=user accepted by the server (repeatable; the hash "
        "from `b2b-openapi hash-key`). Plain keys go in B2B_API_KEYS or --api-keys-file, "
        "never on the command line.")] = None,
    api_keys_file: Annotated[Path | None, _env_option(
        "--api-keys-file", "File of key=user lines, the keys best as their hashes.")] = None,
    soap_endpoint: Annotated[str | None, typer.Option(
        help="Gateway: SOAP endpoint URL, or with all services the base URL the service "
             "name is appended to (variables B2B_SOAP_ENDPOINT, B2B_SOAP_BASE_URL).")] = None,
    soap_timeout: Annotated[str | None, _env_option(
        "--soap-timeout", "Gateway: seconds for a whole SOAP call (default 30).")] = None,
    redis_url: Annotated[str | None, _env_option(
        "--redis-url", "Redis holding the acceptable use windows of all workers and hosts "
        "(redis://host:6379/0; a password only in the variable).")] = None,
    workers: Annotated[str | None, _env_option(
        "--workers", "uvicorn worker processes (more than 1 needs --redis-url).")] = None,
    max_body_mb: Annotated[str | None, _env_option(
        "--max-body-mb", "Largest request body read, in MB (default 32).")] = None,
    max_upstream: Annotated[str | None, _env_option(
        "--max-upstream", "SOAP calls at once per worker (default 32).")] = None,
    upstream_queue_seconds: Annotated[str | None, _env_option(
        "--upstream-queue-seconds", "How long a call waits for a free SOAP slot before "
        "503 (default 5).")] = None,
    host: Annotated[str, _env_option("--host", "Address to listen on.")] = "127.0.0.1",
    port: Annotated[str, _env_option("--port", "Port to listen on.")] = "8000",
    build: Annotated[Path, _env_option("--build", "Where `build` put the servers.",
                                       callback=_folder)] = Path("build"),
    tls_cert: Annotated[Path | None, _env_option(
        "--tls-cert", "Server certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, _env_option("--tls-key", "Server private key (PEM).")] = None,
    tls_client_ca: Annotated[Path | None, _env_option(
        "--tls-client-ca", "CA bundle that issues client certificates: every client must "
        "present one (mutual TLS; give it with --tls-cert and --tls-key).")] = None,
    soap_client_cert: Annotated[Path | None, typer.Option(
        envvar="B2B_SOAP_CLIENT_CERT",
        help="Gateway: the participant's CAISO certificate (PEM, or .p12/.pfx as issued), "
             "presented in TLS and signing every request; its password from "
             "B2B_SOAP_CLIENT_PASSWORD or B2B_SOAP_CLIENT_PASSWORD_FILE.")] = None,
    soap_client_key: Annotated[Path | None, typer.Option(
        envvar="B2B_SOAP_CLIENT_KEY",
        help="Gateway: the PEM private key of --soap-client-cert (if not in that file).")
    ] = None,
    soap_ca: Annotated[Path | None, typer.Option(
        envvar="B2B_SOAP_CA",
        help="Gateway: CA bundle the SOAP server's certificate is verified against "
             "(default: the system's).")] = None,
    soap_verify_cert: Annotated[Path | None, typer.Option(
        envvar="B2B_SOAP_VERIFY_CERT",
        help="Gateway: certificate or CA bundle SOAP responses must be signed by; an "
             "unsigned or tampered response is a 502.")] = None,
    soap_endpoint_preset: Annotated[str | None, typer.Option(
        envvar="B2B_SOAP_ENDPOINT_PRESET",
        help="Gateway: CAISO environment by name, production or map-stage (each service "
             "posts to its endpoint there).")] = None,
    soap_signature_algorithm: Annotated[str, typer.Option(
        envvar="B2B_SOAP_SIGNATURE_ALGORITHM",
        help="Gateway: rsa-sha1 (CAISO's clients) or rsa-sha256.")] = "rsa-sha1",
) -> None:
    """Run generated server apps (after `build`) with uvicorn: see docs/operations.md."""
    from b2b_openapi.runtime import launch
    from b2b_openapi.runtime.oasis import is_oasis
    from b2b_openapi.runtime.peercert import PeerCertH11Protocol

    plain = [k for k in api_key or () if not k.startswith("sha256:")]
    malformed = [k for k in api_key or () if not all(p.strip() for p in k.rpartition("=")[::2])]
    if malformed:
        shown = malformed[0] if malformed[0] not in plain else f"{malformed[0][:3]}..."
        raise typer.BadParameter(f"{shown!r} is not key=user", param_hint="--api-key")
    if plain:
        raise typer.BadParameter(
            "a plain key on the command line is visible to every local user (ps): give it in "
            "B2B_API_KEYS or --api-keys-file, or give its hash from `b2b-openapi hash-key`",
            param_hint="--api-key")
    if not api_key and api_keys_file is None and "B2B_API_KEYS" not in os.environ:
        raise typer.BadParameter("no API keys: set B2B_API_KEYS=key=user[,...], or give "
                                 "--api-keys-file or --api-key sha256:<hash>=user",
                                 param_hint="--api-key")
    if (tls_cert is None) != (tls_client_ca is None) or (tls_cert is None) != (tls_key is None):
        # TLS without client certificates would quietly drop the specs' x-b2b-mutual-tls
        raise typer.BadParameter(
            "TLS is mutual: give --tls-cert, --tls-key and --tls-client-ca together (or none "
            "of them, for plain HTTP on a trusted network)", param_hint="--tls-client-ca")
    tls = {"--tls-cert": tls_cert, "--tls-key": tls_key, "--tls-client-ca": tls_client_ca}
    for option, path in tls.items():
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"{str(path)!r}: no such file", param_hint=option)
    folders = {p.parent.name: p.parent for p in build.glob("servers/*/*/app.py")}
    if not folders:
        _fail(ArtifactError("no generated server apps here: run `b2b-openapi build` first",
                            build / "servers"))
    if service is not None and service not in folders:
        known = ", ".join(sorted(folders))
        _fail(ArtifactError(f"unknown service {service!r}; built servers: {known}"))
    if mode is Mode.gateway:
        for folder in [folders[service]] if service is not None else sorted(folders.values()):
            document = load_yaml(folder / "openapi.yaml")
            if "x-soap-service" not in document and not is_oasis(document):  # docs/oasis.md
                _fail(ArtifactError(
                    "gateway mode needs the x-soap-service extension (a document b2b-openapi "
                    "generated from a WSDL); this third-party document has none: serve it "
                    "with --mode mock", folder / "openapi.yaml"))
        _upstream_settings(soap_client_cert, soap_client_key, soap_ca, soap_verify_cert,
                           soap_endpoint_preset, soap_signature_algorithm)
    if mode is Mode.gateway and not soap_endpoint and not soap_endpoint_preset and not any(
            v in os.environ for v in ("B2B_SOAP_ENDPOINT", "B2B_SOAP_BASE_URL")):
        _say("gateway: no --soap-endpoint, so each service posts to its WSDL's soap:address "
             "(CAISO's own endpoint)")
    names = {"--mode": mode, "--api-keys-file": api_keys_file, "--soap-timeout": soap_timeout,
             "--redis-url": redis_url, "--workers": workers, "--max-body-mb": max_body_mb,
             "--max-upstream": max_upstream, "--upstream-queue-seconds": upstream_queue_seconds,
             "--port": port, "--service": service}
    values = {option: str(value) for option, value in names.items() if value is not None}
    values["--service"] = service or ""
    given = {option for option in names
             if getattr(ctx.get_parameter_source(option.lstrip("-").replace("-", "_")),
                        "name", None) == "COMMANDLINE"}
    env = dict(os.environ)
    if api_key:
        env["B2B_API_KEYS"] = ",".join(filter(None, [env.get("B2B_API_KEYS"), *api_key]))
    if soap_endpoint:
        env["B2B_SOAP_ENDPOINT" if service else "B2B_SOAP_BASE_URL"] = soap_endpoint
    env["B2B_SERVERS_ROOT"] = str(build / "servers")
    try:
        # with client certificates, the caller's certificate names the caller
        extra = {"http": PeerCertH11Protocol} if tls_client_ca else None
        plan = launch.plan(values, given, env, host=host, port=port, tls=tls,
                           uvicorn_extra=extra)
    except launch.UsageError as exc:  # one line naming the option or variable
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    launch.run(plan)


def _upstream_settings(cert: Path | None, key: Path | None, ca: Path | None,
                       verify: Path | None, preset: str | None, algorithm: str) -> None:
    """Put the gateway's wire options in the environment the server apps read, and load them
    once here: a bad certificate, key, password or bundle is one error line at start-up."""
    from b2b_openapi.runtime.upstream import Upstream, UpstreamError, UpstreamSettings

    values = {"B2B_SOAP_CLIENT_CERT": cert, "B2B_SOAP_CLIENT_KEY": key, "B2B_SOAP_CA": ca,
              "B2B_SOAP_VERIFY_CERT": verify, "B2B_SOAP_ENDPOINT_PRESET": preset,
              "B2B_SOAP_SIGNATURE_ALGORITHM": algorithm}
    for name, value in values.items():
        if value is not None:
            os.environ[name] = str(value)
    try:
        upstream = Upstream.from_settings(UpstreamSettings.from_env())
    except UpstreamError as exc:
        _fail(ArtifactError(str(exc)))
    warning = upstream.warning()
    if warning:
        _warn(warning)


@app.command("hash-key")
def hash_key_command(user: Annotated[str | None, typer.Option(
        help="Print a whole key=user line for --api-keys-file.")] = None) -> None:
    """Read an API key from stdin; print its hash (what --api-keys-file and --api-key hold)."""
    from b2b_openapi.runtime.policy import hash_key

    key = sys.stdin.readline().rstrip("\r\n")
    if not key.strip():
        typer.secho("error: no key on stdin (e.g. `printf %s \"$KEY\" | b2b-openapi "
                    "hash-key`)", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    if len(key) < 16:
        _warn("a key shorter than 16 characters can be guessed; use a long random one "
              "(e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    typer.echo(hash_key(key) + (f"={user}" if user else ""))


@app.command("soap-mock")
@_needs("server")
def soap_mock_command(
    xsd: XsdOption = Path("xsd"), host: str = "127.0.0.1", port: int = 9000,
    tls_cert: Annotated[Path | None, typer.Option(help="Server certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="Server private key (PEM).")] = None,
    tls_client_ca: Annotated[Path | None, typer.Option(
        help="Require client certificates from this CA bundle (mutual TLS, as CAISO).")
    ] = None,
    verify_ca: Annotated[Path | None, typer.Option(
        envvar="B2B_MOCK_VERIFY_CA",
        help="Verify every request's WS-Security signature against this bundle and answer "
             "CAISO's faults to unsigned or tampered ones.")] = None,
    sign_cert: Annotated[Path | None, typer.Option(
        envvar="B2B_MOCK_SIGN_CERT", help="Sign the answers with this certificate (PEM).")
    ] = None,
    sign_key: Annotated[Path | None, typer.Option(
        envvar="B2B_MOCK_SIGN_KEY", help="The unencrypted PEM key of --sign-cert.")] = None,
) -> None:
    """Run the SOAP mock backend for every service of the corpus (POST /{ServiceName})."""
    import ssl

    import uvicorn

    from b2b_openapi.codec.wssecurity import WsSecurityError
    from b2b_openapi.runtime.mockwire import MockWire
    from b2b_openapi.runtime.soapmock import SoapMockBackend, create_soap_mock_app

    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter("give --tls-cert and --tls-key together",
                                 param_hint="--tls-key")
    env = {"B2B_MOCK_VERIFY_CA": verify_ca, "B2B_MOCK_SIGN_CERT": sign_cert,
           "B2B_MOCK_SIGN_KEY": sign_key}
    try:  # loaded here, not in a uvicorn factory: a broken corpus is one line, not a traceback
        wire = MockWire.from_env({k: str(v) for k, v in env.items() if v is not None})
        app_ = create_soap_mock_app(SoapMockBackend.from_corpus(xsd, wire=wire))
    except ArtifactError as exc:
        _fail(exc)
    except (WsSecurityError, OSError) as exc:
        _fail(ArtifactError(str(exc)))
    uvicorn.run(app_, host=host, port=port, ssl_certfile=tls_cert, ssl_keyfile=tls_key,
                ssl_ca_certs=tls_client_ca,
                ssl_cert_reqs=ssl.CERT_REQUIRED if tls_client_ca else ssl.CERT_NONE)


def _exit_code(code: object) -> int:
    """What the interpreter would exit with for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    """The ``b2b-openapi`` command.  Once its output is flushed it leaves with ``os._exit``,
    as mypy does: a build leaves large object graphs (schemas, documents) whose orderly
    teardown costs ~0.1 s and serves nobody.  In-process callers (tests) use ``app``."""
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except KeyboardInterrupt:  # pragma: no cover
        code = 130
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe (`| head`): nothing to add
            stream.flush()
    os._exit(code)
