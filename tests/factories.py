"""Small constructors for the intermediate model (b2b_openapi.model), so a unit test of an
emitter can state the one XSD construct it is about in a line instead of an XSD file."""

from __future__ import annotations

from typing import Any

from b2b_openapi.model import Attribute, Child, ComplexType, Facets, Ref, SimpleType, TypeRef
from b2b_openapi.openapi.schema import SchemaEmitter


def simple(builtin: str = "string", *, name: str | None = None, doc: str | None = None,
           **facets: Any) -> SimpleType:
    """An atomic simple type: ``simple("decimal", fraction_digits=2)``."""
    return SimpleType(builtin, name=name, qname=name, doc=doc, facets=Facets(**facets))


def child(key: str, type_: TypeRef, *, min_occurs: int = 1, max_occurs: int | None = 1,
          order: int = 0, **extra: Any) -> Child:
    """A child element as the builder makes it: an array key exactly when it may repeat."""
    multiple = max_occurs is None or max_occurs > 1
    return Child(key, key, type_, min_occurs, max_occurs, multiple, order,
                 min_items=min_occurs if multiple else 0, **extra)


def attribute(name: str, type_: TypeRef, *, required: bool = False, **extra: Any
              ) -> Attribute:
    return Attribute("@" + name, name, type_, required, **extra)


def complex_(*children: Child, attributes: tuple[Attribute, ...] = (),
             name: str | None = None, **extra: Any) -> ComplexType:
    """An element-only (or, with ``simple_content=``, simple-content) complex type whose
    unconditionally required keys are its children with minOccurs >= 1."""
    return ComplexType(name, name, extra.pop("doc", None), attributes, children,
                       tuple(c.key for c in children if c.min_occurs > 0), **extra)


def emitter(**components: TypeRef) -> SchemaEmitter:
    """An emitter over named components, each named as its key."""
    return SchemaEmitter(components, {key: key for key in components})


def ref(key: str) -> Ref:
    return Ref(key)
