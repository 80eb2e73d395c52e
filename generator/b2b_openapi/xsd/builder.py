"""xmlschema components -> intermediate model (:mod:`b2b_openapi.model`).

xmlschema has already parsed, resolved imports/includes and checked the schema; this module
only reads its components.  Named types and global elements with anonymous types become
components keyed ``type:{ns}Name`` / ``element:{ns}Name``; naming them for OpenAPI is the
emitter's business (:func:`component_names`).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from b2b_openapi.errors import ArtifactError
from b2b_openapi.model import (
    Attribute,
    Child,
    ComplexType,
    Element,
    Facets,
    Ref,
    SimpleType,
    TypeRef,
)
from b2b_openapi.openapi.schema import join_docs
from b2b_openapi.openapi.xsdregex import UnsupportedPattern, xsd_regex_to_ecma
from b2b_openapi.xsd.content import content_layout, local_name
from b2b_openapi.xsd.kinds import (
    is_atomic_builtin,
    is_group,
    is_list_type,
    is_union_type,
)
from b2b_openapi.xsd.locate import component_location, schema_element_location
from b2b_openapi.xsd.presence import group_constraints, particle_keys

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_FACET = {name: _XSD + name for name in (
    "length", "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive",
    "maxExclusive", "totalDigits", "fractionDigits", "enumeration", "pattern",
)}


def documentation(component: Any) -> str | None:
    """The xs:documentation text of a component, whitespace-normalised."""
    return _annotation_text(getattr(component, "annotation", None))


def _annotation_text(annotation: Any) -> str | None:
    if annotation is None:
        return None
    texts = [" ".join("".join(d.itertext()).split()) for d in annotation.documentation]
    text = "\n\n".join(t for t in texts if t)
    return text or None


def _declaration(xsd_element: Any) -> Any:
    """The declaration an element particle uses: the global one for a ``ref=``."""
    ref = getattr(xsd_element, "ref", None)
    return ref if ref is not None else xsd_element  # not ``or``: an element can be falsy


def _own_component(xsd_element: Any) -> bool:
    """Whether an element (or the global one it refers to) is a component of its own: a
    global declaration with an anonymous type."""
    declaration = _declaration(xsd_element)
    return bool(declaration.is_global()) and not declaration.type.is_global()


def _element_doc(xsd_element: Any) -> str | None:
    """The documentation of an element's use: its own, then (for a ``ref=`` or a global
    element, e.g. a substitution group member) the declaration's, unless that declaration
    is a component of its own and so already described by it."""
    declaration = _declaration(xsd_element)
    own = documentation(xsd_element) if declaration is not xsd_element else None
    if _own_component(xsd_element):
        return own
    return join_docs(own, documentation(declaration))


def _is_builtin(xsd_type: Any) -> bool:
    return bool(xsd_type.name) and xsd_type.name.startswith(_XSD)


def _base(xsd_type: Any) -> Any:
    """The simple type a simple type restricts.  In a simpleContent restriction with its
    own ``<xs:simpleType>`` (the restricted value type), xmlschema makes that type the
    content of an anonymous complex base: step into it."""
    base = xsd_type.base_type
    if base is not None and base.is_complex():
        return base.content
    return base


def _builtin_ancestor(xsd_type: Any) -> Any:
    t = xsd_type
    while not _is_builtin(t):
        if is_union_type(t) or is_list_type(t) or _base(t) is None:
            return t
        t = _base(t)
    return t


class ModelBuilder:
    """Builds the intermediate model for the elements one service uses.

    One builder per service: ``components`` collects every named type reachable from the
    message elements, keyed by a stable key, so emitters can render them once and ``$ref``
    them everywhere (including recursively).
    """

    def __init__(self) -> None:
        self.components: dict[str, TypeRef] = {}
        self._building: set[str] = set()
        self.warnings: list[str] = []  # degraded mappings, for the build to report

    # ---------------------------------------------------------------- elements
    def element(self, xsd_element: Any) -> Element:
        return Element(
            qname=xsd_element.name,
            type=self._element_type(xsd_element),
            nillable=bool(xsd_element.nillable),
            doc=documentation(xsd_element),
        )

    def _element_type(self, xsd_element: Any) -> TypeRef:
        """The type of an element particle.  A global element with an anonymous type
        (used directly, as a substitution group member, or through ``ref=``) is a
        component of its own, described by the element's documentation and then the
        type's; otherwise the element's documentation belongs where it is used."""
        self._check_not_any_type(xsd_element)
        self._check_not_abstract_type(xsd_element)
        if not _own_component(xsd_element):
            return self.type(xsd_element.type)
        declaration = _declaration(xsd_element)
        xsd_type = declaration.type
        key = "element:" + declaration.name

        def build() -> TypeRef:
            definition = self._complex_or_simple(
                xsd_type, name=local_name(declaration.name), qname=declaration.name)
            assert not isinstance(definition, Ref)
            return replace(definition, doc=join_docs(documentation(declaration),
                                                     definition.doc))
        return self._register(key, build)

    def _check_not_any_type(self, xsd_element: Any) -> None:
        """xs:anyType content (also an element declared without a type) is mixed: the
        converter keeps its child elements but drops its text, so ``<e>text</e>`` would
        decode to ``{}`` and never come back.  Refuse rather than lose data."""
        if xsd_element.type.name != _XSD + "anyType":
            return
        declaration = _declaration(xsd_element)
        declared = "has type xs:anyType" if declaration.elem.get("type") else (
            "has no type, so its type is xs:anyType")
        raise ArtifactError(
            f"unsupported construct: element {local_name(xsd_element.name)!r} {declared}, "
            "whose text content has no JSON form in this mapping (it would be lost); give it "
            "a simple or complex type", *self._where(declaration))

    def _check_not_abstract_type(self, xsd_element: Any) -> None:
        """An element of an abstract type is valid only with ``xsi:type`` naming a concrete
        derived type, and the JSON mapping carries no ``xsi:type``: no JSON of it could
        come back as valid XML.  (An abstract *element* is no key at all: only its
        substitution group members appear, see :func:`content.element_candidates`.)"""
        if not getattr(xsd_element.type, "abstract", False):
            return
        declaration = _declaration(xsd_element)
        raise ArtifactError(
            f"unsupported construct: element {local_name(xsd_element.name)!r} has the "
            f"abstract type {local_name(xsd_element.type.name or 'anonymous')!r}, so it "
            "needs xsi:type, which this JSON mapping does not carry; give it a concrete type "
            '(or declare the element abstract="true" if only its substitution group members '
            "may appear)", *self._where(declaration))

    # ---------------------------------------------------------------- types
    def type(self, xsd_type: Any) -> TypeRef:
        if _is_builtin(xsd_type):
            if xsd_type.is_list():  # xs:NMTOKENS, xs:IDREFS, xs:ENTITIES
                return self._simple(xsd_type, None, None)
            return SimpleType(builtin=local_name(xsd_type.name))
        if xsd_type.is_global():
            return self._register("type:" + xsd_type.name, lambda: self._complex_or_simple(
                xsd_type, name=local_name(xsd_type.name), qname=xsd_type.name))
        return self._complex_or_simple(xsd_type, None, None)

    def _register(self, key: str, build: Any) -> Ref:
        if key not in self.components and key not in self._building:
            self._building.add(key)
            self.components[key] = build()
            self._building.discard(key)
        return Ref(key)

    def _complex_or_simple(self, xsd_type: Any, name: str | None, qname: str | None) -> TypeRef:
        if xsd_type.is_complex():
            return self._complex(xsd_type, name, qname)
        return self._simple(xsd_type, name, qname)

    # ---------------------------------------------------------------- simple types
    def _simple(self, xsd_type: Any, name: str | None, qname: str | None) -> SimpleType:
        doc = documentation(xsd_type)
        ancestor = _builtin_ancestor(xsd_type)
        facets = _facets(xsd_type)
        if xsd_type.is_list():
            item_type = _list_item(xsd_type)
            builtin = local_name(xsd_type.name) if _is_builtin(xsd_type) else "list"
            return SimpleType(builtin=builtin, name=name, qname=qname, doc=doc, facets=facets,
                              item=self.type(item_type), variety="list")
        if xsd_type.is_union():
            union = ancestor if is_union_type(ancestor) else xsd_type
            members = tuple(self.type(m) for m in union.member_types)
            return SimpleType(builtin="union", name=name, qname=qname, doc=doc, facets=facets,
                              members=members, variety="union")
        if not is_atomic_builtin(ancestor) and not _is_builtin(ancestor):
            what = qname or "an anonymous type"
            raise ArtifactError(f"unsupported simple type derivation for {what}",
                                *self._where(xsd_type))
        return SimpleType(builtin=local_name(ancestor.name), name=name, qname=qname, doc=doc,
                          facets=facets)

    # ---------------------------------------------------------------- complex types
    def _complex(self, xsd_type: Any, name: str | None, qname: str | None) -> ComplexType:
        if xsd_type.mixed and not xsd_type.has_simple_content():
            # text between (or without) child elements has no place in the JSON object
            raise ArtifactError(
                f"mixed content is not supported ({qname or 'anonymous complex type'})",
                *self._where(xsd_type))
        attributes: list[Attribute] = []
        open_attributes = False
        open_attributes_process = None
        for attr_name, attr in sorted(xsd_type.attributes.items(), key=lambda kv: kv[0] or ""):
            if attr_name is None:
                self._check_not_skipped(attr, qname)
                open_attributes = True
                open_attributes_process = attr.process_contents
                continue
            if attr.use == "prohibited":  # removed by a restriction: no key at all
                continue
            attributes.append(Attribute(
                key="@" + local_name(attr_name),
                xml_name=attr_name,
                type=self.type(attr.type),
                required=attr.use == "required",
                default=_typed(attr, attr.default),
                fixed=_typed(attr, attr.fixed),
                doc=documentation(attr),
            ))
        self._check_unique_attribute_keys(xsd_type, attributes)
        base = derivation = None
        if xsd_type.base_type is not None and not _is_builtin(xsd_type.base_type):
            base, derivation = xsd_type.base_type.name, xsd_type.derivation
        common: dict[str, Any] = dict(
            name=name, qname=qname, doc=documentation(xsd_type), attributes=tuple(attributes),
            open_attributes=open_attributes, base=base, derivation=derivation,
            attribute_order=tuple(n for n in _declared_order(xsd_type.attributes)
                                  if n is not None),
            open_attributes_process=open_attributes_process,
        )
        if xsd_type.has_simple_content():
            return ComplexType(children=(), required=(), simple_content=self.type(
                xsd_type.content), **common)

        layout = content_layout(xsd_type)
        for slot in layout.wildcards:
            self._check_not_skipped(slot.wildcard, qname)
        self._check_unique_keys(xsd_type, layout)
        self._check_no_repeated_sequence(xsd_type, xsd_type.model_group, None)
        self._check_alternatives_keyed_once(xsd_type)
        children = tuple(
            Child(
                key=slot.key,
                xml_name=slot.element.name,
                type=self._element_type(slot.element),
                min_occurs=slot.min_occurs,
                max_occurs=slot.max_occurs,
                multiple=slot.multiple,
                order=slot.order,
                min_items=slot.min_items,
                nillable=bool(slot.element.nillable),
                default=_typed(slot.element, slot.element.default),
                fixed=_typed(slot.element, slot.element.fixed),
                doc=_element_doc(slot.element),
                substitution_of=slot.via_substitution_of,
            )
            for slot in layout.children
        )
        required, presence = group_constraints(xsd_type.model_group)
        group = xsd_type.model_group
        return ComplexType(
            children=children, required=tuple(required), presence=tuple(presence),
            open_content=bool(layout.wildcards), compositor=group.model if group else None,
            open_content_min=sum(w.min_occurs for w in layout.wildcards),
            open_content_multiple=any(w.multiple for w in layout.wildcards),
            open_content_process=_one_process(layout.wildcards),
            **common,
        )

    def _check_not_skipped(self, wildcard: Any, qname: str | None) -> None:
        """A processContents="skip" wildcard maps like a lax one (an open object: any
        further keys), but xmlschema drops the content it matches when it decodes, so that
        content never reaches JSON: a degraded result, said as a warning (real packages,
        such as ERCOT's message Payload, use it)."""
        if wildcard.process_contents == "skip":
            path, line = self._where(wildcard)
            where = f"{path}:{line}: " if path is not None and line else (
                f"{path}: " if path is not None else "")
            warning = (f'{where}processContents="skip" wildcard in '
                       f"{qname or 'an anonymous type'}: mapped as an open object; the XML "
                       "it matches is not carried into JSON")
            if warning not in self.warnings:
                self.warnings.append(warning)

    def _check_unique_keys(self, xsd_type: Any, layout: Any) -> None:
        for first, second in layout.clashes:
            raise ArtifactError(
                f"elements {first} and {second} share the local name {local_name(first)!r} "
                "in one content model; their JSON keys would clash", *self._where(xsd_type))

    def _check_unique_attribute_keys(self, xsd_type: Any,
                                     attributes: list[Attribute]) -> None:
        """Attributes are keyed by local name, so ``a`` and ``o:a`` would share ``@a``."""
        seen: dict[str, str] = {}
        for attribute in attributes:
            first = seen.setdefault(attribute.key, attribute.xml_name)
            if first != attribute.xml_name:
                raise ArtifactError(
                    f"attributes {first} and {attribute.xml_name} share the local name "
                    f"{attribute.key[1:]!r} in one type; their JSON keys would clash",
                    *self._where(xsd_type.attributes[attribute.xml_name]))

    def _check_no_repeated_sequence(self, xsd_type: Any, group: Any,
                                    repeating: Any) -> None:
        """A repeating sequence of several elements (A B A B) has no faithful JSON object
        form (A:[..], B:[..] loses the pairing), so it is rejected rather than mangled.  A
        sequence repeats through its own maxOccurs or through a repeating enclosing group
        (``repeating``): ``(A | (B, C?))*`` holds ``B C B`` and ``B B C`` alike."""
        if group is None:
            return
        if group.max_occurs != 1:
            repeating = group
        for particle in group:
            if is_group(particle):
                self._check_no_repeated_sequence(xsd_type, particle, repeating)
        if repeating is None or group.model == "choice":
            return
        keyed = [p for p in group if particle_keys(p)]
        if len(keyed) < 2 or len(set(particle_keys(group))) < 2:
            return
        owner = xsd_type.name or "an anonymous type"
        if repeating is group:
            what = f"a repeating xs:sequence with several child elements in {owner}"
        else:
            what = (f"an xs:sequence with several child elements in {owner} repeats "
                    f"through its enclosing repeating xs:{repeating.model} (like a repeating "
                    "xs:sequence, the pairing of its elements would be lost)")
        raise ArtifactError(
            f"unsupported construct: {what}; wrap the repeated sequence in its own element",
            *self._where(group))

    def _check_alternatives_keyed_once(self, xsd_type: Any) -> None:
        """A key reachable from two particles is one JSON array for both, which cannot say
        which particle its items came from.  In plain sequences that is harmless (the XSD
        fixes their places), but the presence clauses of alternatives (a choice, an optional
        or repeating group, a head and its members) take each key for one particle's:
        ``(a | b), a?`` holds ``b a``, which ``{"b":.., "a": [..]}`` would be refused for.
        Rejected rather than emitted wrong."""
        owners: dict[str, list[tuple[Any, bool]]] = {}

        def walk(group: Any, constrained: bool) -> None:
            constrained = constrained or group.model == "choice" or group.min_occurs == 0 \
                or group.max_occurs != 1
            for particle in group:
                if is_group(particle):
                    walk(particle, constrained)
                    continue
                keys = particle_keys(particle)
                alternative = constrained or (len(keys) > 1 and particle.max_occurs == 1)
                for key in keys:
                    owners.setdefault(key, []).append((particle, alternative))

        if xsd_type.model_group is not None:
            walk(xsd_type.model_group, False)
        for key, found in owners.items():
            if len(found) > 1 and any(alternative for _, alternative in found):
                raise ArtifactError(
                    f"unsupported construct: element {key!r} can occur in several places of "
                    f"{xsd_type.name or 'an anonymous type'}, one of them an alternative "
                    "(xs:choice, optional or repeating group, substitution group); its one "
                    "JSON array cannot say which place each occurrence takes; give the "
                    "places different element names", *self._where(found[1][0]))

    @staticmethod
    def _where(component: Any) -> tuple[Path | None, int | None]:
        return component_location(component)


def _declared_order(attributes: Any) -> list[str | None]:
    """A type's attribute names in declaration order, a base type's first: the order
    xmlschema adds missing defaults in (its attribute group's own order; iterating the
    group sorts the names when there is a wildcard).  The light reader's group is that
    dict itself."""
    group = getattr(attributes, "_attribute_group", None)  # xmlschema's declaration order
    return list(group if group is not None else dict.keys(attributes))


def _one_process(wildcards: Iterable[Any]) -> str | None:
    """The processContents of a type's xs:any particles: theirs when they agree, "mixed"
    when not, None without any."""
    found = {slot.wildcard.process_contents for slot in wildcards}
    if not found:
        return None
    return found.pop() if len(found) == 1 else "mixed"


def _typed(declaration: Any, lexical: str | None) -> Any:
    """A default/fixed value of an element or attribute declaration as its typed JSON
    value (``"true"`` -> ``True``)."""
    if lexical is None:
        return None
    xsd_type = declaration.type
    simple = xsd_type.simple_type if xsd_type.is_complex() else xsd_type
    if simple is None:
        return lexical
    try:
        value = simple.decode(lexical)
    except Exception as exc:
        if not _is_validation_error(exc):
            raise
        reason = getattr(exc, "reason", exc)
        raise ArtifactError(f"default/fixed value {lexical!r} is not valid for its type: "
                            f"{reason}", *component_location(xsd_type)) from None
    if _non_finite(value):
        raise _no_json_number(f"default/fixed value {lexical!r}",
                              component_location(declaration))
    return _as_decoded(value, lexical, simple)


def _as_decoded(value: Any, lexical: str, xsd_type: Any) -> Any:
    """A typed facet or fixed/default value as the converter decodes its literal: xmlschema
    keeps dates, times and durations as their text, stripped (its value objects' str() is
    a canonical form: ``PT60M`` would be ``PT1H``, which the JSON of ``<d>PT60M</d>`` is
    not); other values stay typed (binary ones are decoded canonical, as their str())."""
    if isinstance(value, list):
        items = xsd_type.normalize(lexical).split()
        if len(items) == len(value):
            return [_as_decoded(v, item, xsd_type) for v, item in zip(value, items, strict=True)]
        return value
    if _is_date_or_duration(value):
        return lexical.strip()
    return value


def _is_validation_error(exc: Exception) -> bool:
    """xmlschema's refusal of a value (only xmlschema's components raise it, so xmlschema is
    loaded when one is raised)."""
    xmlschema = sys.modules.get("xmlschema")
    return xmlschema is not None and isinstance(exc, xmlschema.XMLSchemaValidationError)


def _is_date_or_duration(value: Any) -> bool:
    """An elementpath date, time or duration object (xmlschema's decoded value; the light
    reader's values are plain, and elementpath is only loaded with xmlschema)."""
    if "elementpath" not in sys.modules:
        return False
    from elementpath.datatypes import AbstractDateTime, Duration

    return isinstance(value, AbstractDateTime | Duration)


def _unique(values: Iterable[Any]) -> list[Any]:
    """Values in order, each once (JSON Schema wants an enumeration's values unique)."""
    kept: list[Any] = []
    for value in values:
        if value not in kept:
            kept.append(value)
    return kept


def _non_finite(value: Any) -> bool:
    """INF, -INF and NaN: xs:float/xs:double values JSON numbers cannot carry."""
    return isinstance(value, float) and not math.isfinite(value)


def _no_json_number(what: str, where: tuple[Path | None, int | None]) -> ArtifactError:
    return ArtifactError(f"unsupported construct: {what} has no JSON number form (JSON "
                         "numbers have no INF, -INF or NaN)", *where)


def _list_item(xsd_type: Any) -> Any:
    t = xsd_type
    while not is_list_type(t):
        t = _base(t)
    return t.item_type


def _restriction_chain(xsd_type: Any) -> Iterable[Any]:
    """The restriction steps of a simple type down to its built-in, a list or a union (the
    built-in list types' own steps included: xs:NMTOKENS has minLength 1)."""
    t = xsd_type
    while t is not None and not (_is_builtin(t) and not t.is_list()) and not (
            is_list_type(t) or is_union_type(t)):
        yield t
        t = _base(t)


_BOUNDS = ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive")


def _facets(xsd_type: Any) -> Facets:
    """Flatten facets along the restriction chain: the most derived value of each wins,
    patterns of every step all apply (XSD semantics)."""
    values: dict[str, Any] = {}
    patterns: list[tuple[str, ...]] = []
    for step in _restriction_chain(xsd_type):
        facets = getattr(step, "facets", None) or {}
        for facet_name, qname in _FACET.items():
            facet = facets.get(qname)
            if facet is None:
                continue
            if facet_name == "pattern":
                _check_patterns(facet)
                patterns.append(tuple(facet.regexps))
            elif facet_name == "enumeration":
                decoded = []
                for elem, value in zip(facet, facet.enumeration, strict=True):
                    if _non_finite(value):
                        raise _no_json_number(f"enumeration value {elem.get('value')!r}",
                                              schema_element_location(facet.schema, elem))
                    decoded.append(_as_decoded(value, elem.get("value", ""), step))
                # equal literals (base64 "AA==" and "A A = =") decode alike: listed once
                values.setdefault(facet_name, tuple(_unique(decoded)))
                values.setdefault("enumeration_docs", tuple(
                    (value, doc) for i, value in enumerate(decoded)
                    if (doc := _annotation_text(facet.get_annotation(i)))))
            elif facet_name in _BOUNDS:
                values.setdefault(facet_name, _bound(facet_name, facet))
            else:
                values.setdefault(facet_name, facet.value)
    return Facets(
        patterns=tuple(patterns),
        enumeration=values.get("enumeration"),
        enumeration_docs=values.get("enumeration_docs", ()),
        length=values.get("length"),
        min_length=values.get("minLength"),
        max_length=values.get("maxLength"),
        min_inclusive=values.get("minInclusive"),
        max_inclusive=values.get("maxInclusive"),
        min_exclusive=values.get("minExclusive"),
        max_exclusive=values.get("maxExclusive"),
        total_digits=values.get("totalDigits"),
        fraction_digits=values.get("fractionDigits"),
    )


def _bound(facet_name: str, facet: Any) -> Any:
    """A range facet's value for the model.  Numbers stay typed (JSON Schema compares
    them); other values (dates, times, durations, g* types) are kept as their XSD lexical
    text, which is all a note can carry.  xs:float/xs:double bounds may be infinite: -INF
    below or INF above bounds nothing (None); INF below or -INF above leaves only an
    infinity, and NaN compares with nothing, which JSON numbers cannot say."""
    value = facet.value
    if isinstance(value, Decimal | int):
        return value
    if not isinstance(value, float):
        return " ".join(facet.elem.get("value", "").split())
    if value == (-math.inf if facet_name.startswith("min") else math.inf):
        return None
    if _non_finite(value):
        raise _no_json_number(f"{facet_name} value {facet.elem.get('value')!r}",
                              component_location(facet))
    return value


def _check_patterns(facet: Any) -> None:
    """Every xs:pattern of one step must have an ECMA-262 form; else name its line."""
    for elem in facet:
        try:
            xsd_regex_to_ecma(elem.get("value", ""))
        except UnsupportedPattern as exc:
            path, line = schema_element_location(facet.schema, elem)
            raise ArtifactError(f"unsupported construct: {exc}", path, line) from None


def component_names(components: Mapping[str, TypeRef]) -> dict[str, str]:
    """Map component keys to OpenAPI component names.

    The name is the XSD local name.  Chameleon-included types (same definition in several
    namespaces) share one name; genuinely different components with the same local name
    are disambiguated deterministically with a namespace token (``StandardOutput_v1_Event``).
    """
    by_local: dict[str, list[str]] = {}
    for key in sorted(components):
        by_local.setdefault(local_name(key), []).append(key)
    names: dict[str, str] = {}
    for local, group in by_local.items():
        shapes = {_shape(components[key]) for key in group}
        kinds = {key.partition(":")[0] for key in group}
        if len(shapes) == 1 and len(kinds) == 1:
            names.update((key, local) for key in group)
            continue
        for key in group:
            kind, _, qname = key.partition(":")
            ns = qname[1:].split("}", 1)[0] if qname.startswith("{") else ""
            names[key] = f"{_ns_token(ns)}_{local}" + ("Element" if kind == "element" else "")
    shapes_by_name: dict[str, set[object]] = {}
    for key, name in names.items():
        shapes_by_name.setdefault(name, set()).add(_shape(components[key]))
    clashes = sorted(name for name, shapes in shapes_by_name.items() if len(shapes) > 1)
    if clashes:  # pragma: no cover - pathological namespaces
        raise ArtifactError("cannot give unique component names to " + ", ".join(clashes))
    return names


def _shape(definition: TypeRef) -> object:
    """A definition without its own qualified name: equal shapes are the same type."""
    if isinstance(definition, Ref):
        return definition
    return repr(replace(definition, qname=None))


def _ns_token(namespace: str) -> str:
    """``http://www.caiso.com/soa/StandardOutput_v1.xsd#`` -> ``StandardOutput_v1``."""
    tail = re.split(r"[/:]", namespace.rstrip("#/"))[-1]
    tail = re.sub(r"\.xsd$", "", tail)
    return re.sub(r"[^A-Za-z0-9_]", "_", tail) or "ns"
