"""Which JSON keys must, may or must not appear together: XSD model groups as JSON Schema.

A sequence of required elements is simply ``required: [...]``.  Choices and optional groups
are not: ``<xs:choice>`` of A | B must reject ``{"A": .., "B": ..}``.  Those become
``anyOf`` alternatives of ``required``/``not required`` clauses, so a JSON body that validates
against the OpenAPI schema always encodes to XSD-valid XML (the property tests check this).

Repeated groups (maxOccurs > 1) allow any mix of their keys; only "at least one" is kept.
"""

from __future__ import annotations

from typing import Any

from xmlschema.validators import XsdAnyElement, XsdGroup

from .content import local_name

Schema = dict[str, Any]


def particle_keys(particle: Any) -> list[str]:
    """JSON keys an element particle (with its substitution group) can appear under."""
    if isinstance(particle, XsdAnyElement):
        return []
    if isinstance(particle, XsdGroup):
        return [k for p in particle for k in particle_keys(p)]
    keys = [] if particle.abstract else [local_name(particle.name)]
    keys += sorted(local_name(s.name) for s in particle.iter_substitutes())
    return keys


def _one_of_present(keys: list[str]) -> Schema:
    if len(keys) == 1:
        return {"required": [keys[0]]}
    return {"anyOf": [{"required": [k]} for k in keys]}


def _none_present(keys: list[str]) -> Schema:
    return {"allOf": [{"not": {"required": [k]}} for k in keys]} if len(keys) > 1 else {
        "not": {"required": keys}
    }


def _all_of(parts: list[Schema | None]) -> Schema | None:
    present = [p for p in parts if p]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"allOf": present}


def _group(group: XsdGroup, as_required: bool) -> Schema | None:
    """Constraint for ``group`` taken as required (ignoring its own minOccurs) when as_required."""
    keys = particle_keys(group)
    if not keys:
        return None
    if group.max_occurs != 1:
        return _one_of_present(keys) if as_required and group.min_occurs > 0 else None

    if group.model == "choice":
        alternatives: list[Schema] = []
        may_be_empty = not as_required or group.min_occurs == 0
        for branch in group:
            branch_keys = particle_keys(branch)
            constraint = _particle(branch)
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

    inner = _all_of([_particle(p) for p in group])
    if inner is None:
        return None
    if as_required and group.min_occurs > 0:
        return inner
    return {"anyOf": [inner, _none_present(keys)]}


def _particle(particle: Any) -> Schema | None:
    if isinstance(particle, XsdAnyElement):
        return None
    if isinstance(particle, XsdGroup):
        return _group(particle, particle.min_occurs > 0)
    if particle.min_occurs == 0:
        return None
    return _one_of_present(particle_keys(particle))


def group_constraints(group: XsdGroup | None) -> tuple[list[str], list[Schema]]:
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


PRESENCE_KEYWORDS = frozenset({"required", "not", "anyOf", "allOf", "oneOf"})


def is_presence_only(schema: Any) -> bool:
    """True for a schema that only constrains which keys are present."""
    if not isinstance(schema, dict) or not schema or set(schema) - PRESENCE_KEYWORDS:
        return False
    for key, value in schema.items():
        if key == "not" and not is_presence_only(value):
            return False
        if key in ("anyOf", "allOf", "oneOf") and not all(is_presence_only(v) for v in value):
            return False
    return True
