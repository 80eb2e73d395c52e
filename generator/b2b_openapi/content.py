"""What a complex type's JSON object looks like: one key per child element and attribute.

Both the JSON<->XML converter (:mod:`b2b_openapi.jsonxml`) and the schema emitter
(:mod:`b2b_openapi.xsdmodel`) ask this module which children an XSD type has and whether
each of them is a JSON array.  Keeping that decision in one place is what guarantees that
the OpenAPI schema describes exactly the shape the converter produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from xmlschema.names import XSI_NAMESPACE
from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup

UNBOUNDED = None


@dataclass(frozen=True)
class ChildSlot:
    """One JSON key of an element-only complex type.

    ``multiple`` is true when the element can occur more than once in its parent (taking the
    enclosing model groups into account); its JSON value is then always an array.
    """

    key: str
    element: Any  # XsdElement
    min_occurs: int
    max_occurs: int | None
    order: int
    min_items: int = 0  # the element's own minOccurs: items needed once the key is present
    via_substitution_of: str | None = None

    @property
    def multiple(self) -> bool:
        return self.max_occurs is None or self.max_occurs > 1


@dataclass(frozen=True)
class WildcardSlot:
    """An ``xs:any`` particle: keys not known from the schema."""

    wildcard: Any  # XsdAnyElement
    multiple: bool
    min_occurs: int = 0  # effective: at least this many undeclared elements must appear


@dataclass(frozen=True)
class ContentLayout:
    """All JSON keys of a complex type's element content, in document order."""

    children: tuple[ChildSlot, ...]
    wildcards: tuple[WildcardSlot, ...]
    by_key: dict[str, ChildSlot]
    clashes: tuple[tuple[str, str], ...] = ()  # different elements sharing one local name


def local_name(qname: str) -> str:
    """``{ns}name`` -> ``name``."""
    return qname.rsplit("}", 1)[-1]


def _mul(a: int | None, b: int | None) -> int | None:
    if a is None or b is None:
        return None if (a != 0 and b != 0) else 0
    return a * b


def _walk(group: Any, min_mult: int, max_mult: int | None, in_choice: bool, out: list[Any]) -> None:
    for particle in group:
        p_min = 0 if in_choice else particle.min_occurs
        if isinstance(particle, XsdGroup):
            _walk(
                particle,
                min_mult * p_min,
                _mul(max_mult, particle.max_occurs),
                particle.model == "choice",
                out,
            )
        else:
            out.append((particle, min_mult * p_min, _mul(max_mult, particle.max_occurs)))


@cache
def content_layout(xsd_type: Any) -> ContentLayout:
    """Compute the JSON keys for an element-only (or empty) complex type.

    Rules (documented in README "JSON mapping"):
    * the key is the element's local name; substitution-group members get their own key;
    * an element is an array when its effective maxOccurs (own maxOccurs times every
      enclosing group's) exceeds 1, or when the same name can appear in two places;
    * a child is required (min > 0) only when it is required through every enclosing group.
    """
    group = getattr(xsd_type, "model_group", None)
    if group is None:
        return ContentLayout((), (), {})
    clashes: list[tuple[str, str]] = []
    flat: list[Any] = []
    _walk(group, 1, group.max_occurs, group.model == "choice", flat)
    if group.min_occurs == 0:
        flat = [(p, 0, mx) for p, _mn, mx in flat]

    slots: dict[str, ChildSlot] = {}
    wildcards: list[WildcardSlot] = []
    order = 0
    for particle, mn, mx in flat:
        if mx == 0:  # maxOccurs="0" (its own or a group's): it never occurs, so no key
            continue
        if isinstance(particle, XsdAnyElement):
            wildcards.append(WildcardSlot(particle, mx is None or mx > 1, mn))
            continue
        assert isinstance(particle, XsdElement)
        candidates: list[tuple[Any, str | None]] = []
        if not particle.abstract:
            candidates.append((particle, None))
        # xmlschema keeps substitutes in a set: sort for deterministic output
        for sub in sorted(particle.iter_substitutes(), key=lambda e: e.name):
            candidates.append((sub, particle.name))
        for element, head in candidates:
            key = local_name(element.name)
            if key in slots:
                prev = slots[key]
                if prev.element.name != element.name:
                    clashes.append((prev.element.name, element.name))
                slots[key] = ChildSlot(key, prev.element, prev.min_occurs, None, prev.order,
                                       prev.min_items, prev.via_substitution_of)
                continue
            slots[key] = ChildSlot(key, element, 0 if head else mn, mx, order,
                                   particle.min_occurs, head)
            order += 1
    children = tuple(sorted(slots.values(), key=lambda s: s.order))
    return ContentLayout(children, tuple(wildcards), dict(slots), tuple(clashes))


def attribute_key(name: str, declared: bool) -> str:
    """JSON key of an attribute: ``@local`` when declared, ``@{ns}local`` for wildcard matches."""
    return "@" + (local_name(name) if declared else name)


def is_xsi(name: str) -> bool:
    return name.startswith("{" + XSI_NAMESPACE + "}")
