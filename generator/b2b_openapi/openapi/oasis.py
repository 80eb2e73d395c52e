"""OASIS report model -> one OpenAPI 3.0.3 document (docs/oasis.md).

One GET operation: the report's query parameters (``startdatetime``/``enddatetime`` as
date-times, then its filters), a 200 answer that is the report's rows as a JSON array (one
object per row, one typed property per column: ``ReportRow``), error answers as the
problem documents every other service uses, with ``oasisError`` holding OASIS's
``ERR_CODE``/``ERR_DESC``.  ``x-caiso-oasis`` is what the gateway reads: where OASIS is,
the queryname and version to send, and the column mapping.  No SOAP, no WS-Security, no
client certificate: OASIS is public.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from b2b_openapi.codec.oasis import NO_DATA, error_status, error_title
from b2b_openapi.model import Facets, OasisField, OasisReport, SimpleType
from b2b_openapi.openapi.document import (
    ERROR_SCHEMA,
    OPENAPI_VERSION,
    PROBLEM_JSON,
    problem_properties,
    with_retry_after,
)
from b2b_openapi.openapi.policies import document_contact, document_license
from b2b_openapi.openapi.schema import COMPONENTS, Schema, SchemaEmitter

ENDPOINT = "https://oasis.caiso.com/oasisapi/SingleZip"
ROW_SCHEMA = "ReportRow"
DATE_FORMAT = "YYYYMMDDTHH:MM-0000"
CSV_RESULT_FORMAT = "6"
# OASIS's types are XSD's lexical forms: their schemas are the ones every other document
# gives xs:string, xs:date... (formats the generated clients keep as text, as written)
_EMITTER = SchemaEmitter({}, {})
SECURITY_SCHEMES: Schema = {
    "apiKey": {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": "API key issued for the calling application. OASIS itself is "
                       "public (no certificate): the key is the REST front's.",
    },
}
_PERIOD = ("startdatetime", "Start of the period (inclusive)"), \
    ("enddatetime", "End of the period (exclusive)")


def _schema(field: OasisField) -> Schema:
    schema = _EMITTER.simple(SimpleType(field.type, facets=Facets(
        enumeration=field.enumeration or None)))
    if field.doc:
        schema["description"] = field.doc
    return schema


def _parameters(report: OasisReport) -> list[Schema]:
    """The period, then the report's filters; the period's examples span the first day
    of the sample rows (a date-typed column), so the mock answers them."""
    dates = [c.name for c in report.columns if c.type == "date"]
    first = (report.rows or [{}])[0]
    day = date.fromisoformat(str(first[dates[0]])) if dates and dates[0] in first \
        else date(2026, 11, 1)
    examples = {"startdatetime": day, "enddatetime": day + timedelta(days=1)}
    out: list[Schema] = [{
        "name": name, "in": "query", "required": True,
        "description": f"{text}: a date-time with an offset, in whole minutes. The gateway "
                       f"sends it to OASIS in UTC as {DATE_FORMAT}.",
        "schema": _EMITTER.simple(SimpleType("dateTime")),
        "example": f"{examples[name].isoformat()}T07:00:00Z",
    } for name, text in _PERIOD]
    for field in report.parameters:
        parameter: Schema = {"name": field.name, "in": "query", "required": field.required,
                             "schema": _schema(field)}
        if field.doc:
            parameter["description"] = field.doc
            parameter["schema"].pop("description")
        if field.example is not None:
            parameter["example"] = field.example
        out.append(parameter)
    return out


def _row_schema(report: OasisReport) -> Schema:
    schema: Schema = {
        "type": "object",
        "description": f"One row of the {report.queryname} report; property names are "
                       "the OASIS column names.",
        "properties": {c.name: _schema(c) for c in report.columns},
        "additionalProperties": False,
    }
    required = [c.name for c in report.columns if c.required]
    if required:
        schema["required"] = required
    return schema


def _error_schema() -> Schema:
    return {
        "type": "object",
        "description": "Problem details (RFC 7807) shared by every error response.",
        "required": ["status", "title"],
        "properties": problem_properties({
            "oasisError": {
                "type": "object",
                "description": "The error document OASIS answered with (in its ZIP).",
                "properties": {"code": {"type": "string", "description": "ERR_CODE"},
                               "description": {"type": "string",
                                               "description": "ERR_DESC"}},
                "required": ["code"],
                "additionalProperties": False,
            }}),
        "additionalProperties": False,
    }


def _responses(report: OasisReport) -> Schema:
    ref = {"$ref": COMPONENTS + ERROR_SCHEMA}

    def problem(description: str) -> Schema:
        return {"description": description, "content": {PROBLEM_JSON: {"schema": ref}}}

    ok: Schema = {"schema": {"type": "array", "items": {"$ref": COMPONENTS + ROW_SCHEMA}}}
    if report.rows is not None:
        ok["examples"] = {"report": {"summary": "From report.xml", "value": list(report.rows)}}
    responses: Schema = {
        "200": {"description": "The report's rows, one object per row (from the OASIS "
                               "report in the ZIP OASIS answered, XML or CSV).",
                "content": {"application/json": ok}},
        "400": problem("OASIS refused the query (an error document whose ERR_CODE is a "
                       "refusal; `oasisError` holds it), or the period has no UTC offset or "
                       "is not in whole minutes (OASIS takes neither)."),
        "401": problem("Missing or invalid API key."),
        "404": problem(f"OASIS has no data for the selection (ERR_CODE {NO_DATA})."),
        "422": problem("The query parameters do not conform to this schema."),
        "502": problem("OASIS could not be reached, or answered with something that is not "
                       "a readable report ZIP (`detail` says which), or with an error "
                       "document of a failure on its side (`oasisError`)."),
        "503": with_retry_after(problem("The server is at its limit of concurrent OASIS calls, "
                                    "or the shared state it needs is unreachable; try again "
                                    "later.")),
        "504": problem("OASIS gave no complete answer within the gateway's deadline "
                       "(`B2B_SOAP_TIMEOUT`)."),
    }
    if report.error is not None:
        code, text = report.error
        status = error_status(code)
        responses[str(status)]["content"][PROBLEM_JSON]["examples"] = {"error": {
            "summary": "From error.xml",
            "value": {"status": status, "title": error_title(status), "detail": text,
                      "oasisError": {"code": code, "description": text}}}}
    return responses


def _column_mapping(field: OasisField) -> Schema:
    out: Schema = {"name": field.name, "type": field.type}
    if field.required:
        out["required"] = True
    if field.xml:
        out["xml"] = field.xml
    if field.csv:
        out["csv"] = field.csv
    return out


def build_oasis_document(report: OasisReport) -> dict[str, Any]:
    """The OpenAPI document for one OASIS report version."""
    sid = report.id
    summary = f"Retrieve the {report.queryname} report"
    operation: Schema = {
        "operationId": report.operation,
        "summary": summary,
        "tags": [sid.full_name],
        "description": f"{summary} for a period, as JSON rows. OASIS answers an HTTP GET "
                       "with a ZIP holding an OASISReport XML or a CSV; the gateway unzips "
                       "and reads it.",
        "parameters": _parameters(report),
        "responses": _responses(report),
        "x-caiso-oasis": {
            "endpoint": ENDPOINT,
            "queryname": report.queryname,
            "version": report.version,
            "dateFormat": DATE_FORMAT,
            "csvResultFormat": CSV_RESULT_FORMAT,
            "parameters": ["startdatetime", "enddatetime",
                           *(p.name for p in report.parameters)],
            "columns": [_column_mapping(c) for c in report.columns],
        },
    }
    doc = report.doc or f"{sid.full_name}: the OASIS {report.queryname} report."
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{sid.full_name} ({sid.folder_system})",
            "version": f"{sid.version}.0.0",
            "description": doc,
            "contact": document_contact(),
            "license": document_license(),
            "x-caiso-service": {
                "name": sid.name, "system": sid.system, "folder": sid.folder_system,
                "majorVersion": sid.version, "variant": sid.variant, "lineage": sid.lineage,
            },
        },
        "servers": [{
            "url": "{baseUrl}" + f"/{sid.folder_system.lower()}/{sid.full_name}",
            "variables": {"baseUrl": {"default": "http://127.0.0.1:8000",
                                      "description": "Gateway or mock server root URL."}},
        }],
        "security": [{"apiKey": []}],
        "tags": [{"name": sid.full_name, "description": doc}],
        "paths": {f"/{report.operation}": {"get": operation}},
        "components": {"schemas": {ROW_SCHEMA: _row_schema(report),
                                   ERROR_SCHEMA: _error_schema()},
                       "securitySchemes": SECURITY_SCHEMES},
    }
