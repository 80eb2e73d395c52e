"""The developer portal in headless Chromium (Debian's, driven by Playwright): every page loads
without console errors, reference pages render their operations, every link resolves."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live import static_site
from support import ROOT, document, rendered_all

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = tmp_path_factory.mktemp("portal-build")
    proc = subprocess.run([sys.executable, "-m", "b2b_openapi", "portal", "--specs",
                           str(ROOT / "specs"), "--build", str(build)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return build / "portal"


@pytest.fixture(scope="module")
def site(portal: Path) -> Iterator[str]:
    with static_site(portal) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is needed (tests/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def heading(page: Any, text: str) -> Any:
    return page.locator("h2", has_text=text).first


def visit(browser: Any, url: str, ready: str | None = None) -> tuple[Any, list[str]]:
    """Open ``url``; return the page and every console error / uncaught exception."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    origin = "/".join(url.split("/", 3)[:3])  # nothing may come from elsewhere (no CDN)
    local = (origin + "/", "blob:" + origin + "/", "data:")
    page.on("request", lambda r: None if r.url.startswith(local)
            else errors.append(f"off-site request: {r.url}"))
    page.goto(url, wait_until="load")
    if ready:
        heading(page, ready).wait_for(state="visible", timeout=20000)
    page.wait_for_timeout(300)  # late errors (async rendering)
    return page, errors


def test_index_lists_every_service_version_with_status(browser: Any, site: str) -> None:
    page, errors = visit(browser, f"{site}/index.html")
    assert errors == []
    rows = page.locator("tr.service")
    assert rows.count() == len(rendered_all())
    cmri_v1 = page.locator('tr[data-service="RetrieveDefaultBidCurves_CMRIv1"]')
    assert "superseded by v2" in cmri_v1.inner_text()
    assert "current" in page.locator(
        'tr[data-service="RetrieveDefaultBidCurves_CMRIv2"]').inner_text()
    page.close()


def test_every_link_on_the_index_resolves(portal: Path, site: str) -> None:
    html = (portal / "index.html").read_text()
    links = sorted(set(re.findall(r'href="([^"#:]+)"', html)))  # local links
    assert any(link.endswith(".zip") for link in links)
    assert any(link.startswith("diff/") for link in links)
    for link in links:
        with urllib.request.urlopen(f"{site}/{link}") as response:
            assert response.status == 200, link
            assert response.read(), link


@pytest.mark.parametrize("spec", rendered_all(), ids=lambda s: s.full_name)
def test_reference_page_renders_its_operations(browser: Any, site: str, spec: Any) -> None:
    full_name = spec.full_name
    doc = document(full_name)
    summaries = [op["summary"] for item in doc["paths"].values() for op in item.values()]
    page, errors = visit(browser, f"{site}/reference/{full_name}.html", ready=summaries[0])
    assert errors == []
    headings = {t.strip() for t in page.locator("h2").all_inner_texts()}
    for summary in summaries:  # Redoc renders each operation under its own heading
        assert summary in headings
        assert heading(page, summary).is_visible()
    page.close()


def test_diff_report_pages_load(browser: Any, site: str, portal: Path) -> None:
    reports = sorted((portal / "diff").rglob("*.html"))
    assert len(reports) == 3  # CMRI's v1 -> v2, plain and DocAttach; OASIS's
    for report in reports:
        page, errors = visit(browser, f"{site}/{report.relative_to(portal).as_posix()}")
        assert errors == []
        assert page.locator("#changes tbody tr").count() > 0
        page.close()


def test_documentation_pages_load_and_link_each_other(browser: Any, site: str,
                                                      portal: Path) -> None:
    """docs/*.md are published as portal pages, listed on the index; their links to each
    other resolve to the rendered pages, and no page needs anything from elsewhere."""
    names = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    assert sorted(p.stem for p in (portal / "docs").glob("*.html")) == names
    index = (portal / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'href="docs/{name}.html"' in index
    page, errors = visit(browser, f"{site}/docs/mapping.html")
    assert errors == []
    assert page.locator("h1").first.inner_text().startswith("How SOAP maps to REST")
    for link in page.locator("a").all():
        href = link.get_attribute("href") or ""
        if href.endswith(".html") and not href.startswith(("http:", "https:")):
            target = (portal / "docs" / href.split("#", 1)[0]).resolve()
            assert target.is_file(), href
    page.close()
