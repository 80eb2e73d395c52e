"""The XSD components the model builder reads, from lxml trees, without xmlschema.

xmlschema (the reference reader, :mod:`b2b_openapi.xsd.wsdl`) builds every component of
every schema a service reaches, checks each document against the XSD meta-schema and the
WSDL against wsdl.xsd, all in Python: most of the spec stage's time.  The model builder
reads a small part of that: for the elements the messages use, their types, content
groups, attributes, facets and documentation.  This module reads exactly that part from
the lxml trees the loader has parsed anyway, lazily, with the same semantics as xmlschema
(its complex content extension and restriction, group references, substitution groups,
chameleon includes, typed facet values).

It is a *fast path*, never a second opinion: the schemas' validity is libxml2's verdict
(:mod:`b2b_openapi.xsd.schemacheck`, :mod:`b2b_openapi.codec.validation`), and any
construct read here differently from xmlschema, or not at all, raises :class:`Unsupported`,
on which :mod:`b2b_openapi.xsd.fastpath` loads the service with xmlschema.  The model it
gives must equal the reference's (tests/test_fastpath.py compares both on every service).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from b2b_openapi.codec.modeldecode import DECIMAL_LEXICAL, INTEGER_LEXICAL, collapse, normalize
from b2b_openapi.xsd import kinds

XS_NS = "http://www.w3.org/2001/XMLSchema"
XS = "{" + XS_NS + "}"
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"

_GLOBAL_KINDS = {"element": "element", "complexType": "type", "simpleType": "type",
                 "group": "group", "attributeGroup": "attributeGroup",
                 "attribute": "attribute"}
_MODEL_TAGS = {XS + "sequence", XS + "choice", XS + "all", XS + "group"}
_FACETS = {"length", "minLength", "maxLength", "minInclusive", "maxInclusive",
           "minExclusive", "maxExclusive", "totalDigits", "fractionDigits", "enumeration",
           "pattern"}
_COUNT_FACETS = {"length", "minLength", "maxLength", "totalDigits", "fractionDigits"}


class Unsupported(Exception):
    """A construct this reader leaves to xmlschema (the service takes the reference path)."""


# ----------------------------------------------------------------------- built-in types
# local name -> the built-in it restricts (None: a primitive, or anySimpleType's)
_BUILTIN_BASE: dict[str, str | None] = {
    "anySimpleType": None,
    **dict.fromkeys(("string", "boolean", "decimal", "float", "double", "duration",
                     "dateTime", "time", "date", "gYearMonth", "gYear", "gMonthDay", "gDay",
                     "gMonth", "hexBinary", "base64Binary", "anyURI", "QName", "NOTATION"),
                    "anySimpleType"),
    "normalizedString": "string", "token": "normalizedString", "language": "token",
    "Name": "token", "NCName": "Name", "ID": "NCName", "IDREF": "NCName",
    "ENTITY": "NCName", "NMTOKEN": "token",
    "integer": "decimal", "nonPositiveInteger": "integer", "negativeInteger":
    "nonPositiveInteger", "long": "integer", "int": "long", "short": "int", "byte": "short",
    "nonNegativeInteger": "integer", "unsignedLong": "nonNegativeInteger",
    "unsignedInt": "unsignedLong", "unsignedShort": "unsignedInt",
    "unsignedByte": "unsignedShort", "positiveInteger": "nonNegativeInteger",
}
_BUILTIN_LISTS = {"NMTOKENS", "IDREFS", "ENTITIES"}
_DATES = {"duration", "dateTime", "time", "date", "gYearMonth", "gYear", "gMonthDay", "gDay",
          "gMonth"}


def _ancestry(local: str) -> list[str]:
    chain = [local]
    while (base := _BUILTIN_BASE.get(chain[-1])) is not None:
        chain.append(base)
    return chain


def decode_builtin(local: str, lexical: str) -> Any:
    """A lexical value of built-in ``local`` as xmlschema's decode gives it, in the form the
    builder keeps (dates, times and durations as their stripped text)."""
    chain = _ancestry(local)
    if "integer" in chain:
        text = collapse(lexical)
        if not INTEGER_LEXICAL.fullmatch(text):
            raise Unsupported(f"integer {lexical!r}")
        return int(text)
    if "decimal" in chain:
        text = collapse(lexical)
        if not DECIMAL_LEXICAL.fullmatch(text):
            raise Unsupported(f"decimal {lexical!r}")
        return Decimal(text)
    if local in ("float", "double"):
        text = collapse(lexical)
        special = {"INF": float("inf"), "-INF": float("-inf"), "+INF": None, "NaN": float("nan")}
        if text in special:
            if special[text] is None:
                raise Unsupported("+INF")
            return special[text]
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
            raise Unsupported(f"float {lexical!r}")
        return float(text)
    if local == "boolean":
        text = collapse(lexical)
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise Unsupported(f"boolean {lexical!r}")
    if "string" in chain or local == "anyURI":
        return normalize(chain[0], lexical)  # the nearest built-in's whiteSpace
    if local in _DATES:
        return lexical.strip()
    raise Unsupported(f"values of xs:{local}")


class Builtin:
    """An XSD built-in type (xs:anyType is the one complex one)."""

    LIGHT_KIND = kinds.ATOMIC_BUILTIN

    def __init__(self, local: str) -> None:
        if local in _BUILTIN_LISTS:
            raise Unsupported(f"the built-in list type xs:{local}")
        self.local = local
        self.name = XS + local
        self.facets: dict[str, Any] = {}
        self.annotation = None
        self.abstract = False
        self.block = ""

    @cached_property
    def base_type(self) -> Builtin | None:
        base = _BUILTIN_BASE.get(self.local)
        return builtin(base) if base else None

    def is_global(self) -> bool:
        return True

    def is_complex(self) -> bool:
        return self.local == "anyType"

    def is_list(self) -> bool:
        return False

    def is_union(self) -> bool:
        return False

    def is_empty(self) -> bool:
        return False

    def has_simple_content(self) -> bool:
        """xs:anyType's content is a (mixed) group: a restriction of it with no group of
        its own asks its base this."""
        return False

    def decode(self, lexical: str) -> Any:
        return decode_builtin(self.local, lexical)

    def is_blocked(self, head: Any) -> bool:
        return _is_blocked(self, head)


_BUILTINS: dict[str, Builtin] = {}


def builtin(local: str) -> Builtin:
    if local != "anyType" and local not in _BUILTIN_BASE and local not in _BUILTIN_LISTS:
        raise Unsupported(f"unknown built-in xs:{local}")
    found = _BUILTINS.get(local)
    if found is None:
        found = _BUILTINS[local] = Builtin(local)
    return found


def _primitive_of(xsd_type: Any) -> str:
    """The built-in whose values a simple type's literals are decoded as."""
    t = xsd_type
    while not isinstance(t, Builtin):
        if isinstance(t, ListType | UnionType):
            raise Unsupported("facet values of a list or union type")
        t = t.base_type
        if t is None:  # pragma: no cover - every restriction has a base
            raise Unsupported("a simple type without a base")
    return t.local


