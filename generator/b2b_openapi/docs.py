"""The generated parts of docs/: blocks between ``<!-- generated:NAME -->`` and
``<!-- end:NAME -->`` markers, rewritten from the code they describe.

``b2b-openapi docs`` rewrites them and ``b2b-openapi check`` fails when one is stale, as it
does for specs/: a rule table edited in code but not in the docs is a CI failure, not a
silent lie.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from b2b_openapi.diff.report import md_code, md_text, rules_markdown
from b2b_openapi.xsd.refusals import REFUSALS


def refusals_markdown() -> str:
    """The artifact stage's refusals (xsd/refusals.py) as a Markdown table."""
    rows = ["| rule (case in `tests/broken/`) | the error line says | why |", "|---|---|---|"]
    rows += [f"| {md_code(r.id)} | {md_code(r.says)} | {md_text(r.why)} |" for r in REFUSALS]
    return "\n".join(rows) + "\n"


# docs file -> block name -> what fills it
BLOCKS: Mapping[str, Mapping[str, Callable[[], str]]] = {
    "diff.md": {"rules": rules_markdown},
    "artifacts.md": {"refusals": refusals_markdown},
}


def refreshed(text: str, blocks: Mapping[str, Callable[[], str]]) -> str:
    """``text`` with each named block's content regenerated; a missing marker pair is an
    error (the block was deleted by hand, and would silently stop being checked)."""
    for name, make in blocks.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- end:{name} -->)",
                             re.DOTALL)
        match = pattern.search(text)
        if match is None:
            raise ValueError(f"no <!-- generated:{name} --> ... <!-- end:{name} --> block")
        text = text[:match.end(1)] + make() + text[match.start(2):]
    return text


def stale_docs(docs: Path) -> dict[Path, str]:
    """Each docs file whose generated blocks are out of date, with its fresh text."""
    stale: dict[Path, str] = {}
    for name, blocks in BLOCKS.items():
        path = docs / name
        text = path.read_text(encoding="utf-8")
        try:
            fresh = refreshed(text, blocks)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        if fresh != text:
            stale[path] = fresh
    return stale
