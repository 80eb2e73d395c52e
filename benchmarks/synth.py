"""Generate a synthetic CAISO-style corpus of many service versions from the bundled one.

Each bundled service folder is copied ``copies`` times as ``<Name>S<i>_<SYS>v<N>[_DocAttach]``:
the service's own namespaces get the same suffix (the shared CAISO schemas in common/ are
kept, as in the real corpus), and the types vary - every maxLength facet is raised by
``i % 5`` (a loosening, so the bundled samples stay valid).

    python benchmarks/synth.py OUT_DIR [--copies 19]     # 16 x 19 = 304 service versions
"""

from __future__ import annotations

import argparse
import re
import shutil
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
        if path.suffix == ".xsd":
            text = MAX_LENGTH.sub(
                lambda m: f"{m.group(1)}{int(m.group(2)) + index % 5}{m.group(3)}", text)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    return target


def generate(out_root: Path, copies: int, xsd_root: Path = ROOT / "xsd") -> list[Path]:
    if out_root.exists():
        shutil.rmtree(out_root)
    shutil.copytree(xsd_root / "common", out_root / "common")
    shared = shared_namespaces(xsd_root)
    services = sorted(p.parent for p in xsd_root.glob("*/*/*.wsdl"))
    names = sorted({f.name.removesuffix("_DocAttach") for f in services}, key=len, reverse=True)
    cores = re.compile("|".join(re.escape(n) for n in names))
    return [copy_service(folder, out_root, i, shared, cores)
            for i in range(copies) for folder in services]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=19)
    args = parser.parse_args()
    made = generate(args.out, args.copies)
    print(f"{len(made)} service versions under {args.out}")
