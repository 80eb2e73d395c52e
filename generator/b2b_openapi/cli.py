"""Command line: ``b2b-openapi build|specs|check``.

Every command exits 0 on success, 1 on an artifact error (printed as one ``file:line:
message`` line on stderr) and 2 on bad usage.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import typer
import yaml

from . import pipeline
from . import specs as spec_stage
from .diff import CannotCompare, diff_documents
from .diffreport import FORMATS, diff_files, render_report
from .errors import ArtifactError
from .outputs import replace_tree
from .portal import portal_files
from .postman import postman_files
from .runtime.jsonio import load_yaml
from .sdk import client_files
from .servers import server_files
from .workers import Workers
from .yamlio import atomic_write

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn CAISO SOAP artifacts (WSDL + XSD) into OpenAPI 3.0 and friends.")
P = ParamSpec("P")
R = TypeVar("R")


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


def _corpus(path: Path) -> Path:
    """The corpus option: a folder, or one downloaded ``.zip`` package."""
    if path.is_file() and path.suffix.lower() == ".zip":
        return path
    return _folder(path)


XsdOption = Annotated[Path, typer.Option(
    "--xsd", help="Artifact corpus root (or one .zip package).", callback=_corpus)]
SpecsOption = Annotated[Path, typer.Option("--specs", help="Where OpenAPI YAML is written.",
                                           callback=_folder)]
ServiceOption = Annotated[list[str] | None, typer.Option(
    "--service", "-s", help="Only this service (repeatable), e.g. RetrieveCleanBidSet_SIBRv5.")]
BuildOption = Annotated[Path, typer.Option("--build", help="Where generated code goes.",
                                           callback=_folder)]
PostmanOption = Annotated[Path, typer.Option("--postman", help="Where collections go.",
                                             callback=_folder)]


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _warn(message: str) -> None:
    typer.secho(f"warning: {message}", err=True, fg=typer.colors.YELLOW)


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


def _specs(xsd: Path, specs: Path, service: list[str] | None) -> list[spec_stage.SpecFile]:
    try:
        files = spec_stage.render_all(xsd, service or (), progress=_say, warn=_warn)
    except ArtifactError as exc:
        _fail(exc)
    changed, removed = spec_stage.write_all(specs, files, prune=not service)
    _say(f"specs: {len(files)} OpenAPI documents valid, {changed} written, {removed} removed "
         f"-> {specs}")
    return files


def _clients(documents: list[dict[str, object]], build: Path) -> dict[Path, str]:
    target = build / "clients"
    with Workers() as workers:
        files = client_files(documents, progress=_say, workers=workers)
    replace_tree(target, files)
    _say(f"clients: {len({p.parts[0] for p in files})} packages -> {target}")
    return files


def _servers(files: list[spec_stage.SpecFile], xsd: Path, build: Path) -> None:
    target = build / "servers"
    try:
        tree = server_files(files, xsd, progress=_say)
    except ArtifactError as exc:
        _fail(exc)
    replace_tree(target, tree)
    _say(f"servers: {len(files)} apps -> {target}")


@app.command("specs")
@_file_errors
def specs_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  service: ServiceOption = None) -> None:
    """Generate and validate the OpenAPI documents under specs/."""
    _specs(xsd, specs, service)


@app.command("build")
@_file_errors
def build_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  build: BuildOption = Path("build"),
                  postman: PostmanOption = Path("postman"),
                  jobs: Annotated[int | None, typer.Option(
                      help="Worker processes for rendering specs (default: CPU count).")] = None,
                  cache: Annotated[bool, typer.Option(
                      help="Reuse unchanged results from build/.cache/.")] = True) -> None:
    """Build everything from the artifact corpus: specs, client packages, server apps,
    diff reports, Postman collections and the portal (incrementally)."""
    try:
        result = pipeline.build(xsd, specs, build, postman, progress=_say, jobs=jobs,
                                use_cache=cache, warn=_warn)
    except ArtifactError as exc:
        _fail(exc)
    for name, (written, removed) in result.written.items():
        _say(f"{name}: {written} files written, {removed} removed")
    _say(f"build: {len(result.specs)} services; cache {result.cache.hits} hits, "
         f"{result.cache.misses} misses")


def _postman(documents: list[dict[str, object]], target: Path) -> dict[Path, str]:
    files = postman_files(documents)
    replace_tree(target, files)
    _say(f"postman: {len(documents)} collections -> {target}")
    return files


def _portal(specs: list[tuple[dict[str, object], str]], clients: dict[Path, str],
            collections: dict[Path, str], diffs: dict[Path, str], build: Path) -> None:
    target = build / "portal"
    replace_tree(target, portal_files(specs, clients, collections, diffs))
    _say(f"portal: {len(specs)} API references -> {target / 'index.html'}")


@app.command("portal")
@_file_errors
def portal_command(specs: SpecsOption = Path("specs"), build: BuildOption = Path("build")
                   ) -> None:
    """Generate the static developer portal (build/portal/) from specs/."""
    paths = sorted(specs.glob("*/*.yaml"))
    documents = _spec_documents(specs)
    _portal([(d, p.read_text(encoding="utf-8")) for d, p in zip(documents, paths, strict=True)],
            client_files(documents), postman_files(documents), diff_files(documents), build)


@app.command("postman")
@_file_errors
def postman_command(specs: SpecsOption = Path("specs"),
                    postman: PostmanOption = Path("postman")) -> None:
    """Generate the Postman collections and environments (postman/) from specs/."""
    _postman(_spec_documents(specs), postman)


def _spec_documents(specs: Path) -> list[dict[str, object]]:
    paths = sorted(specs.glob("*/*.yaml"))
    if not paths:
        _fail(ArtifactError("no OpenAPI documents found (run `b2b-openapi specs`)", specs))
    return [load_yaml(p) for p in paths]


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
def diff_command(
    old: Annotated[Path, typer.Argument(help="Older OpenAPI document (YAML or JSON).")],
    new: Annotated[Path, typer.Argument(help="Newer OpenAPI document.")],
    fmt: Annotated[str, typer.Option("--format", help="md | json | html")] = "md",
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    fail_on: Annotated[str | None, typer.Option(
        help="`breaking`: exit 1 when any change is breaking (for CI).")] = None,
) -> None:
    """Compare two OpenAPI documents; classify every change as breaking or not.

    Exit codes as diff(1): 0 compared (no breaking change under --fail-on breaking), 1
    breaking changes found under --fail-on breaking, 2 trouble (a file unreadable or not an
    OpenAPI 3.0 document, a $ref unresolved or to another file, the comparison or the
    output failed).
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    if fail_on not in (None, "breaking"):
        raise typer.BadParameter("the only level is `breaking`", param_hint="--fail-on")
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
        text = render_report(report, fmt)
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
    if fail_on == "breaking" and report.breaking:
        raise typer.Exit(1)


