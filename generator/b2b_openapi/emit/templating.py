"""Jinja2 environment over the templates/ folder: in the installed package, else the checkout.

The folder stays at the top of the repository (the design fixes it there); the wheel's build
backend maps it into the package as ``b2b_openapi/templates`` (see pyproject.toml), so an
installed b2b-openapi finds it beside its code, and a checkout finds it at its root.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

_HERE = Path(__file__).resolve()
PACKAGED = _HERE.parents[1] / "templates"  # <site-packages>/b2b_openapi/templates
CHECKOUT = _HERE.parents[3] / "templates"  # <repo>/templates, beside generator/
TEMPLATES = PACKAGED if PACKAGED.is_dir() else CHECKOUT
# The tool's own documentation, published in the portal: shipped in the wheel the same way
DOCS = next((d for d in (_HERE.parents[1] / "docs", _HERE.parents[3] / "docs") if d.is_dir()),
            _HERE.parents[3] / "docs")


@cache
def environment(root: Path = TEMPLATES) -> jinja2.Environment:
    """StrictUndefined: a template naming a missing value is a bug, not an empty string."""
    import jinja2  # the build stack (the `build` extra): not needed to import this module

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
