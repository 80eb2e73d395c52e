"""Find the services in a folder of artifact packages, laid out as CAISO ships them.

Two layouts are read, and may be mixed under one root:

* the bundled corpus: ``<SYSTEM>/<Name>_<SYS>v<N>[_DocAttach]/<same>.wsdl``, named by
  folder and file as before;
* packages as downloaded: any nesting (``<Service>/<YYYYMMDD>/``), CAISO's own file names,
  several WSDLs sharing the XSDs of one folder, and ``.zip`` packages (unpacked, by
  content hash, into a cache folder outside the corpus: nothing in a package is edited).

Each WSDL gets its API identity from :mod:`.identity`.  An abstract WSDL (no
``wsdl:binding``) serves nothing: beside concrete WSDLs it is skipped with a warning (ERCOT
ships its notification port type so), alone it is a refusal.  Several releases of one
major version: the newest ``YYYYMMDD`` wins and the build says so.  Two WSDLs that claim
one API name otherwise are an error naming both.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from b2b_openapi.errors import ArtifactError
from b2b_openapi.model import ServiceId
from b2b_openapi.xsd.identity import (
    SERVICE_NAME,
    Mapping,
    api_base,
    derive,
    load_mapping,
    parse_service_id,
)

_WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
UNPACKED = Path(tempfile.gettempdir()) / "b2b-openapi-packages"


@dataclass(frozen=True)
class Artifact:
    """One concrete WSDL to build, with the identity derived for it and the package it
    came in (the folder whose files are its siblings: schema fallback, payload XSDs).  For
    an OASIS report ``wsdl`` is its ``oasis-report.toml`` (:mod:`.oasis`: no WSDL there)."""

    wsdl: Path
    id: ServiceId
    package: Path
    release: str | None = None
    corpus_layout: bool = False
    mapping: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def full_name(self) -> str:
        return self.id.full_name


@dataclass(frozen=True)
class Discovery:
    artifacts: list[Artifact]
    warnings: list[str]


def _concrete(path: Path) -> bool:
    try:
        root = etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        line = getattr(exc, "lineno", None)
        raise ArtifactError(f"malformed XML: {getattr(exc, 'msg', exc)}", path, line) from None
    return root.find(_WSDL + "binding") is not None


def _names(path: Path) -> tuple[str, ...]:
    """wsdl:service and operation names, soapAction and targetNamespace last segments
    (identity candidates, in that order)."""
    root = etree.parse(str(path)).getroot()
    names = [e.get("name", "") for e in root.iter(_WSDL + "service")]
    names += [e.get("name", "") for e in root.iter(_WSDL + "operation")]
    names += [str(e.get("soapAction", "")).rstrip("/").rsplit("/", 1)[-1]
              for e in root.iter() if isinstance(e.tag, str)
              and etree.QName(e).localname == "operation" and e.get("soapAction")]
    namespace = str(root.get("targetNamespace", "")).rstrip("/#").rsplit("/", 1)[-1]
    names.append(re.sub(r"\.(wsdl|xsd)$", "", namespace))  # .../retrieveX_v1.wsdl
    return tuple(n for n in names if n)


def _imported_wsdls(paths: Iterable[Path]) -> set[Path]:
    """WSDLs another WSDL pulls in with wsdl:import: parts of that service, not services."""
    out: set[Path] = set()
    for path in paths:
        root = etree.parse(str(path)).getroot()
        for elem in root.iter(_WSDL + "import"):
            location = elem.get("location")
            if location and not re.match(r"^[a-z]+://", location):
                out.add((path.parent / location).resolve())
    return out


def unpack(archive: Path) -> Path:
    """The folder a ``.zip`` package is unpacked into (once per content)."""
    try:
        data = archive.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:16]
        target = UNPACKED / f"{archive.stem}-{digest}"
        if (target / ".complete").is_file():
            return target
        with zipfile.ZipFile(archive) as package:
            members = [m for m in package.infolist() if not m.is_dir()]
            for member in members:
                name = Path(member.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise ArtifactError(f"zip member {member.filename!r} points outside the "
                                        "package", archive)
            if not any(m.filename.lower().endswith(".wsdl") for m in members):
                raise ArtifactError("zip package holds no WSDL", archive)
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=_mkdir(UNPACKED)))
            package.extractall(staging)
    except zipfile.BadZipFile as exc:
        raise ArtifactError(f"not a zip package: {exc}", archive) from None
    (staging / ".complete").write_text("", encoding="utf-8")
    if target.exists() and not (target / ".complete").is_file():
        shutil.rmtree(target, ignore_errors=True)  # an interrupted earlier unpack
    with contextlib.suppress(OSError):  # another build unpacked it meanwhile
        staging.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _package_of(wsdl: Path, root: Path) -> Path:
    """The top folder under ``root`` holding the WSDL (the downloaded package)."""
    relative = wsdl.relative_to(root)
    return root / relative.parts[0] if len(relative.parts) > 1 else root


def _is_zip(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def discover(root: Path) -> Discovery:
    """Every service under ``root`` (sorted by API name, for deterministic builds); ``root``
    may also be one ``.zip`` package (its mapping file then sits beside it)."""
    if not root.is_dir() and not _is_zip(root):
        raise ArtifactError("artifact folder not found", root)
    mapping = load_mapping(root if root.is_dir() else root.parent)
    # (wsdl, package, identity root, where a zip sat in the corpus)
    sources: list[tuple[Path, Path, Path, tuple[str, ...]]] = []
    for wsdl in sorted(root.rglob("*.wsdl")) if root.is_dir() else ():
        sources.append((wsdl, _package_of(wsdl, root), root, ()))
    for archive in sorted(root.rglob("*.zip")) if root.is_dir() else [root]:
        unpacked = unpack(archive)
        where = archive.relative_to(root) if archive != root else Path(archive.name)
        context = (*where.parent.parts, archive.stem)
        sources += [(w, unpacked, unpacked, context) for w in sorted(unpacked.rglob("*.wsdl"))]
    from b2b_openapi.xsd import oasis  # which imports Artifact from here

    reports = oasis.discover(root)  # OASIS reports: HTTP GET + ZIP, no WSDL (docs/oasis.md)
    if not sources and reports:
        return Discovery(_newest(reports, []), [])
    if not sources:
        raise ArtifactError("no WSDL found (a corpus <SYSTEM>/<Service>/<Service>.wsdl, "
                            "or CAISO artifact packages, folders or .zip)", root)
    warnings: list[str] = []
    concrete = [s for s in sources if _concrete(s[0])]
    imported = _imported_wsdls(s[0] for s in concrete)
    abstract = [s[0] for s in sources if s not in concrete]
    if not concrete:
        raise ArtifactError("abstract WSDL (no wsdl:binding): it describes no service "
                            "endpoint to build", abstract[0])
    for path in abstract:
        if path.resolve() not in imported:
            warnings.append(f"{path}: abstract WSDL (no wsdl:binding) skipped")
    artifacts = [_artifact(w, p, r, mapping, warnings, c) for w, p, r, c in concrete
                 if w.resolve() not in imported]
    artifacts += reports
    return Discovery(_newest(artifacts, warnings), warnings)


def _artifact(wsdl: Path, package: Path, root: Path, mapping: Mapping,
              warnings: list[str], context: tuple[str, ...] = ()) -> Artifact:
    if (SERVICE_NAME.match(wsdl.stem) and wsdl.parent.name == wsdl.stem
            and wsdl.parent.parent.parent == root):
        return Artifact(wsdl, parse_service_id(wsdl), root, corpus_layout=True)
    derived = derive(wsdl, root, _names(wsdl), mapping, context)
    warnings.extend(f"{wsdl}: {w}" for w in derived.warnings)
    entry = mapping.entry(wsdl.stem, derived.id.full_name, derived.id.name,
                          api_base(derived.id.name))  # the keys docs/artifacts.md lists
    return Artifact(wsdl, derived.id, package, derived.release, mapping=dict(entry))


def _newest(artifacts: list[Artifact], warnings: list[str]) -> list[Artifact]:
    by_name: dict[str, list[Artifact]] = {}
    for artifact in artifacts:
        by_name.setdefault(artifact.full_name, []).append(artifact)
    chosen = []
    for name, claims in sorted(by_name.items()):
        claims.sort(key=lambda a: (a.release or "", str(a.wsdl)))
        newest = claims[-1]
        rivals = [a for a in claims[:-1] if a.release == newest.release]
        if rivals:
            raise ArtifactError(f"two WSDLs claim the API name {name}: {rivals[0].wsdl} and "
                                "this one (give one a release folder or a mapping entry)",
                                newest.wsdl)
        for older in claims[:-1]:
            warnings.append(f"{older.wsdl}: release {older.release or '(undated)'} of {name} "
                            f"ignored, release {newest.release} is newer")
        chosen.append(newest)
    return chosen
