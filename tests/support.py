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
from b2b_openapi.xsd.wsdl import load_wsdl

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


@dataclass(frozen=True)
class MessageCase:
    """One WSDL message of one operation, with the OpenAPI schema the spec gives it."""

    service: Service
    operation: Operation
    kind: str  # input | output | fault
    message: Message

    @property
    def id(self) -> str:
        return f"{self.service.id.full_name}.{self.operation.name}.{self.kind}"

    @property
    def xsd_element(self) -> Any:
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


def message_cases() -> list[MessageCase]:
    cases = []
    for spec in rendered():
        for op in spec.service.operations:
            cases.append(MessageCase(spec.service, op, "input", op.input))
            cases.append(MessageCase(spec.service, op, "output", op.output))
            cases += [MessageCase(spec.service, op, "fault", f.message) for f in op.faults]
    return cases


def sample_cases() -> list[tuple[MessageCase, Path]]:
    return [(case, s.path) for case in message_cases() for s in case.message.samples]


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
