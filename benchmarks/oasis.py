"""Benchmarks of the OASIS gateway's answer reading (docs/oasis.md): what turning an OASIS
ZIP into typed JSON rows costs beside the least any reader must do.  Prints figures;
asserts nothing.

    python benchmarks/oasis.py [--rows 200000]

Figures, each beside its floor measured in the same run, on --rows rows of the v2
CRR_AGG_REV_ADJ report's columns (the bundled sample's rows repeated):
  (a) the CSV answer (resultformat=6): unzip + codec.oasis.document_rows against unzip +
      the stdlib csv reader listing the untyped fields;
  (b) the OASISReport XML answer: unzip + document_rows against unzip + an lxml iterparse
      that visits every row and frees it (the streaming any reader needs), untyped;
  (c) the rows to the JSON the gateway answers (codec.jsonio.dumps, exact decimals).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "xsd/OASIS/RetrieveCrrAggRevAdj_OASISv2/samples"
sys.path.insert(0, str(ROOT / "generator"))

from b2b_openapi.codec.jsonio import dumps  # noqa: E402
from b2b_openapi.codec.oasis import Column, document_rows, unzip  # noqa: E402
from b2b_openapi.openapi.stage import render  # noqa: E402


def best_of_three(function: Callable[[], Any]) -> float:
    """Seconds of one call, the best of three (the machine is shared and noisy)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    spec = render(ROOT / "xsd/OASIS/RetrieveCrrAggRevAdj_OASISv2/oasis-report.toml")
    ext = spec.parsed()["paths"]["/retrieveCrrAggRevAdj"]["get"]["x-caiso-oasis"]
    columns = [Column.from_extension(c) for c in ext["columns"]]

    lines = (SAMPLES / "report.csv").read_text().splitlines()
    body = lines[1:] * (args.rows // (len(lines) - 1))
    csv_zip = zipped("report.csv", ("\n".join([lines[0], *body]) + "\n").encode())
    xml = (SAMPLES / "report.xml").read_text()
    head, _, rest = xml.partition("        <REPORT_DATA>")
    item, _, tail = ("        <REPORT_DATA>" + rest).rpartition("        </REPORT_DATA>\n")
    items = (item + "        </REPORT_DATA>\n") * (args.rows // 2)
    xml_zip = zipped("report.xml", (head + items + tail).encode())

    def csv_floor() -> None:
        _, data = unzip(csv_zip)
        list(csv.reader(io.StringIO(data.decode())))

    def xml_floor() -> None:
        _, data = unzip(xml_zip)
        for _, element in etree.iterparse(io.BytesIO(data), events=("end",),
                                          tag="{*}REPORT_DATA"):
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]

    def read(answer: bytes) -> Callable[[], Any]:
        return lambda: document_rows(*unzip(answer), columns)

    rows = read(csv_zip)()
    assert isinstance(rows, list) and len(rows) == args.rows
    assert read(xml_zip)() == rows
    mb = {"csv": len(unzip(csv_zip)[1]) / 2**20, "xml": len(unzip(xml_zip)[1]) / 2**20}
    for label, kind, floor, ours in (("(a) CSV", "csv", csv_floor, read(csv_zip)),
                                     ("(b) XML", "xml", xml_floor, read(xml_zip))):
        t_floor, t_ours = best_of_three(floor), best_of_three(ours)
        print(f"{label} {args.rows} rows, {mb[kind]:.1f} MB unzipped: floor "
              f"{mb[kind] / t_floor:.0f} MB/s ({t_floor:.2f} s), rows "
              f"{mb[kind] / t_ours:.0f} MB/s ({t_ours:.2f} s, {t_ours / t_floor:.1f}x the floor)")
    t_json = best_of_three(lambda: dumps(rows))
    t_csv = best_of_three(read(csv_zip))
    print(f"(c) JSON of {args.rows} rows: {t_json:.2f} s ({t_json / t_csv:.1f}x reading them "
          "from the CSV ZIP)")


if __name__ == "__main__":
    main()
