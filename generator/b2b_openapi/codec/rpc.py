"""rpc/literal bodies at run time (docs/artifacts.md section 4): a wrapper element (the
spec's ``x-soap-request-element``) holding one child per part: a ``type=`` part an
unqualified element named after the part, an ``element=`` part that element.  The JSON is
the wrapper's content keyed by part name; each part goes through the converter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree import ElementTree

from b2b_openapi.codec import jsonxml
from b2b_openapi.model import RpcPart


def _qname(name: Mapping[str, Any]) -> str:
    return f"{{{name['namespace']}}}{name['name']}" if name.get("namespace") else name["name"]


def parts_of(spec_parts: Iterable[Mapping[str, Any]]) -> tuple[RpcPart, ...]:
    """The parts an ``x-soap-rpc`` side lists, as the model has them."""
    return tuple(RpcPart(p["name"], _qname(p["type"]) if "type" in p else None,
                         _qname(p["element"]) if "element" in p else None)
                 for p in spec_parts)


def part_element(schema: Any, part: RpcPart) -> Any:
    """The XSD element a part's child is validated and converted with."""
    if part.element_name is not None:
        return schema.maps.elements[part.element_name]
    xsd_type = schema.maps.types[part.type_name]
    element = xsd_type.schema.create_element(part.name, parent=xsd_type, form="unqualified")
    element.type = xsd_type
    return element


def _tag(part: RpcPart) -> str:
    return part.element_name or part.name


def encode(schema: Any, wrapper: str, parts: Iterable[RpcPart],
           value: Mapping[str, Any]) -> ElementTree.Element:
    """The wrapper element for a JSON value keyed by part name; each part validated."""
    root = ElementTree.Element(wrapper)
    for part in parts:
        element = part_element(schema, part)
        child = jsonxml.encode(element, value[part.name])
        element.validate(child)
        root.append(child)
    return root


def decode(schema: Any, wrapper: Any, parts: Iterable[RpcPart]) -> dict[str, Any]:
    """A wrapper element's parts as JSON (invalid content raises xmlschema's validation
    error; a missing part ValueError)."""
    value: dict[str, Any] = {}
    for part in parts:
        child = wrapper.find(_tag(part))
        if child is None:
            raise ValueError(f"the rpc wrapper {wrapper.tag} has no part {part.name!r}")
        value[part.name] = jsonxml.decode(part_element(schema, part), child)
    return value
