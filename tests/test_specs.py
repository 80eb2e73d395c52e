"""The committed specs/ are valid, deterministic and exactly what the corpus generates."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from xmlschema.validators.facets import XsdEnumerationFacets

from b2b_openapi.codec.jsonio import load_yaml
from b2b_openapi.incremental.workers import Workers
from b2b_openapi.openapi import stage as specs
from b2b_openapi.openapi import yamlio
from b2b_openapi.xsd.builder import component_names, documentation
from support import ROOT, XSD, rendered, rendered_all, xsd_component


def test_committed_specs_are_up_to_date() -> None:
    stale = specs.stale_specs(ROOT / "specs", list(rendered_all()))
    assert stale == [], "run `b2b-openapi specs` and commit specs/"


# CAISO's real GasBurn package (4 WSDLs, each with warnings), beside the checkout in CI
GASBURN = ROOT.parent / "shared" / "real-artifacts" / "caiso-cmri-gasburn-v1"


@pytest.mark.parametrize("corpus", [XSD, pytest.param(GASBURN, marks=pytest.mark.skipif(
    not GASBURN.is_dir(), reason=f"no {GASBURN} (../shared is beside the checkout in CI)"))],
    ids=["bundled", "gasburn"])
def test_the_spec_stage_over_the_process_pool_renders_what_one_process_renders(
        corpus: Path) -> None:
    """render_all over two workers (the benchmark's pool figure): the same specs in the
    same order, the warnings told in corpus order, without the model."""
    told: list[str] = []
    with Workers(2) as workers:
        pooled = specs.render_all(corpus, warn=told.append, workers=workers)
    assert workers.pooled(len(pooled))
    one_process = rendered_all() if corpus == XSD else tuple(specs.render_all(corpus))
    assert [(s.path, s.text, s.warnings) for s in pooled] == \
        [(s.path, s.text, s.warnings) for s in one_process]
    assert [s.parsed() for s in pooled] == [s.parsed() for s in one_process]
    assert told == [note for s in one_process for note in s.warnings]
    assert all(s.service is None for s in pooled)


@pytest.mark.slow  # fresh build processes
@pytest.mark.parametrize("seed", ["1", "2"])
def test_fresh_processes_regenerate_identical_specs(seed: str) -> None:
    """Byte-identical output whatever the hash seed (set iteration order changes with it)."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-m", "b2b_openapi", "check", "--xsd", str(XSD),
                           "--specs", str(ROOT / "specs")], capture_output=True, text=True,
                          env=env, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_spec_is_valid_openapi_303() -> None:
    for spec in rendered_all():
        document = yaml.safe_load(spec.text)
        assert document["openapi"] == "3.0.3"
        validate(document)


def test_every_operation_documents_soap_facts() -> None:
    for spec in rendered():
        document = yaml.safe_load(spec.text)
        for path_item in document["paths"].values():
            for operation in path_item.values():
                assert operation["x-soap-action"].startswith("http")
                assert operation["x-soap-request-element"]["namespace"]
                assert {"200", "400", "401", "403", "422", "500", "502", "503",
                        "504"} <= set(operation["responses"])
                if "requestBody" in operation:  # the servers' body limit and media type
                    assert {"413", "415"} <= set(operation["responses"])
        schemes = document["components"]["securitySchemes"]
        assert schemes["apiKey"]["in"] == "header"
        assert document["x-b2b-mutual-tls"] == "required"
        assert "mutual TLS" in schemes["apiKey"]["description"]


