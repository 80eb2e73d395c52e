"""Where the benchmarks find their inputs in the bundled corpus: through the project's own
package discovery (``xsd/<SYS>/<Service>/<YYYYMMDD>/``, whatever the release folder is
called) and the committed specs (the payload schema behind an attachment, from
``x-caiso-attachment``), so that a re-based or re-dated package does not break them.

    python benchmarks/corpus.py       # print what the benchmarks use, or fail naming what is gone
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT / "xsd"
SPECS = ROOT / "specs"

# The services the benchmarks measure, by the API name the build gives them.  The gateway's
# SOAP -> JSON figures: CMRI's default bid curves (a large list answer); JSON -> SOAP:
# SIBR's raw bid submit; the load figures' GET: a DocAttach retrieve with query parameters.
ANSWER_SERVICE = "RetrieveDefaultBidCurves_CMRIv2"
SUBMIT_SERVICE = "SubmitRawBidSet_SIBRv5"
GET_SERVICE = "RetrieveRegistrations_DRRSv1_DocAttach"
POST_SERVICE = "RetrieveDefaultBidCurves_CMRIv1"


class Missing(SystemExit):
    """A benchmark input the corpus no longer has: one line naming it."""


@dataclass(frozen=True)
class Service:
    """One service version of the bundled corpus as the benchmarks use it."""

    name: str
    wsdl: Path
    package: Path
    spec: Path

    def sample(self, kind: str) -> Path:
        """The package's sample ``kind`` (input, output, fault) of this WSDL's operation."""
        path = self.package / "samples" / f"{self.wsdl.stem}.{kind}.xml"
        if not path.is_file():
            raise Missing(f"error: {path}: no {kind} sample for {self.name}")
        return path

    def parsed(self) -> dict[str, Any]:
        import yaml

        document: dict[str, Any] = yaml.safe_load(self.spec.read_text(encoding="utf-8"))
        return document

    def operation(self) -> tuple[str, str, dict[str, Any]]:
        """(method, path, operation object) of the service's one operation."""
        ((path, item),) = self.parsed()["paths"].items()
        ((method, op),) = ((m, o) for m, o in item.items() if isinstance(o, dict))
        return method.upper(), path, op

    def route(self) -> str:
        """The operation's path on a server: the service's base path and the REST path."""
        from b2b_openapi.runtime.spec import ServiceSpec

        base: str = ServiceSpec.load(self.spec).base_path
        return base + self.operation()[1]


@dataclass(frozen=True)
class Payload:
    """The payload document behind a service's attachment: its XSD in the package and its
    root element (Clark notation)."""

    xsd: Path
    element: str
    name: str
    namespace: str


def service(name: str) -> Service:
    """The bundled service version ``name`` (e.g. ``RetrieveDefaultBidCurves_CMRIv2``),
    found by the build's own discovery; its committed spec beside it."""
    from b2b_openapi.xsd.corpus import discover

    for artifact in discover(XSD):
        if artifact.full_name == name:
            spec = SPECS / artifact.id.folder_system / f"{name}.yaml"
            if not spec.is_file():
                raise Missing(f"error: {spec}: no committed spec for {name} (run build)")
            return Service(name, artifact.wsdl, artifact.wsdl.parent, spec)
    raise Missing(f"error: {XSD}: the corpus has no service {name}")


def payload(of: Service) -> Payload:
    """The payload schema and element the spec's ``x-caiso-attachment`` names for the
    answer (or, for a submit, the request) of ``of``'s operation."""
    ext = of.operation()[2].get("x-caiso-attachment", {})
    entry = ext.get("response") or ext.get("request")
    if not entry:
        raise Missing(f"error: {of.spec}: no x-caiso-attachment in {of.name}")
    xsd = of.package / entry["payloadSchema"]
    if not xsd.is_file():
        raise Missing(f"error: {xsd}: the payload schema of {of.name} is not in its package")
    name, namespace = entry["payloadElement"], entry["payloadNamespace"]
    return Payload(xsd, f"{{{namespace}}}{name}", name, namespace)


def main() -> None:
    for name in (ANSWER_SERVICE, ANSWER_SERVICE + "_DocAttach", SUBMIT_SERVICE, GET_SERVICE,
                 POST_SERVICE):
        found = service(name)
        print(f"{name}: {found.wsdl.relative_to(ROOT)}, {found.route()}")
    for name in (ANSWER_SERVICE, SUBMIT_SERVICE):
        schema = payload(service(name))
        print(f"{name} payload: {schema.xsd.relative_to(ROOT)} {schema.element}")


if __name__ == "__main__":
    main()
