"""REST -> OASIS (docs/oasis.md): the gateway and the mock of an OASIS report operation.

The gateway sends the query as an HTTP GET to OASIS (``B2B_OASIS_URL``, else the spec's
``x-caiso-oasis.endpoint``): ``queryname``, ``version``, the period in OASIS's
``YYYYMMDDTHH:MM-0000`` (UTC) and the report's filters, ``resultformat=6`` when CSV is
asked for (``B2B_OASIS_FORMAT=csv``, the default; ``xml`` asks for the OASISReport).  The
answer is a ZIP of one document, read by :mod:`b2b_openapi.codec.oasis` into rows; at most
``B2B_OASIS_MAX_MB`` are read, zipped and unzipped each.  OASIS's in-ZIP error documents
become problem answers (``codec.oasis.error_status``: 404 no data, 400 refused, 502
failed) carrying ``oasisError``; anything that is not a readable ZIP is a 502 naming what
came, a timeout (``B2B_SOAP_TIMEOUT``) a 504.  OASIS is public: no certificate, no
signature, no CAISOWSHeader.

The mock answers the sample rows (the 200 example), keeping only those whose column of the
same name (upper-cased) equals each given filter, and answers a selection that keeps none as
OASIS would: the 404 of its no-data error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from b2b_openapi.codec.oasis import (
    DEFAULT_MAX_BYTES,
    NO_DATA,
    Column,
    OasisDocumentError,
    OasisError,
    document_rows,
    error_status,
    error_title,
    unzip,
)
from b2b_openapi.runtime import envconfig, upstream_errors
from b2b_openapi.runtime.spec import Operation, Problem, clip, shown

EXTENSION = "x-caiso-oasis"
FORMATS = ("csv", "xml")
_PERIOD = ("startdatetime", "enddatetime")


def extension(op: Operation) -> Mapping[str, Any] | None:
    """An operation's ``x-caiso-oasis``: None when it is not an OASIS report."""
    found: Mapping[str, Any] | None = op.raw.get(EXTENSION)
    return found


def is_oasis(document: Mapping[str, Any]) -> bool:
    """Whether a document's operations are OASIS reports (served by this module)."""
    return any(isinstance(op, Mapping) and EXTENSION in op
               for item in (document.get("paths") or {}).values()
               for op in item.values())


@dataclass(frozen=True)
class OasisSettings:
    """The gateway's OASIS configuration, from ``B2B_OASIS_*`` (docs/oasis.md)."""

    url: str | None = None  # None: the spec's x-caiso-oasis.endpoint
    result_format: str = "csv"
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OasisSettings:
        env = os.environ if env is None else env
        result_format = env.get("B2B_OASIS_FORMAT", "csv")
        if result_format not in FORMATS:
            raise envconfig.ConfigError(f"B2B_OASIS_FORMAT: must be csv or xml, not "
                                        f"{result_format!r}")
        return cls(env.get("B2B_OASIS_URL") or None, result_format, round(envconfig.number(
            env, "B2B_OASIS_MAX_MB", DEFAULT_MAX_BYTES / 2**20, exclusive=True) * 2**20))


def oasis_time(name: str, value: str) -> str:
    """A date-time parameter as OASIS takes it: UTC, whole minutes, YYYYMMDDTHH:MM-0000."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Problem(422, "Request does not conform to the schema",
                      f"{name}: {shown(value)} is not a date-time") from None
    if when.tzinfo is None:
        raise Problem(400, "Bad Request", f"{name}: {shown(value)} has no UTC offset; OASIS "
                                          "needs an instant")
    if when.second or when.microsecond:
        raise Problem(400, "Bad Request", f"{name}: OASIS takes whole minutes, not "
                                          f"{shown(value)}")
    return when.astimezone(UTC).strftime("%Y%m%dT%H:%M-0000")


def query(ext: Mapping[str, Any], payload: Mapping[str, Any], result_format: str
          ) -> list[tuple[str, str]]:
    """The OASIS query string's parameters, in the order public clients send them."""
    params = [("queryname", str(ext["queryname"]))]
    params += [(name, oasis_time(name, str(payload[name]))) for name in _PERIOD]
    params.append(("version", str(ext["version"])))
    params += [(name, str(payload[name])) for name in ext["parameters"]
               if name not in _PERIOD and name in payload]
    if result_format == "csv":
        params.append(("resultformat", str(ext["csvResultFormat"])))
    return params


