"""Command line: ``b2b-openapi build|specs|check``.

Every command exits 0 on success, 1 on an artifact error (printed as one ``file:line:
message`` line on stderr) and 2 on bad usage.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import typer
import yaml

from . import pipeline
from . import specs as spec_stage
from .diff import CannotCompare, diff_documents
from .diffreport import FORMATS, diff_files, render_report
from .errors import ArtifactError
from .outputs import leftovers, replace_tree
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


XsdOption = Annotated[Path, typer.Option("--xsd", help="Artifact corpus root.",
                                         callback=_folder)]
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


PruneOption = Annotated[bool, typer.Option(
    "--prune", help="Also delete specs (and collections) this corpus does not generate; "
    "without it nothing is deleted that this run did not write (`check` lists stale files).")]


def _specs(xsd: Path, specs: Path, service: list[str] | None,
           prune: bool = False) -> list[spec_stage.SpecFile]:
    try:
        files = spec_stage.render_all(xsd, service or (), progress=_say)
    except ArtifactError as exc:
        _fail(exc)
    if prune and service:
        raise typer.BadParameter("prunes only a whole corpus: leave out --service",
                                 param_hint="--prune")
    changed, removed = spec_stage.write_all(specs, files, prune=prune)
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
                  service: ServiceOption = None, prune: PruneOption = False) -> None:
    """Generate and validate the OpenAPI documents under specs/."""
    with _terminate_as_interrupt():
        _specs(xsd, specs, service, prune)


@app.command("build")
@_file_errors
def build_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  build: BuildOption = Path("build"),
                  postman: PostmanOption = Path("postman"),
                  jobs: Annotated[int | None, typer.Option(
                      help="Worker processes for rendering specs (default: CPU count).")] = None,
                  cache: Annotated[bool, typer.Option(
                      help="Reuse unchanged results from build/.cache/.")] = True,
                  prune: PruneOption = False) -> None:
    """Build everything from the artifact corpus: specs, client packages, server apps,
    diff reports, Postman collections and the portal (incrementally)."""
    try:
        with _terminate_as_interrupt():
            result = pipeline.build(xsd, specs, build, postman, progress=_say, jobs=jobs,
                                    use_cache=cache, prune=prune)
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
def check_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  postman: PostmanOption = Path("postman")) -> None:
    """Fail if specs/ is not exactly what the corpus generates, or if an interrupted
    build left temporary files in specs/ or postman/ (for CI)."""
    try:
        files = spec_stage.render_all(xsd)
    except ArtifactError as exc:
        _fail(exc)
    junk = leftovers((specs, postman))
    for path in junk:
        _say(f"leftover temporary file: {path} (an interrupted build; delete it)")
    stale = spec_stage.stale_specs(specs, files)
    for path in stale:
        _say(f"out of date: {path}")
    if junk and not stale:
        raise typer.Exit(1)
    if stale:
        _say("run `b2b-openapi specs --prune` and commit specs/")
        raise typer.Exit(1)
    _say(f"specs/ is up to date ({len(files)} documents)")


def _env_option(option: str, help_: str, **kwargs: object) -> object:
    """A serve option that its ``B2B_*`` variable (:data:`launch.SERVE_VARIABLES`) also sets."""
    from .runtime.launch import SERVE_VARIABLES

    return typer.Option(option, help=help_, envvar=SERVE_VARIABLES[option],
                        show_envvar=True, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- serve (docs/operations.md)
@app.command("serve")
def serve_command(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Argument(
        envvar="B2B_SERVICE", show_envvar=True,
        help="Service full name, e.g. RetrieveMeterData_STLMTv1; all services if omitted.")] = None,
    mode: Annotated[str, _env_option("--mode", "mock | gateway")] = "mock",
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
) -> None:
    """Run generated server apps (after `build`) with uvicorn: see docs/operations.md."""
    from .runtime import launch

    if mode not in ("mock", "gateway"):
        raise typer.BadParameter(f"{mode!r} is not mock or gateway", param_hint="--mode")
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
    if mode == "gateway" and not soap_endpoint and not any(
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
        plan = launch.plan(values, given, env, host=host, port=port, tls=tls)
    except launch.UsageError as exc:  # one line naming the option or variable
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    launch.run(plan)


@app.command("hash-key")
def hash_key_command(user: Annotated[str | None, typer.Option(
        help="Print a whole key=user line for --api-keys-file.")] = None) -> None:
    """Read an API key from stdin; print its hash (what --api-keys-file and --api-key hold)."""
    from .runtime.policy import hash_key

    key = sys.stdin.readline().rstrip("\r\n")
    if not key.strip():
        _say("error: no key on stdin (e.g. `printf %s \"$KEY\" | b2b-openapi hash-key`)")
        raise typer.Exit(2)
    if len(key) < 16:
        _say("warning: a key shorter than 16 characters can be guessed; use a long random "
             "one (e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    typer.echo(hash_key(key) + (f"={user}" if user else ""))


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
