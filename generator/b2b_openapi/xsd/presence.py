"""Which JSON keys must, may or must not appear together: XSD model groups as JSON Schema.

A sequence of required elements is simply ``required: [...]``.  Choices and optional groups
are not: ``<xs:choice>`` of A | B must reject ``{"A": .., "B": ..}``.  Those become
``anyOf`` alternatives of ``required``/``not required`` clauses, so a JSON body that validates
against the OpenAPI schema always encodes to XSD-valid XML (the property tests check this).

Repeated groups (maxOccurs > 1) allow any mix of their keys; only "at least one" is kept.
A head element and its substitution group members are alternatives like a choice's branches.
"""

from __future__ import annotations

from typing import Any

from b2b_openapi.xsd.content import element_candidates, local_name
from b2b_openapi.xsd.kinds import is_group, is_wildcard

Schema = dict[str, Any]


def particle_keys(particle: Any) -> list[str]:
    """JSON keys an element particle (with its substitution group) can appear under."""
    if is_wildcard(particle):
        return []
    if is_group(particle):
        return [k for p in particle for k in particle_keys(p)]
    return [local_name(element.name) for element, _head in element_candidates(particle)]


def _needs_key(particle: Any) -> bool:
    """Whether every occurrence of ``particle`` holds some declared element (a key):
    wildcard content is not a key, and an emptiable part may hold nothing."""
    if is_wildcard(particle) or particle.min_occurs == 0:
        return False
    if is_group(particle):
        inner = [_needs_key(p) for p in particle]
        return all(inner) if particle.model == "choice" else any(inner)
    return bool(particle_keys(particle))


def _one_of_present(keys: list[str]) -> Schema:
    if len(keys) == 1:
        return {"required": [keys[0]]}
    return {"anyOf": [{"required": [k]} for k in keys]}


ABSENT: Schema = {"not": {}}  # a key whose every value fails: the key must be absent


def _none_present(keys: list[str]) -> Schema:
    """None of ``keys`` present, said as ``properties: {k: {not: {}}}`` rather than
    ``not: {required: [k]}`` (the same for an object): the keys stay named under
    ``properties`` where linters look for every key a schema constrains (Redocly's
    no-required-schema-properties-undefined stops at a ``not``)."""
    return {"properties": {k: {"not": {}} for k in keys}}


def _all_of(parts: list[Schema | None]) -> Schema | None:
    present = [p for p in parts if p]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"allOf": present}


def _exactly_one(branches: list[tuple[list[str], Schema | None]], may_be_empty: bool,
                 keys: list[str]) -> Schema | None:
    """One branch's keys (meeting its constraint) and none of the others', or (when the
    alternatives may all be absent) no key at all: a choice, or a head and its members."""
    alternatives: list[Schema] = []
    for branch_keys, constraint in branches:
        if constraint is None:
            may_be_empty = True
        others = [k for k in keys if k not in branch_keys]
        alt = _all_of([constraint, _none_present(others) if others else None])
        if alt:
            alternatives.append(alt)
    if may_be_empty:
        alternatives.append(_none_present(keys))
    if len(alternatives) > 1:
        return {"anyOf": alternatives}
    return alternatives[0] if alternatives else None


def _group(group: Any, as_required: bool) -> Schema | None:
    """Constraint for ``group`` taken as required (ignoring its own minOccurs) when as_required."""
    keys = particle_keys(group)
    if not keys:
        return None
    if group.max_occurs != 1:
        # occurrences may mix any keys (a repeating sequence of several elements, whose
        # keys would depend on each other, is refused by xsdmodel): at least one is all
        return _one_of_present(keys) if as_required and _needs_key(group) else None

    if group.model == "choice":
        may_be_empty = not as_required or group.min_occurs == 0
        return _exactly_one([(particle_keys(b), _particle(b)) for b in group], may_be_empty,
                            keys)

    inner = _all_of([_particle(p) for p in group])
    if inner is None:
        return None
    if as_required and group.min_occurs > 0:
        return inner
    return {"anyOf": [inner, _none_present(keys)]}


def _particle(particle: Any) -> Schema | None:
    if is_wildcard(particle):
        return None
    if is_group(particle):
        return _group(particle, particle.min_occurs > 0)
    keys = particle_keys(particle)
    if particle.max_occurs == 1 and len(keys) > 1:  # one of a head and its members
        return _exactly_one([([k], {"required": [k]}) for k in keys],
                            particle.min_occurs == 0, keys)
    if particle.min_occurs == 0 or not keys:
        return None
    return _one_of_present(keys)


def group_constraints(group: Any | None) -> tuple[list[str], list[Schema]]:
    """Split a type's model group into plain ``required`` keys and extra presence clauses."""
    if group is None:
        return [], []
    constraint = _group(group, group.min_occurs > 0)
    if constraint is None:
        return [], []
    parts = constraint["allOf"] if set(constraint) == {"allOf"} else [constraint]
    required: list[str] = []
    rest: list[Schema] = []
    for part in parts:
        if set(part) == {"required"}:
            required.extend(k for k in part["required"] if k not in required)
        else:
            rest.append(part)
    return required, rest


PRESENCE_KEYWORDS = frozenset({"required", "not", "anyOf", "allOf", "oneOf", "properties"})


def is_presence_only(schema: Any) -> bool:
    """True for a schema that only constrains which keys are present (``properties``
    only as :data:`ABSENT` keys)."""
    if not isinstance(schema, dict) or not schema or set(schema) - PRESENCE_KEYWORDS:
        return False
    for key, value in schema.items():
        if key == "properties" and not (isinstance(value, dict) and value and all(
                v == ABSENT for v in value.values())):
            return False
        if key == "not" and not is_presence_only(value):
            return False
        if key in ("anyOf", "allOf", "oneOf") and not all(is_presence_only(v) for v in value):
            return False
    return True
