"""What kind of XSD component an object is, for both readers of schemas.

The model builder (:mod:`b2b_openapi.xsd.builder`, :mod:`~b2b_openapi.xsd.content`,
:mod:`~b2b_openapi.xsd.presence`) reads components either from xmlschema (the reference
reader) or from the light reader (:mod:`b2b_openapi.xsd.light`, lxml only).  It asks the
kind of a component here instead of ``isinstance`` against xmlschema's classes, so that the
light path never imports xmlschema: importing it (and building its meta-schema, which any
xmlschema component needs) costs about as much as ``xsdata generate``'s whole run.

A light component says its kind in ``LIGHT_KIND``; anything else is an xmlschema
component, whose classes are imported only then (xmlschema is loaded already).
"""

from __future__ import annotations

from typing import Any

GROUP = "group"
WILDCARD = "wildcard"  # xs:any
ELEMENT = "element"
LIST = "list"
UNION = "union"
ATOMIC_BUILTIN = "atomic-builtin"
OTHER = "other"


def kind(component: Any) -> str:
    light = getattr(type(component), "LIGHT_KIND", None)
    if light is not None:
        return str(light)
    from xmlschema.validators import (
        XsdAnyElement,
        XsdAtomicBuiltin,
        XsdElement,
        XsdGroup,
        XsdList,
        XsdUnion,
    )

    for cls, name in ((XsdGroup, GROUP), (XsdAnyElement, WILDCARD), (XsdElement, ELEMENT),
                      (XsdList, LIST), (XsdUnion, UNION), (XsdAtomicBuiltin, ATOMIC_BUILTIN)):
        if isinstance(component, cls):
            return name
    return OTHER


def is_group(component: Any) -> bool:
    return kind(component) == GROUP


def is_wildcard(component: Any) -> bool:
    return kind(component) == WILDCARD


def is_element(component: Any) -> bool:
    return kind(component) == ELEMENT


def is_list_type(component: Any) -> bool:
    return kind(component) == LIST


def is_union_type(component: Any) -> bool:
    return kind(component) == UNION


def is_atomic_builtin(component: Any) -> bool:
    return kind(component) == ATOMIC_BUILTIN
