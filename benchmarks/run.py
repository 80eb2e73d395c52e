"""Benchmarks: build cost against xmlschema's own load time, incremental rebuilds, the
gateway's SOAP <-> JSON conversions, and the spec stage against xsdata.  Prints figures,
each beside its floor measured in the same run; asserts nothing.

    python benchmarks/run.py [--copies 19] [--payload-mb 20] [--skip-build] [--skip-gateway]
                             [--skip-spec] [--json]

Figures (each with its floor or target beside it):
  (a) full `build` of the bundled corpus, cold (no cache);
  (b) the same on a synthetic corpus of the SOAP services x copies (benchmarks/synth.py),
      cold, then a no-op rebuild (target < 2 s) and a rebuild after changing one service;
  (c) the floor: xmlschema loading the same XSDs (each service's WSDL with its schemas,
      what any converter must parse), and the ratio build/floor (target <= 2x);
  (c') a stricter floor: the same load with the shared common/ schemas parsed once and
      inherited by every service (what the build does), and the ratio to it;
  (d) a CMRI DefaultBidCurves answer of --payload-mb MB, SOAP -> JSON end to end through a
      running gateway (loopback SOAP endpoint -> gateway -> HTTP client reading the
      streamed JSON; target >= 0.5x the naive unvalidated lxml -> dict -> json floor, peak
      RSS under 0.5x the payload), and for scale lxml's parse, libxml2's validation and
      xmlschema's decode (the reference).  The answer is inline (the document as the SOAP
      body): CAISO's packages have no such answer, so one is made in a temporary folder
      from the DocAttach WSDL and the same payload XSD;
  (d') the same document as the corpus's DocAttach service answers it (gzip + base64 in
      AttachmentValue, with attachmentHash and standardAttachmentInfor) through the running
      gateway, answered as the payload's JSON (same targets, the floor measured on the
      document's bytes);
  (e) JSON -> SOAP of a SubmitRawBidSet request of --payload-mb MB (the plain variant: the
      RawBidSet document validated, gzip + base64, as an SwA attachment; target >= 0.5x the
      naive json.loads -> lxml build -> serialise floor);
  (f) the spec stage against `xsdata generate` (installed into build/bench-venv; target <=
      1.0x) on the WSDLs of the bundled corpus that xsdata processes (it crashes on CAISO's
      plain rpc/SwA WSDLs: both sides run on the rest), as `specs` runs it (the fast path in
      one process, the rendered specs validated by a second one) and over the process pool;
      the spec stage alone on the whole corpus; and the same on CAISO's GasBurn package
      (../shared), xsdata on its XSDs.  Each case says how many services the fast path
      decided (the others are loaded by xmlschema, the reference).
Inputs are found in the corpus by benchmarks/corpus.py (the build's discovery, the specs).
Every measurement runs in a fresh process, so imports and peak memory are its own.  With
--json the last line is one JSON object of the figures (docs/performance.md says which).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402  (benchmarks/corpus.py: the inputs, found in the corpus)


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
from b2b_openapi.xsd.corpus import discover
wsdls = [a.wsdl for a in discover(Path(sys.argv[1])) if a.wsdl.suffix == '.wsdl']
Wsdl11Document(str(wsdls[0]))  # warm the meta-schema, as the build's first service does
start = time.perf_counter()
for w in wsdls:
    Wsdl11Document(str(w))
print(json.dumps({"seconds": time.perf_counter() - start, "services": len(wsdls)}))
"""

