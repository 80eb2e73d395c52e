"""A read-only view of one OpenAPI document, shared by the code emitters and the runtime.

Clients, servers and collections all need the same facts (service name, base path,
operations with their SOAP details); reading them here keeps the emitters free of
document-walking code and agreeing with each other.

A document this project did not write (any valid OpenAPI 3.0, CAISO's CRR REST specs say)
has none of the ``x-`` extensions: its names come from ``info`` (docs/third-party.md):
system = the first word of ``info.title`` upper-cased, service = the other words in
PascalCase, full name ``<Service>_<SYSTEM>v<major of info.version>`` like the generated
``RetrieveMeterData_STLMTv1`` (``CRR Market Data API`` 1.2.0 -> ``MarketDataAPI_CRRv1``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from b2b_openapi.emit.naming import snake

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETERS = "#/components/parameters/"


@dataclass(frozen=True)
class OperationView:
    id: str
    http_method: str  # upper case
    path: str
    summary: str
    description: str
    soap_action: str | None  # None: not a SOAP-backed operation (a third-party document)
    rate_limited: int | None  # acceptable use window, seconds

    @property
    def method_name(self) -> str:
        return snake(self.id)


@dataclass(frozen=True)
class ServiceView:
    full_name: str
    system: str  # corpus folder: SIBR, MRIS...
    title: str
    description: str
    version: str
    base_path: str
    operations: tuple[OperationView, ...]
    generated: bool  # written by this project (x-caiso-service), not a third party's

    @property
    def module(self) -> str:
        return snake(self.full_name)


def resolve_parameter(document: Mapping[str, Any], parameter: Mapping[str, Any]
                      ) -> Mapping[str, Any]:
    """A parameter object, or the ``#/components/parameters/...`` one it references."""
    ref = parameter.get("$ref")
    if isinstance(ref, str) and ref.startswith(PARAMETERS):
        found: Mapping[str, Any] = document["components"]["parameters"][
            ref.removeprefix(PARAMETERS)]
        return found
    return parameter


def operation_parameters(document: Mapping[str, Any], path_item: Mapping[str, Any],
                         op: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An operation's parameters (the path item's too, the operation's winning by name and
    place), references resolved."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in (*path_item.get("parameters", ()), *op.get("parameters", ())):
        resolved = dict(resolve_parameter(document, parameter))
        merged[(resolved["name"], resolved["in"])] = resolved
    return list(merged.values())


def parameters_schema(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """A GET operation's query parameters as one JSON object schema: what a client fills in
    and what the server validates (the request element's content, in XSD order)."""
    ordered = sorted(parameters, key=lambda p: p.get("x-xsd-order", 0))
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p["name"]: p.get("schema", {}) for p in ordered},
        "additionalProperties": False,
    }
    required = [p["name"] for p in ordered if p.get("required")]
    if required:
        schema["required"] = required
    return schema


JSON = "application/json"


def success(op: Mapping[str, Any]) -> tuple[int, str | None, Mapping[str, Any] | None]:
    """The operation's answer: (status, media type, schema) of its first 2xx response, its
    JSON content preferred; no content is (status, None, None)."""
    responses = op.get("responses", {})
    code = next((c for c in sorted(responses, key=str) if str(c).startswith("2")), "200")
    content = (responses.get(code) or {}).get("content") or {}
    media = JSON if JSON in content else next(iter(content), None)
    schema = content[media].get("schema") if media else None
    return int(code) if str(code).isdigit() else 200, media, schema


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]


def third_party_names(info: Mapping[str, Any]) -> tuple[str, str]:
    """(system, full name) of a document without ``x-caiso-service`` (the module's rule)."""
    words = _words(str(info.get("title", ""))) or ["API"]
    system = words[0].upper()
    service = "".join(w[:1].upper() + w[1:] for w in words[1:]) or words[0]
    if not service[0].isalpha():
        service = "Api" + service
    found = re.match(r"\d+", str(info.get("version", "")))
    return system, f"{service}_{system}v{int(found.group()) if found else 0}"


def base_path(document: Mapping[str, Any]) -> str:
    """The path part of the first server URL (ours start ``{baseUrl}``): where the
    operations' paths are mounted."""
    servers = document.get("servers") or [{"url": "/"}]
    url = str(servers[0].get("url", "/")).removeprefix("{baseUrl}")
    return urlsplit(url).path.rstrip("/")


def service_view(document: Mapping[str, Any]) -> ServiceView:
    info = document["info"]
    caiso = info.get("x-caiso-service")
    if caiso is not None:
        system = caiso["folder"]
        full_name = caiso["name"] + f"_{caiso['system']}v{caiso['majorVersion']}" + (
            f"_{caiso['variant']}" if caiso.get("variant") else "")
    else:
        system, full_name = third_party_names(info)
    operations = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            policy = op.get("x-caiso-acceptable-use")
            op_id = op.get("operationId") or snake(f"{method}_{'_'.join(_words(path))}")
            operations.append(OperationView(
                id=op_id, http_method=method.upper(), path=path,
                summary=op.get("summary", op_id),
                description=op.get("description", ""), soap_action=op.get("x-soap-action"),
                rate_limited=policy["windowSeconds"] if policy else None))
    return ServiceView(
        full_name=full_name, system=system, title=info["title"],
        description=info.get("description", ""), version=info["version"],
        base_path=base_path(document), operations=tuple(operations),
        generated=caiso is not None)
