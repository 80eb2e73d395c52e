"""Command line: ``b2b-openapi build|specs|check``.

Every command exits 0 on success, 1 on an artifact error (printed as one ``file:line:
message`` line on stderr) and 2 on bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from . import specs as spec_stage
from .errors import ArtifactError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn CAISO SOAP artifacts (WSDL + XSD) into OpenAPI 3.0 and friends.")

XsdOption = Annotated[Path, typer.Option("--xsd", help="Artifact corpus root.")]
SpecsOption = Annotated[Path, typer.Option("--specs", help="Where OpenAPI YAML is written.")]
ServiceOption = Annotated[list[str] | None, typer.Option(
    "--service", "-s", help="Only this service (repeatable), e.g. RetrieveCleanBidSet_SIBRv5.")]


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _fail(exc: ArtifactError) -> None:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _specs(xsd: Path, specs: Path, service: list[str] | None) -> None:
    try:
        files = spec_stage.render_all(xsd, service or (), progress=_say)
    except ArtifactError as exc:
        _fail(exc)
        return
    changed, removed = spec_stage.write_all(specs, files, prune=not service)
    _say(f"specs: {len(files)} OpenAPI documents valid, {changed} written, {removed} removed "
         f"-> {specs}")


@app.command("specs")
def specs_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  service: ServiceOption = None) -> None:
    """Generate and validate the OpenAPI documents under specs/."""
    _specs(xsd, specs, service)


@app.command("build")
def build_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs"),
                  service: ServiceOption = None) -> None:
    """Build everything from the artifact corpus (currently: the OpenAPI specs)."""
    _specs(xsd, specs, service)


@app.command("check")
def check_command(xsd: XsdOption = Path("xsd"), specs: SpecsOption = Path("specs")) -> None:
    """Fail if specs/ is not exactly what the corpus generates (for CI)."""
    try:
        files = spec_stage.render_all(xsd)
    except ArtifactError as exc:
        _fail(exc)
        return
    stale = spec_stage.stale_specs(specs, files)
    for path in stale:
        _say(f"out of date: {path}")
    if stale:
        _say("run `b2b-openapi specs` and commit specs/")
        raise typer.Exit(1)
    _say(f"specs/ is up to date ({len(files)} documents)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