@app.command("client", hidden=True)
@app.command("clients")
@_file_errors
def clients_command(specs: SpecsOption = Path("specs"), build: BuildOption = Path("build")) -> None:
    """Generate the client packages (build/clients/) from the OpenAPI documents in specs/."""
    _clients(_spec_documents(specs), build)


@app.command("server", hidden=True)
@app.command("servers")
@_file_errors
def servers_command(xsd: XsdOption = Path("xsd"), build: BuildOption = Path("build"),
                    service: ServiceOption = None) -> None:
    """Generate the server apps (build/servers/): mock and REST->SOAP gateway."""
    try:
        files = spec_stage.render_all(xsd, service or (), progress=_say)
    except ArtifactError as exc:
        _fail(exc)
    _servers(files, xsd, build)


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
    from .xsd.filing import add_package

    try:
        filed = add_package(package, xsd, system)
    except ArtifactError as exc:
        _fail(exc)
    for message in filed.warnings:
        _warn(message)
    names = ", ".join(a.full_name for a in filed.artifacts)
    _say(f"add: {len(filed.artifacts)} services ({names}) -> {filed.target}")


@app.command("check")
def check_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs")) -> None:
    """Fail if specs/ is not exactly what the corpus generates (for CI)."""
    try:
        files = spec_stage.render_all(xsd)
    except ArtifactError as exc:
        _fail(exc)
    stale = spec_stage.stale_specs(specs, files)
    for path in stale:
        _say(f"out of date: {path}")
    if stale:
        _say("run `b2b-openapi specs` and commit specs/")
        raise typer.Exit(1)
    _say(f"specs/ is up to date ({len(files)} documents)")


