"""What a complex type's JSON object looks like: one key per child element and attribute.

Both the JSON<->XML converter (:mod:`b2b_openapi.codec.jsonxml`) and the schema emitter
(:mod:`b2b_openapi.xsd.builder`) ask this module which children an XSD type has and whether
each of them is a JSON array.  Keeping that decision in one place is what guarantees that
the OpenAPI schema describes exactly the shape the converter produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from b2b_openapi.xsd.kinds import is_group, is_wildcard

UNBOUNDED = None
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"


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
    min_items: int = 0  # items needed once the key is present (see content_layout)
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


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def element_candidates(particle: Any) -> list[tuple[Any, str | None]]:
    """The elements that may stand where an element particle is, each with the head it
    substitutes (``None`` for the particle's own element).

    The particle's own element unless it is abstract, then the members of its substitution
    group that xmlschema's validator admits in its place: not abstract
    (:meth:`XsdElement.iter_substitutes`), not blocked by ``block="substitution"`` on the
    head, nor by a ``block`` of the head or of its type on the derivation the member's type
    uses (xmlschema's own :meth:`is_blocked` test, as its validation applies it).
    """
    candidates: list[tuple[Any, str | None]] = []
    if not particle.abstract:
        candidates.append((particle, None))
    if "substitution" in particle.block:
        return candidates
    # xmlschema keeps substitutes in a set: sort for deterministic output
    for member in sorted(particle.iter_substitutes(), key=lambda e: e.name):
        if not member.type.is_blocked(particle):
            candidates.append((member, particle.name))
    return candidates


# One leaf of a content model with its counts in the whole type: (element or wildcard,
# substituted head, fewest occurrences, fewest once present (0 where one is enough: an
# empty array is no occurrence), most occurrences)
_Leaf = tuple[Any, str | None, int, int, int | None]


def _repeat(particle: Any, inner: list[_Leaf]) -> list[_Leaf]:
    """Leaf counts over the occurrences of ``particle``, from their counts in one occurrence.

    With ``m`` = minOccurs: at least ``m`` times the fewest of one occurrence; once present,
    the occurrence holding it has at least its own "fewest once present" and the other
    ``m - 1`` mandatory occurrences their fewest each.
    """
    low, high = particle.min_occurs, particle.max_occurs
    return [(leaf, head, low * fewest, present + (max(low, 1) - 1) * fewest, _mul(most, high))
            for leaf, head, fewest, present, most in inner]


def _walk(group: Any) -> list[_Leaf]:
    """Leaf counts in one occurrence of ``group``.  A choice of several particles may take
    another branch, so nothing in it is needed; nor is any of several elements that may
    stand for one particle (a head and its substitutes), which works like a choice."""
    alternative = group.model == "choice" and len(group) > 1
    leaves: list[_Leaf] = []
    for particle in group:
        if is_group(particle):
            inner = _walk(particle)
        elif is_wildcard(particle):
            inner = [(particle, None, 1, 1, 1)]
        else:
            candidates = element_candidates(particle)
            one = 1 if len(candidates) == 1 else 0
            # an optional element needs no minItems: its empty array is its absence
            present = 1 if particle.min_occurs else 0
            inner = [(element, head, one, present, 1) for element, head in candidates]
        leaves += [(leaf, head, 0 if alternative else fewest, present, most)
                   for leaf, head, fewest, present, most in _repeat(particle, inner)]
    return leaves


@cache
def content_layout(xsd_type: Any) -> ContentLayout:
    """Compute the JSON keys for an element-only (or empty) complex type.

    Rules (documented in README "JSON mapping"):
    * the key is the element's local name; substitution-group members get their own key;
    * an element is an array when its effective maxOccurs (own maxOccurs times every
      enclosing group's) exceeds 1, or when the same name can appear in two places;
    * a child is required (min > 0) only when it is required through every enclosing group;
      once present it has at least the product of the minOccurs along its path, up to the
      nearest choice or substitution that makes it optional (``min_items``).
    """
    group = getattr(xsd_type, "model_group", None)
    if group is None:
        return ContentLayout((), (), {})
    clashes: list[tuple[str, str]] = []
    slots: dict[str, ChildSlot] = {}
    wildcards: list[WildcardSlot] = []
    order = 0
    for leaf, head, fewest, present, most in _repeat(group, _walk(group)):
        if most == 0:  # maxOccurs="0": the particle is not there at all
            continue
        if is_wildcard(leaf):
            wildcards.append(WildcardSlot(leaf, most is None or most > 1, fewest))
            continue
        key = local_name(leaf.name)
        prev = slots.get(key)
        if prev is None:
            slots[key] = ChildSlot(key, leaf, fewest, most, order, present, head)
            order += 1
            continue
        if prev.element.name != leaf.name:
            clashes.append((prev.element.name, leaf.name))
        # the same name in two places: each place has its fewest, one of them its fewest
        # once present; at most the sum (an array, since 1 + 1 > 1)
        total = prev.min_occurs + fewest
        slots[key] = ChildSlot(
            key, prev.element, total, _add(prev.max_occurs, most), prev.order,
            total + min(prev.min_items - prev.min_occurs, present - fewest),
            prev.via_substitution_of)
    children = tuple(sorted(slots.values(), key=lambda s: s.order))
    return ContentLayout(children, tuple(wildcards), dict(slots), tuple(clashes))


def attribute_key(name: str, declared: bool) -> str:
    """JSON key of an attribute: ``@local`` when declared, ``@{ns}local`` for wildcard matches."""
    return "@" + (local_name(name) if declared else name)


def is_xsi(name: str) -> bool:
    return name.startswith("{" + XSI_NAMESPACE + "}")