# ----------------------------------------------------------------------- documents
@dataclass(eq=False)
class Doc:
    """One schema document read in one namespace (a chameleon include takes the
    including schema's)."""

    root: Any  # the xs:schema lxml element
    path: Path  # the file holding it (the WSDL, for an inline schema)
    namespace: str | None
    chameleon: bool = False

    @property
    def qualified_elements(self) -> bool:
        return bool(self.root.get("elementFormDefault", "unqualified").strip() == "qualified")

    @property
    def qualified_attributes(self) -> bool:
        return bool(self.root.get("attributeFormDefault", "unqualified").strip() == "qualified")

    @property
    def block_default(self) -> str:
        return _derivations(self.root.get("blockDefault", ""))

    def qname(self, elem: Any, value: str) -> str:
        """A QName-valued attribute as ``{namespace}local`` (``local`` for no namespace)."""
        value = value.strip()
        prefix, _, local = value.rpartition(":")
        if prefix:
            namespace = elem.nsmap.get(prefix)
            if namespace is None:
                raise Unsupported(f"undeclared prefix in {value!r}")
        else:
            namespace = elem.nsmap.get(None) or ""
        if not namespace and self.chameleon:
            namespace = self.namespace or ""
        return f"{{{namespace}}}{local}" if namespace else local

    def name(self, local: str) -> str:
        return f"{{{self.namespace}}}{local}" if self.namespace else local


def _derivations(value: str) -> str:
    value = value.strip()
    if value == "#all":
        return "extension restriction substitution"
    return " ".join(value.split())


def _children(elem: Any) -> Iterator[Any]:
    """The element children of ``elem`` (comments and processing instructions skipped)."""
    return (child for child in elem if isinstance(child.tag, str))


def _content_children(elem: Any) -> list[Any]:
    return [child for child in _children(elem) if child.tag != XS + "annotation"]


def _occurs(elem: Any) -> tuple[int, int | None]:
    try:
        low = int(elem.get("minOccurs", "1").strip())
        high_text = elem.get("maxOccurs", "1").strip()
        high = None if high_text == "unbounded" else int(high_text)
    except ValueError:
        raise Unsupported("occurrence bounds") from None
    return low, high


@dataclass(frozen=True)
class Annotation:
    documentation: list[Any]


def _annotation(elem: Any) -> Annotation | None:
    """The annotation of the component ``elem`` defines: its first element child, when
    that is an xs:annotation (xmlschema's ``get_xsd_annotation``)."""
    for child in _children(elem):
        if child.tag == XS + "annotation":
            return Annotation([d for d in _children(child) if d.tag == XS + "documentation"])
        return None
    return None


class _Located:
    """What errors and warnings say about where a component is."""

    elem: Any
    doc: Doc

    @property
    def light_location(self) -> tuple[Path, int | None]:
        line = self.elem.sourceline
        return self.doc.path, int(line) if isinstance(line, int) else None

    @cached_property
    def annotation(self) -> Annotation | None:
        return _annotation(self.elem)


