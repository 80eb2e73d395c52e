"""A read-only view of one emitted OpenAPI document, shared by the code emitters.

Clients, servers and collections all need the same facts (service name, base path,
operations with their SOAP details); reading them here keeps the emitters free of
document-walking code and agreeing with each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from b2b_openapi.emit.naming import snake

HTTP_METHODS = ("get", "post")


@dataclass(frozen=True)
class OperationView:
    id: str
    http_method: str  # upper case
    path: str
    summary: str
    description: str
    soap_action: str
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

    @property
    def module(self) -> str:
        return snake(self.full_name)


def parameters_schema(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """A GET operation's query parameters as one JSON object schema: what a client fills in
    and what the server validates (the request element's content, in XSD order)."""
    ordered = sorted(parameters, key=lambda p: p.get("x-xsd-order", 0))
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p["name"]: p["schema"] for p in ordered},
        "additionalProperties": False,
    }
    required = [p["name"] for p in ordered if p.get("required")]
    if required:
        schema["required"] = required
    return schema


def service_view(document: Mapping[str, Any]) -> ServiceView:
    info = document["info"]
    caiso = info["x-caiso-service"]
    full_name = caiso["name"] + f"_{caiso['system']}v{caiso['majorVersion']}" + (
        f"_{caiso['variant']}" if caiso.get("variant") else "")
    operations = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            policy = op.get("x-caiso-acceptable-use")
            operations.append(OperationView(
                id=op["operationId"], http_method=method.upper(), path=path,
                summary=op.get("summary", op["operationId"]),
                description=op.get("description", ""), soap_action=op["x-soap-action"],
                rate_limited=policy["windowSeconds"] if policy else None))
    return ServiceView(
        full_name=full_name, system=caiso["folder"], title=info["title"],
        description=info.get("description", ""), version=info["version"],
        base_path=document["servers"][0]["url"].removeprefix("{baseUrl}"),
        operations=tuple(operations))
