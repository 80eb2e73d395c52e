"""Postman collections: committed and up to date, well-formed v2.1, and every request passes
when newman runs the collections against the generated mock servers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from b2b_openapi.postman import SCHEMA_URL, postman_files
from b2b_openapi.runtime.jsonio import load_yaml
from live import newman
from support import ROOT

POSTMAN = ROOT / "postman"
COLLECTIONS = sorted(POSTMAN.glob("*/*.postman_collection.json"))


def documents() -> list[Any]:
    return [load_yaml(p) for p in sorted((ROOT / "specs").glob("*/*.yaml"))]


def test_committed_postman_is_up_to_date() -> None:
    expected = postman_files(documents())
    on_disk = {p.relative_to(POSTMAN) for p in POSTMAN.rglob("*") if p.is_file()}
    assert on_disk == set(expected), "run `b2b-openapi postman` and commit postman/"
    stale = [str(p) for p, text in expected.items()
             if (POSTMAN / p).read_text(encoding="utf-8") != text]
    assert stale == [], "run `b2b-openapi postman` and commit postman/"


def test_one_collection_per_service_version_with_auth_and_tests() -> None:
    assert len(COLLECTIONS) == len(list((ROOT / "specs").glob("*/*.yaml"))) == 16
    for path in COLLECTIONS:
        collection = json.loads(path.read_text())
        assert collection["info"]["schema"] == SCHEMA_URL
        assert collection["auth"]["type"] == "apikey"
        assert {"key": "value", "value": "{{apiKey}}", "type": "string"} in \
            collection["auth"]["apikey"]
        for item in collection["item"]:
            script = "\n".join(item["event"][0]["script"]["exec"])
            assert "pm.response.to.have.status(200)" in script
            assert "pm.response.to.have.jsonSchema(schema)" in script
            assert item["request"]["url"]["raw"].startswith("{{baseUrl}}/")
            if item["request"]["method"] == "POST":
                assert json.loads(item["request"]["body"]["raw"])  # a sample body
            else:
                assert item["request"]["url"]["query"]  # the sample query


def test_environments_for_each_target() -> None:
    names = sorted(p.name for p in (POSTMAN / "environments").glob("*.postman_environment.json"))
    assert names == ["local-mock.postman_environment.json", "map-stage.postman_environment.json",
                     "production.postman_environment.json"]
    for name in ("map-stage", "production"):
        certs = json.loads((POSTMAN / "environments" / f"{name}.ssl-client-cert-list.json")
                           .read_text())
        assert certs[0]["cert"]["src"] and certs[0]["matches"][0].startswith("https://")


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda p: p.stem.split(".")[0])
def test_newman_run_passes_against_the_mock(collection: Path, mock_url: str,
                                            tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [newman(), "run", str(collection), "--environment",
         str(POSTMAN / "environments" / "local-mock.postman_environment.json"),
         "--env-var", f"baseUrl={mock_url}", "--reporters", "cli,json",
         "--reporter-json-export", str(report), "--color", "off"],
        capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["requests"]["failed"] == 0 and stats["assertions"]["failed"] == 0
    assert stats["assertions"]["total"] == 2 * stats["requests"]["total"] > 0