# ----------------------------------------------------------------------- the schema set
class SchemaSet:
    """The global components of every schema document one WSDL (or payload XSD) reaches,
    indexed by kind and qualified name, read on demand."""

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self._seen: set[tuple[Path, str | None, int]] = set()
        self.libxml2: Any = None  # the compiled schema samples are validated against
        # namespaces the reference's maps hold beside these documents' (the shared
        # folders' schemas of its parent): a global declaration there is not known here
        self.elsewhere: frozenset[str] = frozenset()
        self.sample_builder: Any = None  # the model builder the samples are decoded with
        self._defs: dict[tuple[str, str], tuple[Any, Doc]] = {}
        self._built: dict[tuple[str, str], Any] = {}
        self.own_elements: dict[str, Element] = {}  # a payload XSD's own, by local name

    # -- loading
    def add(self, root: Any, path: Path, namespace: str | None, chameleon: bool,
            trees: dict[Path, Any], targets: dict[tuple[Path, str], Path]) -> Doc | None:
        """Add one schema document and, recursively, what it imports and includes (files
        resolved as the loader resolved them: ``targets``)."""
        key = (path, namespace, root.sourceline or 0)
        if key in self._seen:
            return None
        self._seen.add(key)
        doc = Doc(root, path, namespace, chameleon)
        self.docs.append(doc)
        for child in _children(root):
            local = child.tag.rpartition("}")[2] if child.tag.startswith(XS) else None
            if local in ("import", "include", "redefine"):
                self._follow(doc, child, local, trees, targets)
            elif local in _GLOBAL_KINDS:
                self._define(doc, child, local)
        return doc

    def _follow(self, doc: Doc, child: Any, local: str, trees: dict[Path, Any],
               targets: dict[tuple[Path, str], Path]) -> None:
        if local == "redefine":
            raise Unsupported("xs:redefine")
        location = child.get("schemaLocation")
        if not location:
            return  # the namespace comes from elsewhere (another inline schema)
        target = targets.get((doc.path, location))
        if target is None or target not in trees:
            raise Unsupported(f"unresolved schemaLocation {location!r}")
        root = trees[target].getroot()
        declared = root.get("targetNamespace") or None
        if local == "import":
            self.add(root, target, declared, False, trees, targets)
        elif declared is None:  # chameleon: the includer's namespace
            self.add(root, target, doc.namespace, doc.namespace is not None, trees, targets)
        elif declared == doc.namespace:
            self.add(root, target, declared, False, trees, targets)
        else:
            raise Unsupported("an include of another namespace")

    def _define(self, doc: Doc, elem: Any, local: str) -> None:
        name = elem.get("name")
        if name is None:
            raise Unsupported(f"a global xs:{local} without a name")
        key = (_GLOBAL_KINDS[local], doc.name(name.strip()))
        if key in self._defs:
            raise Unsupported(f"{key[1]} defined twice")
        self._defs[key] = (elem, doc)

    # -- lookups
    def defines(self, kind: str, qname: str) -> bool:
        """Whether a global ``kind`` (element, type, group, attributeGroup, attribute)
        named ``qname`` is declared in the set."""
        return (kind, qname) in self._defs

    def _global(self, kind: str, qname: str, make: Any) -> Any:
        built = self._built.get((kind, qname))
        if built is None:
            found = self._defs.get((kind, qname))
            if found is None:
                raise Unsupported(f"no global {kind} {qname}")
            built = self._built[kind, qname] = make(*found)
        return built

    def element(self, qname: str) -> Element:
        result: Element = self._global("element", qname,
                                       lambda elem, doc: Element(self, elem, doc, None))
        return result

    def type(self, qname: str) -> Any:
        if qname.startswith(XS):
            return builtin(qname[len(XS):])

        def make(elem: Any, doc: Doc) -> Any:
            if elem.tag == XS + "complexType":
                return ComplexType(self, elem, doc, qname)
            return simple_type(self, elem, doc, qname)
        return self._global("type", qname, make)

    def group(self, qname: str) -> Group:
        def make(elem: Any, doc: Doc) -> Group:
            inner = _content_children(elem)
            if len(inner) != 1 or inner[0].tag not in _MODEL_TAGS - {XS + "group"}:
                raise Unsupported("a named group without one model group")
            return Group(self, inner[0], doc, occurs=(1, 1))
        result: Group = self._global("group", qname, make)
        return result

    def attribute_group(self, qname: str) -> Attributes:
        result: Attributes = self._global(
            "attributeGroup", qname,
            lambda elem, doc: Attributes.read(self, elem, doc, group=True))
        return result

    def attribute(self, qname: str) -> Attribute:
        result: Attribute = self._global(
            "attribute", qname, lambda elem, doc: Attribute(self, elem, doc, is_global=True))
        return result

    @cached_property
    def substitution_groups(self) -> dict[str, list[Element]]:
        """Head element -> the global elements naming it as their substitutionGroup
        (unless the head blocks substitution, as xmlschema leaves those out)."""
        groups: dict[str, list[Element]] = {}
        for (kind, qname), (elem, doc) in self._defs.items():
            head = elem.get("substitutionGroup") if kind == "element" else None
            if head is None:
                continue
            head_name = doc.qname(elem, head)
            if "substitution" in self.element(head_name).block:
                continue
            groups.setdefault(head_name, []).append(self.element(qname))
        return groups


# ----------------------------------------------------------------------- components
def _declared_name(elem: Any, doc: Doc, is_global: bool, qualified_default: bool) -> str:
    """An element's or attribute's name: qualified when global, else as its ``form`` (or
    the schema's form default) says."""
    local = elem.get("name", "").strip()
    if is_global:
        return doc.name(local)
    form = elem.get("form")
    qualified = form.strip() == "qualified" if form else qualified_default
    return doc.name(local) if qualified else local


