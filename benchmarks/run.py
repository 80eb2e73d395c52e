"""Benchmarks: build cost against xmlschema's own load time, incremental rebuilds, and the
gateway's SOAP -> JSON conversion of a large response.  Prints figures; asserts nothing.

    python benchmarks/run.py [--copies 19] [--payload-mb 50] [--skip-build] [--skip-gateway]

Figures (each with its floor or target beside it):
  (a) full `build` of the bundled corpus, cold (no cache);
  (b) the same on a synthetic corpus of 16 x copies service versions (benchmarks/synth.py),
      cold, then a no-op rebuild (target < 2 s) and a rebuild after changing one service;
  (c) the floor: xmlschema loading the same XSDs (each service's WSDL with its schemas,
      what any converter must parse), and the ratio build/floor (target <= 2x);
  (c') a stricter floor: the same load with the shared common/ schemas parsed once and
      inherited by every service (what the build does), and the ratio to it;
  (d) a CMRI-style SOAP response of --payload-mb MB: xmlschema's own decode of the document
      (the reference) against the gateway's streamed conversion, in MB/s and peak RSS.
Every measurement runs in a fresh process, so imports and peak memory are its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SERVICE = ROOT / "xsd/CMRI/RetrieveDefaultBidCurves_CMRIv2"
SAMPLE = SERVICE / "samples/retrieveDefaultBidCurves.output.xml"
WSDL = SERVICE / "RetrieveDefaultBidCurves_CMRIv2.wsdl"
ELEMENT = "{http://www.caiso.com/soa/DefaultBidCurves_v2.xsd#}DefaultBidCurves"


def timed(args: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stderr[-2000:]}")
    return elapsed


def child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints a JSON dict of figures."""
    proc = subprocess.run([PY, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    figures: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


FLOOR = """
import json, sys, time
from pathlib import Path
from xmlschema.extras.wsdl import Wsdl11Document
wsdls = sorted(p for p in Path(sys.argv[1]).glob('*/*/*.wsdl') if p.parent.name == p.stem)
Wsdl11Document(str(wsdls[0]))  # warm the meta-schema, as the build's first service does
start = time.perf_counter()
for w in wsdls:
    Wsdl11Document(str(w))
print(json.dumps({"seconds": time.perf_counter() - start, "services": len(wsdls)}))
"""

# The same load with the shared schemas (xsd/common, imported by namespace) parsed once and
# every service's maps inheriting them - the least xmlschema itself can do for the corpus.
FLOOR_SHARED = """
import json, sys, time
from pathlib import Path
import xmlschema
from xmlschema.extras.wsdl import Wsdl11Document
from xmlschema.locations import SCHEMAS_DIR
corpus = Path(sys.argv[1])
wsdls = sorted(p for p in corpus.glob('*/*/*.wsdl') if p.parent.name == p.stem)
root = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:root"/>')
xmlschema.XMLSchema10(root)  # warm the meta-schema, as FLOOR's first load does
start = time.perf_counter()
parent = xmlschema.XMLSchema10(str(SCHEMAS_DIR / 'WSDL' / 'wsdl.xsd'), build=False)
for xsd in sorted((corpus / 'common').glob('*.xsd')):
    if 'targetNamespace=' in xsd.read_text():
        parent.add_schema(str(xsd), build=False)
parent.build()
for w in wsdls:
    Wsdl11Document(str(w), schema=xmlschema.XMLSchema10(root, parent=parent))
print(json.dumps({"seconds": time.perf_counter() - start, "services": len(wsdls)}))
"""

SPECS_ONLY = """
import json, sys, time
from pathlib import Path
from b2b_openapi.openapi import stage as specs
start = time.perf_counter()
files = specs.render_all(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - start, "services": len(files)}))
"""


def build_args(root: Path, xsd: Path, *extra: str) -> list[str]:
    return [PY, "-m", "b2b_openapi", "build", "--xsd", str(xsd), "--specs", str(root / "specs"),
            "--build", str(root / "build"), "--postman", str(root / "postman"), *extra]


def row(label: str, services: int, seconds: float, *floors: float) -> None:
    """One figure, then each floor beside it with the ratio figure/floor."""
    ratios = "".join(f"   {f:7.2f} {seconds / f:5.1f}x" for f in floors)
    print(f"{label:<42}{services:5d}   {seconds:7.2f}{ratios}")


def bench_build(copies: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import generate

    print("floors: (c) xmlschema loads each service's WSDL+XSDs on its own;")
    print("        (c') the same with the shared common/ schemas parsed once for all")
    print(f"{'build':<42}services   seconds   (c) floor ratio  (c') floor ratio")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor = child(FLOOR, str(ROOT / "xsd"))["seconds"]
        shared = child(FLOOR_SHARED, str(ROOT / "xsd"))["seconds"]
        result = child(SPECS_ONLY, str(ROOT / "xsd"))
        n = int(result["services"])
        full = timed(build_args(work / "bundled", ROOT / "xsd", "--no-cache"))
        row("(c) xmlschema load, bundled (floor)", n, floor)
        row("(c') shared schemas once, bundled", n, shared)
        row("(a) specs stage, bundled, 1 process", n, result["seconds"], floor, shared)
        row("(a) full build, bundled, cold", n, full, floor, shared)

        corpus = work / "synth" / "xsd"
        generate(corpus, copies)
        floor = child(FLOOR, str(corpus))["seconds"]
        shared = child(FLOOR_SHARED, str(corpus))["seconds"]
        result = child(SPECS_ONLY, str(corpus))
        n = int(result["services"])
        out = work / "synth"
        cold = timed(build_args(out, corpus))
        noop = timed(build_args(out, corpus))
        target = corpus / "OASIS" / "RetrieveCrrAggRevAdjS0_OASISv2" / "CrrAggRevAdj_v2.xsd"
        target.write_text(target.read_text().replace("One report row", "One report row (rev)"))
        one = timed(build_args(out, corpus))
        row("(c) xmlschema load, synthetic (floor)", n, floor)
        row("(c') shared schemas once, synthetic", n, shared)
        row("(b) specs stage, synthetic, 1 process", n, result["seconds"], floor, shared)
        row("(b) full build, synthetic, cold", n, cold, floor, shared)
        row("(b) no-op rebuild, synthetic", n, noop)
        print(f"{'':<42}target < 2 s: {'met' if noop < 2 else 'NOT met'}")
        row("(b) rebuild after one service changed", n, one)


MAKE_PAYLOAD = """
import sys
from pathlib import Path
from xml.etree import ElementTree
sample = ElementTree.parse(sys.argv[1]).getroot()
ns = sample.tag[1:].split('}')[0]
header = ElementTree.tostring(sample[0], encoding='unicode')
curves = [ElementTree.tostring(c, encoding='unicode') for c in sample[1:]]
target = int(float(sys.argv[3]) * 1024 * 1024)
with open(sys.argv[2], 'w', encoding='utf-8') as out:
    out.write('<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope '
              'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
              f'<DefaultBidCurves xmlns="{ns}">' + header)
    size = 0
    i = 0
    while size < target:
        chunk = curves[i % len(curves)]
        out.write(chunk)
        size += len(chunk)
        i += 1
    out.write('</DefaultBidCurves></soapenv:Body></soapenv:Envelope>')
"""

REFERENCE = """
import json, resource, sys, time
from lxml import etree
from b2b_openapi.wsdl import load_wsdl
element = load_wsdl(__import__('pathlib').Path(sys.argv[2])).schema.maps.elements[sys.argv[3]]
start = time.perf_counter()
body = etree.parse(sys.argv[1]).getroot()[0][0]
data = element.decode(body)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

STREAMED = """
import json, resource, sys, time
from b2b_openapi.wsdl import load_wsdl
from b2b_openapi.runtime.streaming import stream_json
element = load_wsdl(__import__('pathlib').Path(sys.argv[2])).schema.maps.elements[sys.argv[3]]
def chunks(path):
    with open(path, 'rb') as f:
        while block := f.read(65536):
            yield block
start = time.perf_counter()
size = 0
for out in stream_json(chunks(sys.argv[1]), element):
    size += len(out)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "json_mb": size / 2**20,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import json, resource, sys
from b2b_openapi.wsdl import load_wsdl
load_wsdl(__import__('pathlib').Path(sys.argv[2]))
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_gateway(payload_mb: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        payload = Path(tmp) / "response.xml"
        subprocess.run([PY, "-c", MAKE_PAYLOAD, str(SAMPLE), str(payload), str(payload_mb)],
                       check=True)
        mb = payload.stat().st_size / 2**20
        args = (str(payload), str(WSDL), ELEMENT)
        base = child(BASELINE, *args)["rss_mb"]
        ref = child(REFERENCE, *args)
        ours = child(STREAMED, *args)
        print(f"\n(d) gateway: {mb:.1f} MB CMRI SOAP response "
              f"(process baseline RSS {base:.0f} MB)")
        print("    conversion                             seconds    MB/s   peak RSS"
              "   RSS over baseline")
        for name, fig in (("xmlschema decode (reference)", ref),
                          ("b2b-openapi streamed SOAP->JSON", ours)):
            extra = fig["rss_mb"] - base
            print(f"    {name:36s} {fig['seconds']:7.2f} {mb / fig['seconds']:7.2f}"
                  f" {fig['rss_mb']:7.0f} MB  {extra:7.0f} MB = {extra / mb:4.2f}x payload")
        print(f"    target: peak RSS under 4x the payload ({4 * mb:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description="b2b-openapi benchmarks")
    parser.add_argument("--copies", type=int, default=19)
    parser.add_argument("--payload-mb", type=float, default=50)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-gateway", action="store_true")
    args = parser.parse_args()
    if not args.skip_build:
        bench_build(args.copies)
    if not args.skip_gateway:
        bench_gateway(args.payload_mb)


if __name__ == "__main__":
    main()
