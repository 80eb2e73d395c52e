"""Jinja2 environment over the repository's templates/ folder, plus naming helpers."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


@cache
def environment(root: Path = TEMPLATES) -> jinja2.Environment:
    """StrictUndefined: a template naming a missing value is a bug, not an empty string."""
    if not root.is_dir():
        raise FileNotFoundError(f"templates folder not found: {root}")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root),
                             autoescape=jinja2.select_autoescape(("html.j2",), default=False),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def snake(name: str) -> str:
    """``RetrieveCleanBidSet_SIBRv5_DocAttach`` -> ``retrieve_clean_bid_set_sibrv5_doc_attach``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = re.sub(r"([A-Z]+)([A-Z][a-z]{2})", r"\1_\2", words)  # HTTPServer, not SIBRv5
    return re.sub(r"_+", "_", words).lower()
