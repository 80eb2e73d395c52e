"""The developer portal: a static site under build/portal/.

``index.html`` lists systems, services and major versions with their status (current or
superseded); each version has a reference page rendered by Redoc (vendored from the npm
package under templates/portal/vendor/, no CDN) with the spec embedded, and downloads: the
OpenAPI YAML and JSON, the Postman collection, the system's client package (zip), and the
diff report of each version change.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from b2b_openapi.codec.jsonio import to_text
from b2b_openapi.diff.report import version_pairs
from b2b_openapi.emit.docpages import doc_pages
from b2b_openapi.emit.sdk import RUNTIME_DISTRIBUTION, package_name
from b2b_openapi.emit.templating import TEMPLATES, render
from b2b_openapi.emit.view import service_view

VENDOR = TEMPLATES / "portal" / "vendor"
# Redoc's footer logo is the bundle's only network fetch: serve it locally instead
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
LOCAL_LOGO = "../assets/redoc/logo-mini.svg"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: same input, byte-identical archives
# Every page's Content-Security-Policy: the portal's own scripts only (no inline script, so
# markup smuggled in through artifact documentation cannot run any), Redoc's inline styles,
# its search worker (a blob:), nothing from elsewhere.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "worker-src 'self' blob:; base-uri 'none'; form-action 'none'")


def zip_tree(files: Mapping[Path, str], root: str) -> bytes:
    """A deterministic zip of generated text files under folder ``root``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in sorted(files.items()):
            info = zipfile.ZipInfo(f"{root}/{path.as_posix()}", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def _localised(asset: Path) -> str:
    text = asset.read_text(encoding="utf-8")
    if asset.name == "redoc.standalone.js":
        if CDN_LOGO not in text:
            raise ValueError(f"{asset}: expected Redoc's CDN logo reference; re-check the "
                             "vendored bundle for network fetches")
        text = text.replace(CDN_LOGO, LOCAL_LOGO)
    return text


def _lineage(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Name, variant, lineage and major version: the project's ``x-caiso-service``, or for
    a third-party document the same facts from its view (docs/third-party.md)."""
    caiso: Mapping[str, Any] | None = document["info"].get("x-caiso-service")
    if caiso is not None:
        return caiso
    view = service_view(document)
    name, _, major = view.full_name.rpartition("v")
    return {"name": name.rsplit("_", 1)[0], "variant": None, "lineage": name,
            "majorVersion": int(major)}


def portal_files(specs: Iterable[tuple[Mapping[str, Any], str]],
                 clients: Mapping[Path, str], postman: Mapping[Path, str],
                 diffs: Mapping[Path, str],
                 docs: Mapping[str, str] | None = None) -> dict[Path, str | bytes]:
    """The site, keyed by path relative to build/portal/.  ``specs`` pairs each document
    with its YAML text; the other inputs are the generated trees of the other stages, and
    ``docs`` the documentation's Markdown by name (docs/*.md), published under docs/."""
    files: dict[Path, str | bytes] = {}
    specs = list(specs)
    documents = [d for d, _ in specs]
    latest: dict[str, int] = {}
    for document in documents:
        caiso = _lineage(document)
        latest[caiso["lineage"]] = max(latest.get(caiso["lineage"], 0), caiso["majorVersion"])
    changes = {pair.new["info"]["title"]: pair for pair in version_pairs(documents)}

    systems: dict[str, list[dict[str, Any]]] = {}
    for document, yaml_text in specs:
        view = service_view(document)
        caiso = _lineage(document)
        stem = f"{view.system}/{view.full_name}"
        files[Path("specs") / f"{stem}.yaml"] = yaml_text
        files[Path("specs") / f"{stem}.json"] = to_text(dict(document), indent=2) + "\n"
        files[Path("reference") / f"{view.full_name}.html"] = render(
            "portal/reference.html.j2", title=view.title, full_name=view.full_name, csp=CSP,
            spec_json=to_text(dict(document)).replace("</", "<\\/"))
        pair = changes.get(document["info"]["title"])
        current = caiso["majorVersion"] == latest[caiso["lineage"]]
        systems.setdefault(view.system, []).append({
            "full_name": view.full_name, "name": caiso["name"], "variant": caiso.get("variant"),
            "version": caiso["majorVersion"], "title": view.title,
            "status": "current" if current else f"superseded by v{latest[caiso['lineage']]}",
            "current": current, "operations": [op.id for op in view.operations],
            "postman": f"postman/{stem}.postman_collection.json",
            "client": f"clients/{package_name(view.system).replace('_', '-')}.zip",
            "diff": f"diff/{pair.stem}.html" if pair else None,
            "diff_from": _lineage(pair.old)["majorVersion"] if pair else None,
        })
    for path, text in postman.items():
        files[Path("postman") / path] = text
    for package in sorted({p.parts[0] for p in clients}):
        tree = {p.relative_to(package): t for p, t in clients.items() if p.parts[0] == package}
        files[Path("clients") / f"{package}.zip"] = zip_tree(tree, package)
    for path, text in diffs.items():
        files[Path("diff") / path] = text
    for asset in sorted(VENDOR.rglob("*")):
        if asset.is_file() and asset.name != "README.md":
            files[Path("assets") / asset.relative_to(VENDOR)] = _localised(asset)
    pages = doc_pages(docs or {})
    for page in pages:
        files[Path("docs") / f"{page.name}.html"] = render("portal/doc.html.j2", page=page,
                                                           pages=pages, csp=CSP)
    files[Path("index.html")] = render(
        "portal/index.html.j2", runtime=RUNTIME_DISTRIBUTION, csp=CSP, docs=pages,
        systems=[{"name": name, "services": sorted(rows, key=lambda r: (r["name"],
                                                                         r["variant"] or "",
                                                                         r["version"]))}
                 for name, rows in sorted(systems.items())])
    files[Path("assets/portal.css")] = render("portal/portal.css.j2")
    files[Path("assets/reference.js")] = render("portal/reference.js.j2")
    return files
