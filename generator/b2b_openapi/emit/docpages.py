"""The project's documentation (docs/*.md) as portal pages, so the people who read the API
references find the mapping rules, the client and gateway guides in the same place.

Markdown is rendered by markdown-it-py (CommonMark plus tables) with raw HTML disabled: the
pages carry the portal's Content-Security-Policy and no text in them can add markup or
script. Links between documents (``gateway.md``, ``docs/gateway.md#tls``) point at the
rendered pages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

_MD_LINK = re.compile(r'href="(?:docs/)?([A-Za-z0-9_.-]+)\.md(#[^"]*)?"')


@dataclass(frozen=True)
class DocPage:
    name: str  # the file's stem: "gateway"
    title: str  # its first heading
    html: str  # the body, rendered


def read_docs(folder: Path) -> dict[str, str]:
    """Every ``*.md`` of ``folder`` by stem (none when there is no such folder)."""
    if not folder.is_dir():
        return {}
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def doc_pages(docs: Mapping[str, str]) -> list[DocPage]:
    """The pages, in name order."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    pages = []
    for name, text in sorted(docs.items()):
        heading = next((line.lstrip("#").strip() for line in text.splitlines()
                        if line.startswith("# ")), name)
        body = _MD_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"',
                            md.render(text))
        pages.append(DocPage(name, heading, body))
    return pages