def _declared_type(schemas: SchemaSet, elem: Any, doc: Doc, complex_ok: bool) -> Any:
    """The type an element or attribute declaration names (``type=``) or holds inline, or
    None when it has neither."""
    type_name = elem.get("type")
    if type_name is not None:
        return schemas.type(doc.qname(elem, type_name))
    for child in _children(elem):
        if complex_ok and child.tag == XS + "complexType":
            return ComplexType(schemas, child, doc, None)
        if child.tag == XS + "simpleType":
            return simple_type(schemas, child, doc, None)
    return None


class Element(_Located):
    """An element declaration or particle (a global one, a local one, or a ``ref=``)."""

    LIGHT_KIND = kinds.ELEMENT

    def __init__(self, schemas: SchemaSet, elem: Any, doc: Doc, parent: Any) -> None:
        self.schemas, self.elem, self.doc, self.parent = schemas, elem, doc, parent
        self.ref: Element | None = None
        self.name: str
        if parent is not None and elem.get("ref") is not None:
            self.ref = schemas.element(doc.qname(elem, elem.get("ref")))
            self.name = self.ref.name
        else:
            self.name = _declared_name(elem, doc, parent is None, doc.qualified_elements)
        self.min_occurs, self.max_occurs = _occurs(elem) if parent is not None else (1, 1)

    def __repr__(self) -> str:
        return f"light.Element({self.name!r})"

    def is_global(self) -> bool:
        return self.parent is None

    @cached_property
    def type(self) -> Any:
        if self.ref is not None:
            return self.ref.type
        declared = _declared_type(self.schemas, self.elem, self.doc, complex_ok=True)
        if declared is not None:
            return declared
        head = self.elem.get("substitutionGroup") if self.parent is None else None
        if head is not None:
            head_type = self.schemas.element(self.doc.qname(self.elem, head)).type
            if head_type.name != XS + "anyType":
                return head_type
        return builtin("anyType")

    def _own(self, attribute: str) -> str | None:
        source = self.ref if self.ref is not None else self
        value = source.elem.get(attribute)
        return None if value is None else str(value)

    @property
    def nillable(self) -> bool:
        return (self._own("nillable") or "").strip() in ("true", "1")

    @property
    def abstract(self) -> bool:
        source = self.ref if self.ref is not None else self
        return source.parent is None and (source.elem.get("abstract") or "").strip() in (
            "true", "1")

    @property
    def default(self) -> str | None:
        return self._own("default") if self._own("fixed") is None else None

    @property
    def fixed(self) -> str | None:
        return self._own("fixed")

    @property
    def block(self) -> str:
        source = self.ref if self.ref is not None else self
        own = source.elem.get("block")
        return _derivations(own) if own is not None else source.doc.block_default

    def iter_substitutes(self) -> Iterator[Element]:
        if self.parent is not None and self.ref is None:
            return
        for member in self.schemas.substitution_groups.get(self.name, ()):
            if not member.abstract:
                yield member
            for deeper in member.iter_substitutes():
                if not deeper.abstract:
                    yield deeper


class Wildcard(_Located):
    """An xs:any particle or an xs:anyAttribute."""

    LIGHT_KIND = kinds.WILDCARD

    def __init__(self, elem: Any, doc: Doc, particle: bool) -> None:
        self.elem, self.doc = elem, doc
        self.process_contents = elem.get("processContents", "strict").strip()
        self.min_occurs, self.max_occurs = _occurs(elem) if particle else (1, 1)


class Group(_Located):
    """A model group (sequence, choice, all), or a reference to a named one, which holds
    that group as its one particle (as xmlschema's does)."""

    LIGHT_KIND = kinds.GROUP

    def __init__(self, schemas: SchemaSet | None, elem: Any, doc: Doc,
                 occurs: tuple[int, int | None] | None = None, model: str = "sequence",
                 particles: list[Any] | None = None) -> None:
        self.elem, self.doc = elem, doc
        self.min_occurs, self.max_occurs = occurs if occurs is not None else _occurs(elem)
        self.particles: list[Any]
        if particles is not None or elem is None:
            self.model, self.particles = model, particles or []
            return
        assert schemas is not None
        if elem.tag == XS + "group":
            target = schemas.group(doc.qname(elem, elem.get("ref", "")))
            self.model, self.particles = target.model, [target]
            return
        self.model = elem.tag.rpartition("}")[2]
        self.particles = []
        for child in _content_children(elem):
            if child.tag == XS + "element":
                self.particles.append(Element(schemas, child, doc, self))
            elif child.tag == XS + "any":
                self.particles.append(Wildcard(child, doc, particle=True))
            elif child.tag in _MODEL_TAGS:
                self.particles.append(Group(schemas, child, doc))
            else:
                raise Unsupported(f"{child.tag} in a model group")

    def __iter__(self) -> Iterator[Any]:
        return iter(self.particles)

    def __len__(self) -> int:
        return len(self.particles)

    def is_empty(self) -> bool:
        return not self.particles or self.max_occurs == 0

    @property
    def light_location(self) -> tuple[Path, int | None]:
        if self.elem is None:
            return self.doc.path, None
        return super().light_location


