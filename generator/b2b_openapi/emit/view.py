"""A read-only view of one OpenAPI document, shared by the code emitters and the runtime.

Clients, servers and collections all need the same facts (service name, base path,
operations with their SOAP details); reading them here keeps the emitters free of
document-walking code and agreeing with each other.  Imports no templating: the servers'
runtime (runtime/spec.py) holds these views too.

A document this project did not write (any valid OpenAPI 3.0, CAISO's CRR REST specs say)
has none of the ``x-`` extensions: its names come from ``info`` (docs/third-party.md):
system = the first word of ``info.title`` upper-cased, service = the other words in
PascalCase, full name ``<Service>_<SYSTEM>v<major of info.version>`` like the generated
``RetrieveMeterData_STLMTv1`` (``CRR Market Data API`` 1.2.0 -> ``MarketDataAPI_CRRv1``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from b2b_openapi.emit.examples import first_example, schema_example
from b2b_openapi.emit.naming import snake

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETERS = "#/components/parameters/"
JSON = "application/json"


def xml_qname(element: Mapping[str, Any]) -> str:
    """``{namespace}name`` of an ``x-soap-*-element`` object of the spec."""
    return f"{{{element['namespace']}}}{element['name']}"


@dataclass(frozen=True)
class OperationView:
    """One operation of an emitted (or third-party) OpenAPI document, as every consumer
    needs it: the clients, servers, Postman and portal emitters, and the servers' runtime
    (``runtime.spec.Operation`` is this class).  Facts are read from the document once,
    here; ``raw`` is the operation object for what only one consumer needs.

    The intermediate model's ``model.Operation`` is another stage (WSDL facts before any
    OpenAPI is written), not this."""

    id: str
    method: str  # GET, POST... (upper case)
    path: str
    summary: str
    description: str
    raw: Mapping[str, Any]  # the operation object as written
    request_schema: Mapping[str, Any]  # the JSON body's, or the query parameters' as one
    response_schema: Mapping[str, Any]  # the success answer's ({} when it declares none)
    every_parameter: tuple[Mapping[str, Any], ...] = ()  # path item's and op's, resolved
    has_body: bool = False  # a JSON request body, not query parameters
    status: int = 200  # the success answer's status and media type
    media_type: str | None = JSON
    components: Mapping[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> tuple[Mapping[str, Any], ...]:
        """The query parameters (what ``request_schema`` holds when there is no body)."""
        return tuple(p for p in self.every_parameter if p["in"] == "query")

    @property
    def headers(self) -> tuple[Mapping[str, Any], ...]:
        """The header parameters (a third-party document's)."""
        return tuple(p for p in self.every_parameter if p["in"] == "header")

    @property
    def method_name(self) -> str:
        """The Python method (and server handler) name."""
        return snake(self.id)

    @property
    def soap_action(self) -> str | None:
        """None: not a SOAP-backed operation (a third-party document)."""
        action = self.raw.get("x-soap-action")
        return None if action is None else str(action)

    @property
    def acceptable_use(self) -> Mapping[str, Any] | None:
        found: Mapping[str, Any] | None = self.raw.get("x-caiso-acceptable-use")
        return found

    @property
    def rate_limited(self) -> int | None:
        """The acceptable use window, seconds; None: no policy."""
        policy = self.acceptable_use
        return policy["windowSeconds"] if policy else None

    @property
    def request_element(self) -> str:
        return xml_qname(self.raw["x-soap-request-element"])

    @property
    def response_element(self) -> str:
        return xml_qname(self.raw["x-soap-response-element"])

    @property
    def fault_elements(self) -> set[str]:
        return {xml_qname(f) for f in self.raw.get("x-soap-faults", ())}

    @property
    def json_answer(self) -> bool:
        """Whether the success answer is JSON with a declared schema (a model to read it
        into); otherwise its bytes come as they are."""
        return self.media_type == JSON and success(self.raw)[2] is not None

    def example_response(self) -> Any:
        """The first success example, as a fresh copy: the bundled sample instances of a
        generated document; for a third-party one without examples, a value built from the
        schema's ``example`` keywords (emit/examples.py)."""
        responses = self.raw.get("responses", {})
        code = str(self.status) if str(self.status) in responses else self.status
        content = ((responses.get(code) or {}).get("content") or {}).get(
            self.media_type or "", {})
        found, value = first_example(content)
        if found:
            return copy.deepcopy(value)
        if "x-soap-action" in self.raw:  # ours always carry a sample: its absence is a bug
            raise LookupError(f"{self.id}: the spec has no response example to mock with")
        return schema_example(self.response_schema, self.components.get("schemas", {}))


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
    components = document.get("components") or {}
    operations = [
        operation_view(document, path, method, components)
        for path, item in document["paths"].items()
        for method in HTTP_METHODS if item.get(method) is not None
    ]
    return ServiceView(
        full_name=full_name, system=system, title=info["title"],
        description=info.get("description", ""), version=info["version"],
        base_path=base_path(document), operations=tuple(operations),
        generated=caiso is not None)


def operation_view(document: Mapping[str, Any], path: str, method: str,
                   components: Mapping[str, Any]) -> OperationView:
    """The view of ``document["paths"][path][method]`` (method lower case)."""
    item = document["paths"][path]
    op = item[method]
    op_id = op.get("operationId") or snake(f"{method}_{'_'.join(_words(path))}")
    every = tuple(operation_parameters(document, item, op))
    body = ((op.get("requestBody") or {}).get("content") or {}).get(JSON)
    request = body.get("schema", {}) if body is not None else parameters_schema(
        [p for p in every if p["in"] == "query"])
    status, media, response = success(op)
    return OperationView(
        id=op_id, method=method.upper(), path=path, summary=op.get("summary", op_id),
        description=op.get("description", ""), raw=op, request_schema=request,
        response_schema=response or {}, every_parameter=every, has_body=body is not None,
        status=status, media_type=media, components=components)
