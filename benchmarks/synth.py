"""Generate a synthetic CAISO-style corpus of many service versions from the bundled one.

Each bundled CAISO package (``<SYS>/<Service>/<YYYYMMDD>/``) is copied ``copies`` times as
``<SYS>/<Service>S<i>/<YYYYMMDD>/``, its service names (in file names and text: WSDLs,
namespaces, elements) suffixed alike, the mapping file's entries with them; a service in the
former layout (``<Name>_<SYS>v<N>[_DocAttach]/``) is copied as ``<Name>S<i>_<SYS>v<N>...``,
its own namespaces suffixed (the shared CAISO schemas in common/ are kept).  The types vary:
every maxLength facet is raised by ``i % 5`` (a loosening, so the bundled samples stay
valid).

    python benchmarks/synth.py OUT_DIR [--copies 19]     # 21 x 19 = 399 service versions
"""

from __future__ import annotations

import argparse
import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMESPACE = re.compile(r"http://www\.caiso\.com/soa/([A-Za-z]+)_v(\d+)\.xsd#")
MAX_LENGTH = re.compile(r'(<xs:maxLength value=")(\d+)(")')


def shared_namespaces(xsd_root: Path) -> set[str]:
    found: set[str] = set()
    for path in (xsd_root / "common").glob("*.xsd"):
        found.update(m.group(0) for m in NAMESPACE.finditer(path.read_text()))
    return found


def renamed(core: str, index: int) -> str:
    """RetrieveCleanBidSet_SIBRv5 -> RetrieveCleanBidSetS3_SIBRv5."""
    name, _, rest = core.partition("_")
    return f"{name}S{index}_{rest}"


def copy_service(folder: Path, out_root: Path, index: int, shared: set[str],
                 cores: re.Pattern[str]) -> Path:
    target = out_root / folder.parent.name / renamed(folder.name, index)
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(folder)
        if path.suffix == ".wsdl":
            relative = relative.with_name(f"{target.name}.wsdl")
        text = path.read_text(encoding="utf-8")
        text = NAMESPACE.sub(lambda m: m.group(0) if m.group(0) in shared
                             else f"http://www.caiso.com/soa/{m.group(1)}S{index}_v{m.group(2)}.xsd#",
                             text)
        # service names, also where one service imports another's schemas (DocAttach, DRRS)
        text = cores.sub(lambda m: renamed(m.group(0), index), text)
        _write(target / relative, text, index)
    return target


def _write(target: Path, text: str, index: int) -> None:
    """One file of a copy; an XSD's maxLength facets varied by ``index`` so that the copies'
    schemas differ in content, not only in names (no cache or memo can share them)."""
    if target.suffix == ".xsd":
        text = MAX_LENGTH.sub(
            lambda m: f"{m.group(1)}{int(m.group(2)) + index % 5}{m.group(3)}", text)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def copy_package(folder: Path, xsd_root: Path, out_root: Path, index: int,
                 bases: re.Pattern[str]) -> Path:
    """A CAISO package, its service names (``CleanBidSet`` in ``retrieveCleanBidSet_v5``,
    ``CleanBidSet_v5.xsd``, the namespaces) suffixed with ``S<index>``."""
    relative = folder.relative_to(xsd_root)
    target = out_root / relative.parts[0] / f"{relative.parts[1]}S{index}" / Path(
        *relative.parts[2:])
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        name = bases.sub(rf"\g<0>S{index}", path.relative_to(folder).as_posix())
        text = bases.sub(rf"\g<0>S{index}", path.read_text(encoding="utf-8"))
        _write(target / name, text, index)
    return target


def _mapping(xsd_root: Path, copies: int, bases: re.Pattern[str]) -> str:
    """The bundled mapping file's entries, once per copy (keys and element names renamed)."""
    path = xsd_root / "b2b-packages.toml"
    if not path.is_file():
        return ""
    services = tomllib.loads(path.read_text()).get("services", {})
    lines = []
    for index in range(copies):
        suffix = rf"\g<0>S{index}"
        for key, entry in services.items():
            lines.append(f"[services.{bases.sub(suffix, key)}]")
            lines += [f'{k} = "{bases.sub(suffix, str(v))}"' for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def generate(out_root: Path, copies: int, xsd_root: Path = ROOT / "xsd") -> list[Path]:
    if out_root.exists():
        shutil.rmtree(out_root)
    if (xsd_root / "common").is_dir():  # a corpus with a shared-schema folder of its own
        shutil.copytree(xsd_root / "common", out_root / "common")
    else:
        out_root.mkdir(parents=True)
    shared = shared_namespaces(xsd_root)
    folders = sorted({p.parent for p in xsd_root.rglob("*.wsdl")})
    former = [f for f in folders if f.parent.parent == xsd_root]  # <SYS>/<API name>/
    packages = [f for f in folders if f not in former]
    names = sorted({f.name.removesuffix("_DocAttach") for f in former}, key=len, reverse=True)
    cores = re.compile("|".join(re.escape(n) for n in names))
    # service names as CAISO spells them: the package folders (CleanBidSet, RawBidSet, ...)
    bases = re.compile("|".join(re.escape(n) for n in sorted(
        {f.relative_to(xsd_root).parts[1] for f in packages}, key=len, reverse=True)))
    (out_root / "b2b-packages.toml").write_text(_mapping(xsd_root, copies, bases))
    return [copy_service(folder, out_root, i, shared, cores) if folder in former
            else copy_package(folder, xsd_root, out_root, i, bases)
            for i in range(copies) for folder in folders]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=19)
    args = parser.parse_args()
    made = generate(args.out, args.copies)
    wsdls = sum(len(list(folder.glob("*.wsdl"))) for folder in made)
    print(f"{wsdls} service versions under {args.out}")