def _empty_group(doc: Doc, model: str = "sequence") -> Group:
    return Group(None, None, doc, occurs=(1, 1), model=model, particles=[])


class Attribute(_Located):
    """An attribute declaration (global, local, or a ``ref=`` to a global one)."""

    def __init__(self, schemas: SchemaSet, elem: Any, doc: Doc, is_global: bool) -> None:
        self.schemas, self.elem, self.doc = schemas, elem, doc
        self.ref: Attribute | None = None
        self.name: str
        if not is_global and elem.get("ref") is not None:
            self.ref = schemas.attribute(doc.qname(elem, elem.get("ref")))
            if {"default", "fixed"} & (set(elem.attrib) | set(self.ref.elem.attrib)):
                raise Unsupported("a value constraint on an attribute reference")
            self.name = self.ref.name
        else:
            self.name = _declared_name(elem, doc, is_global, doc.qualified_attributes)
        self.use = elem.get("use", "optional").strip()
        self.default = None if self.ref else elem.get("default")
        self.fixed = None if self.ref else elem.get("fixed")

    @cached_property
    def type(self) -> Any:
        if self.ref is not None:
            return self.ref.type
        declared = _declared_type(self.schemas, self.elem, self.doc, complex_ok=False)
        return declared if declared is not None else builtin("anySimpleType")


class Attributes(dict[str | None, Any]):
    """A complex type's attribute uses by name, its attribute wildcard under ``None``, in
    xmlschema's order: as declared (attribute groups in place, a base type's first), by
    name when there is a wildcard (which comes last)."""

    @classmethod
    def read(cls, schemas: SchemaSet, elem: Any, doc: Doc, group: bool = False) -> Attributes:
        found = cls()
        wildcards = 0
        for child in _children(elem):
            if child.tag == XS + "attribute":
                attribute = Attribute(schemas, child, doc, is_global=False)
                if not (group and attribute.use == "prohibited"):
                    found._put(attribute.name, attribute)
            elif child.tag == XS + "attributeGroup":
                referenced = schemas.attribute_group(doc.qname(child, child.get("ref", "")))
                for name in referenced:
                    if name is None:
                        wildcards += 1
                        found[None] = referenced[None]
                    else:
                        found._put(name, referenced[name])
            elif child.tag == XS + "anyAttribute":
                wildcards += 1
                found[None] = Wildcard(child, doc, particle=False)
        if wildcards > 1:
            raise Unsupported("several attribute wildcards in one type")
        return found

    def _put(self, name: str, attribute: Attribute) -> None:
        if name in self:
            raise Unsupported(f"attribute {name} declared twice")
        self[name] = attribute

    def __iter__(self) -> Iterator[str | None]:
        if None in self.keys():
            return iter(sorted(self.keys(), key=lambda name: (name is None, name or "")))
        return iter(self.keys())


