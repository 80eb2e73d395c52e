"""Shared test helpers: the bundled corpus rendered once, message schemas, JSON round trips."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from b2b_openapi.model import Message, Operation, Service
from b2b_openapi.openapi import stage as specs
from b2b_openapi.openapi.verbs import http_method
from b2b_openapi.xsd.wsdl import load_payload_schema, load_wsdl

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT / "xsd"
# the good mini corpus of tests/broken: one service with a Widget element to vary
MINI = ROOT / "tests" / "broken" / "good" / "TEST" / "RetrieveWidget_TESTv1"
MINI_NS = "http://www.caiso.com/soa/Widget_v1.xsd#"


def mini_corpus(root: Path, edit: Callable[[str], str] = str,
                output: str | None = None) -> Path:
    """The mini corpus copied under ``root`` (a corpus root) with its ``Widget_v1.xsd``
    text passed through ``edit`` and, if given, ``output`` as the output sample; the
    service's WSDL."""
    folder = root / "TEST" / MINI.name
    shutil.copytree(MINI, folder)
    xsd = folder / "Widget_v1.xsd"
    xsd.write_text(edit(xsd.read_text()))
    if output is not None:
        (folder / "samples" / "retrieveWidget.output.xml").write_text(output)
    return folder / f"{MINI.name}.wsdl"


@cache
def rendered_all() -> tuple[specs.SpecFile, ...]:
    """Every spec of the bundled corpus: the SOAP services' and the OASIS reports'."""
    return tuple(specs.render_all(XSD))


@cache
def rendered() -> tuple[specs.SpecFile, ...]:
    """The SOAP services' specs (``spec.service`` set): what the corpus-wide SOAP checks
    (fidelity, codec, gateway to the SOAP mock...) walk.  OASIS reports are not SOAP
    (docs/oasis.md): ``oasis_specs`` and tests/test_oasis*.py."""
    return tuple(s for s in rendered_all() if s.service is not None)


@cache
def oasis_specs() -> tuple[specs.SpecFile, ...]:
    return tuple(s for s in rendered_all() if s.report is not None)


@cache
def document(full_name: str) -> dict[str, Any]:
    spec = next(s for s in rendered_all() if s.path.stem == full_name)
    loaded: dict[str, Any] = yaml.safe_load(spec.text)
    return loaded


@cache
def xsd_schema(wsdl: Path) -> Any:
    return load_wsdl(wsdl).schema


@cache
def payload_schema(wsdl: Path, file_name: str) -> Any:
    """The payload XSD behind an attachment, beside its WSDL (the WSDL never imports it)."""
    return load_payload_schema(wsdl.parent / file_name)


def xsd_type(service: Service, qname: str) -> Any:
    """A named XSD type of a service: from its WSDL's schemas or from a payload XSD."""
    found = xsd_component(service, "type", qname)
    if found is None:
        raise KeyError(qname)
    return found


def xsd_component(service: Service, kind: str, qname: str) -> Any | None:
    """A global element or type of a service's WSDL schemas or payload XSDs; None for what
    no schema declares (an rpc wrapper the WSDL binding implies)."""
    schemas = [xsd_schema(service.wsdl)] + [
        payload_schema(service.wsdl, m.attachment.payload_schema)
        for op in service.operations for m in (op.input, op.output)
        if m.attachment is not None and m.attachment.payload_schema is not None]
    for schema in schemas:
        maps = schema.maps.elements if kind == "element" else schema.maps.types
        if qname in maps:
            return maps[qname]
    return None


