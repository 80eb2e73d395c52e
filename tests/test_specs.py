"""The committed specs/ are valid, deterministic and exactly what the corpus generates."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from openapi_spec_validator import validate

from b2b_openapi import specs
from support import ROOT, XSD, rendered


def test_committed_specs_are_up_to_date() -> None:
    stale = specs.stale_specs(ROOT / "specs", list(rendered()))
    assert stale == [], "run `b2b-openapi specs` and commit specs/"


@pytest.mark.parametrize("seed", ["1", "2"])
def test_fresh_processes_regenerate_identical_specs(seed: str) -> None:
    """Byte-identical output whatever the hash seed (set iteration order changes with it)."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-m", "b2b_openapi", "check", "--xsd", str(XSD),
                           "--specs", str(ROOT / "specs")], capture_output=True, text=True,
                          env=env, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_spec_is_valid_openapi_303() -> None:
    for spec in rendered():
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
                assert {"200", "400", "401", "422", "500", "502"} <= set(operation["responses"])
        schemes = document["components"]["securitySchemes"]
        assert schemes["apiKey"]["in"] == "header"
        assert schemes["clientCertificate"]["x-b2b-auth"] == "mutualTLS"


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
    for spec in rendered():
        for pattern in _patterns(yaml.safe_load(spec.text)):
            assert not [c for c in python_only if c in pattern], (spec.path, pattern)
            assert pattern.startswith("^") and pattern.endswith("$"), (spec.path, pattern)


def test_acceptable_use_is_documented_on_the_meter_data_retrieve_only() -> None:
    document = yaml.safe_load(next(
        s.text for s in rendered() if s.service.id.full_name == "RetrieveMeterData_STLMTv1"))
    limited = {path for path, item in document["paths"].items()
               for op in item.values() if "429" in op["responses"]}
    assert limited == {"/retrieveMeterData"}
    op = document["paths"]["/retrieveMeterData"]["post"]
    assert op["x-caiso-acceptable-use"]["windowSeconds"] == 30
    assert op["x-caiso-acceptable-use"]["message"].startswith(
        "CAISO MRI-S Acceptable Use Policy Violation.")
    assert "Retry-After" in op["responses"]["429"]["headers"]