# The same load with the shared schemas (xsd/common, imported by namespace) parsed once and
# the maps of every service that imports them inheriting them - the least xmlschema itself
# can do for the corpus.  CAISO's packages carry their own copies of the shared schemas
# (imported by relative path, not from common/): those services load on their own, as the
# build loads them.
FLOOR_SHARED = """
import json, sys, time
from pathlib import Path
import xmlschema
from xmlschema.extras.wsdl import Wsdl11Document
from xmlschema.locations import SCHEMAS_DIR
from b2b_openapi.xsd.corpus import discover
from b2b_openapi.xsd.wsdl import reach
corpus = Path(sys.argv[1])
found = [a for a in discover(corpus) if a.wsdl.suffix == '.wsdl']
sharing = {a.wsdl: bool(reach(a.wsdl, a.package).shared) for a in found}
root = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:root"/>')
xmlschema.XMLSchema10(root)  # warm the meta-schema, as FLOOR's first load does
start = time.perf_counter()
parent = xmlschema.XMLSchema10(str(SCHEMAS_DIR / 'WSDL' / 'wsdl.xsd'), build=False)
for xsd in sorted((corpus / 'common').glob('*.xsd')):
    if 'targetNamespace=' in xsd.read_text():
        parent.add_schema(str(xsd), build=False)
parent.build()
for a in found:
    if sharing[a.wsdl]:
        Wsdl11Document(str(a.wsdl), schema=xmlschema.XMLSchema10(root, parent=parent))
    else:
        Wsdl11Document(str(a.wsdl))
print(json.dumps({"seconds": time.perf_counter() - start, "services": len(found),
                  "sharing": sum(sharing.values())}))
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

    print("floors: (c) xmlschema loads each service's WSDL+XSDs on its own (WSDLs only:")
    print("            the OASIS reports the spec stage also renders have none);")
    print("        (c') the same with the shared common/ schemas parsed once for all")
    print(f"{'build':<42}services   seconds   (c) floor ratio  (c') floor ratio")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floors = child(FLOOR, str(ROOT / "xsd"))
        floor, wsdls = floors["seconds"], int(floors["services"])
        shared = child(FLOOR_SHARED, str(ROOT / "xsd"))["seconds"]
        result = child(SPECS_ONLY, str(ROOT / "xsd"))
        n = int(result["services"])
        full = timed(build_args(work / "bundled", ROOT / "xsd", "--no-cache"))
        row("(c) xmlschema load, bundled (floor)", wsdls, floor)
        row("(c') shared schemas once, bundled", wsdls, shared)
        row("(a) specs stage, bundled, 1 process", n, result["seconds"], floor, shared)
        row("(a) full build, bundled, cold", n, full, floor, shared)

        corpus = work / "synth" / "xsd"
        generate(corpus, copies)
        floors = child(FLOOR, str(corpus))
        floor, wsdls = floors["seconds"], int(floors["services"])
        shared = child(FLOOR_SHARED, str(corpus))["seconds"]
        result = child(SPECS_ONLY, str(corpus))
        n = int(result["services"])
        out = work / "synth"
        cold = timed(build_args(out, corpus))
        noop = timed(build_args(out, corpus))
        # (OASIS reports are not SOAP: the synthetic corpus copies the WSDL services only)
        change_one_service(corpus)
        one = timed(build_args(out, corpus))
        row("(c) xmlschema load, synthetic (floor)", wsdls, floor)
        row("(c') shared schemas once, synthetic", wsdls, shared)
        row("(b) specs stage, synthetic, 1 process", n, result["seconds"], floor, shared)
        row("(b) full build, synthetic, cold", n, cold, floor, shared)
        row("(b) no-op rebuild, synthetic", n, noop)
        print(f"{'':<42}target < 2 s: {'met' if noop < 2 else 'NOT met'}")
        row("(b) rebuild after one service changed", n, one)


def change_one_service(synthetic: Path) -> None:
    """Edit one documentation text of the first copy of the first package's payload XSD
    (what changes its specs and nothing else's)."""
    first = corpus.service(corpus.ANSWER_SERVICE + "_DocAttach")
    schema = corpus.payload(first).xsd.relative_to(corpus.XSD)
    system, name, *rest = schema.parts
    found = sorted((synthetic / system / f"{name}S0").glob(
        str(Path(*rest[:-1], rest[-1].replace(name, f"{name}S0")))))
    if not found or "</xs:documentation>" not in found[0].read_text():
        raise SystemExit(f"error: {synthetic}: no documented copy of {schema} to change")
    text = found[0].read_text()
    found[0].write_text(text.replace("</xs:documentation>", " (rev)</xs:documentation>", 1))


# The answer document: the package's sample payload document (DefaultBidCurves: a header,
# then curves) with its curves repeated until it is --payload-mb MB.
MAKE_PAYLOAD = """
import sys
from pathlib import Path
from xml.etree import ElementTree
sample = ElementTree.parse(sys.argv[1]).getroot()
ns = sample.tag[1:].split('}')[0]
ElementTree.register_namespace('', ns)
header = ElementTree.tostring(sample[0], encoding='unicode')
items = [ElementTree.tostring(c, encoding='unicode') for c in sample[1:]]
target = int(float(sys.argv[3]) * 1024 * 1024)
with open(sys.argv[2], 'w', encoding='utf-8') as out:
    out.write(f'<{sample.tag[len(ns) + 2:]} xmlns="{ns}">' + header)
    size = 0
    i = 0
    while size < target:
        chunk = items[i % len(items)]
        out.write(chunk)
        size += len(chunk)
        i += 1
    out.write(f'</{sample.tag[len(ns) + 2:]}>')
"""

# The inline (document/literal) answer: the document as the SOAP body.
MAKE_INLINE = """
import sys
from pathlib import Path
document = Path(sys.argv[1]).read_bytes()
Path(sys.argv[2]).write_bytes(
    b'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope '
    b'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    + document + b'</soapenv:Body></soapenv:Envelope>')
"""

REFERENCE = """
import json, sys, time
from pathlib import Path
from lxml import etree
from b2b_openapi.codec import jsonxml
from b2b_openapi.xsd.wsdl import load_payload_schema
element = load_payload_schema(Path(sys.argv[2])).elements[sys.argv[3].rpartition('}')[2]]
start = time.perf_counter()
body = etree.parse(sys.argv[1], etree.XMLParser(huge_tree=True)).getroot()
data = element.decode(body, converter=jsonxml.B2BJsonConverter)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

# The floor of issue 14: lxml parses the bytes, a plain recursive walk makes a dict (tags as
# keys, every child in a list, leaf text as strings), json.dumps writes it - no schema, no
# validation, no type conversion.  Then libxml2's own parse and validation rates, for scale.
FLOORS = """
import json, statistics, sys, time
from pathlib import Path
from lxml import etree
from b2b_openapi.codec.validation import compile_service
data = Path(sys.argv[1]).read_bytes()
schema = compile_service(Path(sys.argv[2])) if sys.argv[2] != "-" else None
def walk(e):
    d = {"@" + k: v for k, v in e.attrib.items()}
    for c in e:
        if isinstance(c.tag, str):
            d.setdefault(c.tag, []).append(walk(c) if len(c) else c.text)
    return d
def timed(f):
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        f()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)
parser = lambda **kw: etree.XMLParser(huge_tree=True, **kw)
naive = timed(lambda: json.dumps(walk(etree.fromstring(data, parser()))).encode())
if schema is None:  # a payload document: the floor alone
    print(json.dumps({"naive": naive}))
    sys.exit()
