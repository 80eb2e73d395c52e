"""Benchmarks of the gateway's wire work: what WS-Security and attachments cost beside what
the gateway does anyway.  Prints figures; asserts nothing.

    python benchmarks/wire.py [--rounds 200] [--payload-mb 20]

Figures, each beside its floor measured in the same run:
  (a) signing a request envelope (python-xmlsec, RSA-SHA1, 2048-bit key) against building
      that envelope (XSD encode + validate + SOAP wrap, the gateway's request path without
      signing), and verifying it;
  (b) verifying the signature of a --payload-mb MB signed response against lxml merely
      parsing the same bytes (any verifier must parse), in MB/s;
  (c) gzip+base64 decoding of a --payload-mb MB attachment (with its hash) against gzip
      alone, in MB/s.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from b2b_openapi.codec import attachments, jsonxml, soap  # noqa: E402
from b2b_openapi.codec import wssecurity as wss  # noqa: E402
from b2b_openapi.xsd.wsdl import load_wsdl  # noqa: E402
from certs import make_pki  # noqa: E402

SERVICE = ROOT / "xsd/MRIS/MeterDataAvailability/20130901"
WSDL = SERVICE / "retrieveMeterDataAvailability_v1_DocAttach.wsdl"


def per_call(function: Callable[[], Any], rounds: int) -> float:
    """Seconds per call, the best of three batches (the machine is shared and noisy)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            function()
        best = min(best, (time.perf_counter() - start) / rounds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--payload-mb", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pki = make_pki(Path(folder), rsa=True)
        identity = wss.SigningIdentity.from_pem(pki.client.cert.read_bytes(),
                                                pki.client.key.read_bytes())
        trust = wss.Trust.from_file(pki.ca)

    schema = load_wsdl(WSDL).schema
    sample = next(SERVICE.glob("samples/retrieveMeterDataAvailability_v1_DocAttach.input.xml"))
    root = ElementTree.parse(sample).getroot()
    element = schema.maps.elements[root.tag]
    request = jsonxml.decode(element, root)

    def build() -> bytes:
        body = jsonxml.encode(element, request)
        element.validate(body)
        return soap.envelope(body, (soap.caiso_header("CN=client"),))

    envelope = build()
    signed = wss.sign(envelope, identity)
    t_build = per_call(build, args.rounds)
    t_sign = per_call(lambda: wss.sign(envelope, identity), args.rounds)
    t_verify = per_call(lambda: wss.verify(signed, trust), args.rounds)
    print(f"(a) request envelope: build {t_build * 1e3:.2f} ms (floor), sign "
          f"{t_sign * 1e3:.2f} ms ({t_sign / t_build:.1f}x), verify {t_verify * 1e3:.2f} ms "
          f"({t_verify / t_build:.1f}x)")

    rows = int(args.payload_mb * 1024 * 1024 / 60)
    big = ElementTree.Element("{urn:bench}Answer")
    for index in range(rows):
        ElementTree.SubElement(big, "{urn:bench}row", n=str(index)).text = "x" * 32
    response = wss.sign(soap.envelope(big), identity)
    size = len(response) / 1024 / 1024
    t_parse = per_call(lambda: etree.fromstring(response, etree.XMLParser(huge_tree=True)), 1)
    t_check = per_call(lambda: wss.verify(response, trust, required=wss.RESPONSE_PARTS), 1)
    print(f"(b) {size:.1f} MB signed response: lxml parse {size / t_parse:.0f} MB/s (floor), "
          f"verify {size / t_check:.0f} MB/s ({t_check / t_parse:.1f}x the parse)")

    payload = ElementTree.tostring(big)
    text = attachments.encode(payload)
    digest = attachments.attachment_hash(text)
    compressed = base64.b64decode(text)
    t_gunzip = per_call(lambda: gzip.decompress(compressed), 1)
    t_decode = per_call(lambda: attachments.decode(text, digest), 1)
    mb = len(payload) / 1024 / 1024
    print(f"(c) {mb:.1f} MB attachment: gunzip {mb / t_gunzip:.0f} MB/s (floor), hash + "
          f"base64 + gunzip {mb / t_decode:.0f} MB/s ({t_decode / t_gunzip:.1f}x)")


if __name__ == "__main__":
    main()
