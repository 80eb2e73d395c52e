"""OASIS report artifacts -> the intermediate model (docs/oasis.md).

OASIS is CAISO's public market data: an HTTP GET answered with a ZIP, no WSDL, no XSD a
report's columns could be read from.  So a report version is described by the project's own
small file, ``<SYSTEM>/<Service>_OASISv<N>/oasis-report.toml`` (queryname, version, the
report's filters and columns with their types), beside its samples: ``samples/report.xml``
(an OASISReport, the 200 example and the mock's answer), ``samples/report.csv`` (the same
rows as ``resultformat=6`` gives them; checked equal to the XML's) and
``samples/error.xml`` (an error document, the example of the error answer).

Bad files are refused with one ``file:line`` line (xsd/refusals.py), as WSDLs are.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from b2b_openapi.codec.oasis import (
    Column,
    OasisDocumentError,
    OasisError,
    csv_rows,
    xml_rows,
)
from b2b_openapi.errors import ArtifactError
from b2b_openapi.model import OasisField, OasisReport, OasisType, ServiceId
from b2b_openapi.xsd.packages import Artifact

REPORT_FILE = "oasis-report.toml"
SYSTEM = "OASIS"
TYPES: tuple[OasisType, ...] = ("string", "date", "dateTime", "decimal", "integer")
# what every query carries, or the gateway sets: not a report's own filter
RESERVED = ("queryname", "version", "startdatetime", "enddatetime", "resultformat")
_TOP = {"service", "operation", "queryname", "version", "description", "parameter", "column"}
_FIELD = {"name", "type", "required", "description", "enum", "example", "csv", "xml"}
_SERVICE = re.compile(r"[A-Z][A-Za-z0-9]*")
_OPERATION = re.compile(r"[a-z][A-Za-z0-9]*")
_QUERYNAME = re.compile(r"[A-Z][A-Z0-9_]*")
_PARAMETER = re.compile(r"[a-z][a-z0-9_]*")
_COLUMN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_KEY_LINE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=")
_TABLE_LINE = re.compile(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]")
_TOML_AT = re.compile(r"\(at line (\d+)")


def is_report(artifact: Artifact) -> bool:
    """Whether an artifact is an OASIS report (not a WSDL)."""
    return artifact.wsdl.name == REPORT_FILE


def discover(root: Path) -> list[Artifact]:
    """Every report file under ``root``, named by its own ``service`` and ``version``."""
    if not root.is_dir():
        return []
    return [Artifact(path, _identity(path), path.parent, corpus_layout=True)
            for path in sorted(root.rglob(REPORT_FILE))]


class _Lines:
    """Where the file says what: the line of a top-level key, of a ``[[table]]`` entry and
    of a key inside it (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        table, index, counts = "", -1, dict[str, int]()
        for number, line in enumerate(text.splitlines(), 1):
            header = _TABLE_LINE.match(line)
            if header:
                table = header[1]
                index = counts[table] = counts.get(table, -1) + 1
                self.keys[(table, index, "")] = number
                continue
            key = _KEY_LINE.match(line)
            if key:
                self.keys.setdefault((table, index, key[1]), number)

    def of(self, key: str, table: str = "", index: int = -1) -> int | None:
        return self.keys.get((table, index, key)) or self.keys.get((table, index, ""))


def _read(path: Path) -> tuple[dict[str, Any], _Lines]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"cannot read the report file: {exc}", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        raise ArtifactError(f"malformed TOML: {str(exc).split(' (at ')[0]}", path,
                            int(at[1]) if at else None) from None
    return data, _Lines(text)


def _text(data: Mapping[str, Any], key: str, pattern: re.Pattern[str] | None,
          path: Path, lines: _Lines, table: str = "", index: int = -1) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        shape = f" matching {pattern.pattern}" if pattern is not None else ""
        where = f"{table}[{index}]." if table else ""
        raise ArtifactError(f"{where}{key} must be a string{shape}, not {value!r}", path,
                            lines.of(key, table, index))
    return value


def _identity(path: Path) -> ServiceId:
    data, lines = _read(path)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArtifactError(f"version must be a whole number from 1, not {version!r}", path,
                            lines.of("version"))
    name = _text(data, "service", _SERVICE, path, lines)
    return ServiceId(name=name, system=SYSTEM, version=version, variant=None,
                     folder_system=SYSTEM)


def _field(entry: Any, table: str, index: int, pattern: re.Pattern[str], path: Path,
           lines: _Lines) -> OasisField:
    line = lines.of("", table, index)
    if not isinstance(entry, dict):
        raise ArtifactError(f"[[{table}]] entries must be tables", path, line)
    unknown = sorted(set(entry) - _FIELD)
    if unknown:
        raise ArtifactError(f"{table} {entry.get('name', index)!r}: unknown key "
                            f"{unknown[0]!r} (known: {', '.join(sorted(_FIELD))})", path,
                            lines.of(unknown[0], table, index))
    name = _text(entry, "name", pattern, path, lines, table, index)
    kind = entry.get("type")
    if kind not in TYPES:
        raise ArtifactError(f"{table} {name!r}: type must be one of {', '.join(TYPES)}, not "
                            f"{kind!r}", path, lines.of("type", table, index))
    enumeration = entry.get("enum", [])
    if "enum" in entry and (kind != "string" or not isinstance(enumeration, list)
                            or not enumeration
                            or not all(isinstance(v, str) for v in enumeration)):
        raise ArtifactError(f"{table} {name!r}: enum must be a non-empty list of strings, on a "
                            "string", path, lines.of("enum", table, index))
    required = entry.get("required", False)
    if not isinstance(required, bool):
        raise ArtifactError(f"{table} {name!r}: required must be true or false", path,
                            lines.of("required", table, index))
    texts = {key: entry.get(key) for key in ("description", "example", "csv", "xml")}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise ArtifactError(f"{table} {name!r}: {key} must be a string", path,
                                lines.of(key, table, index))
    return OasisField(name, cast(OasisType, kind), required, texts["description"],
                      tuple(enumeration), texts["example"], texts["csv"], texts["xml"], line)


def _fields(data: Mapping[str, Any], table: str, pattern: re.Pattern[str], path: Path,
            lines: _Lines) -> tuple[OasisField, ...]:
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise ArtifactError(f"{table} must be [[{table}]] tables", path, lines.of(table))
    fields = tuple(_field(e, table, i, pattern, path, lines) for i, e in enumerate(entries))
    seen: set[str] = set()
    for field in fields:
        if field.name.lower() in seen:
            raise ArtifactError(f"{table} {field.name!r} is declared twice", path, field.line)
        seen.add(field.name.lower())
    return fields


def columns_of(fields: tuple[OasisField, ...]) -> list[Column]:
    return [Column(f.name, f.type, f.required, f.xml, f.csv) for f in fields]


def _sample(path: Path, columns: list[Column], kind: str
            ) -> list[dict[str, Any]] | OasisError | None:
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
        return csv_rows(data, columns) if kind == "csv" else xml_rows(data, columns)
    except OasisDocumentError as exc:
        raise ArtifactError(f"sample is not valid: {exc.message}", path, exc.line) from None


def load_report(artifact: Artifact) -> OasisReport:
    """One report version, its samples decoded and checked against its columns."""
    path = artifact.wsdl
    data, lines = _read(path)
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise ArtifactError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP))})",
                            path, lines.of(unknown[0]))
    operation = _text(data, "operation", _OPERATION, path, lines)
    queryname = _text(data, "queryname", _QUERYNAME, path, lines)
    doc = data.get("description")
    if doc is not None and not isinstance(doc, str):
        raise ArtifactError("description must be a string", path, lines.of("description"))
    parameters = _fields(data, "parameter", _PARAMETER, path, lines)
    for parameter in parameters:
        if parameter.name in RESERVED:
            raise ArtifactError(f"parameter {parameter.name!r} is set by the gateway on every "
                                f"query (reserved: {', '.join(RESERVED)})", path,
                                parameter.line)
    columns = _fields(data, "column", _COLUMN, path, lines)
    if not columns:
        raise ArtifactError("a report needs at least one [[column]]", path)
    decoding = columns_of(columns)
    samples = path.parent / "samples"
    rows = _sample(samples / "report.xml", decoding, "xml")
    if isinstance(rows, OasisError):
        raise ArtifactError(f"sample is not valid: an error document (ERR_CODE {rows.code}) "
                            "where the report belongs", samples / "report.xml")
    table = _sample(samples / "report.csv", decoding, "csv")
    assert not isinstance(table, OasisError)
    if rows is not None and table is not None and table != rows:
        at = next((i for i, (a, b) in enumerate(zip(rows, table, strict=False)) if a != b),
                  min(len(rows), len(table)))
        raise ArtifactError(f"sample is not valid: its rows differ from report.xml's, first "
                            f"at row {at + 1}", samples / "report.csv", at + 2)
    error = _sample(samples / "error.xml", decoding, "xml")
    if error is not None and not isinstance(error, OasisError):
        raise ArtifactError("sample is not valid: error.xml holds no ERROR", samples /
                            "error.xml")
    sources = tuple(p.resolve() for p in (path, samples / "report.xml",
                                          samples / "report.csv", samples / "error.xml")
                    if p.is_file())
    return OasisReport(
        id=artifact.id, source=path, queryname=queryname, version=artifact.id.version,
        operation=operation, doc=doc, parameters=parameters, columns=columns,
        rows=None if rows is None else tuple(rows),
        csv_rows=None if table is None else tuple(table),
        error=None if error is None else (error.code, error.description),
        sources=sources)
