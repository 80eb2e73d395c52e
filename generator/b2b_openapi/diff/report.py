"""Diff reports: Markdown (release notes), JSON (machine-readable), HTML (portal), and the
pairing of a corpus's major versions that ``build`` reports on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from b2b_openapi.diff.compare import Report, diff_documents
from b2b_openapi.diff.rules import RULES
from b2b_openapi.emit.templating import environment

FORMATS = ("md", "json", "html")
# Markdown that would change what a table cell shows: a pipe ends the cell, a backslash
# escapes what follows; code spans, emphasis, strikethrough, HTML, entities and links
# (``](`` or ``][``) are interpreted.  Left readable: ``a[]`` (no link without a target)
# and an underscore inside a word (HYDRO_DEB is never emphasis).
_MD_ACTIVE = re.compile(r"[\\`*~<&|]|\](?=[(\[])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BACKTICKS = re.compile(r"`+")


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return environment().get_template(f"diff/report.{fmt}.j2").render(
        report=report, summary=report.as_json()["summary"], text=md_text, code=md_code)


def md_text(value: object) -> str:
    """``value`` as literal text on one line of a Markdown table (names in a report are an
    API's: a property may be called ``a|b`` or ``*x*``)."""
    return _MD_ACTIVE.sub(r"\\\g<0>", _one_line(value))


def md_code(value: object) -> str:
    """``value`` as a code span in a Markdown table cell: fenced with more backticks than
    it holds, padded when it starts or ends with one; ``|`` still needs its backslash
    there (GFM splits cells before it reads code spans)."""
    text = _one_line(value).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def rules_markdown() -> str:
    """The rule table as a Markdown table, for docs/diff.md: generated from :data:`RULES`
    so the documentation cannot drift from the policy the code applies."""
    rows = ["| rule | change | where | breaking | why |", "|---|---|---|---|---|"]
    rows += [f"| {md_code(r.id)} | {md_code(r.kind)} | {r.direction} | "
             f"{'yes' if r.breaking else 'no'} | {md_text(r.why)} |" for r in RULES]
    return "\n".join(rows) + "\n"


def _one_line(value: object) -> str:
    """A line break would end the table row."""
    return " ".join(str(value).splitlines())


@dataclass(frozen=True)
class VersionPair:
    lineage: str  # "CMRI/RetrieveDefaultBidCurves"
    old: Mapping[str, Any]
    new: Mapping[str, Any]

    @property
    def stem(self) -> str:
        old_v = self.old["info"]["x-caiso-service"]["majorVersion"]
        new_v = self.new["info"]["x-caiso-service"]["majorVersion"]
        return f"{self.lineage}_v{old_v}_to_v{new_v}"


def version_pairs(documents: Iterable[Mapping[str, Any]]) -> list[VersionPair]:
    """Consecutive major versions of each service lineage (v1->v2, v2->v3...): of the
    generated documents (a third-party one has no lineage; `diff` compares it by hand)."""
    lineages: dict[str, list[Mapping[str, Any]]] = {}
    for document in documents:
        if "x-caiso-service" in document["info"]:
            lineages.setdefault(document["info"]["x-caiso-service"]["lineage"], []).append(
                document)
    pairs = []
    for lineage, docs in sorted(lineages.items()):
        docs.sort(key=lambda d: d["info"]["x-caiso-service"]["majorVersion"])
        pairs += [VersionPair(lineage, a, b) for a, b in pairwise(docs)]
    return pairs


def diff_files(documents: Iterable[Mapping[str, Any]]) -> dict[Path, str]:
    """Every report of a build, keyed by path relative to build/diff/."""
    files: dict[Path, str] = {}
    for pair in version_pairs(documents):
        report = diff_documents(pair.old, pair.new)
        for fmt in FORMATS:
            files[Path(f"{pair.stem}.{fmt}")] = render_report(report, fmt)
    return files
