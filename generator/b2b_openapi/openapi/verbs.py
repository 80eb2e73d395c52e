"""Which HTTP method a SOAP operation gets: a rule of the REST mapping, so it lives in the
OpenAPI stage, not in the parser (the model says what an operation *is*; this says how it
is offered over HTTP).

GET with query parameters for a pure retrieve (``retrieve*``/``get*``) whose request element
is a flat record of single, non-nillable, atomic simple values: those map one-to-one onto a
query string. Anything structured stays a POST with the request document as its body: a GET
has no body, and flattening nested criteria into a query string would lose structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from b2b_openapi.model import ComplexType, Operation, Ref, SimpleType, TypeRef

Method = Literal["get", "post"]


def http_method(op: Operation, components: Mapping[str, TypeRef]) -> Method:
    return "get" if _is_flat_retrieve(op, components) else "post"


def _resolved(type_ref: TypeRef, components: Mapping[str, TypeRef]) -> TypeRef:
    while isinstance(type_ref, Ref):
        type_ref = components[type_ref.component]
    return type_ref


def _is_flat_retrieve(op: Operation, components: Mapping[str, TypeRef]) -> bool:
    if not op.name.lower().startswith(("retrieve", "get")):
        return False
    body = _resolved(op.input.element.type, components)
    if not isinstance(body, ComplexType) or body.attributes or body.open_content:
        return False
    if body.simple_content is not None or body.presence or not body.children:
        return False
    for child in body.children:
        child_type = _resolved(child.type, components)
        if child.multiple or child.nillable or not isinstance(child_type, SimpleType):
            return False
        if child_type.variety != "atomic":
            return False
    return True
