"""Streaming SOAP -> JSON gives exactly the bytes of the whole-document decode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from b2b_openapi.codec import jsonxml, soap
from b2b_openapi.codec.jsonio import dumps
from b2b_openapi.codec.streaming import NotStreamable, StreamError, stream_json
from support import MessageCase, sample_cases

OUTPUTS = [(case, path) for case, path in sample_cases() if case.kind == "output"]


def envelope(path: Path) -> bytes:
    return soap.envelope(ElementTree.parse(path).getroot())


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.parametrize(("case", "path"), OUTPUTS, ids=[c.id for c, _ in OUTPUTS])
def test_stream_equals_whole_decode(case: MessageCase, path: Path) -> None:
    element = case.xsd_element
    expected = dumps(jsonxml.decode(element, ElementTree.parse(path).getroot()))
    try:
        streamed = b"".join(stream_json(chunked(envelope(path), 7), element))
    except NotStreamable:
        pytest.skip("shape decoded whole (wildcard or simple content)")
    assert streamed == expected


def test_most_responses_stream() -> None:
    streamable = 0
    for case, path in OUTPUTS:
        try:
            b"".join(stream_json([envelope(path)], case.xsd_element))
            streamable += 1
        except NotStreamable:
            pass
    assert streamable >= len(OUTPUTS) - 2


def test_fault_is_not_streamed() -> None:
    case = OUTPUTS[0][0]
    fault = soap.envelope(None, fault=soap.SoapFault("soap:Server", "down", None))
    chunks = chunked(fault, 5)
    with pytest.raises(NotStreamable) as info:
        list(stream_json(chunks, case.xsd_element))
    # what was read is handed back; the rest is still in the source
    assert info.value.head + b"".join(chunks) == fault


def test_invalid_item_fails_the_stream() -> None:
    case, path = next((c, p) for c, p in OUTPUTS if c.id.startswith(
        "RetrieveDefaultBidCurves_CMRIv2.retrieveDefaultBidCurves_v2."))
    data = envelope(path).replace(b"<ns1:tradingHour>19<", b"<ns1:tradingHour>99<")
    assert b">99<" in data
    with pytest.raises(Exception, match="99"):
        b"".join(stream_json(chunked(data, 64), case.xsd_element))


def test_missing_required_children_fail_at_the_end() -> None:
    case, path = next((c, p) for c, p in OUTPUTS if c.id.startswith(
        "RetrieveDefaultBidCurves_CMRIv2.retrieveDefaultBidCurves_v2."))
    root = ElementTree.parse(path).getroot()
    root.remove(root[0])  # drop MessageHeader, which is required
    with pytest.raises(StreamError, match="MessageHeader"):
        b"".join(stream_json([soap.envelope(root)], case.xsd_element))