def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for k, v in node.items() if k != "properties" for p in _patterns(v)] \
            + [p for v in (node.get("properties") or {}).values() for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


def test_patterns_use_ecmascript_syntax_only() -> None:
    """OpenAPI patterns are ECMA-262: Python-only constructs would break other validators."""
    python_only = ("\\Z", "\\A", "(?P<", "(?P=", "(?#", "(?i", "(?x")
    for spec in rendered_all():
        for pattern in _patterns(yaml.safe_load(spec.text)):
            assert not [c for c in python_only if c in pattern], (spec.path, pattern)
            assert pattern.startswith("^") and pattern.endswith("$"), (spec.path, pattern)


def _string_schemas(node: Any) -> list[dict[str, Any]]:
    """Every string schema made from an XSD type (``x-xsd-type``) in a document."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "string" and "x-xsd-type" in node:
            found.append(node)
        for value in node.values():
            found += _string_schemas(value)
    elif isinstance(node, list):
        for value in node:
            found += _string_schemas(value)
    return found


def test_no_string_schema_accepts_text_xml_cannot_carry() -> None:
    """JSON strings may hold control characters, XML text may not: every string a spec
    accepts must be one the gateway can put in a SOAP message (XML_TEXT or a positive
    pattern, or an enumeration), so a schema-valid request is never refused for it."""
    checked = 0
    for spec in rendered():
        for schema in _string_schemas(specs.load_yaml(spec.text)):
            validator = OAS30Validator(schema)
            for bad in ("a\x01b", "\x1f", "x\ufffe"):
                assert not validator.is_valid(bad), (spec.path, schema, bad)
            checked += 1
    assert checked > 100


def test_acceptable_use_is_documented_on_the_meter_data_retrieve_only() -> None:
    """Both variants of the meter data retrieve, and nothing else (not its availability
    query, whose package sits beside it)."""
    documents = {s.service.id.full_name: yaml.safe_load(s.text) for s in rendered()}
    limited = {(name, path) for name, document in documents.items()
               for path, item in document["paths"].items()
               for op in item.values() if "429" in op["responses"]}
    assert limited == {("RetrieveMeterData_STLMTv1", "/retrieveMeterData"),
                       ("RetrieveMeterData_STLMTv1_DocAttach", "/retrieveMeterData")}
    for name, _ in limited:
        op = documents[name]["paths"]["/retrieveMeterData"]["post"]
        assert op["x-caiso-acceptable-use"]["windowSeconds"] == 30
        # one window per user for both variants (CAISO counts the service's calls)
        assert op["x-caiso-acceptable-use"]["window"] == "RetrieveMeterData/retrieveMeterData"
        assert op["x-caiso-acceptable-use"]["message"].startswith(
            "CAISO MRI-S Acceptable Use Policy Violation.")
        assert "Retry-After" in op["responses"]["429"]["headers"]


def _descriptions(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "description" and isinstance(v, str)] + [
            d for k, v in node.items() if k != "description" for d in _descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in _descriptions(v)]
    return []


def _xsd_docs(component: Any) -> set[str]:
    """The xs:documentation of an xmlschema component and of everything declared inside it:
    local elements (and what a ref= names), attributes, anonymous types, enumeration values."""
    found: set[str] = set()
    for part in component.iter_components():
        found.update(d for d in (documentation(part), documentation(getattr(part, "ref", None)))
                     if d)
        for facet in (getattr(part, "facets", None) or {}).values():
            if isinstance(facet, XsdEnumerationFacets):
                found.update(d for i in range(len(facet)) if (
                    d := documentation(SimpleNamespace(annotation=facet.get_annotation(i)))))
    return found


def test_xsd_documentation_reaches_the_spec() -> None:
    """Every xs:documentation of what a document describes is in one of its descriptions:
    message elements and envelopes (element first, then its type), types, local elements,
    attributes and enumeration values.  Components no operation reaches (the SOAP header,
    types no message uses) are not emitted, so not expected."""
    checked = 0
    for spec in rendered():
        document = yaml.safe_load(spec.text)
        text = " ".join(" ".join(_descriptions(document)).split())
        expected: set[str] = set()
        names = component_names(spec.service.components)
        for key in spec.service.components:
            if names[key] not in document["components"]["schemas"]:
                continue
            kind, _, qname = key.partition(":")
            declared = xsd_component(spec.service, kind, qname)
            if declared is not None:  # else an rpc wrapper: no XSD declares it
                expected |= _xsd_docs(declared)
        for op in spec.service.operations:
            for message in (op.input, op.output, *(f.message for f in op.faults)):
                declared = xsd_component(spec.service, "element", message.element.qname)
                if declared is not None:
                    expected |= _xsd_docs(declared)
        missing = sorted(doc for doc in expected if " ".join(doc.split()) not in text)
        assert missing == [], (spec.service.id.full_name, missing)
        checked += len(expected)
    assert checked > 150  # 188 when the unreached components went


def test_element_fault_and_enumeration_documentation() -> None:
    document = yaml.safe_load(next(
        s.text for s in rendered() if s.service.id.full_name == "RetrieveDefaultBidCurves_CMRIv1"))
    schemas = document["components"]["schemas"]
    assert schemas["DefaultBidCurves"]["description"].startswith("Default energy bid curves CAISO")
    fault = schemas["Error"]["properties"]["fault"]["description"]
    assert fault == ("Decoded SOAP fault detail.\n\nThe outcome of a request as a log of "
                     "events: the detail of a SOAP fault, or the acknowledgement of a submit.")
    meter = yaml.safe_load(next(
        s.text for s in rendered() if s.service.id.full_name == "RetrieveMeterData_STLMTv1"))
    quality = meter["components"]["schemas"]["Reading"]["properties"]["@quality"]
    assert quality["description"] == "- `A`: Actual\n- `E`: Estimated\n- `S`: Substituted"
    assert quality["enum"] == ["A", "E", "S"]


def _nodes(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [n for v in node.values() for n in _nodes(v)]
    if isinstance(node, list):
        return [n for v in node for n in _nodes(v)]
    return []


def test_documentation_of_a_component_is_not_repeated_where_it_is_used() -> None:
    """A global element with an anonymous type is a component described by the element's
    documentation; its uses (substitution group members, ``ref=``) do not say it again."""
    checked = 0
    for spec in rendered():
        document = yaml.safe_load(spec.text)
        schemas = document["components"]["schemas"]
        for node in _nodes(document):
            own = node.get("description")
            for ref in [s["$ref"] for s in node.get("allOf", []) if "$ref" in s]:
                described = schemas[ref.rsplit("/", 1)[1]].get("description")
                if isinstance(own, str) and described:
                    assert described not in own, (spec.path, ref)
                    checked += 1
    assert checked > 10


def test_spec_yaml_reads_back_every_number_it_writes() -> None:
    """Decimals keep every digit; YAML's own spellings of infinities and NaN (.inf, .nan)
    read back as Decimals too instead of failing the exact-decimal loader."""
    document = {"a": Decimal("12.50"), "b": Decimal("1E+2"), "c": Decimal("-Infinity"),
                "d": float("inf"), "e": Decimal("NaN"), "f": 0.5}
    text = yamlio.dump(document)
    assert text.splitlines()[:4] == ["a: 12.50", "b: 100.0", "c: -.inf", "d: .inf"]
    loaded = load_yaml(text)
    assert loaded["a"] == Decimal("12.50") and str(loaded["a"]) == "12.50"
    assert (loaded["c"], loaded["d"], loaded["f"]) == (
        Decimal("-Infinity"), Decimal("Infinity"), Decimal("0.5"))
    assert loaded["e"].is_nan()