@app.command("serve")
def serve_command(
    service: Annotated[str | None, typer.Argument(
        help="Service full name, e.g. RetrieveMeterData_STLMTv1; all services if omitted.")] = None,
    mode: Annotated[str, typer.Option(help="mock | gateway")] = "mock",
    api_key: Annotated[list[str] | None, typer.Option(
        "--api-key", help="key=user accepted by the server (repeatable).")] = None,
    soap_endpoint: Annotated[str | None, typer.Option(
        help="Gateway: SOAP endpoint URL, or with all services the base URL the service "
             "name is appended to.")] = None,
    host: str = "127.0.0.1", port: int = 8000, build: BuildOption = Path("build"),
    tls_cert: Annotated[Path | None, typer.Option(help="Server certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="Server private key (PEM).")] = None,
    tls_client_ca: Annotated[Path | None, typer.Option(
        help="CA bundle that issues client certificates: every client must present one "
             "(mutual TLS; give it with --tls-cert and --tls-key).")] = None,
) -> None:
    """Run generated server apps (after `build`) with uvicorn."""
    import ssl

    import uvicorn

    if mode not in ("mock", "gateway"):
        raise typer.BadParameter(f"{mode!r} is not mock or gateway", param_hint="--mode")
    if not api_key:
        raise typer.BadParameter("give at least one --api-key key=user", param_hint="--api-key")
    malformed = [k for k in api_key if not all(part.strip() for part in k.partition("=")[::2])]
    if malformed:
        raise typer.BadParameter(f"{malformed[0]!r} is not key=user", param_hint="--api-key")
    if (tls_cert is None) != (tls_client_ca is None) or (tls_cert is None) != (tls_key is None):
        # TLS without client certificates would quietly drop the specs' x-b2b-mutual-tls
        raise typer.BadParameter(
            "TLS is mutual: give --tls-cert, --tls-key and --tls-client-ca together (or none "
            "of them, for plain HTTP on a trusted network)", param_hint="--tls-client-ca")
    for option, path in (("--tls-cert", tls_cert), ("--tls-key", tls_key),
                         ("--tls-client-ca", tls_client_ca)):
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"{str(path)!r}: no such file", param_hint=option)
    folders = {p.parent.name: p.parent for p in build.glob("servers/*/*/app.py")}
    if not folders:
        _fail(ArtifactError("no generated server apps here: run `b2b-openapi build` first",
                            build / "servers"))
    if service is not None and service not in folders:
        known = ", ".join(sorted(folders))
        _fail(ArtifactError(f"unknown service {service!r}; built servers: {known}"))
    if mode == "gateway" and not soap_endpoint and not any(
            v in os.environ for v in ("B2B_SOAP_ENDPOINT", "B2B_SOAP_BASE_URL")):
        _say("gateway: no --soap-endpoint, so each service posts to its WSDL's soap:address "
             "(CAISO's own endpoint)")
    os.environ["B2B_MODE"] = mode
    os.environ["B2B_API_KEYS"] = ",".join(api_key)
    if soap_endpoint:
        os.environ["B2B_SOAP_ENDPOINT" if service else "B2B_SOAP_BASE_URL"] = soap_endpoint
    tls = {"ssl_certfile": tls_cert, "ssl_keyfile": tls_key, "ssl_ca_certs": tls_client_ca,
           "ssl_cert_reqs": ssl.CERT_REQUIRED if tls_client_ca else ssl.CERT_NONE}
    if service is None:
        os.environ["B2B_SERVERS_ROOT"] = str(build / "servers")
        uvicorn.run("b2b_openapi.runtime.combined:app_from_env", factory=True, host=host,
                    port=port, **tls)  # type: ignore[arg-type]
    else:
        uvicorn.run("app:app", app_dir=str(folders[service]), host=host, port=port,
                    **tls)  # type: ignore[arg-type]


@app.command("soap-mock")
def soap_mock_command(xsd: XsdOption = Path("xsd"), host: str = "127.0.0.1",
                      port: int = 9000) -> None:
    """Run the SOAP mock backend for every service of the corpus (POST /{ServiceName})."""
    import uvicorn

    from .runtime.soapmock import SoapMockBackend, create_soap_mock_app

    try:  # loaded here, not in a uvicorn factory: a broken corpus is one line, not a traceback
        app_ = create_soap_mock_app(SoapMockBackend.from_corpus(xsd))
    except ArtifactError as exc:
        _fail(exc)
    uvicorn.run(app_, host=host, port=port)


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
