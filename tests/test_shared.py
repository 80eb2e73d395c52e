"""Shared XSDs (CAISOWSHeader, StandardOutput, ...) are parsed once, not once per service.

CAISO ships its shared schemas inside every package, so the bundled corpus has no schema
folder of its own; ``tests/corpus/shared`` keeps a corpus laid out with one (``common/``,
services importing from it and from a sibling service), the layout this sharing serves."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import xmlschema

from b2b_openapi.errors import ArtifactError
from b2b_openapi.xsd import shared
from b2b_openapi.xsd.wsdl import load_service, load_wsdl
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


def _load_verdict(path: Path) -> str:
    """What xmlschema makes of a schema file: valid, or its refusal word for word."""
    try:
        xmlschema.XMLSchema10(str(path), allow="local")
    except (xmlschema.XMLSchemaException, SyntaxError, ValueError, KeyError) as exc:
        return f"refused: {type(exc).__name__}: {exc}"
    return "valid"


def _meta_invalid(text: str) -> str:
    """The schema with an attribute the XSD meta-schema does not allow on its first
    element declaration (or, lacking one, on the schema element)."""
    for tag in ("<xs:element ", "<xsd:element ", "<xs:schema ", "<xsd:schema "):
        if tag in text:
            return text.replace(tag, f'{tag}bogus="1" ', 1)
    raise AssertionError("no xs:element nor xs:schema")


def test_meta_checked_once_gives_xmlschemas_own_verdicts(tmp_path: Path) -> None:
    """Differential against xmlschema unaided: every schema of the corpus, and each made
    meta-invalid beside it, loads to the same verdict (the same error text) the first and
    the second time with the meta-check memo on as with it off.  An invalid document is
    checked, and refused, every time; a valid one is not checked twice."""
    corpus = tmp_path / "xsd"
    shutil.copytree(XSD, corpus)
    files = []
    for path in sorted(corpus.rglob("*.xsd")):
        broken = path.with_name(f"{path.stem}.broken.xsd")
        broken.write_text(_meta_invalid(path.read_text(encoding="utf-8")), encoding="utf-8")
        files += [path, broken]
    plain = [_load_verdict(p) for p in files]
    assert all(v == "valid" for v in plain[::2])
    assert all(v.startswith("refused:") and "bogus" in v for v in plain[1::2])
    checks = 0
    meta_class = type(xmlschema.XMLSchema10.meta_schema)
    check = meta_class.iter_errors

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal checks
        checks += 1
        return check(self, *args, **kwargs)

    shared._META_VALID.clear()
    with patch.object(meta_class, "iter_errors", counting), shared.meta_checked_once():
        first = [_load_verdict(p) for p in files]
        first_checks = checks
        second = [_load_verdict(p) for p in files]
    assert first == plain and second == plain
    # the second round checked only the invalid documents again
    assert checks - first_checks == len(files) // 2
    assert "iter_errors" not in vars(xmlschema.XMLSchema10.meta_schema)


def test_meta_checked_once_nests_and_leaves_nothing_behind() -> None:
    meta = xmlschema.XMLSchema10.meta_schema
    with shared.meta_checked_once():
        installed = vars(meta)["iter_errors"]
        with shared.meta_checked_once():
            assert vars(meta)["iter_errors"] is installed
        assert vars(meta)["iter_errors"] is installed
    assert "iter_errors" not in vars(meta)


def test_meta_checked_once_from_several_threads() -> None:
    """A server may load schemas in several threads: contexts opened and closed in any
    interleaving keep the memo on while one is open and leave nothing behind."""
    meta = xmlschema.XMLSchema10.meta_schema
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def enter_and_leave() -> None:
        try:
            start.wait()
            for _ in range(200):
                with shared.meta_checked_once():
                    assert "iter_errors" in vars(meta)
        except BaseException as exc:  # reported below, with the thread's traceback gone
            failures.append(exc)

    threads = [threading.Thread(target=enter_and_leave) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert "iter_errors" not in vars(meta)