parse = timed(lambda: etree.fromstring(data, parser()))
validate = timed(lambda: etree.fromstring(data, parser(schema=schema)))
print(json.dumps({"naive": naive, "parse": parse, "validate": validate}))
"""

# JSON -> SOAP for a large submit.  SubmitRawBidSet (plain variant) carries the RawBidSet
# document as an SwA attachment: the gateway parses the JSON (exact decimals), builds the
# document by the encode plan, validates it with libxml2, serialises it into gzip + base64
# with its attachmentHash and standardAttachmentInfor headers, and packs envelope and text
# into multipart/related (runtime/attachment_bridge).  The floor: json.loads, a plain
# recursive lxml build (keys as tags, arrays repeated, leaves as text), serialise - no
# schema, no validation, no gzip; the same floor followed by gzip + base64 for scale.  Also
# for scale: xmlschema's encoder (the reference, on a capped request) and the server's JSON
# Schema check of the request, which the gateway runs before either.
SUBMIT = """
import base64, gzip, json, statistics, sys, time
from pathlib import Path
from xml.etree import ElementTree
from lxml import etree
from b2b_openapi.codec import jsonxml, soap
from b2b_openapi.codec.jsonio import loads
from b2b_openapi.runtime import attachment_bridge
from b2b_openapi.runtime.spec import ServiceSpec
text = Path(sys.argv[1]).read_bytes()
capped = Path(sys.argv[2]).read_bytes()
spec = ServiceSpec.load(Path(sys.argv[3]))
op = next(iter(spec.operations.values()))
codec, _ = attachment_bridge.codecs(op, Path(sys.argv[4]))
assert codec is not None, "the submit carries no payload attachment"
element = codec.schema.elements[codec.form.element.rpartition("}")[2]]
root_tag = element.local_name
wrapper = ElementTree.Element(sys.argv[5])
headers = (soap.caiso_header("bench"),)
def build(parent, tag, value):
    if isinstance(value, list):
        for item in value:
            build(parent, tag, item)
    elif isinstance(value, dict):
        elem = etree.SubElement(parent, tag)
        for key, item in value.items():
            if key.startswith("@"):
                elem.set(key[1:], str(item))
            elif key == "$":
                elem.text = str(item)
            else:
                build(elem, key, item)
    else:
        etree.SubElement(parent, tag).text = "" if value is None else str(value)
def naive():
    root = etree.Element("Body")
    build(root, root_tag, json.loads(text))
    return etree.tostring(root)
def naive_attachment():
    return base64.encodebytes(gzip.compress(naive()))
def fast():
    out = attachment_bridge.outgoing(codec, loads(text))
    envelope = soap.envelope(wrapper, headers + out.headers)
    return attachment_bridge.package(codec, envelope, out.text)
