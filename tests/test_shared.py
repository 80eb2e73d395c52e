"""Shared XSDs (CAISOWSHeader, StandardOutput, ...) are parsed once, not once per service.

CAISO ships its shared schemas inside every package, so the bundled corpus has no schema
folder of its own; ``tests/corpus/shared`` keeps a corpus laid out with one (``common/``,
services importing from it and from a sibling service), the layout this sharing serves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from b2b_openapi.errors import ArtifactError
from b2b_openapi.xsd import shared
from b2b_openapi.xsd.wsdl import load_service, load_wsdl, preload_shared
from support import ROOT

XSD = ROOT / "tests" / "corpus" / "shared"

HEADER = "{http://www.caiso.com/soa/2006-09-30/CAISOWSHeader.xsd}CAISOWSHeader"
OUTPUT = "{http://www.caiso.com/soa/StandardOutput_v1.xsd#}outputDataType"
CMRI = "CMRI/RetrieveDefaultBidCurves_CMRIv1/RetrieveDefaultBidCurves_CMRIv1.wsdl"
OTHER = "CMRI/RetrieveDefaultBidCurves_CMRIv2/RetrieveDefaultBidCurves_CMRIv2.wsdl"
# imports its sibling service's schemas as well as the common ones
DOC_ATTACH = ("SIBR/RetrieveCleanBidSet_SIBRv5_DocAttach/"
              "RetrieveCleanBidSet_SIBRv5_DocAttach.wsdl")


def _copy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "xsd"
    shutil.copytree(XSD, corpus)
    return corpus


def test_services_share_one_parse_of_the_common_schemas() -> None:
    first, second, third = (load_wsdl(XSD / w).schema.maps for w in (CMRI, OTHER, DOC_ATTACH))
    assert first is not second
    # the very same component objects, not two parses of the same file
    assert first.elements[HEADER] is second.elements[HEADER] is third.elements[HEADER]
    assert first.elements[OUTPUT] is second.elements[OUTPUT] is third.elements[OUTPUT]
    # while each service's own schemas stay its own
    own = "http://www.caiso.com/soa/DefaultBidCurves_v1.xsd#"
    assert own in first.namespaces and own not in second.namespaces


def test_preloading_builds_what_every_later_service_reuses(tmp_path: Path) -> None:
    """What a build does before its process pool forks: the workers inherit the result."""
    corpus = _copy_corpus(tmp_path)
    before = shared._build_parent.cache_info()
    preload_shared(corpus / CMRI)
    after_preload = shared._build_parent.cache_info()
    assert after_preload.misses == before.misses + 1
    maps = load_wsdl(corpus / OTHER).schema.maps
    assert shared._build_parent.cache_info().misses == after_preload.misses
    assert maps.elements[HEADER].schema.maps is not maps  # it lives in the parent's maps


def test_chameleon_common_types_take_each_services_namespace() -> None:
    """CAISOCommonTypes has no targetNamespace: it cannot be shared, by XSD's rules."""
    maps = load_wsdl(XSD / CMRI).schema.maps
    names = sorted(str(n) for n in maps.types if str(n).endswith("}ResourceID"))
    assert names == ["{http://www.caiso.com/soa/DefaultBidCurves_v1.xsd#}ResourceID",
                     "{http://www.caiso.com/soa/RequestDefaultBidCurves_v1.xsd#}ResourceID"]
    request, response = (maps.types[n] for n in reversed(names))
    assert request is not response


def test_an_edited_shared_schema_is_parsed_again(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    before = load_wsdl(corpus / CMRI).schema.maps
    assert before.elements[HEADER] is load_wsdl(corpus / OTHER).schema.maps.elements[HEADER]
    output = corpus / "common" / "StandardOutput_v1.xsd"
    output.write_text(output.read_text().replace(
        '<xs:element name="outputDataType" type="outputDataType">',
        '<xs:element name="addedByTest" type="xs:string"/>\n'
        '  <xs:element name="outputDataType" type="outputDataType">'))
    after = load_wsdl(corpus / CMRI).schema.maps
    added = "{http://www.caiso.com/soa/StandardOutput_v1.xsd#}addedByTest"
    assert added in after.elements and added not in before.elements


def test_a_broken_unused_shared_file_does_not_break_other_services(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    (corpus / "common" / "Unused_v1.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:unused">'
        '<xs:element name="x" type="NoSuchType"/></xs:schema>')
    service = load_service(corpus / CMRI)
    assert service.operations
    assert all("Unused" not in p.name for p in service.sources)


def test_a_broken_shared_file_a_service_imports_is_reported_with_its_line(
        tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    header = corpus / "common" / "CAISOWSHeader_v1.xsd"
    lines = header.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if 'type="xs:' in line)
    lines[at] = lines[at].replace('type="xs:', 'type="xs:noSuch', 1)
    header.write_text("\n".join(lines) + "\n")
    with pytest.raises(ArtifactError) as raised:
        load_wsdl(corpus / CMRI)
    assert raised.value.path is not None and raised.value.path.name == header.name
    assert raised.value.line == at + 1
