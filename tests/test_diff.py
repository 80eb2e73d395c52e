"""Diff rules: one case per rule of the table (each must fire, with its verdict), the corpus's
version changes, and the `diff` command."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from b2b_openapi.diff import diff_documents
from b2b_openapi.diffreport import diff_files, render_report
from b2b_openapi.diffrules import RULES
from b2b_openapi.runtime.jsonio import load_yaml
from support import ROOT

STRING = {"type": "string"}


def document(request: dict[str, Any], response: dict[str, Any], method: str = "post",
             path: str = "/retrieveThing", **op: Any) -> dict[str, Any]:
    """A minimal service document: one operation, request and response as given."""
    operation: dict[str, Any] = {"operationId": "retrieveThing", "responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": response}}}}, **op}
    if method == "post":
        operation["requestBody"] = {"content": {"application/json": {"schema": request}}}
    else:
        operation["parameters"] = [
            {"name": k, "in": "query", "required": k in request.get("required", ()),
             "schema": v} for k, v in request.get("properties", {}).items()]
    return {"openapi": "3.0.3", "info": {"title": "T", "version": "1.0.0"},
            "paths": {path: {method: operation}}, "components": {"schemas": {}}}


def obj(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


BASE = obj(("a",), a=STRING, b={"type": "integer", "minimum": 0, "maximum": 10})
ENUM = {"type": "string", "enum": ["X", "Y"]}


def property_case(direction: str, old: dict[str, Any], new: dict[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    if direction == "request":
        return document(old, BASE), document(new, BASE)
    return document(BASE, old), document(BASE, new)


def both(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(f"{d}-{name}", lambda d=d: property_case(d, old, new))
            for d in ("request", "response")]


CASES: list[tuple[str, Any]] = [
    ("operation-added", lambda: (document(BASE, BASE, path="/a"),
                                 _two_paths(document(BASE, BASE, path="/a")))),
    ("operation-removed", lambda: (_two_paths(document(BASE, BASE, path="/a")),
                                   document(BASE, BASE, path="/a"))),
    ("operation-method-changed", lambda: (document(BASE, BASE), document(BASE, BASE, "get"))),
    ("operation-doc-changed", lambda: (document(BASE, BASE, description="one"),
                                       document(BASE, BASE, description="two"))),
    ("request-property-added-optional", lambda: property_case(
        "request", obj(a=STRING), obj(a=STRING, c=STRING))),
    ("request-property-added-required", lambda: property_case(
        "request", obj(a=STRING), obj(("c",), a=STRING, c=STRING))),
    ("response-property-added", lambda: property_case(
        "response", obj(a=STRING), obj(a=STRING, c=STRING))),
    ("response-property-added-required", lambda: property_case(
        "response", obj(a=STRING), obj(("c",), a=STRING, c=STRING))),
    *both("property-removed", obj(a=STRING, c={"type": "integer"}), obj(a=STRING)),
    *both("property-renamed", obj(a=STRING, c={"type": "integer", "x-xsd-order": 1}),
          obj(a=STRING, d={"type": "integer", "x-xsd-order": 1})),
    ("request-property-became-required", lambda: property_case(
        "request", obj(a=STRING), obj(("a",), a=STRING))),
    ("response-property-became-required", lambda: property_case(
        "response", obj(a=STRING), obj(("a",), a=STRING))),
    ("request-property-became-optional", lambda: property_case(
        "request", obj(("a",), a=STRING), obj(a=STRING))),
    ("response-property-became-optional", lambda: property_case(
        "response", obj(("a",), a=STRING), obj(a=STRING))),
    *both("type-changed", obj(a=STRING), obj(a={"type": "integer"})),
    *both("format-changed", obj(a={"type": "string", "format": "xsd-date"}),
          obj(a={"type": "string", "format": "xsd-date-time"})),
    *both("enum-value-added", obj(a=ENUM), obj(a={**ENUM, "enum": ["X", "Y", "Z"]})),
    *both("enum-value-removed", obj(a=ENUM), obj(a={**ENUM, "enum": ["X"]})),
    *both("constraint-tightened", obj(a={"type": "string", "maxLength": 10}),
          obj(a={"type": "string", "maxLength": 5})),
    *both("constraint-loosened", obj(a={"type": "number", "multipleOf": 0.01}),
          obj(a={"type": "number", "multipleOf": 0.0001})),
    *both("pattern-changed", obj(a={"type": "string", "pattern": "^[A-Z]$"}),
          obj(a={"type": "string", "pattern": "^[A-Z0-9]$"})),
    *both("nullable-added", obj(a=STRING), obj(a={**STRING, "nullable": True})),
    *both("nullable-removed", obj(a={**STRING, "nullable": True}), obj(a=STRING)),
    *both("choice-changed", obj(a=STRING, c=STRING),
          {**obj(a=STRING, c=STRING), "allOf": [{"anyOf": [{"required": ["a"]},
                                                            {"required": ["c"]}]}]}),
    *both("doc-changed", obj(a={**STRING, "description": "old"}),
          obj(a={**STRING, "description": "new"})),
]


def _two_paths(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["paths"]["/b"] = copy.deepcopy(doc["paths"]["/a"])
    return doc


def test_every_rule_has_a_case() -> None:
    assert sorted(name for name, _ in CASES) == sorted(r.id for r in RULES)


@pytest.mark.parametrize(("rule_id", "make"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_with_its_verdict(rule_id: str, make: Any) -> None:
    old, new = make()
    report = diff_documents(old, new)
    fired = {c.rule.id: c for c in report.changes}
    assert rule_id in fired, [c.rule.id for c in report.changes]
    rule = next(r for r in RULES if r.id == rule_id)
    assert fired[rule_id].breaking is rule.breaking


def test_identical_documents_have_no_changes() -> None:
    doc = load_yaml(ROOT / "specs/CMRI/RetrieveDefaultBidCurves_CMRIv2.yaml")
    assert diff_documents(doc, copy.deepcopy(doc)).changes == []


def test_recursive_types_terminate() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"},
                                             "name": STRING}}
    old = document(BASE, {"$ref": "#/components/schemas/Node"})
    old["components"]["schemas"]["Node"] = node
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Node"]["properties"]["extra"] = STRING
    changes = diff_documents(old, new).changes
    assert [(c.rule.id, c.path) for c in changes] == [("response-property-added", "extra")]


# --------------------------------------------------------------------------------- the corpus
def corpus_report(system: str, name: str, old: int, new: int) -> dict[str, Any]:
    a = load_yaml(ROOT / f"specs/{system}/{name}v{old}.yaml")
    b = load_yaml(ROOT / f"specs/{system}/{name}v{new}.yaml")
    report: dict[str, Any] = json.loads(render_report(diff_documents(a, b), "json"))
    return report


def test_oasis_new_columns_are_non_breaking_additions() -> None:
    report = corpus_report("OASIS", "RetrieveCrrAggRevAdj_OASIS", 1, 2)
    added = {c["path"].rsplit(".", 1)[-1]: c for c in report["changes"]}
    assert set(added) == {"DIRECTION", "IFM_NET_FLOW_MW", "CLAWBACK_REV", "CIR_SCH_REV"}
    assert all(c["rule"] == "response-property-added" and not c["breaking"]
               for c in added.values())
    assert report["summary"] == {"changes": 4, "breaking": 0, "nonBreaking": 4}


def test_cmri_v2_changes_are_all_reported() -> None:
    report = corpus_report("CMRI", "RetrieveDefaultBidCurves_CMRI", 1, 2)
    found = {(c["rule"], c["path"].split(".")[-1]) for c in report["changes"]}
    assert {("response-property-renamed", "defaultBidType"),
            ("response-property-removed", "fuelRegion"),
            ("response-property-added", "gasPriceIndex"),
            ("response-property-added", "costBasisVersion"),
            ("response-enum-value-added", "defaultBidType"),
            ("response-enum-value-removed", "defaultBidType"),
            ("response-constraint-tightened", "price")} <= found
    assert report["summary"]["breaking"] == 3


def test_build_reports_every_multi_version_service() -> None:
    documents = [load_yaml(p) for p in sorted((ROOT / "specs").glob("*/*.yaml"))]
    files = diff_files(documents)
    assert sorted(files) == sorted(
        Path(f"{stem}.{fmt}") for stem in ("CMRI/RetrieveDefaultBidCurves_v1_to_v2",
                                           "OASIS/RetrieveCrrAggRevAdj_v1_to_v2")
        for fmt in ("md", "json", "html"))
    html = files[Path("CMRI/RetrieveDefaultBidCurves_v1_to_v2.html")]
    assert "<td>breaking</td>" in html and "&#39;HYDRO_DEB&#39;" in html  # escaped


# ------------------------------------------------------------------------------- the command
def diff_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "b2b_openapi", "diff", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def test_fail_on_breaking_sets_the_exit_code() -> None:
    cmri = ["specs/CMRI/RetrieveDefaultBidCurves_CMRIv1.yaml",
            "specs/CMRI/RetrieveDefaultBidCurves_CMRIv2.yaml"]
    oasis = ["specs/OASIS/RetrieveCrrAggRevAdj_OASISv1.yaml",
             "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml"]
    assert diff_cli(*cmri).returncode == 0
    breaking = diff_cli(*cmri, "--fail-on", "breaking")
    assert breaking.returncode == 1 and "3 breaking" in breaking.stderr
    assert "## Breaking changes" in breaking.stdout
    assert diff_cli(*oasis, "--fail-on", "breaking").returncode == 0


def test_diff_writes_json_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = diff_cli("specs/OASIS/RetrieveCrrAggRevAdj_OASISv1.yaml",
                    "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml", "--format", "json",
                    "--out", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text())["schemaVersion"] == 1


def test_diff_bad_input_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\npaths: [\n")
    proc = diff_cli(str(bad), "specs/OASIS/RetrieveCrrAggRevAdj_OASISv2.yaml")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {bad}:3: not valid YAML/JSON")
    missing = diff_cli(str(tmp_path / "nope.yaml"), str(bad))
    assert missing.returncode == 1 and "nope.yaml: file not found" in missing.stderr
