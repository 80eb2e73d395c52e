"""The API identity of a WSDL as CAISO publishes it: ``<Name>_<SYS>v<N>[_DocAttach]``.

CAISO's files do not carry the identity the release notes and endpoints use
(``RetrieveGasBurnSummaryData_CMRIv1_DocAttach``): the WSDL is
``retrieveGasBurnSummaryData_v1_DocAttach.wsdl``, its service
``retrieveGasBurnSummaryData_v1_DocAttachService``, and the system (CMRI) appears nowhere in
the package, only on CAISO's catalog pages.  So the name, major version and variant are read
from the artifacts (file name, else service, operation or soapAction names) and the system
comes from :data:`SYSTEMS`, a table of CAISO's systems and the services each publishes, or
from an optional mapping file beside the packages (:data:`MAPPING_FILE`,
docs/artifacts.md).  A service nobody knows gets a default (system :data:`DEFAULT_SYSTEM`,
major version 1) and a warning: never a refusal, since a user with a new package must be
able to build it and add a mapping line afterwards.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from b2b_openapi.errors import ArtifactError
from b2b_openapi.model import ServiceId

MAPPING_FILE = "b2b-packages.toml"
DEFAULT_SYSTEM = "B2B"

# system code in the API name -> the corpus folder CAISO's catalog files it under (the
# settlement meter data service is STLMT in its name and MRI-S in the catalog)
FOLDERS: dict[str, str] = {"STLMT": "MRIS"}

# service (name without verb, version or variant) -> system code.  Only what a source
# shows: the TUG release table's services (SIBR v5, BSAP v2, CMRI DefaultBidCurves and
# ExternalDefaultCommitmentCost, MRI-S meter data, OASIS CRR_AGG_REV_ADJ, DRRS) and the CMRI
# packages CAISO ships (GasBurn*, docs/cmri-artifacts of pgedysv/gas-forecasting-caiso).
# Sources are silent on the rest: those come from the mapping file or a system folder.
SYSTEMS: dict[str, str] = {
    "CleanBidSet": "SIBR", "CurrentBidResults": "SIBR", "RawBidSet": "SIBR",
    "BalancingTestResults": "BSAP",
    "DefaultBidCurves": "CMRI", "ExternalDefaultCommitmentCost": "CMRI",
    "GasBurnSummaryData": "CMRI", "GasBurnResourceData": "CMRI",
    "MeterData": "STLMT",
    "CrrAggRevAdj": "OASIS",
    "Registrations": "DRRS", "RegistrationsIncremental": "DRRS",
}

# Known system codes: a folder with one of these names files packages under that system
# (OMS uses MTOM per CAISO's client code; CRR has its own REST APIs).
KNOWN_SYSTEMS = frozenset(SYSTEMS.values()) | {"MRIS", "OMS", "CRR"}

_VERBS = ("retrieve", "submit", "get", "cancel", "validate")
# CAISO's file/service/operation names, API-named or as published:
#   RetrieveCleanBidSet_SIBRv5, retrieveGasBurnSummaryData_v1_DocAttach(Service)
_NAME = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9]*?)_(?:(?P<system>[A-Z]+)v|v)(?P<version>[0-9]+)"
    r"(?:_(?P<variant>DocAttach))?(?:_?Service)?(?:_AP)?$")
_RELEASE = re.compile(r"^(?:19|20)[0-9]{6}$")
SERVICE_NAME = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9]*)_(?P<system>[A-Z]+)v(?P<version>[0-9]+)"
    r"(?:_(?P<variant>DocAttach))?$"
)


def parse_service_id(wsdl: Path) -> ServiceId:
    """``xsd/SIBR/RetrieveCleanBidSet_SIBRv5/RetrieveCleanBidSet_SIBRv5.wsdl`` -> ServiceId
    (the bundled corpus layout, named by folder and file)."""
    match = SERVICE_NAME.match(wsdl.stem)
    if not match:
        raise ArtifactError(
            f"service name {wsdl.stem!r} does not follow CAISO's <Name>_<SYSTEM>v<N>[_DocAttach] "
            "convention", wsdl)
    if wsdl.parent.name != wsdl.stem:
        raise ArtifactError(f"WSDL {wsdl.name} must live in a folder named {wsdl.stem}", wsdl)
    return ServiceId(
        name=match["name"], system=match["system"], version=int(match["version"]),
        variant=match["variant"], folder_system=wsdl.parent.parent.name,
    )


@dataclass(frozen=True)
class Mapping:
    """The optional mapping file: per service (its published name, e.g.
    ``retrieveGasBurnSummaryData_v1_DocAttach``, or its API base name) the system, name,
    major version and payload element, and a default system for the rest."""

    path: Path | None = None
    default_system: str | None = None
    services: dict[str, dict[str, object]] = field(default_factory=dict)

    def entry(self, *keys: str) -> dict[str, object]:
        for key in keys:
            if key in self.services:
                return self.services[key]
        return {}


def load_mapping(root: Path) -> Mapping:
    """``root/b2b-packages.toml`` (docs/artifacts.md), or an empty mapping."""
    path = root / MAPPING_FILE
    if not path.is_file():
        return Mapping()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise ArtifactError(f"mapping file is not valid TOML: {exc}", path, line) from None
    services = data.get("services", {})
    default = data.get("default_system")
    if not isinstance(services, dict) or not all(isinstance(v, dict)
                                                 for v in services.values()):
        raise ArtifactError("[services.<name>] entries must be tables", path)
    if default is not None and not _is_system(default):
        raise ArtifactError(f"default_system {default!r} is not an upper-case system code",
                            path)
    for key, entry in services.items():
        system = entry.get("system")
        if system is not None and not _is_system(system):
            raise ArtifactError(f"services.{key}.system {system!r} is not an upper-case "
                                "system code", path)
    return Mapping(path, default, services)


def _is_system(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Z]+", value) is not None


@dataclass(frozen=True)
class Derived:
    """An identity and what was assumed to get it (warnings for the build to print)."""

    id: ServiceId
    release: str | None
    warnings: tuple[str, ...] = ()


def api_base(name: str) -> str:
    """``RetrieveGasBurnSummaryData`` -> ``GasBurnSummaryData`` (the table's key)."""
    lower = name.lower()
    for verb in _VERBS:
        if lower.startswith(verb) and len(name) > len(verb):
            return name[len(verb):]
    return name


_VERSIONED_OPERATION = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9]*?)_v[0-9]+(?:_DocAttach)?$")


