"""Write a generated tree (relative path -> text) so readers never see half of it.

Every temporary file or folder is named ``.<name>.<random>`` + :data:`TEMP_SUFFIX`, removed
when the write fails or is interrupted (Ctrl-C; ``build`` turns SIGTERM into the same), and
recognisable when a hard kill left one anyway: :func:`leftovers` finds them, ``build``
removes them and ``check`` fails while any exist.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

TEMP_SUFFIX = ".b2b-tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp/mkdtemp create owner-only files and folders; outputs get the usual permissions
_MASK = _umask()
_FILE_MODE = 0o666 & ~_MASK
_DIR_MODE = 0o777 & ~_MASK


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling and a rename, so a reader sees
    the old file or the new one, never half of one.  The folder must exist."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except OSError as exc:  # name the file the caller meant, not the temporary sibling
        Path(tmp).unlink(missing_ok=True)
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_tree(target: Path, files: Mapping[Path, str | bytes]) -> None:
    """Write ``files`` under a sibling temporary folder, then swap it in for ``target``.

    A failure while writing leaves the previous ``target`` untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX,
                                    dir=target.parent))
    os.chmod(staging, _DIR_MODE)
    try:
        for relative, content in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="\n")
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def sync_tree(target: Path, files: Mapping[Path, str | bytes], prune: bool = True
              ) -> tuple[int, int]:
    """Make ``target`` hold ``files``, touching only what differs: changed files are
    replaced atomically one by one; with ``prune``, files no longer generated are removed
    (else left alone: a build of another corpus must not delete what it did not write).
    Returns (written, removed).  Cheap when little changed - what incremental builds need."""
    written = removed = 0
    made: set[Path] = set()  # folders known to exist: one mkdir per folder, not per file
    for relative, content in sorted(files.items()):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        path = target / relative
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        write_atomically(path, data)
        written += 1
    if prune and target.is_dir():
        keep = {target / p for p in files}
        for path in sorted(target.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written, removed


def leftovers(roots: Iterable[Path]) -> list[Path]:
    """Temporary files and folders an interrupted write left under ``roots`` (see above),
    and any other hidden name there: generated trees have none of their own."""
    found: set[Path] = set()
    for root in roots:
        if root.is_dir():
            found.update(p for p in root.rglob(".*"))
        found.update(p for p in root.parent.glob(f".{root.name}.*") if p.name.endswith(
            (TEMP_SUFFIX, ".old")))  # replace_tree's staging and swapped-out folders
    return sorted(p for p in found if not any(q in found for q in p.parents))


def remove_leftovers(roots: Iterable[Path]) -> list[Path]:
    """Remove :func:`leftovers` made by this module (named with :data:`TEMP_SUFFIX`)."""
    removed = [p for p in leftovers(roots) if p.name.endswith(TEMP_SUFFIX)]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed
