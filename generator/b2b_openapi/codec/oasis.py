"""OASIS answers -> JSON rows, shared by the artifact stage (the samples) and the gateway.

OASIS (docs/oasis.md) answers an HTTP GET with a ZIP holding one document: an
``OASISReport`` XML whose ``MessagePayload/RTO/REPORT_ITEM/REPORT_DATA`` elements are the
rows (one child element per column), a CSV with a header line (``resultformat=6``), or, for
a refused query, an ``OASISReport`` whose ``RTO`` holds an ``ERROR`` with ``ERR_CODE`` and
``ERR_DESC`` instead of report items.  Elements are matched by local name: the namespace
(``http://www.caiso.com/soa/OASISReport_v1.xsd``) is what CAISO publishes, but nothing here
depends on it.

A row is a dict from column name (the JSON key) to its value typed by the report's column
list: ``decimal`` as :class:`~decimal.Decimal` (exact, as the rest of the project writes
numbers), ``integer`` as int, dates and date-times as the text OASIS wrote.  An empty value
is no key (the project's JSON has no nulls).  Columns the report does not declare are left
out: a report version's columns are fixed, so one appearing is OASIS's addition, not data
the API promised.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

DEFAULT_MAX_BYTES = 256 * 2**20  # one unzipped document
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")
_INTEGER = re.compile(r"[+-]?\d+")


class OasisDocumentError(ValueError):
    """Not a readable OASIS answer; ``line`` in the document when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Column:
    """What decoding needs of a report column (the model's ``OasisField``, or an entry of
    the spec's ``x-caiso-oasis.columns``)."""

    name: str
    type: str  # string | date | dateTime | decimal | integer
    required: bool = False
    xml: str | None = None
    csv: str | None = None

    @classmethod
    def from_extension(cls, entry: Mapping[str, Any]) -> Column:
        return cls(str(entry["name"]), str(entry["type"]), bool(entry.get("required")),
                   entry.get("xml"), entry.get("csv"))


@dataclass(frozen=True)
class OasisError:
    """An error document: OASIS refused the query."""

    code: str
    description: str


def typed(text: str, kind: str) -> Any:
    """One value as JSON; ValueError names what is wrong with it."""
    if kind == "string":
        return text
    if kind == "decimal":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a decimal number") from None
        if not value.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{text!r} is not an integer")
        return int(text)
    if kind == "date" and not _DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    if kind == "dateTime" and not _DATE_TIME.fullmatch(text):
        raise ValueError(f"{text!r} is not a date-time with an offset")
    return text


def _xml_row(element: Any, by_name: Mapping[str, Column], columns: Sequence[Column]
             ) -> dict[str, Any]:
    """One REPORT_DATA element's row (lines are looked up only for an error)."""
    row: dict[str, Any] = {}
    for cell in element:
        column = by_name.get(_local(cell))
        text = (cell.text or "").strip()
        if column is None or text == "":
            continue
        try:
            row[column.name] = typed(text, column.type)
        except ValueError as exc:
            raise OasisDocumentError(f"column {_local(cell)}: {exc}", cell.sourceline) from None
    return _complete({c.name: row[c.name] for c in columns if c.name in row},  # in order
                     columns, element.sourceline)


def _complete(row: dict[str, Any], columns: Sequence[Column], line: int | None
              ) -> dict[str, Any]:
    """``row`` when it has every required column."""
    if len(row) < len(columns):
        missing = [c.name for c in columns if c.required and c.name not in row]
        if missing:
            raise OasisDocumentError(f"a row without the required column {missing[0]}", line)
    return row