def operation_base(op_name: str) -> str:
    """An operation's name without the major version and variant CAISO writes into it:
    ``retrieveGasBurnSummaryData_v1_DocAttach`` -> ``retrieveGasBurnSummaryData``.  What is
    the same operation across versions and variants: its REST path, its acceptable use
    policy, its mock behaviour."""
    match = _VERSIONED_OPERATION.match(op_name)
    return match["name"] if match else op_name


def operation_path(op_name: str) -> str:
    """The REST path of an operation: ``/`` + :func:`operation_base`.  The API name in the
    base path already carries version and variant, and a path that stays the same across
    versions lets the diff pair v1's operation with v2's."""
    return "/" + operation_base(op_name)


def release_of(path: Path, root: Path) -> str | None:
    """The nearest ``YYYYMMDD`` folder between ``root`` and the file (CAISO's release)."""
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            break
        if _RELEASE.match(parent.name):
            return parent.name
    return None


def _folder_system(path: Path, root: Path, context: tuple[str, ...] = ()) -> str | None:
    """A known system named by a folder between root and the file, nearest first
    (``xsd/CMRI/...``, ``CMRI_GasBurn_v1.1/...``), then by ``context`` (the folders and
    name of the zip the file came in)."""
    names = []
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            break
        names.append(parent.name)
    for name in (*names, *reversed(context)):
        for token in re.split(r"[^A-Za-z0-9]+|_", name):
            if token.upper() in KNOWN_SYSTEMS and (token.isupper() or token == name):
                return token.upper()
    return None


def _sanitise(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Service"
    return text if text[0].isalpha() else "S" + text


def derive(wsdl: Path, root: Path, names: tuple[str, ...], mapping: Mapping,
           context: tuple[str, ...] = ()) -> Derived:
    """The identity of ``wsdl`` (under ``root``) from its file name and ``names`` (its
    wsdl:service, operation and soapAction last segments, in that order of trust)."""
    candidates = (wsdl.stem, *names)
    match = next((m for m in map(_NAME.match, candidates) if m), None)
    published = wsdl.stem
    warnings: list[str] = []
    if match is not None:
        name = match["name"]
        version = int(match["version"])
        variant = match["variant"]
        named_system = match["system"]
    else:
        name = _sanitise(next((n for n in names if n), wsdl.stem).removesuffix("Service"))
        version, variant, named_system = 1, None, None
    name = name[:1].upper() + name[1:]
    entry = mapping.entry(published, f"{name}", f"{name}_v{version}"
                          + (f"_{variant}" if variant else ""), api_base(name))
    system = entry.get("system") or named_system or SYSTEMS.get(api_base(name)) \
        or _folder_system(wsdl, root, context)
    if "name" in entry:
        name = _sanitise(str(entry["name"]))
    if "version" in entry:
        version = int(str(entry["version"]))
    if not system and mapping.default_system:
        system = mapping.default_system  # the user's choice: nothing to warn about
    if not system:
        system = DEFAULT_SYSTEM
        where = f"; add it to {mapping.path or MAPPING_FILE}"
        warnings.append(f"unknown service {published!r}: system {system} assumed{where}")
    if match is None and "version" not in entry:
        warnings.append(f"no _v<N> in the names of {published!r}: major version 1 assumed")
    system = str(system)
    folder = str(entry.get("folder") or FOLDERS.get(system, system))
    service_id = ServiceId(name=name, system=system, version=version, variant=variant,
                           folder_system=folder)
    return Derived(service_id, release_of(wsdl, root), tuple(warnings))