def error_problem(error: OasisError) -> Problem:
    status = error_status(error.code)
    return Problem(status, error_title(status), clip(error.description or error.code),
                   {"oasisError": {"code": error.code, "description": error.description}})


class OasisGateway:
    """Calls OASIS for the OASIS operations of one service version."""

    def __init__(self, endpoint: str, settings: OasisSettings, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.endpoint = endpoint  # also what readiness probes (observability)
        self.settings = settings
        self.timeout = timeout
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport,
                                      follow_redirects=False)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def call(self, op: Operation, payload: Any, user: str, request_id: str) -> Any:
        ext = extension(op)
        assert ext is not None
        params = query(ext, payload, self.settings.result_format)
        data = await self._get(self.endpoint, params)
        try:
            name, document = unzip(data, self.settings.max_bytes)
        except OasisDocumentError as exc:
            start = data[:40].decode("utf-8", "replace")
            raise Problem(502, "Bad Gateway", clip(f"OASIS answered {exc.message} "
                                                   f"({len(data)} bytes: {start!r})")) from None
        columns = [Column.from_extension(c) for c in ext["columns"]]
        try:
            rows = document_rows(name, document, columns)
        except OasisDocumentError as exc:
            line = f" line {exc.line}" if exc.line else ""
            raise Problem(502, "Bad Gateway", clip(f"OASIS answered a ZIP whose {name!r} "
                                                   f"cannot be read:{line} {exc.message}")
                          ) from None
        if isinstance(rows, OasisError):
            raise error_problem(rows)
        return rows

    async def _get(self, url: str, params: list[tuple[str, str]]) -> bytes:
        """The whole answer, at most ``max_bytes`` of it, within the whole-call deadline
        (``upstream_errors.Deadline``, as for SOAP calls: connect, send, every chunk)."""
        limit = self.settings.max_bytes
        pairs: list[tuple[str, str | int | float | bool | None]] = list(params)
        deadline = upstream_errors.Deadline(self.timeout, url, "OASIS")
        response = await deadline.send(self.http, self.http.build_request(
            "GET", url, params=pairs))
        try:
            if response.status_code != 200:
                raise Problem(502, "Bad Gateway",
                              f"OASIS answered HTTP {response.status_code}, not a ZIP")
            chunks: list[bytes] = []
            size = 0
            async for chunk in deadline.chunks(response):
                size += len(chunk)
                if size > limit:
                    raise Problem(502, "Bad Gateway",
                                  f"OASIS's answer is larger than the {limit} bytes allowed")
                chunks.append(chunk)
        finally:
            await response.aclose()
        return b"".join(chunks)

def endpoint(document: Mapping[str, Any], settings: OasisSettings) -> str:
    """Where the gateway sends a document's queries: ``B2B_OASIS_URL``, else the spec's."""
    found = next(str(op[EXTENSION]["endpoint"])
                 for item in (document.get("paths") or {}).values()
                 for op in item.values() if isinstance(op, Mapping) and EXTENSION in op)
    return settings.url or found


def mock_answer(op: Operation, payload: Mapping[str, Any]) -> Any:
    """The sample rows the filters select (see the module); none: OASIS's no-data 404."""
    ext = extension(op)
    assert ext is not None
    names = {str(c["name"]) for c in ext["columns"]}
    rows = op.example_response()
    kept = [row for row in rows if all(
        str(row.get(name.upper())) == str(value) for name, value in payload.items()
        if name not in _PERIOD and name.upper() in names)]
    if not kept:
        raise error_problem(OasisError(NO_DATA, "No data returned for the specified "
                                                "selection"))
    return kept