class ComplexType(_Located):
    """A complex type, with xmlschema's content for each derivation."""

    LIGHT_KIND = kinds.OTHER

    def __init__(self, schemas: SchemaSet, elem: Any, doc: Doc, name: str | None) -> None:
        self.schemas, self.elem, self.doc, self.name = schemas, elem, doc, name
        for attribute in ("block", "final"):
            if elem.get(attribute) is not None:
                raise Unsupported(f"{attribute}= on a complex type")
        if (elem.get("mixed") or "").strip() in ("true", "1"):
            raise Unsupported("mixed content")
        self.abstract = (elem.get("abstract") or "").strip() in ("true", "1")
        self.block = doc.block_default
        self.mixed = False
        self.base_type: Any = None
        self.derivation: str | None = None
        self._built = False

    def __repr__(self) -> str:
        return f"light.ComplexType({self.name!r})"

    def is_global(self) -> bool:
        return self.name is not None

    def is_complex(self) -> bool:
        return True

    def is_list(self) -> bool:
        return False

    def is_union(self) -> bool:
        return False

    @cached_property
    def _parts(self) -> tuple[Any, Attributes]:
        """(content, attributes), read once: the content is a :class:`Group` or, for
        simple content, a simple type."""
        inner = _content_children(self.elem)
        first = inner[0] if inner else None
        if first is None or first.tag in (XS + "attribute", XS + "attributeGroup",
                                          XS + "anyAttribute"):
            return _empty_group(self.doc), Attributes.read(self.schemas, self.elem, self.doc)
        if first.tag in _MODEL_TAGS:
            return (Group(self.schemas, first, self.doc),
                    Attributes.read(self.schemas, self.elem, self.doc))
        if len(inner) != 1:
            raise Unsupported("content after simpleContent or complexContent")
        if (first.get("mixed") or "").strip() in ("true", "1"):
            raise Unsupported("mixed content")
        derivations = _content_children(first)
        if len(derivations) != 1 or derivations[0].tag not in (XS + "restriction",
                                                               XS + "extension"):
            raise Unsupported("a content derivation")
        derivation = derivations[0]
        self.derivation = derivation.tag.rpartition("}")[2]
        self.base_type = base = self.schemas.type(
            self.doc.qname(derivation, derivation.get("base", "")))
        if base is self:
            raise Unsupported("a type derived from itself")
        if first.tag == XS + "simpleContent":
            return self._simple_content(derivation, base)
        if first.tag == XS + "complexContent":
            return self._complex_content(derivation, base)
        raise Unsupported(f"{first.tag} in a complex type")

    def _simple_content(self, derivation: Any, base: Any) -> tuple[Any, Attributes]:
        if self.derivation == "extension":
            if not base.is_complex():
                content = base
            elif base.has_simple_content():
                content = base.content
            else:
                raise Unsupported("simpleContent extension of a complex type without it")
            if any(child.tag in _MODEL_TAGS or child.tag == XS + "simpleType"
                   for child in _children(derivation)):
                raise Unsupported("unexpected content in a simpleContent extension")
            return content, self._derived_attributes(derivation, base)
        if not base.is_complex() or not base.has_simple_content():
            raise Unsupported("simpleContent restriction of a base without simple content")
        if any(child.tag == XS + "simpleType" for child in _children(derivation)):
            raise Unsupported("simpleContent restriction with its own simple type")
        content = Restriction(self.schemas, derivation, self.doc, None, base=base)
        return content, self._derived_attributes(derivation, base)

    def _complex_content(self, derivation: Any, base: Any) -> tuple[Any, Attributes]:
        if base.name == XS + "anyType" and self.derivation == "extension":
            raise Unsupported("an extension of xs:anyType")
        groups = [c for c in _content_children(derivation) if c.tag in _MODEL_TAGS]
        own = Group(self.schemas, groups[0], self.doc) if groups else None
        if base.name == XS + "anyType":
            base_content: Group = _empty_group(self.doc)
        else:
            if not base.is_complex() or base.has_simple_content():
                raise Unsupported("complexContent derived from simple content")
            base_content = base.model_group
        if any(_has_wildcard(group) for group in (own, base_content) if group is not None):
            # libxml2 does not check a derived type's content for Unique Particle
            # Attribution the way it checks any other, so an ambiguous one with a wildcard
            # compiles (tests/test_light_reader.py): xmlschema is the one to judge it
            raise Unsupported("a wildcard in the content of a derived complex type")
        if self.derivation == "restriction":
            content = own if own is not None else _empty_group(self.doc, base_content.model)
            return content, self._derived_attributes(derivation, base)
        if base_content.is_empty():
            content = own if own is not None else _empty_group(self.doc)
        elif own is not None:
            content = Group(None, None, self.doc, occurs=(1, 1), model="sequence",
                            particles=[base_content, own])
        else:
            content = Group(None, None, self.doc, occurs=(1, 1), model="sequence",
                            particles=[base_content])
        return content, self._derived_attributes(derivation, base)

    def _derived_attributes(self, derivation: Any, base: Any) -> Attributes:
        """The base's attribute uses, then the derivation's own.  A restriction without
        a wildcard of its own keeps the base's (xs:anyType's too) under ``None``:
        xmlschema keeps a copy matching no namespace, which still makes the type's
        attributes open in the model."""
        own = Attributes.read(self.schemas, derivation, self.doc)
        if base.name == XS + "anyType":
            inherited = Attributes({None: _ANY_TYPE_ATTRIBUTES})
        elif base.is_complex():
            inherited = base.attributes
        else:
            inherited = Attributes()
        if self.derivation == "extension" and None in own and None in inherited:
            raise Unsupported("attribute wildcards in a base and its extension")
        merged = Attributes()  # the base's first, as xmlschema copies them
        for name in inherited:
            merged[name] = inherited[name]
        for name, attribute in own.items():
            merged[name] = attribute
        return merged

    @property
    def content(self) -> Any:
        return self._parts[0]

    @property
    def attributes(self) -> Attributes:
        return self._parts[1]

    @property
    def model_group(self) -> Group | None:
        content = self.content
        return content if isinstance(content, Group) else None

    @property
    def simple_type(self) -> Any:
        content = self.content
        return None if isinstance(content, Group) else content

    def has_simple_content(self) -> bool:
        content = self.content
        if not isinstance(content, Group):
            return not content.is_empty()
        if content or self.base_type is None:
            return False
        return bool(not self.base_type.is_complex() or self.base_type.has_simple_content())

    def is_empty(self) -> bool:
        return bool(self.content.is_empty())

    def is_blocked(self, head: Any) -> bool:
        return _is_blocked(self, head)


class _AnyTypeWildcard:
    """xs:anyType's attribute wildcard (any namespace, lax), as a restriction of
    xs:anyType inherits it."""

    process_contents = "lax"
    min_occurs, max_occurs = 1, 1
    annotation = None


_ANY_TYPE_ATTRIBUTES = _AnyTypeWildcard()


def _has_wildcard(group: Group) -> bool:
    return any(isinstance(p, Wildcard) or (isinstance(p, Group) and _has_wildcard(p))
               for p in group)


def _is_blocked(member_type: Any, head: Any) -> bool:
    """xmlschema's ``is_blocked``: a member of another type than its head's is blocked by
    a ``block`` of the head or of its type (left to xmlschema when there is one)."""
    if member_type is head.type:
        return False
    if f"{head.block} {head.type.block}".strip():
        raise Unsupported("a blocked derivation in a substitution group")
    return False