@dataclass(frozen=True)
class MessageCase:
    """One WSDL message of one operation, with the OpenAPI schema the spec gives it: a
    document/literal body element, or the payload document an attachment carries (the
    JSON of both is one element's).  rpc wrappers are :class:`RpcCase`."""

    service: Service
    operation: Operation
    kind: str  # input | output | fault
    message: Message

    @property
    def id(self) -> str:
        return f"{self.service.id.full_name}.{self.operation.name}.{self.kind}"

    @property
    def payload(self) -> bool:
        """The JSON is the payload document of an attachment, not a SOAP body element."""
        attachment = self.message.attachment
        return attachment is not None and attachment.payload_element is not None

    @property
    def schema_file(self) -> Path:
        """Where the element is declared: the payload XSD, else the WSDL."""
        attachment = self.message.attachment
        if attachment is not None and attachment.payload_schema is not None:
            return self.service.wsdl.parent / attachment.payload_schema
        return self.service.wsdl

    @property
    def xsd_element(self) -> Any:
        attachment = self.message.attachment
        if attachment is not None and attachment.payload_schema is not None:
            schema = payload_schema(self.service.wsdl, attachment.payload_schema)
            return schema.maps.elements[attachment.payload_element]
        return xsd_schema(self.service.wsdl).maps.elements[self.message.element.qname]

    @property
    def openapi_schema(self) -> dict[str, Any]:
        """The message's schema as written in the emitted document."""
        doc = document(self.service.id.full_name)
        op = doc["paths"][self.operation.path][http_method(self.operation,
                                                           self.service.components)]
        if self.kind == "input":
            if "requestBody" in op:
                schema: dict[str, Any] = op["requestBody"]["content"]["application/json"][
                    "schema"]
                return schema
            params = op["parameters"]
            return {
                "type": "object",
                "properties": {p["name"]: p["schema"] for p in params},
                "required": [p["name"] for p in params if p["required"]],
                "additionalProperties": False,
            }
        if self.kind == "output":
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            return schema
        error = doc["components"]["schemas"]["Error"]
        fault: dict[str, Any] = error["properties"]["fault"]
        return fault

    def validator(self) -> OAS30Validator:
        components = document(self.service.id.full_name)["components"]
        return OAS30Validator({**self.openapi_schema, "components": decimal_facets(components)})


def _is_rpc_wrapper(message: Message) -> bool:
    return bool(message.rpc_parts) and (message.attachment is None
                                        or message.attachment.payload_element is None)


def _all_cases() -> list[MessageCase]:
    cases = []
    for spec in rendered():
        for op in spec.service.operations:
            cases.append(MessageCase(spec.service, op, "input", op.input))
            cases.append(MessageCase(spec.service, op, "output", op.output))
            cases += [MessageCase(spec.service, op, "fault", f.message) for f in op.faults]
    return cases


def message_cases(*, body_only: bool = False) -> list[MessageCase]:
    """Every message whose JSON is one element's (rpc wrappers are :func:`rpc_cases`);
    ``body_only``: only those that travel as the SOAP body (not as an attachment's
    payload), which is what the gateway's fast SOAP paths convert."""
    return [c for c in _all_cases() if not _is_rpc_wrapper(c.message)
            and not (body_only and c.payload)]


def rpc_cases() -> list[MessageCase]:
    """The rpc/literal wrappers (a plain variant's request, a submit's acknowledgement):
    JSON keyed by part name, each part converted with its own element or type."""
    return [c for c in _all_cases() if _is_rpc_wrapper(c.message)]


def sample_cases(*, body_only: bool = False) -> list[tuple[MessageCase, Path]]:
    return [(case, s.path) for case in message_cases(body_only=body_only)
            for s in case.message.samples]


def decimal_facets(node: Any) -> Any:
    """Numbers in schema keywords as Decimal, so Decimal instances compare exactly."""
    if isinstance(node, dict):
        return {k: decimal_facets(v) for k, v in node.items()}
    if isinstance(node, list):
        return [decimal_facets(v) for v in node]
    if isinstance(node, float):
        return Decimal(repr(node))
    return node


def through_json_text(value: Any) -> Any:
    """What a JSON client would send back: text, numbers parsed exactly as Decimal."""
    text = json.dumps(_prepare(value))
    return json.loads(text, parse_float=Decimal)


def _prepare(value: Any) -> Any:
    """Decimals as JSON numbers; the shortest float repr must give back the same value."""
    if isinstance(value, dict):
        return {k: _prepare(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_prepare(v) for v in value]
    if isinstance(value, Decimal):
        as_float = float(value)
        assert Decimal(repr(as_float)) == value, f"{value} is not exactly representable"
        return as_float
    return value
