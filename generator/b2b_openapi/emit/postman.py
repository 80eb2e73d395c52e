"""Postman Collection v2.1 per service version, plus environments, under postman/ (committed).

Each request carries the sample request from the spec, the API key from collection auth
(``{{apiKey}}``), and a test script checking the status and validating the body against the
operation's response schema (``pm.response.to.have.jsonSchema``, i.e. ajv).  The schema is
converted for ajv: ``$ref``s become draft-07 ``definitions``, ``nullable`` becomes a null
type, boolean ``exclusiveMinimum``/``Maximum`` become numbers, and two keywords are left out
because ajv would judge them differently from the spec: XSD ``format`` names (unknown to
ajv, which refuses to compile them; the patterns stay) and ``multipleOf`` (ajv divides
binary floats: 149.88 is "not a multiple of" 0.0001).
Client certificates are not part of the collection format: Postman takes them in its
settings, newman with ``--ssl-client-cert-list``; a list per environment is written beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from b2b_openapi.codec.jsonio import to_text
from b2b_openapi.emit.examples import first_example, schema_example
from b2b_openapi.emit.view import JSON, OperationView, service_view
from b2b_openapi.openapi.walk import rewrite

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NAMESPACE = uuid.UUID("5b0e5a4e-6f0c-4c1e-9d2b-2f1f3b8c0a11")  # stable ids across builds
_DROP = frozenset({"xml", "example", "examples", "format", "multipleOf", "nullable",
                   "description"})
ENVIRONMENTS: dict[str, dict[str, str]] = {
    "local-mock": {"baseUrl": "http://127.0.0.1:8000", "apiKey": "local-dev-key"},
    "map-stage": {"baseUrl": "https://map-stage-gateway.example.invalid",
                  "apiKey": "<your MAP-Stage API key>"},
    "production": {"baseUrl": "https://b2b-gateway.example.invalid",
                   "apiKey": "<your production API key>"},
}
LOCAL_API_KEY = ENVIRONMENTS["local-mock"]["apiKey"]


def ajv_schema(schema: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.0 schema as a self-contained draft-07 JSON Schema for ajv."""
    names: list[str] = []

    def convert(node: Mapping[str, Any]) -> dict[str, Any]:
        """One node, its subschemas already converted (openapi/walk.py)."""
        out = {k: v for k, v in node.items() if k not in _DROP and not k.startswith("x-")}
        if isinstance(out.get("$ref"), str):
            name = out["$ref"].rsplit("/", 1)[-1]
            if name not in names:
                names.append(name)
            out["$ref"] = f"#/definitions/{name}"
        for bound, exclusive in (("minimum", "exclusiveMinimum"),
                                 ("maximum", "exclusiveMaximum")):
            # OpenAPI 3.0's boolean form -> draft-07's number form
            if exclusive in out and out.pop(exclusive) is True:
                out[exclusive] = out.pop(bound)
        if node.get("nullable"):
            kind = out.get("type")
            if kind is not None:
                out["type"] = [kind, "null"]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        return out

    root = rewrite(schema, after=convert)
    definitions: dict[str, Any] = {}
    while len(definitions) < len(names):  # definitions may reference further components
        for name in list(names):
            if name not in definitions:
                definitions[name] = rewrite(components[name], after=convert)
    # draft-07 ignores keywords beside a root $ref: keep the root under allOf
    return {"$schema": "http://json-schema.org/draft-07/schema#", "allOf": [root],
            "definitions": dict(sorted(definitions.items()))}


def _test_script(status: int, schema: dict[str, Any] | None) -> list[str]:
    lines = [
        f"pm.test(\"status is {status}\", function () {{",
        f"    pm.response.to.have.status({status});",
        "});",
    ]
    if schema is not None:
        lines += [
            "pm.test(\"body matches the OpenAPI response schema\", function () {",
            f"    var schema = {to_text(schema)};",
            "    pm.response.to.have.jsonSchema(schema);",
            "});",
        ]
    return lines


def _sample(container: Mapping[str, Any], components: Mapping[str, Any]) -> Any:
    """A parameter's or body's own example, else one built from its schema (examples.py)."""
    found, value = first_example(container)
    return value if found else schema_example(container.get("schema"), components)