def timed(f, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
def reference():
    xml = jsonxml.encode(element, loads(capped))
    element.validate(xml)
    ElementTree.tostring(xml)
value = loads(capped)
print(json.dumps({"naive": timed(naive), "naive_attachment": timed(naive_attachment),
                  "fast": timed(fast), "reference": timed(reference, 1),
                  "json_schema": timed(lambda: spec.errors(op.request_schema, value), 1)}))
"""

MAKE_SUBMIT = """
import sys
from pathlib import Path
from xml.etree import ElementTree
from b2b_openapi.codec import jsonxml
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.xsd.wsdl import load_payload_schema
element = load_payload_schema(Path(sys.argv[2])).elements[sys.argv[3].rpartition('}')[2]]
value = jsonxml.decode(element, ElementTree.parse(sys.argv[1]).getroot())
bids = value["Bid"]
one = sum(len(dumps(b)) for b in bids) / len(bids)
count = max(1, int(float(sys.argv[5]) * 2**20 / one))
value["Bid"] = [bids[i % len(bids)] for i in range(count)]
Path(sys.argv[4]).write_bytes(dumps(value))
"""

# The attachment form of the answer, as the corpus's DocAttach service answers it: the
# document gzip-compressed and base64-encoded (76-character lines) in
# ISOAttachment/AttachmentValue, with its attachmentHash and standardAttachmentInfor headers.
MAKE_ATTACHMENT = """
import base64, gzip, sys
from pathlib import Path
from xml.etree import ElementTree
from b2b_openapi.codec import attachments
document = Path(sys.argv[1]).read_bytes()
text = base64.encodebytes(gzip.compress(document))
headers = (attachments.hash_header(text), attachments.info_header(sys.argv[3], sys.argv[4]))
Path(sys.argv[2]).write_bytes(
    b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header>'
    + b''.join(ElementTree.tostring(h) for h in headers) + b'</e:Header><e:Body>'
    b'<a:ISOAttachment xmlns:a="' + attachments.ISO_ATTACHMENT_NS.encode() + b'">'
    b'<a:AttachmentValue>' + text + b'</a:AttachmentValue></a:ISOAttachment></e:Body>'
    b'</e:Envelope>')
"""


def inline_package(tmp: Path, docattach: corpus.Service,
                   payload: corpus.Payload) -> tuple[Path, Path]:
    """(spec, WSDL) of an inline form of ``docattach``: the re-based corpus has no
    document/literal answer carrying the document in the SOAP body, so one is made here
    from the DocAttach WSDL (same request, same payload XSD), its ISOAttachment answer
    replaced by the payload element and the attachment headers dropped, in a copy of the
    package's schemas, and built into its spec by ``b2b-openapi specs``."""
    from b2b_openapi.codec.attachments import ISO_ATTACHMENT_NS

    relative = docattach.package.relative_to(corpus.XSD)
    folder = tmp / "pkg" / relative
    folder.mkdir(parents=True)
    for xsd in docattach.package.glob("*.xsd"):
        shutil.copy(xsd, folder / xsd.name)
    text = docattach.wsdl.read_text(encoding="utf-8")
    prefix = re.search(rf'xmlns:(\w+)="{re.escape(ISO_ATTACHMENT_NS)}"', text)
    if prefix is None:
        raise SystemExit(f"error: {docattach.wsdl}: no ISOAttachment namespace to replace")
    text = re.sub(rf'<xs:import namespace="{re.escape(ISO_ATTACHMENT_NS)}"[^>]*/>',
                  f'<xs:import namespace="{payload.namespace}" '
                  f'schemaLocation="{payload.xsd.name}"/>', text)
    text = text.replace(f'xmlns:{prefix[1]}="{ISO_ATTACHMENT_NS}"',
                        f'xmlns:{prefix[1]}="{payload.namespace}"')
    text = text.replace(f'element="{prefix[1]}:ISOAttachment"',
                        f'element="{prefix[1]}:{payload.name}"')
    text = re.sub(r"<soap:header [^>]*/>\s*", "", text).replace("_DocAttach", "")
    wsdl = folder / docattach.wsdl.name.replace("_DocAttach", "")
    wsdl.write_text(text, encoding="utf-8")
    timed([str(Path(PY).parent / "b2b-openapi"), "specs", "--xsd", str(tmp / "pkg"),
           "--specs", str(tmp / "specs")])
    name = docattach.name.removesuffix("_DocAttach")
    (spec,) = (tmp / "specs").glob(f"*/{name}.yaml")
    return spec, wsdl


def route_of(spec: Path) -> str:
    from b2b_openapi.runtime.spec import ServiceSpec

    loaded = ServiceSpec.load(spec)
    (op,) = loaded.operations.values()
    return loaded.base_path + op.path


E2E = ROOT / "benchmarks" / "e2e.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"benchmark server exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("benchmark server did not start")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/{pid}/status")


def through_gateway(payload: Path, small: Path, spec: Path, wsdl: Path, route: str,
                    request: bytes, runs: int = 3) -> dict[str, float]:
    """SOAP endpoint on loopback -> gateway -> this HTTP client reading the streamed JSON:
    the median time of ``runs`` calls answering ``payload``, and the gateway's peak RSS over
    its resident size before the call (the kernel's high-water mark, reset per call)."""
    import httpx

    soap_port, gateway_port = free_port(), free_port()
    soap_url = f"http://127.0.0.1:{soap_port}"
    procs = [subprocess.Popen([PY, str(E2E), "soap", str(soap_port), str(payload), str(small)]),
             subprocess.Popen([PY, str(E2E), "gateway", str(gateway_port), str(spec), str(wsdl),
                               f"{soap_url}/service"], cwd=ROOT)]
    try:
        wait_listening(soap_port, procs[0])
        wait_listening(gateway_port, procs[1])
        pid = procs[1].pid
        url = f"http://127.0.0.1:{gateway_port}{route}"
        headers = {"X-API-Key": "bench-key", "Content-Type": "application/json"}
        with httpx.Client(timeout=600) as client:
            client.get(f"{soap_url}/small")
            warm = client.post(url, content=request, headers=headers)  # imports, plan, caches
            if warm.status_code != 200:
                raise SystemExit(f"gateway answered {warm.status_code}: {warm.text[:500]}")
            client.get(f"{soap_url}/large")
            seconds, peaks, size = [], [], 0
            for _ in range(runs):
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the high-water mark
                before = status_kb(pid, "VmRSS")
                start = time.perf_counter()
                size = 0
                last = b""
                with client.stream("POST", url, content=request, headers=headers) as answer:
                    if answer.status_code != 200:
                        raise SystemExit(f"gateway answered {answer.status_code}")
                    for block in answer.iter_bytes():
                        size += len(block)
                        last = block[-1:] or last
                seconds.append(time.perf_counter() - start)
                if last != b"}":
                    raise SystemExit("the streamed JSON is incomplete")
                peaks.append((status_kb(pid, "VmHWM") - before) / 1024)
        return {"seconds": statistics.median(seconds), "rss_mb": max(peaks),
                "json_mb": size / 2**20, "base_rss_mb": before / 1024}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


class Table:
    """Figures printed as they are measured, each beside its floor; ``--json`` collects."""

    def __init__(self) -> None:
        self.figures: dict[str, float | None] = {}

    def rate(self, key: str, label: str, mb: float, seconds: float,
             floor: tuple[str, float] | None = None, target: float | None = None) -> float:
        value = mb / seconds
        self.figures[key] = round(value, 3)
        text = f"    {label:<46} {value:8.2f} MB/s"
        if floor is not None:
            ratio = value / floor[1]
            text += f"   {ratio:5.2f}x {floor[0]}"
            if target is not None:
                text += f" (target >= {target}x: {'met' if ratio >= target else 'NOT met'})"
        print(text)
        return value


def bench_gateway(payload_mb: float, table: Table) -> None:
    """SOAP -> JSON through the running gateway, the same document answered inline (the
    document as the SOAP body, a package made for it) and as a DocAttach attachment (the
    corpus's own DocAttach service)."""
    from lxml import etree

    from b2b_openapi.codec import jsonxml
    from b2b_openapi.codec.jsonio import dumps
    from b2b_openapi.xsd.wsdl import load_wsdl

    docattach = corpus.service(corpus.ANSWER_SERVICE + "_DocAttach")
    payload = corpus.payload(docattach)
    sample = docattach.sample("output")
    request_sample = etree.parse(str(docattach.sample("input"))).getroot()
    schema = load_wsdl(docattach.wsdl).schema
    request = dumps(jsonxml.decode(schema.maps.elements[request_sample.tag], request_sample))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        spec, wsdl = inline_package(tmp / "inline", docattach, payload)
        documents = {}
        for name, size in (("large", payload_mb), ("small", 0.01),
                           ("capped", min(payload_mb, 2.0))):
            documents[name] = tmp / f"document-{name}.xml"
            subprocess.run([PY, "-c", MAKE_PAYLOAD, str(sample), str(documents[name]),
                            str(size)], check=True)
        inline = {}
        for name in ("large", "small"):
            inline[name] = tmp / f"inline-{name}.xml"
            subprocess.run([PY, "-c", MAKE_INLINE, str(documents[name]), str(inline[name])],
                           check=True)
        mb = inline["large"].stat().st_size / 2**20
        floors = child(FLOORS, str(inline["large"]), str(wsdl))
        naive = ("of the naive floor", mb / floors["naive"])
        print(f"\n(d) SOAP -> JSON, {mb:.1f} MB {payload.name} answer inline (the document "
              f"as the SOAP body; {docattach.name}'s request and payload XSD), median of 3")
        table.rate("floor_naive_mb_s", "floor: lxml -> dict -> json, unvalidated", mb,
                   floors["naive"])
        table.rate("lxml_parse_mb_s", "lxml parse only", mb, floors["parse"], naive)
        table.rate("libxml2_validate_mb_s", "lxml parse + libxml2 XSD validation", mb,
                   floors["validate"], naive)
        capped_mb = documents["capped"].stat().st_size / 2**20
        ref = child(REFERENCE, str(documents["capped"]), str(payload.xsd), payload.element)
        table.rate("xmlschema_decode_mb_s",
                   f"xmlschema decode, reference ({capped_mb:.1f} MB document)",
                   capped_mb, ref["seconds"], naive)
        e2e = through_gateway(inline["large"], inline["small"], spec, wsdl, route_of(spec),
                              request)
        table.rate("gateway_soap_to_json_mb_s", "gateway end to end (SOAP -> HTTP JSON)", mb,
                   e2e["seconds"], naive, 0.5)
        table.figures["gateway_peak_rss_mb"] = round(e2e["rss_mb"], 1)
        table.figures["payload_mb"] = round(mb, 2)
        peak_line(e2e, mb)
        bench_attachment(tmp, docattach, payload, documents, request, table)


def peak_line(e2e: dict[str, float], mb: float) -> None:
    verdict = "met" if e2e["rss_mb"] < 0.5 * mb else "NOT met"
    print(f"    gateway peak RSS over its {e2e['base_rss_mb']:.0f} MB before the call: "
          f"{e2e['rss_mb']:.1f} MB = {e2e['rss_mb'] / mb:.2f}x payload "
          f"(target < 0.5x: {verdict}); {e2e['json_mb']:.1f} MB of JSON")


def bench_attachment(tmp: Path, docattach: corpus.Service, payload: corpus.Payload,
                     documents: dict[str, Path], request: bytes, table: Table) -> None:
    """The same document as the corpus's DocAttach service answers it (gzip + base64 in
    AttachmentValue), SOAP -> JSON through the running gateway, beside the naive floor on
    the payload document's bytes."""
    part = docattach.operation()[2]["x-caiso-attachment"]["response"].get("part") or "attachment"
    answers = {}
    for name in ("large", "small"):
        answers[name] = tmp / f"attachment-{name}.xml"
        subprocess.run([PY, "-c", MAKE_ATTACHMENT, str(documents[name]), str(answers[name]),
                        part, payload.name], check=True)
    document = documents["large"]
    mb = document.stat().st_size / 2**20
    floor = mb / child(FLOORS, str(document), "-")["naive"]
    att = through_gateway(answers["large"], answers["small"], docattach.spec, docattach.wsdl,
                          docattach.route(), request)
    sent_mb = answers["large"].stat().st_size / 2**20
    print(f"\n(d') the same {mb:.1f} MB {payload.name} document as {docattach.name} answers "
          f"it ({sent_mb:.2f} MB gzip+base64), through the running gateway")
    table.rate("floor_naive_payload_mb_s", "floor: lxml -> dict -> json of the document",
               mb, mb / floor)
    table.rate("gateway_attachment_mb_s", "gateway end to end (SOAP -> HTTP JSON)", mb,
               att["seconds"], ("of the naive floor", floor), 0.5)
    table.figures["attachment_peak_rss_mb"] = round(att["rss_mb"], 1)
    peak_line(att, mb)


BENCH_VENV = ROOT / "build" / "bench-venv"  # xsdata lives here, not in the project's venv
# CAISO's real CMRI GasBurn package as published (two services, each an rpc/SwA and a
# DocAttach WSDL, payload XSDs found in the package), beside the checkout when present
GASBURN = ROOT.parent / "shared" / "real-artifacts" / "caiso-cmri-gasburn-v1"
SPEC_STAGE = """
import sys
from pathlib import Path
from b2b_openapi.incremental.workers import Workers
from b2b_openapi.openapi import stage as specs
from b2b_openapi.xsd import fastpath
with Workers(int(sys.argv[2])) as workers:
    specs.render_all(Path(sys.argv[1]), workers=workers)
if len(sys.argv) > 3:  # which path each service took (in this process: not over the pool)
    taken = list(fastpath.TAKEN.values())
    print(sum(path == "fast" for path in taken), len(taken))
"""


def fast_path_share(corpus: Path) -> str:
    """How many of ``corpus``'s SOAP services the spec stage's fast path decides."""
    done = subprocess.run([PY, "-c", SPEC_STAGE, str(corpus), "1", "taken"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    fast, total = done.stdout.split()
    return f"the fast path decides {fast} of {total} services"


def xsdata_command(source: Path, extensions: str) -> list[str]:
    """``xsdata generate``, installed on first use into the benchmark's own venv (with ruff,
    which xsdata runs on what it writes)."""
    xsdata = BENCH_VENV / "bin" / "xsdata"
    if not xsdata.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", "xsdata[cli]",
                        "ruff"], check=True)
    return [str(xsdata), "generate", str(source), "--recursive", "--extensions", extensions,
            "--package", "generated"]


def xsdata_env() -> dict[str, str]:
    """The environment xsdata runs in: its venv first on PATH (it runs ruff from there)."""
    return {**os.environ, "PATH": f"{BENCH_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}"}


def wall_and_cpu(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of a child process and the CPU seconds it (and its children) used:
    on a machine shared with other jobs the CPU figure moves far less than the wall one."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args[:3])}\n{done.stderr[-2000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spec_against_xsdata(corpus: Path, xsdata_on: str) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of the spec stage in one process (as xsdata runs), of the
    same over the process pool (one worker per core, as ``build`` runs it), and of ``xsdata
    generate`` on the ``xsdata_on`` files of the same corpus: fresh processes (start-up and
    imports included for all), interleaved, median of 3."""
    env = xsdata_env()
    commands = {"single": [PY, "-c", SPEC_STAGE, str(corpus), "1"],
                "pooled": [PY, "-c", SPEC_STAGE, str(corpus), str(os.cpu_count() or 1)],
                "xsdata": xsdata_command(corpus, xsdata_on)}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            for name, command in commands.items():
                runs[name].append(wall_and_cpu(command, ROOT if name != "xsdata" else Path(tmp),
                                               env))
                shutil.rmtree(Path(tmp) / "generated", ignore_errors=True)
    return {name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
            for name, got in runs.items()}


def xsdata_subset(tmp: Path) -> tuple[Path, list[str], list[str]]:
    """A copy of the bundled corpus holding only the WSDLs ``xsdata generate`` processes:
    it stops at the first WSDL it cannot map (the rpc/SwA answers of CAISO's plain WSDLs:
    ``RuntimeError: generator raised StopIteration``), so each WSDL is tried alone and the
    ones it fails on are removed (with their samples), as are the OASIS reports (no WSDL).
    Returns the copy, the WSDLs kept and the WSDLs removed (relative names)."""
    copy = tmp / "xsd"
    shutil.copytree(ROOT / "xsd", copy, ignore=shutil.ignore_patterns("OASIS"))
    kept, failed = [], []
    trial = tmp / "trial"
    for wsdl in sorted(copy.rglob("*.wsdl")):
        trial.mkdir()
        done = subprocess.run(xsdata_command(wsdl, "wsdl"), cwd=trial, env=xsdata_env(),
                              capture_output=True, check=False)
        shutil.rmtree(trial)
        name = str(wsdl.relative_to(copy))
        if done.returncode == 0:
            kept.append(name)
            continue
        failed.append(name)
        wsdl.unlink()
        for sample in wsdl.parent.glob(f"samples/{wsdl.stem}.*.xml"):
            sample.unlink()
    return copy, kept, failed


def bench_spec(table: Table) -> None:
    """The spec stage against ``xsdata generate``: the bundled corpus's WSDLs that xsdata
    processes (both sides on exactly those), the spec stage alone on the whole corpus, and
    CAISO's GasBurn package (xsdata on its XSDs: it fails on the package's rpc/SwA WSDLs)."""
    with tempfile.TemporaryDirectory() as tmp:
        subset, kept, failed = xsdata_subset(Path(tmp))
        print(f"\n(f) xsdata generate processes {len(kept)} of the bundled corpus's "
              f"{len(kept) + len(failed)} WSDLs; it fails on {len(failed)} (the plain "
              "rpc/SwA ones but SubmitRawBidSet's):")
        for name in failed:
            print(f"      {name}")
        table.figures["xsdata_wsdls_processed"] = len(kept)
        table.figures["xsdata_wsdls_failed"] = len(failed)
        spec_cases(table, [(f"bundled corpus, the {len(kept)} WSDLs xsdata processes, both "
                            "sides on the same WSDLs", subset, "wsdl", "")])
    whole = [wall_and_cpu([PY, "-c", SPEC_STAGE, str(ROOT / "xsd"), "1"], ROOT,
                          dict(os.environ)) for _ in range(3)]
    single = statistics.median(w for w, _ in whole)
    table.figures["spec_stage_all_s"] = round(single, 3)
    print(f"    spec stage alone on the whole bundled corpus (21 services: every WSDL and "
          f"the OASIS reports), one process: {single:.2f} s, CPU "
          f"{statistics.median(c for _, c in whole):.2f} s (xsdata cannot process it)")
    if GASBURN.is_dir():
        spec_cases(table, [("CAISO GasBurn package (4 WSDLs), xsdata on its XSDs", GASBURN,
                            "xsd", "_gasburn")])
    else:
        print(f"\n(f) {GASBURN} not found: the GasBurn figures are skipped")


def spec_cases(table: Table, cases: list[tuple[str, Path, str, str]]) -> None:
    cores = os.cpu_count() or 1
    print("    spec stage against xsdata generate, fresh processes, median of 3; wall seconds, "
          "then CPU seconds (the spec stage's: its validator process's included)")
    for label, source, extensions, key in cases:
        got = spec_against_xsdata(source, extensions)
        (single, single_cpu), (pooled, pooled_cpu), (xsdata, xsdata_cpu) = (
            got["single"], got["pooled"], got["xsdata"])
        table.figures[f"spec_stage{key}_s"] = round(single, 3)
        table.figures[f"spec_stage{key}_pool_s"] = round(pooled, 3)
        table.figures[f"xsdata_generate{key}_s"] = round(xsdata, 3)
        table.figures[f"spec_stage{key}_cpu_s"] = round(single_cpu, 3)
        table.figures[f"xsdata_generate{key}_cpu_s"] = round(xsdata_cpu, 3)
        verdict = "met" if single <= xsdata else "NOT met"
        print(f"    {label}: xsdata generate {xsdata:.2f} s, CPU {xsdata_cpu:.2f} s; "
              f"{fast_path_share(source)}")
        print(f"      spec stage, as `specs` runs it {single:12.2f} s  "
              f"{single / xsdata:5.2f}x xsdata "
              f"(target <= 1.0x: {verdict}); CPU {single_cpu:.2f} s  "
              f"{single_cpu / xsdata_cpu:5.2f}x xsdata's")
        print(f"      spec stage, process pool ({cores} workers) {pooled:6.2f} s  "
              f"{pooled / xsdata:5.2f}x xsdata; CPU {pooled_cpu:.2f} s  "
              f"{pooled_cpu / xsdata_cpu:5.2f}x xsdata's")


def bench_submit(payload_mb: float, table: Table) -> None:
    submit = corpus.service(corpus.SUBMIT_SERVICE)
    payload = corpus.payload(submit)
    sample = submit.sample("input")
    method, _, op = submit.operation()
    element = op["x-soap-request-element"]  # the rpc wrapper, empty: the document is the part
    wrapper = f"{{{element['namespace']}}}{element['name']}"
    with tempfile.TemporaryDirectory() as tmp:
        request, capped = Path(tmp) / "submit.json", Path(tmp) / "capped.json"
        for path, size in ((request, payload_mb), (capped, min(payload_mb, 1.0))):
            subprocess.run([PY, "-c", MAKE_SUBMIT, str(sample), str(payload.xsd),
                            payload.element, str(path), str(size)], check=True, cwd=ROOT)
        mb, capped_mb = request.stat().st_size / 2**20, capped.stat().st_size / 2**20
        fig = child(SUBMIT, str(request), str(capped), str(submit.spec),
                    str(submit.package), wrapper)
        print(f"\n(e) JSON -> SOAP, {mb:.1f} MB {submit.name} request ({method}, the "
              f"{payload.name} document as an SwA attachment), median of 3")
        floor = ("of the naive floor", mb / fig["naive"])
        table.rate("floor_json_to_xml_mb_s", "floor: json.loads -> lxml build -> serialise",
                   mb, fig["naive"])
        table.rate("floor_json_to_attachment_mb_s", "the floor, then gzip + base64",
                   mb, fig["naive_attachment"], floor)
        table.rate("json_to_soap_mb_s",
                   "gateway path: parse, plan, libxml2, gzip+base64, SwA", mb, fig["fast"],
                   floor, 0.5)
        table.rate("xmlschema_encode_mb_s",
                   f"xmlschema encode + validate, reference ({capped_mb:.1f} MB)",
                   capped_mb, fig["reference"], floor)
        table.rate("json_schema_check_mb_s",
                   f"server's JSON Schema check of the request ({capped_mb:.1f} MB)",
                   capped_mb, fig["json_schema"], floor)


def main() -> None:
    parser = argparse.ArgumentParser(description="b2b-openapi benchmarks")
    parser.add_argument("--copies", type=int, default=19)
    parser.add_argument("--payload-mb", type=float, default=20)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-gateway", action="store_true")
    parser.add_argument("--skip-spec", action="store_true",
                        help="skip the spec stage against xsdata generate")
    parser.add_argument("--json", action="store_true",
                        help="end with one line: a JSON object of the figures")
    args = parser.parse_args()
    table = Table()
    if not args.skip_build:
        bench_build(args.copies)
    if not args.skip_gateway:
        bench_gateway(args.payload_mb, table)
        bench_submit(args.payload_mb, table)
    if not args.skip_spec:
        bench_spec(table)
    if args.json:
        print(json.dumps(table.figures, sort_keys=True))


if __name__ == "__main__":
    main()