def _local(element: Any) -> str:
    """The local name of an element ("" for a comment, an entity...)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _check_root(root: Any) -> None:
    if _local(root) != "OASISReport":
        raise OasisDocumentError(f"the root element is {_local(root) or root.tag!r}, not "
                                 "OASISReport", root.sourceline)


def xml_rows(data: bytes, columns: Sequence[Column]) -> list[dict[str, Any]] | OasisError:
    """An OASISReport XML document's rows, or the error it reports.  Read as a stream
    (each row dropped from the tree once read): a report of millions of rows costs its
    rows, not a tree of them.  Only rows and errors reach Python; no entity is resolved,
    nothing fetched."""
    by_name = {c.xml or c.name: c for c in columns}
    rows: list[dict[str, Any]] = []
    events = etree.iterparse(io.BytesIO(data), events=("end",),
                             tag=("{*}REPORT_DATA", "{*}ERROR"), resolve_entities=False,
                             no_network=True, huge_tree=False, remove_comments=True)
    checked = False
    try:
        for _, element in events:
            if not checked:
                _check_root(element.getroottree().getroot())
                checked = True
            if _local(element) == "ERROR":
                fields = {_local(child): (child.text or "").strip() for child in element}
                if "ERR_CODE" not in fields:
                    raise OasisDocumentError("an ERROR without ERR_CODE", element.sourceline)
                return OasisError(fields["ERR_CODE"], fields.get("ERR_DESC", ""))
            rows.append(_xml_row(element, by_name, columns))
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise OasisDocumentError(f"malformed XML: {exc.msg}", exc.lineno) from None
    _check_root(events.root)
    return rows


def csv_rows(data: bytes, columns: Sequence[Column]) -> list[dict[str, Any]]:
    """A CSV answer's rows (a header line, then one line per row)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OasisDocumentError(f"the CSV is not UTF-8: {exc.reason}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise OasisDocumentError("an empty CSV (no header line)", 1)
        at = {name: index for index, name in enumerate(header)}
        # (field index, column) in the report's order: each line is read by position
        plan = [(at[c.csv or c.name], c) for c in columns if (c.csv or c.name) in at]
        rows = []
        for values in reader:
            if len(values) != len(header):
                if not any(v.strip() for v in values):
                    continue  # a blank line
                raise OasisDocumentError(f"{len(values)} fields where the header has "
                                         f"{len(header)}", reader.line_num)
            row: dict[str, Any] = {}
            for index, column in plan:
                text = values[index].strip()
                if text:
                    try:
                        row[column.name] = typed(text, column.type)
                    except ValueError as exc:
                        raise OasisDocumentError(f"column {header[index]}: {exc}",
                                                 reader.line_num) from None
            rows.append(_complete(row, columns, reader.line_num))
    except csv.Error as exc:
        raise OasisDocumentError(f"malformed CSV: {exc}", reader.line_num) from None
    return rows


def document_rows(name: str, data: bytes, columns: Sequence[Column]
                  ) -> list[dict[str, Any]] | OasisError:
    """A document of an answer, by its name's suffix: ``.csv`` is CSV, anything else XML
    (an error document is XML whatever was asked for)."""
    if name.lower().endswith(".csv"):
        return csv_rows(data, columns)
    return xml_rows(data, columns)


def unzip(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes]:
    """The one document of an OASIS ZIP: (its name, its bytes), at most ``max_bytes``
    unzipped (the size the ZIP declares is not trusted: reading stops past the bound)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise OasisDocumentError("not a ZIP archive") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            raise OasisDocumentError("an empty ZIP archive")
        if len(members) > 1:
            raise OasisDocumentError(f"a ZIP of {len(members)} documents, not one: "
                                     + ", ".join(repr(m.filename) for m in members[:3]))
        member = members[0]
        if member.file_size > max_bytes:
            raise OasisDocumentError(f"{member.filename!r} unzips to {member.file_size} "
                                     f"bytes, more than the {max_bytes} allowed")
        try:
            with archive.open(member) as stream:
                content = stream.read(max_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
            raise OasisDocumentError(f"{member.filename!r} cannot be unzipped: "
                                     f"{exc}") from None
        if len(content) > max_bytes:
            raise OasisDocumentError(f"{member.filename!r} unzips to more than the "
                                     f"{max_bytes} bytes allowed")
        return member.filename, content


# ERR_CODE -> HTTP status of the REST answer.  1000 is "No data returned for the specified
# selection" (the code public OASIS clients, gridstatus among them, treat as no data): 404.
# CAISO's full code list is in its "Interface Specification for OASIS", which no public
# source we could check reproduces; so this is an assumption, not CAISO's table: another
# numeric code under 2000 is taken as a refused query (400), anything else as OASIS failing
# (502).  The code and text always reach the caller (``oasisError``).  docs/oasis.md.
NO_DATA = "1000"


def error_status(code: str) -> int:
    """The REST status for an OASIS error document's ``ERR_CODE``."""
    if code == NO_DATA:
        return 404
    return 400 if code.isdigit() and int(code) < 2000 else 502


def error_title(status: int) -> str:
    """The problem title of an OASIS error document answered with ``status``."""
    return {404: "OASIS has no data for the selection",
            400: "OASIS refused the query"}.get(status, "OASIS failed the query")
