"""Service model -> one OpenAPI 3.0.3 document (a plain dict, ready to serialise).

Mapping decisions (README "How SOAP maps to REST" explains them to users):
* each WSDL operation is ``/{operationName}`` on the service's base URL;
* ``retrieve*``/``get*`` operations whose request is a flat record of simple values are GET
  with query parameters; every other operation is POST with the request document as JSON;
* the SOAP header (CAISOWSHeader) is not part of the JSON API: the gateway builds it from
  the authenticated caller, so it only appears as ``x-soap-header``;
* SOAP faults become ``application/problem+json`` error responses sharing one ``Error``
  schema whose ``fault`` property carries the decoded fault detail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from b2b_openapi.model import Message, Operation, Ref, Service
from b2b_openapi.openapi.policies import (
    acceptable_use,
    document_contact,
    document_license,
    window_name,
)
from b2b_openapi.openapi.schema import COMPONENTS, Schema, SchemaEmitter, join_docs
from b2b_openapi.openapi.verbs import http_method
from b2b_openapi.xsd.builder import component_names

OPENAPI_VERSION = "3.0.3"
ERROR_SCHEMA = "Error"
PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEMES: Schema = {
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": (
            "API key issued for the calling application. The connection is also mutual "
            "TLS (x-b2b-mutual-tls): the X.509 client certificate CAISO issued to the "
            "market participant is verified in the TLS handshake before any request is "
            "read. OpenAPI 3.0 has no scheme type for mutual TLS, so only the key is a "
            "security scheme."
        ),
    },
}


def _message_schema(emitter: SchemaEmitter, message: Message) -> Schema:
    return emitter.use(message.element.type)


def _element_doc_beside(message: Message) -> str | None:
    """The message element's documentation when its schema does not carry it.

    A global element with an anonymous type is a component of its own, described by the
    element's documentation; one with a named or built-in type shares that type's schema
    with other uses, so its documentation goes beside the schema (request body, response)."""
    element = message.element
    if isinstance(element.type, Ref) and element.type.component == "element:" + element.qname:
        return None
    return element.doc


def _xml_name(qname: str) -> Schema:
    namespace, _, name = qname[1:].partition("}") if qname.startswith("{") else ("", "",
                                                                                    qname)
    return {"name": name, "namespace": namespace}


def _xml_element(message: Message) -> Schema:
    """The SOAP body element (an rpc wrapper or attachment container where the JSON is
    something else)."""
    return _xml_name((message.soap_element or message.element).qname)


def _soap_extensions(op: Operation) -> Schema:
    """What the gateway needs beyond the body elements (docs/artifacts.md): rpc parts,
    headers per side, attachments."""
    out: Schema = {}
    rpc = {side: [{"name": p.name, **({"type": _xml_name(p.type_name)} if p.type_name else
                                      {"element": _xml_name(p.element_name or "")})}
                  for p in message.rpc_parts]
           for side, message in (("request", op.input), ("response", op.output))
           if message.rpc_parts is not None}
    if rpc:
        out["x-soap-rpc"] = rpc
    if op.input.headers and [h.qname for h in op.input.headers] != (
            [op.header.qname] if op.header else []):  # beyond the one x-soap-header names
        out["x-soap-request-headers"] = [_xml_name(h.qname) for h in op.input.headers]
    if op.output.headers:
        out["x-soap-response-headers"] = [_xml_name(h.qname) for h in op.output.headers]
    attachments = {side: attachment_extension(message)
                   for side, message in (("request", op.input), ("response", op.output))
                   if message.attachment is not None}
    if attachments:
        out["x-caiso-attachment"] = attachments
    return out


ATTACHMENT_HASH = {"header": "attachmentHash",
                   "namespace": "http://www.caiso.com/mrtu/soa/schemas/2005/09/attachmenthash",
                   "algorithm": "base64(sha1(encoded text))"}


def attachment_extension(message: Message) -> Schema:
    """``x-caiso-attachment.<request|response>``: the wire form the JSON document stands
    for (docs/artifacts.md)."""
    attachment = message.attachment
    assert attachment is not None
    out: Schema = {"form": attachment.form}
    if attachment.payload_element is not None:
        payload = _xml_name(attachment.payload_element)
        out["payloadElement"] = payload["name"]
        out["payloadNamespace"] = payload["namespace"]
        if attachment.payload_schema:
            out["payloadSchema"] = attachment.payload_schema
    else:
        out["payloadElement"] = None
        out["fallback"] = "base64"  # no payload XSD: the JSON carries the encoded text
    if attachment.part:
        out["part"] = attachment.part
    if attachment.content_type:
        out["contentType"] = attachment.content_type
    if attachment.container:
        out["container"] = {**_xml_name(attachment.container),
                            "valueElement": "AttachmentValue"}
    out["compression"] = "gzip"
    out["encoding"] = "base64"
    out["hash"] = ATTACHMENT_HASH
    info = next((h for h in message.headers
                 if h.qname.endswith("}standardAttachmentInfor")), None)
    if info is not None:
        out["infoHeader"] = _xml_name(info.qname)
    return out


def _examples(message: Message) -> Schema:
    return {
        sample.path.name.removesuffix(".xml").replace(".", "_"): {
            "summary": f"From {sample.path.name}",
            "value": sample.value,
        }
        for sample in message.samples
    }


def with_retry_after(response: Schema) -> Schema:
    """A response that tells the caller when to come back."""
    return {**response, "headers": {"Retry-After": {
        "description": "Seconds until a request will be accepted.",
        "schema": {"type": "integer", "minimum": 0}}}}


def _error_responses(service: Service, op: Operation) -> Schema:
    ref = {"$ref": COMPONENTS + ERROR_SCHEMA}

    def problem(description: str) -> Schema:
        return {"description": description, "content": {PROBLEM_JSON: {"schema": ref}}}

    responses = {
        "400": problem("SOAP fault of type Client: the request was understood but rejected "
                       "by CAISO's business rules; `fault` holds the fault detail."),
        "401": problem("Missing or invalid client certificate or API key."),
        "422": problem("The JSON request does not conform to this schema (it would not be "
                       "valid XML for the SOAP service)."),
        "500": problem("SOAP fault of type Server raised by the CAISO service."),
        "403": problem("CAISO refused the gateway's client certificate for this service or "
                       "environment (its access page, mapped)."),
        "502": problem("The SOAP service could not be reached, dropped the connection, or "
                       "answered with something that is not a valid (or validly signed) SOAP "
                       "response; `detail` says which."),
        "503": with_retry_after(problem(
            "The server is at its limit of concurrent SOAP calls, or the shared state of the "
            "acceptable use policy (Redis) is unreachable; try again later.")),
        "504": problem("The SOAP service gave no complete answer within the gateway's "
                       "deadline (`B2B_SOAP_TIMEOUT`)."),
    }
    if http_method(op, service.components) == "post":
        responses["413"] = problem("The request body is larger than the server accepts "
                                   "(`B2B_MAX_BODY_MB`).")
        responses["415"] = problem("The request body is not `application/json`.")
    fault_examples = {
        f"{fault.name}_{name}": {
            "summary": example["summary"],
            "value": {"status": 400, "title": "SOAP fault", "fault": example["value"]},
        }
        for fault in op.faults
        for name, example in _examples(fault.message).items()
    }
    if fault_examples:
        responses["400"]["content"][PROBLEM_JSON]["examples"] = fault_examples
    policy = acceptable_use(service.id.name, op.name)
    if policy is not None:
        responses["429"] = with_retry_after(
            problem(f"Acceptable use policy: one request per user every "
                    f"{policy.window_seconds} seconds; a request inside the window is "
                    f"refused and restarts it. `detail` holds CAISO's message."))
        responses["429"]["content"][PROBLEM_JSON]["example"] = {
            "status": 429, "title": "Too Many Requests", "detail": policy.message}
    return dict(sorted(responses.items()))


def _operation(emitter: SchemaEmitter, service: Service, op: Operation) -> Schema:
    operation: Schema = {
        "operationId": op.name,
        "summary": _summary(op),
        "tags": [service.id.full_name],
    }
    # a GET request is flattened into query parameters: its element's documentation (on a
    # component no operation references) is said with the operation's
    get = http_method(op, service.components) == "get"
    description = join_docs(op.doc, op.input.element.doc if get else None)
    if description:
        operation["description"] = description
    if get:
        operation["parameters"] = _query_parameters(emitter, op.input)
    else:
        body: Schema = {"schema": _message_schema(emitter, op.input)}
        if op.input.samples:
            body["examples"] = _examples(op.input)
        request: Schema = {"required": True, "content": {"application/json": body}}
        request_doc = _element_doc_beside(op.input)
        if request_doc:
            request = {"description": request_doc, **request}
        operation["requestBody"] = request
    ok: Schema = {"schema": _message_schema(emitter, op.output)}
    if op.output.samples:
        ok["examples"] = _examples(op.output)
    operation["responses"] = {
        "200": {"description": join_docs("The SOAP response document as JSON.",
                                         _element_doc_beside(op.output)),
                "content": {"application/json": ok}},
        **_error_responses(service, op),
    }
    operation["x-soap-action"] = op.soap_action
    operation["x-soap-request-element"] = _xml_element(op.input)
    operation["x-soap-response-element"] = _xml_element(op.output)
    if op.header is not None:
        operation["x-soap-header"] = _xml_element(Message(op.header))
    operation["x-soap-faults"] = [
        {"name": f.name, **_xml_element(f.message)} for f in op.faults
    ]
    operation.update(_soap_extensions(op))
    policy = acceptable_use(service.id.name, op.name)
    if policy is not None:
        operation["x-caiso-acceptable-use"] = {
            "windowSeconds": policy.window_seconds, "scope": "user", "message": policy.message,
            "window": window_name(service.id.name, op.name)}
    return operation


def _summary(op: Operation) -> str:
    words: list[str] = []
    for ch in op.name:
        if ch.isupper() and words:
            words.append(" ")
        words.append(ch)
    text = "".join(words)
    return text[:1].upper() + text[1:].lower()


def _query_parameters(emitter: SchemaEmitter, message: Message) -> list[Schema]:
    body = emitter.resolve(message.element.type)
    assert not isinstance(body, Ref)
    parameters = []
    required = set(getattr(body, "required", ()))
    for child in getattr(body, "children", ()):
        schema = emitter.use(child.type)
        parameter: Schema = {
            "name": child.key,
            "in": "query",
            "required": child.key in required,
            "schema": schema,
            "x-xsd-order": child.order,
        }
        if child.doc:
            parameter["description"] = child.doc
        sample = message.samples[0].value if message.samples else None
        if isinstance(sample, dict) and child.key in sample:
            parameter["example"] = sample[child.key]  # from the sample request instance
        parameters.append(parameter)
    return parameters


def problem_properties(specific: Schema) -> Schema:
    """The properties of the problem document (RFC 7807) every server answers errors with,
    ``specific`` (what the backend adds: a SOAP fault code, an OASIS error) between the
    common ones and the 422 list, so that SOAP and OASIS documents describe one shape."""
    return {
        "status": {"type": "integer", "description": "HTTP status code."},
        "title": {"type": "string", "description": "Short summary of the problem."},
        "detail": {"type": "string", "description": "Human-readable explanation."},
        **specific,
        "errors": {
            "type": "array",
            "description": "Schema violations found in the request (422 only).",
            "items": {"type": "object", "properties": {
                "path": {"type": "string"}, "message": {"type": "string"}},
                "required": ["message"], "additionalProperties": False},
        },
    }


def _error_schema(emitter: SchemaEmitter, service: Service) -> Schema:
    fault_schemas = []
    fault_docs: list[str | None] = []
    seen: set[str] = set()
    for op in service.operations:
        for fault in op.faults:
            ref = fault.message.element.type
            key = ref.component if isinstance(ref, Ref) else fault.message.element.qname
            if key not in seen:
                seen.add(key)
                fault_schemas.append(emitter.use(ref))
            fault_docs.append(_element_doc_beside(fault.message))
    properties = problem_properties({
        "soapFaultCode": {"type": "string",
                          "description": "faultcode of the SOAP fault, when there was one."}})
    if fault_schemas:
        detail = fault_schemas[0] if len(fault_schemas) == 1 else {"oneOf": fault_schemas}
        properties["fault"] = {**({"allOf": [detail]} if "$ref" in detail else detail),
                               "description": join_docs("Decoded SOAP fault detail.",
                                                        *fault_docs)}
    return {
        "type": "object",
        "description": "Problem details (RFC 7807) shared by every error response.",
        "required": ["status", "title"],
        "properties": properties,
        "additionalProperties": False,
    }


def _refs(node: Any) -> Iterator[str]:
    """The component names ``node`` references, in document order."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS):
            yield ref.removeprefix(COMPONENTS)
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def reachable_components(paths: Schema, schemas: Schema) -> Schema:
    """The schema components an operation reaches, directly or through other components,
    in their original order.  The XSDs declare more than the messages use (the SOAP header,
    a GET request element flattened into query parameters, types no message reaches); a
    component nothing references documents nothing a caller sends or receives, and
    linters (rightly) flag it."""
    reached: set[str] = set()
    todo = list(_refs(paths))
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(_refs(schemas[name]))
    return {name: schema for name, schema in schemas.items() if name in reached}