def _request(op: OperationView, components: Mapping[str, Any]
             ) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(body sample or None, query sample, header sample) of one operation."""
    if "requestBody" in op.raw:
        content = op.raw["requestBody"].get("content", {})
        body = _sample(content[JSON], components) if JSON in content else None
    else:
        body = None
    query = {p["name"]: p["example"] if "example" in p else _sample(p, components)
             for p in op.parameters if "example" in p or p.get("required")}
    headers = {p["name"]: _lexical(_sample(p, components)) for p in op.headers
               if p.get("required")}
    return body, query, headers


def _url(view_base: str, op: OperationView, query: Mapping[str, Any] | None) -> dict[str, Any]:
    path = (view_base + op.path).strip("/").split("/")
    url: dict[str, Any] = {"raw": "{{baseUrl}}/" + "/".join(path), "host": ["{{baseUrl}}"],
                           "path": path}
    if query:
        items = [{"key": _query_text(k), "value": _query_text(_lexical(v))}
                 for k, raw in query.items()
                 for v in (raw if isinstance(raw, list) else [raw])]
        url["query"] = items
        url["raw"] += "?" + "&".join(f"{i['key']}={i['value']}" for i in items)
    return url


def _query_text(text: str) -> str:
    """A query key or value as the collection must hold it: percent-encoded already.
    Postman and newman send ``query[].value`` as written except for space, ``"#&'<>``
    (postman-url-encoder's parameter-value set), so ``+`` would reach the server as a
    space (``2026-11-02T09:00:00+01:00`` read as a wrong time) and a ``%41`` as ``A``; an
    existing ``%XX`` they leave alone, so everything outside the unreserved characters is
    encoded here (``:`` kept, for readable times)."""
    return quote(text, safe=":")


def _lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return format(value, "f") if hasattr(value, "as_tuple") else str(value)


def collection(document: Mapping[str, Any]) -> dict[str, Any]:
    """The collection of one service version, requests from the spec's examples."""
    view = service_view(document)
    components = (document.get("components") or {}).get("schemas") or {}
    items = []
    for op_view in view.operations:
        body, query, headers = _request(op_view, components)
        request: dict[str, Any] = {"method": op_view.method, "header": [
            {"key": "Accept", "value": "application/json"},
            *({"key": k, "value": v} for k, v in headers.items())]}
        if body is not None:
            request["header"].append({"key": "Content-Type", "value": "application/json"})
            request["body"] = {"mode": "raw",
                               "raw": to_text(body, indent=2),
                               "options": {"raw": {"language": "json"}}}
        request["url"] = _url(view.base_path, op_view, query)
        request["description"] = "\n\n".join(filter(None, [
            op_view.description,
            f"SOAP action `{op_view.soap_action}`." if op_view.soap_action else ""]))
        response = op_view.response_schema
        checked = ajv_schema(response, components) if (
            op_view.media_type == JSON and response) else None
        items.append({
            "id": str(uuid.uuid5(NAMESPACE, f"{view.full_name}/{op_view.id}")),
            "name": f"{op_view.id} - {op_view.summary}",
            "request": request,
            "event": [{"listen": "test", "script": {
                "type": "text/javascript", "exec": _test_script(op_view.status, checked)}}],
        })
    source = (f"specs/{view.system}/{view.full_name}.yaml" if view.generated
              else f"the third-party document \"{view.title}\" {view.version}")
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(NAMESPACE, view.full_name)),
            "name": view.title,
            "description": (
                f"{view.description}\n\nGenerated by b2b-openapi from "
                f"{source}.\n\nAuthentication: the API key "
                "is sent as `X-API-Key: {{apiKey}}` (collection auth). Mutual TLS: add your "
                "CAISO client certificate in Postman's Settings > Certificates for the "
                "gateway host, or give newman `--ssl-client-cert-list` with the list "
                "written beside the environments."),
            "schema": SCHEMA_URL,
        },
        "auth": {"type": "apikey", "apikey": [
            {"key": "key", "value": "X-API-Key", "type": "string"},
            {"key": "value", "value": "{{apiKey}}", "type": "string"},
            {"key": "in", "value": "header", "type": "string"}]},
        "variable": [{"key": "baseUrl", "value": ENVIRONMENTS["local-mock"]["baseUrl"],
                      "type": "string"}],
        "item": items,
    }


def environment(name: str, values: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"environment/{name}")),
        "name": f"CAISO B2B - {name}",
        "values": [{"key": k, "value": v, "type": "secret" if k == "apiKey" else "default",
                    "enabled": True} for k, v in values.items()],
    }


def certificate_list(name: str, values: Mapping[str, str]) -> list[dict[str, Any]]:
    host = values["baseUrl"].split("://", 1)[-1]
    return [{"name": f"CAISO client certificate ({name})", "matches": [f"https://{host}/*"],
             "cert": {"src": "<path to your CAISO client certificate .pem>"},
             "key": {"src": "<path to its private key .pem>"},
             "passphrase": "<key passphrase, if any>"}]


def _dump(value: Any) -> str:
    return to_text(value, indent=2) + "\n"


def postman_files(documents: Iterable[Mapping[str, Any]]) -> dict[Path, str]:
    """Collections and environments, keyed by path relative to postman/."""
    files: dict[Path, str] = {}
    for document in documents:
        view = service_view(document)
        path = Path(view.system) / f"{view.full_name}.postman_collection.json"
        files[path] = _dump(collection(document))
    for name, values in ENVIRONMENTS.items():
        files[Path("environments") / f"{name}.postman_environment.json"] = _dump(
            environment(name, values))
        if name != "local-mock":
            files[Path("environments") / f"{name}.ssl-client-cert-list.json"] = _dump(
                certificate_list(name, values))
    return files
