"""emit/view.py's OperationView is the one typed view of an emitted operation: the emitters
read it, and the servers' runtime holds the very same objects (runtime.spec.Operation is
that class), so the facts (method, schemas, SOAP elements, acceptable use, the answer's
status and media type) are read from the document in one place."""

from __future__ import annotations

import copy
from typing import Any

from b2b_openapi.emit.view import OperationView, service_view
from b2b_openapi.runtime.spec import Operation, ServiceSpec
from support import document


def _generated() -> list[dict[str, Any]]:
    """A POST operation with an acceptable use policy and a GET one (CAISO's WSDLs have one
    operation each)."""
    return [document("RetrieveMeterData_STLMTv1_DocAttach"),
            document("RetrieveMeterDataAvailability_STLMTv1_DocAttach")]


def test_the_runtime_holds_the_shared_view() -> None:
    for doc in _generated():
        spec = ServiceSpec(doc)
        assert Operation is OperationView
        assert list(spec.operations.values()) == list(spec.view.operations)
        assert all(spec.operations[op.id] is op for op in spec.view.operations)
        assert spec.view == service_view(doc)  # a pure function of the document


def test_a_generated_operation_carries_its_soap_facts() -> None:
    views = [(doc, op) for doc in _generated() for op in service_view(doc).operations]
    assert {op.method for _, op in views} == {"GET", "POST"}
    assert any(op.acceptable_use for _, op in views)
    for doc, op in views:
        raw = doc["paths"][op.path][op.method.lower()]
        assert op.raw is raw
        assert op.soap_action == raw["x-soap-action"]
        request = raw["x-soap-request-element"]
        assert op.request_element == f"{{{request['namespace']}}}{request['name']}"
        assert op.response_element.endswith("}" + raw["x-soap-response-element"]["name"])
        assert op.fault_elements == {f"{{{f['namespace']}}}{f['name']}"
                                     for f in raw.get("x-soap-faults", ())}
        assert op.acceptable_use == raw.get("x-caiso-acceptable-use")
        assert op.rate_limited == (op.acceptable_use or {}).get("windowSeconds")
        assert (op.status, op.media_type, op.json_answer) == (200, "application/json", True)
        assert op.response_schema == raw["responses"]["200"]["content"][
            "application/json"]["schema"]
        if op.method == "GET":
            assert not op.has_body and op.parameters and not op.headers
            assert set(op.request_schema["properties"]) == {p["name"] for p in op.parameters}
        else:
            assert op.has_body and op.request_schema == raw["requestBody"]["content"][
                "application/json"]["schema"]
        example = op.example_response()
        assert example == next(iter(raw["responses"]["200"]["content"]["application/json"][
            "examples"].values()))["value"]


def test_a_third_party_operation_without_extensions() -> None:
    doc = {"openapi": "3.0.3", "info": {"title": "CRR Things", "version": "2.1"},
           "paths": {"/things/{id}": {
               "parameters": [{"name": "id", "in": "path", "required": True,
                               "schema": {"type": "string"}}],
               "get": {"parameters": [
                   {"name": "X-Trace", "in": "header", "required": True,
                    "schema": {"type": "string"}},
                   {"$ref": "#/components/parameters/limit"}],
                   "responses": {"200": {"content": {"text/csv": {
                       "schema": {"type": "string"}}}}}}}},
           "components": {"parameters": {"limit": {"name": "limit", "in": "query",
                                                   "schema": {"type": "integer",
                                                              "example": 5}}}}}
    before = copy.deepcopy(doc)
    view = service_view(doc)
    (op,) = view.operations
    assert (view.full_name, view.generated) == ("Things_CRRv2", False)
    assert (op.id, op.method, op.method_name) == ("get_things_id", "GET", "get_things_id")
    assert op.soap_action is None and op.acceptable_use is None and op.rate_limited is None
    assert [p["name"] for p in op.every_parameter] == ["id", "X-Trace", "limit"]
    assert [p["name"] for p in op.headers] == ["X-Trace"]
    assert op.request_schema == {"type": "object", "additionalProperties": False,
                                 "properties": {"limit": {"type": "integer", "example": 5}}}
    assert (op.status, op.media_type, op.json_answer) == (200, "text/csv", False)
    assert op.example_response() == "CAISO"  # the synthesizer's value for a plain string
    assert doc == before  # the view reads, never writes