def simple_type(schemas: SchemaSet, elem: Any, doc: Doc, name: str | None) -> Any:
    """An xs:simpleType: a restriction, a list or a union."""
    if elem.get("final") is not None:
        raise Unsupported("final= on a simple type")
    inner = _content_children(elem)
    if len(inner) != 1:
        raise Unsupported("a simple type without one derivation")
    kind = inner[0].tag
    if kind == XS + "restriction":
        return Restriction(schemas, inner[0], doc, name, outer=elem)
    if kind == XS + "list":
        return ListType(schemas, inner[0], doc, name, outer=elem)
    if kind == XS + "union":
        return UnionType(schemas, inner[0], doc, name, outer=elem)
    raise Unsupported(f"{kind} in a simple type")


class _Simple(_Located):
    LIGHT_KIND = kinds.OTHER
    abstract = False

    @property
    def block(self) -> str:
        return self.doc.block_default

    def is_blocked(self, head: Any) -> bool:
        return _is_blocked(self, head)

    def __init__(self, schemas: SchemaSet, elem: Any, doc: Doc, name: str | None,
                 outer: Any = None) -> None:
        self.schemas, self.elem, self.doc, self.name = schemas, elem, doc, name
        self.outer = outer if outer is not None else elem

    @cached_property
    def annotation(self) -> Annotation | None:
        return _annotation(self.outer)

    @property
    def light_location(self) -> tuple[Path, int | None]:
        line = self.outer.sourceline
        return self.doc.path, int(line) if isinstance(line, int) else None

    def is_global(self) -> bool:
        return self.name is not None

    def is_complex(self) -> bool:
        return False

    def is_empty(self) -> bool:
        return False

    def _inline_or(self, attribute: str) -> Any:
        """The type named by ``attribute`` or else the inline xs:simpleType child."""
        named = self.elem.get(attribute)
        if named is not None:
            return self.schemas.type(self.doc.qname(self.elem, named))
        for child in _children(self.elem):
            if child.tag == XS + "simpleType":
                return simple_type(self.schemas, child, self.doc, None)
        raise Unsupported(f"a simple type without {attribute}")


class Restriction(_Simple):
    """A restriction step: its base and the facets it declares (typed by the base)."""

    def __init__(self, schemas: SchemaSet, elem: Any, doc: Doc, name: str | None,
                 outer: Any = None, base: Any = None) -> None:
        super().__init__(schemas, elem, doc, name, outer)
        self._given_base = base

    def __repr__(self) -> str:
        return f"light.Restriction({self.name!r})"

    @cached_property
    def base_type(self) -> Any:
        if self._given_base is not None:
            return self._given_base
        return self._inline_or("base")

    def _value_base(self) -> Any:
        base = self.base_type
        value = base.content if base.is_complex() else base
        if value.is_list() or value.is_union():
            raise Unsupported("a restriction of a list or union type")
        return value

    def is_list(self) -> bool:
        return bool(self._value_base().is_list())

    def is_union(self) -> bool:
        return bool(self._value_base().is_union())

    @cached_property
    def facets(self) -> dict[str, Facet]:
        found: dict[str, Facet] = {}
        base = self._value_base()
        for child in _content_children(self.elem):
            if child.tag == XS + "simpleType":
                continue
            local = child.tag.rpartition("}")[2] if child.tag.startswith(XS) else ""
            if local not in _FACETS:
                raise Unsupported(f"the facet {child.tag}")
            facet = found.get(XS + local)
            if facet is None:
                found[XS + local] = Facet(self.schemas, local, child, self.doc, base)
            elif local in ("enumeration", "pattern"):
                facet.elems.append(child)
            else:
                raise Unsupported(f"xs:{local} twice in one restriction")
        return found

    def decode(self, lexical: str) -> Any:
        return decode_builtin(_primitive_of(self._value_base()), lexical)

    def is_empty(self) -> bool:
        """xmlschema's: this step's length (else maxLength) is 0, or every value of the
        nearest enumeration is ''.  Simple content of such a type is no simple content."""
        bound = self.facets.get(XS + "length") or self.facets.get(XS + "maxLength")
        if bound is not None and bound.value == 0:
            return True
        step: Any = self
        while isinstance(step, Restriction):
            enumeration = step.facets.get(XS + "enumeration")
            if enumeration is not None:
                return all(value == "" for value in enumeration.enumeration)
            step = step.base_type
            if step.is_complex():
                step = step.content
        return False


class ListType(_Simple):
    LIGHT_KIND = kinds.LIST
    facets: ClassVar[dict[str, Any]] = {}
    base_type = None

    @cached_property
    def item_type(self) -> Any:
        item = self._inline_or("itemType")
        if item.is_list() or item.is_union():
            raise Unsupported("a list of lists or unions")
        return item

    def is_list(self) -> bool:
        return True

    def is_union(self) -> bool:
        return False

    def normalize(self, lexical: str) -> str:
        return collapse(lexical)

    def decode(self, lexical: str) -> list[Any]:
        item = self.item_type
        return [item.decode(token) for token in collapse(lexical).split(" ") if token]


