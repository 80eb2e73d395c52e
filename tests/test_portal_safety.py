"""Documentation text from artifacts cannot run script in the portal: a WSDL whose
``wsdl:documentation`` carries markup and script goes through `specs` and `portal` as a
participant would run them, and its reference page is opened in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from test_portal import browser  # noqa: F401  # the Chromium fixture

from live import static_site
from support import XSD

SERVICE = "RetrieveDefaultBidCurves_CMRIv1_DocAttach"
PACKAGE = ("CMRI", "DefaultBidCurves", "20190101")
WSDL = "retrieveDefaultBidCurves_v1_DocAttach.wsdl"
HOSTILE = [  # each would set document.title to PWNED if it ran
    '<img src="nowhere.png" onerror="document.title=\'PWNED\'">',
    "<script>document.title='PWNED'</script>",
    '<svg onload="document.title=\'PWNED\'"></svg>',
    "[click me](javascript:document.title='PWNED')",
    '<a href="javascript:document.title=\'PWNED\'">also click</a>',
    '<iframe srcdoc="<script>parent.document.title=\'PWNED\'</script>"></iframe>',
]


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.fixture(scope="module")
def hostile_portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "xsd"
    shutil.copytree(XSD.joinpath(*PACKAGE), corpus.joinpath(*PACKAGE))
    (corpus.joinpath(*PACKAGE) / WSDL.replace("_DocAttach", "")).unlink()  # one document
    wsdl = corpus.joinpath(*PACKAGE) / WSDL
    text = wsdl.read_text(encoding="utf-8")
    payload = _escaped(" ".join(HOSTILE))
    text, count = re.subn(r"(<wsdl:documentation>)", rf"\1HOSTILE-DOC {payload} ", text)
    assert count >= 2  # the service's and an operation's documentation
    wsdl.write_text(text, encoding="utf-8")
    for command in (["specs", "--xsd", str(corpus), "--specs", str(root / "specs")],
                    ["portal", "--specs", str(root / "specs"), "--build", str(root / "build")]):
        proc = subprocess.run([sys.executable, "-m", "b2b_openapi", *command],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    spec = next((root / "specs").rglob("*.yaml")).read_text(encoding="utf-8")
    assert "onerror=" in spec  # the markup really reached the document
    return root / "build" / "portal"


@pytest.fixture(scope="module")
def hostile_site(hostile_portal: Path) -> Iterator[str]:
    with static_site(hostile_portal) as url:
        yield url


def test_every_page_carries_a_script_policy(hostile_portal: Path) -> None:
    pages = [hostile_portal / "index.html", *(hostile_portal / "reference").glob("*.html")]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "script-src 'self'" in unescape(html), page
        # the only inline script element is the spec: a JSON data block, which never runs
        html = re.sub(r'(<script id="spec"[^>]*>).*?(</script>)', r"\1\2", html, flags=re.S)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in attrs for attrs in inline), page


def test_hostile_documentation_runs_nothing(browser: Any, hostile_site: str) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{hostile_site}/reference/{SERVICE}.html", wait_until="load")
    page.get_by_text("HOSTILE-DOC").first.wait_for(state="attached", timeout=20000)
    page.wait_for_timeout(500)
    for link in page.locator("a", has_text=re.compile("click")).all():
        link.click(timeout=2000, no_wait_after=True)
    page.wait_for_timeout(300)
    assert page.title() != "PWNED"
    assert page.evaluate("document.querySelectorAll('[onerror],[onload],iframe').length") == 0
    assert "javascript:" not in page.content().split('id="spec"')[0]
    page.close()