def build_document(service: Service) -> dict[str, Any]:
    """The OpenAPI document for one service version."""
    names = component_names(service.components)
    emitter = SchemaEmitter(service.components, names)
    schemas: dict[str, Any] = {}
    for key in service.components:  # chameleon copies share a name: emit the first
        schemas.setdefault(names[key], emitter.component(key))
    if ERROR_SCHEMA in schemas:
        raise ValueError(f"component name {ERROR_SCHEMA!r} is reserved")
    schemas[ERROR_SCHEMA] = _error_schema(emitter, service)
    sid = service.id
    paths: Schema = {}
    for op in service.operations:
        paths.setdefault(op.path, {})[http_method(op, service.components)] = _operation(
            emitter, service, op)
    schemas = reachable_components(paths, schemas)
    base = f"/{sid.folder_system.lower()}/{sid.full_name}"
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{sid.full_name} ({sid.folder_system})",
            "version": f"{sid.version}.0.0",
            "description": service.doc or f"{sid.full_name} B2B service.",
            "contact": document_contact(),
            "license": document_license(),
            "x-caiso-service": {
                "name": sid.name,
                "system": sid.system,
                "folder": sid.folder_system,
                "majorVersion": sid.version,
                "variant": sid.variant,
                "lineage": sid.lineage,
            },
        },
        "servers": [{
            "url": "{baseUrl}" + base,
            "variables": {"baseUrl": {"default": "http://127.0.0.1:8000",
                                      "description": "Gateway or mock server root URL."}},
        }],
        "security": [{"apiKey": []}],
        "x-b2b-mutual-tls": "required",
        "tags": [{"name": sid.full_name, "description": service.doc or sid.full_name}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
        "x-soap-service": {
            "targetNamespace": service.target_namespace,
            "endpoint": service.endpoint,
            "binding": service.binding,
            **({"soapVersion": "1.2"} if service.binding.startswith("SOAP 1.2") else {}),
            **({"mtom": True} if service.mtom else {}),
        },
    }
    return document