class UnionType(_Simple):
    LIGHT_KIND = kinds.UNION
    facets: ClassVar[dict[str, Any]] = {}
    base_type = None

    @cached_property
    def member_types(self) -> list[Any]:
        """The inline xs:simpleType members, then those of memberTypes: xmlschema's order
        (the model keeps it)."""
        members = [simple_type(self.schemas, child, self.doc, None)
                   for child in _children(self.elem) if child.tag == XS + "simpleType"]
        members += [self.schemas.type(self.doc.qname(self.elem, name))
                    for name in (self.elem.get("memberTypes") or "").split()]
        return members

    def is_list(self) -> bool:
        return False

    def is_union(self) -> bool:
        return True

    def decode(self, lexical: str) -> Any:
        raise Unsupported("values of a union type")


class Facet(_Located):
    """The facets of one kind one restriction step declares (several enumerations or
    patterns are one facet, as in xmlschema)."""

    # the model builder's refusals name a facet's line through xmlschema's schema (an
    # enumeration value with no JSON form, a pattern with no ECMA form): with none they
    # name no line, and the fast path leaves them to the reference, which does
    schema = None

    def __init__(self, schemas: SchemaSet, local: str, elem: Any, doc: Doc,
                 base: Any) -> None:
        self.schemas, self.local, self.elem, self.doc, self.base = (
            schemas, local, elem, doc, base)
        self.elems = [elem]
        if elem.get("fixed") is not None and local in ("enumeration", "pattern"):
            raise Unsupported("fixed= on an enumeration or pattern")

    def __iter__(self) -> Iterator[Any]:
        return iter(self.elems)

    @property
    def value(self) -> Any:
        text = self.elem.get("value", "")
        if self.local in _COUNT_FACETS:  # their values are xs:nonNegativeIntegers
            return decode_builtin("nonNegativeInteger", text)
        return decode_builtin(_primitive_of(self.base), text)

    @property
    def regexps(self) -> list[str]:
        return [str(elem.get("value", "")) for elem in self.elems]

    @property
    def enumeration(self) -> list[Any]:
        primitive = _primitive_of(self.base)
        return [decode_builtin(primitive, elem.get("value", "")) for elem in self.elems]

    def get_annotation(self, index: int) -> Annotation | None:
        return _annotation(self.elems[index])


# ----------------------------------------------------------------------- WSDL 1.1
@dataclass(frozen=True)
class Message:
    name: str
    local_name: str
    parts: dict[str, Any]


@dataclass(frozen=True)
class MessageRef:
    message: Message | None


@dataclass(frozen=True)
class PortOperation:
    elem: Any
    input: MessageRef | None
    output: MessageRef | None
    faults: dict[str, MessageRef]


@dataclass(frozen=True)
class PortType:
    operations: dict[tuple[str, str | None, str | None], PortOperation]


class WsdlDocument:
    """What the loader reads of a WSDL besides its bindings: messages and their parts
    (the schema components they name), port types, the target namespace."""

    def __init__(self, root: Any, schemas: SchemaSet) -> None:
        self.root = root
        self.schemas = schemas
        self.target_namespace = str(root.get("targetNamespace") or "")
        if root.find(WSDL + "import") is not None:
            raise Unsupported("wsdl:import")
        self.messages = {self._name(e): self._message(e) for e in root.iter(WSDL + "message")}
        self.port_types = {self._name(e): self._port_type(e)
                           for e in root.iter(WSDL + "portType")}

    def _name(self, elem: Any) -> str:
        name = str(elem.get("name", ""))
        return f"{{{self.target_namespace}}}{name}" if self.target_namespace else name

    def _qname(self, elem: Any, value: str) -> str:
        prefix, _, local = value.strip().rpartition(":")
        namespace = elem.nsmap.get(prefix or None)
        if prefix and namespace is None:
            raise Unsupported(f"undeclared prefix in {value!r}")
        return f"{{{namespace}}}{local}" if namespace else local

    def _message(self, elem: Any) -> Message:
        parts: dict[str, Any] = {}
        for part in elem.iter(WSDL + "part"):
            element, type_name = part.get("element"), part.get("type")
            if (element is None) == (type_name is None):
                raise Unsupported("a part with neither or both of element= and type=")
            if element is not None:
                parts[str(part.get("name"))] = self.schemas.element(self._qname(part, element))
            else:
                parts[str(part.get("name"))] = self.schemas.type(self._qname(part, type_name))
        name = self._name(elem)
        return Message(name, str(elem.get("name", "")), parts)

    def _ref(self, elem: Any | None) -> MessageRef | None:
        if elem is None:
            return None
        message = elem.get("message")
        return MessageRef(self.messages.get(self._qname(elem, message)) if message else None)

    def _port_type(self, elem: Any) -> PortType:
        operations: dict[tuple[str, str | None, str | None], PortOperation] = {}
        for op in elem.iter(WSDL + "operation"):
            ins, outs = op.find(WSDL + "input"), op.find(WSDL + "output")
            faults: dict[str, MessageRef] = {}
            for fault in op.iter(WSDL + "fault"):
                ref = self._ref(fault)
                assert ref is not None
                faults[str(fault.get("name"))] = ref
            key = (str(op.get("name")), None if ins is None else ins.get("name"),
                   None if outs is None else outs.get("name"))
            operations[key] = PortOperation(op, self._ref(ins), self._ref(outs), faults)
        return PortType(operations)
