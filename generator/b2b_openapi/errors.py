"""One error type for bad input artifacts, rendered as ``file:line: message``.

Users fix their WSDL/XSD from this line, so it always names the file (relative to the working
directory when possible) and the line when the parser knows it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse


class ArtifactError(Exception):
    """A problem in an input artifact (WSDL, XSD or sample) that stops the build."""

    def __init__(self, message: str, path: str | Path | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = _as_path(path)
        self.line = line

    def __reduce__(self) -> tuple[type[ArtifactError], tuple[str, Path | None, int | None]]:
        """Keep path and line when a worker process sends the error back."""
        return (ArtifactError, (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = _display(self.path)
            where += f":{self.line}" if self.line else ""
            where += ": "
        return f"{where}{self.message}"


def _as_path(path: str | Path | None) -> Path | None:
    if path is None:
        return None
    text = str(path)
    if text.startswith("file:"):
        text = unquote(urlparse(text).path)
    return Path(text)


def _display(path: Path) -> str:
    """Relative to the working directory when inside it (short, clickable), else absolute."""
    absolute = path.absolute()
    cwd = Path.cwd()
    return os.path.relpath(absolute, cwd) if absolute.is_relative_to(cwd) else str(absolute)


def one_line(text: str) -> str:
    """Collapse a multi-line library message into its first meaningful sentence."""
    text = text.strip()
    first = re.split(r"\n\s*\n", text, maxsplit=1)[0]
    # xmlschema ends a sentence with ':' when details follow in the next paragraph
    return " ".join(first.split()).removesuffix(":")
