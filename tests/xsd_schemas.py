"""Hypothesis strategies for whole throw-away services: a document/literal WSDL in the
corpus layout whose one operation's input, output and fault parts name global elements of
the XSDs beside it, and those XSDs drawn from the constructs CAISO's schemas use (and a
few they do not).

tests/test_light_reader.py loads each service with xmlschema (the reference) and with the
light reader of the spec stage's fast path, which must give the same model or step aside.

Three schema documents, so that both namespaces and a chameleon include are exercised:

* ``A.xsd`` (namespace ``urn:lp:a``, the default namespace there too) holds the message
  elements; it imports ``B.xsd`` and includes ``Common.xsd``;
* ``B.xsd`` (namespace ``urn:lp:b``) holds its own types, elements and attributes;
* ``Common.xsd`` has no target namespace: its components take A's (a chameleon include).

Every component is reachable from a message element (the reader is lazy: what no message
reaches is never compared), and every local element has a name of its own (no two
particles compete for one element, so content models are deterministic by construction,
except where a wildcard or a substitution group is drawn on purpose).  Values (facets,
defaults) are drawn valid for their types, so that most services are valid and the
comparison is about the model; the ones xmlschema refuses still check that the fast path
gives the reference's error.

``constructs`` names what each service uses, so the test can tell how often each one
makes the light reader step aside (``RARE`` lists the constructs it may step aside for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

NS = {"A": "urn:lp:a", "B": "urn:lp:b"}
SERVICE = "RetrieveThing_TESTv1"

# Constructs the light reader may leave to xmlschema (its Unsupported cases).  A service
# drawn without them must take the fast path.
RARE = frozenset({
    "builtin-list-type",  # xs:NMTOKENS, xs:IDREFS, xs:ENTITIES
    "mixed",
    "block-final",
    "list-restriction",  # a restriction of a list or union type
    "union-value",  # a default/fixed/enumeration value of a union type
    "attribute-ref-value",  # default=/fixed= on an attribute reference or its global
    "wildcard-attribute-extension",  # anyAttribute in a base and in its extension
    "anytype-extension",  # complexContent extension of xs:anyType
    "blocked-substitution",  # block= on a substitution group head
    "binary-value",  # a default, fixed or enumeration value of hexBinary or base64Binary
    "overlapping-wildcard",  # an xs:any that may match the elements beside it
    "derived-wildcard",  # an xs:any in a complexContent derivation's content (its own or
    # its base's): libxml2 does not check such content for ambiguity, so the fast path
    # leaves it to xmlschema
})

# built-in -> family (how its values are drawn and ordered)
BUILTINS = {
    "string": "string", "normalizedString": "string", "token": "string",
    "NCName": "name", "Name": "name", "NMTOKEN": "name", "language": "language",
    "decimal": "decimal", "integer": "integer", "int": "integer", "long": "integer",
    "short": "integer", "byte": "integer", "nonNegativeInteger": "natural",
    "positiveInteger": "positive", "unsignedInt": "natural", "unsignedShort": "natural",
    "unsignedByte": "natural", "nonPositiveInteger": "nonpositive",
    "negativeInteger": "negative",
    "float": "float", "double": "float", "boolean": "boolean",
    "date": "date", "dateTime": "dateTime", "time": "time", "duration": "duration",
    "gYear": "gYear", "anyURI": "uri", "hexBinary": "hex", "base64Binary": "base64",
}
_STRINGY = {"string", "name", "language", "uri", "hex", "base64"}
_ORDERED = {"decimal", "integer", "natural", "positive", "nonpositive", "negative", "float",
            "date", "dateTime", "gYear"}
_INTEGERS = {"integer", "natural", "positive", "nonpositive", "negative"}


def _ordered_value(family: str, n: int) -> str:
    """A lexical value of an ordered family, increasing with ``n`` (0..99)."""
    if family == "decimal":
        return f"{n - 50}.{n % 7}5"
    if family == "integer":
        return str(n - 50)
    if family == "natural":
        return str(n)
    if family == "positive":
        return str(n + 1)
    if family == "nonpositive":
        return str(n - 99)
    if family == "negative":
        return str(n - 100)
    if family == "float":  # both spellings increase with n
        return f"{n - 50}.5" if n % 2 else f"{n - 50}5E-1"
    if family == "date":
        return f"20{10 + n // 12:02d}-{n % 12 + 1:02d}-1{n % 9}"
    if family == "dateTime":
        return f"20{10 + n // 12:02d}-{n % 12 + 1:02d}-1{n % 9}T0{n % 10}:30:00"
    if family == "gYear":
        return str(1950 + n)
    raise AssertionError(family)


@st.composite
def _lexical(draw: Any, family: str) -> str:
    """One valid lexical value of ``family``, with the whitespace and spellings a value
    may have (the reader must decode it as xmlschema does)."""
    if family in _ORDERED:
        value = _ordered_value(family, draw(st.integers(0, 99)))
        if family == "float":
            value = draw(st.sampled_from([value, value, "INF", "-INF", ".5", "7."]))
        if family in _INTEGERS and not value.startswith("-"):
            value = draw(st.sampled_from([value, "+" + value, "00" + value]))
        return value
    core = draw(st.from_regex(r"[A-Z][a-z0-9]{0,4}", fullmatch=True))
    if family == "string":
        return draw(st.sampled_from([core, f" {core} x", f"{core}  y"]))
    if family == "name":
        return core
    if family == "language":
        return draw(st.sampled_from(["en", "en-US", "fr"]))
    if family == "uri":
        return draw(st.sampled_from([f"http://example.com/{core}", f"urn:x:{core}",
                                     core]))
    if family == "hex":
        return draw(st.sampled_from(["0A1B", "ff", ""]))
    if family == "base64":
        return draw(st.sampled_from(["AAEC", "QUJD", ""]))
    if family == "boolean":
        return draw(st.sampled_from(["true", "false", "1", "0", " true "]))
    if family == "time":
        return draw(st.sampled_from(["12:30:00", "00:00:00Z", "23:59:59+01:00"]))
    if family == "duration":
        return draw(st.sampled_from(["P1D", "PT1H30M", "-P1Y2M", "P0D"]))
    raise AssertionError(family)


@dataclass
class Simple:
    """A simple type the generator can refer to: a built-in or a named user type."""

    doc: str  # "xs", "A", "B" or "C"
    name: str
    family: str | None  # None: a list or a union (no facets drawn over it)
    enum: list[str] | None = None  # its enumeration, when it has one
    sample: str | None = None  # a value valid for it (for defaults), when known
    variety: str = "atomic"


@dataclass
class Complex:
    doc: str
    name: str
    content: str  # "empty", "sequence", "choice", "all", "simple"
    group: str = ""  # the content group's text (a restriction copies it)
    simple: Simple | None = None  # for simple content: the value type
    wildcard_attribute: bool = False
    base: tuple[str, str] | None = None  # (document, name) of the type it extends
    has_wildcard: bool = False  # an xs:any in its content (through group references too)


@dataclass
class Built:
    """One generated service: its files (name -> text) and the constructs it uses."""

    files: dict[str, str]
    constructs: frozenset[str]


@dataclass
class _Gen:
    draw: Any
    rare: bool
    n: int = 0
    used: set[str] = field(default_factory=set)
    simples: list[Simple] = field(default_factory=list)
    complexes: list[Complex] = field(default_factory=list)
    elements: list[tuple[str, str]] = field(default_factory=list)  # (doc, name) to ref
    groups: list[tuple[str, str]] = field(default_factory=list)
    attributes: list[tuple[str, str]] = field(default_factory=list)
    attribute_groups: list[tuple[str, str]] = field(default_factory=list)
    body: dict[str, list[str]] = field(
        default_factory=lambda: {"A": [], "B": [], "C": []})
    enabled: frozenset[str] = frozenset()  # the rare constructs this service may use
    reach: list[str] = field(default_factory=list)  # A particles reaching everything
    heads: list[tuple[str, str, Complex]] = field(default_factory=list)
    qualified: dict[str, bool] = field(default_factory=dict)
    wildcards_drawn: int = 0  # xs:any particles drawn so far (group refs to one included)
    wild_groups: set[tuple[str, str]] = field(default_factory=set)  # named groups with one

    # -- helpers
    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def coin(self, p: float = 0.5) -> bool:
        return bool(self.draw(st.floats(0, 1)) < p)

    def pick(self, items: list[Any]) -> Any:
        return self.draw(st.sampled_from(items))

    def rare_ok(self, construct: str, p: float) -> bool:
        """Whether to use rare ``construct`` here: only in services drawn with it."""
        return construct in self.enabled and self.coin(p)

    def use(self, construct: str) -> None:
        self.used.add(construct)

    @staticmethod
    def visible(doc: str, owner: str) -> bool:
        return owner == "xs" or owner == doc or doc == "A"

    def ref(self, doc: str, owner: str, name: str) -> str:
        """How document ``doc`` names a component ``name`` of document ``owner``."""
        if owner == "xs":
            return "xs:" + name
        if owner == "B":
            return "b:" + name
        if doc == "C":
            return name  # the chameleon's own: the includer's namespace
        return self.pick(["a:" + name, name]) if doc == "A" else "a:" + name

    def docs(self) -> str:
        """An annotation, sometimes several documentation elements, with whitespace."""
        parts = []
        if self.coin(0.2):
            parts.append("<xs:appinfo><x:info xmlns:x='urn:x'>i</x:info></xs:appinfo>")
        for _ in range(self.draw(st.integers(1, 3))):
            text = self.pick(["Plain doc.", "  Spaced\n   doc\ttext.  ", "", "A &amp; B"])
            lang = self.pick(["", " xml:lang='en'"])
            parts.append(f"<xs:documentation{lang}>{text}</xs:documentation>")
        self.use("documentation")
        comment = "<!-- not the annotation -->" if self.coin(0.2) else ""
        return f"{comment}<xs:annotation>" + "".join(parts) + "</xs:annotation>"

    def maybe_docs(self, p: float = 0.15) -> str:
        return self.docs() if self.coin(p) else ""

    def occurs(self, low_max: int = 2) -> str:
        low = self.draw(st.integers(0, low_max))
        high = self.pick([None, low, max(low, 1), low + 2, "unbounded"])
        text = "" if low == 1 else f" minOccurs='{low}'"
        if high is not None and high != 1:
            text += f" maxOccurs='{high}'"
        elif high is None and low > 1:
            text += f" maxOccurs='{low}'"
        if low != 1 or high not in (None, 1):
            self.use("occurs")
        return text

    # -- simple types
    def builtin(self) -> Simple:
        name = self.pick(sorted(BUILTINS))
        family = BUILTINS[name]
        sample = self.draw(_lexical(family)) if family != "language" else "en"
        if sample in ("INF", "-INF"):  # as a default: a refusal of the project's own
            sample = "1.5"
        if family in ("hex", "base64"):
            if self.rare_ok("binary-value", 0.5):
                self.use("binary-value")
            else:
                sample = None
        return Simple("xs", name, family, sample=sample)

    def simple_ref(self, doc: str) -> Simple:
        choices = [s for s in self.simples if self.visible(doc, s.doc)]
        if choices and self.coin(0.6):
            return self.pick(choices)  # type: ignore[no-any-return]
        if self.rare_ok("builtin-list-type", 0.1):
            self.use("builtin-list-type")
            return Simple("xs", self.pick(["NMTOKENS", "IDREFS"]), None, variety="list")
        return self.builtin()

    def facets(self, base: Simple) -> tuple[str, list[str] | None, str | None]:
        """Facets valid over ``base``: (text, enumeration, a valid sample)."""
        family = base.family
        assert family is not None
        if base.enum is not None:  # restricting an enumeration: a subset of it
            subset = self.draw(st.lists(st.sampled_from(base.enum), min_size=1,
                                        unique=True))
            return self.enumeration(subset), subset, subset[0]
        kinds = ["enumeration", "pattern", "range", "length", "digits", "none"]
        if base.doc != "xs":  # new bounds or values would have to respect the base's
            kinds = ["pattern", "none"]
        kind = self.pick(kinds)
        if kind == "enumeration" and family in ("hex", "base64"):
            if self.rare_ok("binary-value", 0.5):
                self.use("binary-value")
            else:
                kind = "length"
        if kind == "enumeration" and family != "boolean":
            values = self.draw(st.lists(_lexical(family), min_size=1, max_size=4,
                                        unique_by=lambda v: " ".join(v.split()).lower()))
            if family == "float":  # (an infinite one is a refusal of the project's own)
                values = [v for v in values if v not in ("7.", ".5", "INF", "-INF")] or ["1.5"]
            self.use("enumeration")
            return self.enumeration(values), values, values[0]
        if kind == "pattern":
            self.use("pattern")
            return (f"<xs:pattern value='[A-Za-z0-9 .:+-]*'>{self.maybe_docs(0.2)}"
                    "</xs:pattern>" + self.pick(["", "<xs:pattern value='.*'/>"])), None, None
        if kind == "range" and family in _ORDERED:
            low, high = sorted(self.draw(st.lists(st.integers(0, 99), min_size=2,
                                                  max_size=2, unique=True)))
            lows = self.pick(["minInclusive", "minExclusive", None])
            highs = self.pick(["maxInclusive", "maxExclusive", None])
            text = ""
            if lows:
                text += f"<xs:{lows} value='{_ordered_value(family, low)}'/>"
            if highs:
                text += f"<xs:{highs} value='{_ordered_value(family, high)}'/>"
            self.use("range")
            sample = _ordered_value(family, low) if lows == "minInclusive" else None
            return text, None, sample
        if kind == "length" and family in _STRINGY | {"string"} and base.doc == "xs":
            low = self.draw(st.integers(0, 5))
            self.use("length")
            if self.coin(0.3):
                fixed = self.pick(["", " fixed='true'", " fixed='false'"])
                return f"<xs:length value=' {low} '{fixed}/>", None, None
            return (f"<xs:minLength value='{low}'/>"
                    f"<xs:maxLength value='{low + self.draw(st.integers(0, 40))}'/>",
                    None, None)
        if kind == "digits" and family in {"decimal", "integer"} and base.doc == "xs":
            total = self.draw(st.integers(1, 18))
            text = f"<xs:totalDigits value='{total}'/>"
            if family == "decimal":
                text += f"<xs:fractionDigits value='{self.draw(st.integers(0, total))}'/>"
            self.use("digits")
            return text, None, None
        return "", None, base.sample

    def enumeration(self, values: list[str]) -> str:
        return "".join(f"<xs:enumeration value='{v}'>{self.maybe_docs(0.4)}</xs:enumeration>"
                       if self.coin(0.5) else f"<xs:enumeration value='{v}'/>"
                       for v in values)

    def simple_type(self, doc: str, name: str | None) -> tuple[str, Simple]:
        """An xs:simpleType (named when ``name``): a restriction, a list or a union."""
        named = f" name='{name}'" if name else ""
        owner = doc if name else "anon"
        variety = self.pick(["restriction"] * 6 + ["list", "union"])
        lead = self.maybe_docs()
        if variety == "list":
            item = self.simple_ref(doc)
            while item.family is None:
                item = self.builtin()
            self.use("list")
            sample = f"{item.sample} {item.sample}" if item.sample is not None else None
            if self.coin(0.3):
                text, inner = self.simple_type(doc, None)
                while inner.family is None:
                    text, inner = self.simple_type(doc, None)
                body = f"<xs:list>{text}</xs:list>"
                sample = None
            else:
                body = f"<xs:list itemType='{self.ref(doc, item.doc, item.name)}'/>"
            if self.rare_ok("list-restriction", 0.3):
                self.use("list-restriction")
                outer = f"<xs:simpleType{named}>{lead}<xs:restriction>" \
                    f"<xs:simpleType>{body}</xs:simpleType><xs:maxLength value='3'/>" \
                    f"</xs:restriction></xs:simpleType>"
                return outer, Simple(owner, name or "", None, variety="list")
            return (f"<xs:simpleType{named}>{lead}{body}</xs:simpleType>",
                    Simple(owner, name or "", None, sample=sample, variety="list"))
        if variety == "union":
            members = [self.simple_ref(doc) for _ in range(self.draw(st.integers(1, 2)))]
            members = [m for m in members if m.family is not None] or [self.builtin()]
            refs = " ".join(self.ref(doc, m.doc, m.name) for m in members)
            inline = ""
            if self.coin(0.4):
                text, _inner = self.simple_type(doc, None)
                inline = text
            self.use("union")
            return (f"<xs:simpleType{named}>{lead}<xs:union memberTypes='{refs}'>{inline}"
                    f"</xs:union></xs:simpleType>",
                    Simple(owner, name or "", None, sample=members[0].sample,
                           variety="union"))
        base = self.simple_ref(doc)
        while base.family is None:
            base = self.builtin()
        text, enum, sample = self.facets(base)
        return (f"<xs:simpleType{named}>{lead}<xs:restriction base="
                f"'{self.ref(doc, base.doc, base.name)}'>{text}</xs:restriction>"
                f"</xs:simpleType>",
                Simple(owner, name or "", base.family, enum, sample))

    def named_simple(self, doc: str) -> None:
        name = self.fresh("S")
        text, info = self.simple_type(doc, name)
        self.body[doc].append(text)
        self.simples.append(info)
        self.reach_type(info.doc, name)

    # -- attributes
    def value_constraint(self, simple: Simple, p: float = 0.2) -> str:
        if simple.sample is None or not self.coin(p):
            return ""
        if simple.variety == "union":
            if not self.rare_ok("union-value", 1.0):
                return ""
            self.use("union-value")
        self.use("default-fixed")
        return f" {self.pick(['default', 'fixed'])}='{simple.sample}'"

    def attribute_decl(self, doc: str, name: str, is_global: bool) -> str:
        simple_text, simple = "", None
        if self.coin(0.2):
            simple_text, simple = self.simple_type(doc, None)
            type_attr = ""
        else:
            simple = self.simple_ref(doc)
            type_attr = f" type='{self.ref(doc, simple.doc, simple.name)}'"
        extra = ""
        if not is_global:
            form = self.pick(["", "", " form='qualified'", " form='unqualified'"])
            if form:
                self.use("attribute-form")
            extra += form
            constraint = self.value_constraint(simple)
            use = self.pick(["", " use='optional'", " use='required'"])
            if "default" in constraint:
                use = ""
            extra += use + constraint
        elif self.rare_ok("attribute-ref-value", 0.3):
            value = self.value_constraint(simple, 1.0)
            if value:
                self.use("attribute-ref-value")
            extra += value
        return (f"<xs:attribute name='{name}'{type_attr}{extra}>{self.maybe_docs(0.2)}"
                f"{simple_text}</xs:attribute>")

    def attribute_uses(self, doc: str, wildcard_ok: bool = True) -> tuple[str, bool]:
        """Attribute uses of a complex type: local ones, refs, groups, a wildcard."""
        parts = []
        wildcard = False
        for _ in range(self.draw(st.integers(0, 3))):
            kind = self.pick(["local", "local", "ref", "group"])
            refs = [a for a in self.attributes if self.visible(doc, a[0])]
            groups = [g for g in self.attribute_groups if self.visible(doc, g[0])]
            if kind == "ref" and refs:
                owner, name = self.pick(refs)
                use = self.pick(["", " use='required'"])
                parts.append(f"<xs:attribute ref='{self.ref(doc, owner, name)}'{use}/>")
                self.use("attribute-ref")
                self.attributes.remove((owner, name))  # twice in one type is an error
            elif kind == "group" and groups:
                owner, name = self.pick(groups)
                parts.append(f"<xs:attributeGroup ref='{self.ref(doc, owner, name)}'/>")
                self.use("attribute-group")
                # its names are fresh: using one group twice repeats them
                self.attribute_groups.remove((owner, name))
            else:
                parts.append(self.attribute_decl(doc, self.fresh("at"), False))
                self.use("attribute")
        if wildcard_ok and self.coin(0.15):
            wildcard = True
            process = self.pick(["", " processContents='lax'", " processContents='skip'"])
            namespace = self.pick(["", " namespace='##other'", " namespace='##any'"])
            parts.append(f"<xs:anyAttribute{namespace}{process}/>")
            self.use("any-attribute")
        return "".join(parts), wildcard

    # -- particles
    def element_particle(self, doc: str, depth: int, in_all: bool = False) -> str:
        occurs = self.occurs(1) if not in_all else self.pick(["", " minOccurs='0'"])
        refs = [e for e in self.elements if self.visible(doc, e[0])]
        if refs and self.coin(0.2):
            owner, name = self.pick(refs)
            self.elements.remove((owner, name))  # one use each: no competing particles
            self.use("element-ref")
            return f"<xs:element ref='{self.ref(doc, owner, name)}'{occurs}/>"
        name = self.fresh("e")
        form = ""
        if self.coin(0.15):
            form = self.pick([" form='qualified'", " form='unqualified'"])
            self.use("element-form")
        nillable = ""
        if self.coin(0.15):
            nillable = self.pick([" nillable='true'", " nillable='false'", " nillable='1'"])
            self.use("nillable")
        lead = self.maybe_docs(0.25)
        roll = self.draw(st.integers(0, 9))
        if roll < 2 and depth > 0:
            inner = self.complex_body(doc, depth - 1)
            return (f"<xs:element name='{name}'{form}{occurs}{nillable}>{lead}"
                    f"<xs:complexType>{inner[0]}</xs:complexType></xs:element>")
        if roll < 3:
            text, simple = self.simple_type(doc, None)
            return (f"<xs:element name='{name}'{form}{occurs}{nillable}"
                    f"{self.value_constraint(simple)}>{lead}{text}</xs:element>")
        complexes = [c for c in self.complexes if self.visible(doc, c.doc)]
        if roll < 6 and complexes:
            target = self.pick(complexes)
            value = ""
            if target.content == "simple" and target.simple is not None:
                value = self.value_constraint(target.simple)
            return (f"<xs:element name='{name}' type='{self.ref(doc, target.doc, target.name)}'"
                    f"{form}{occurs}{nillable}{value}>{lead}</xs:element>")
        simple = self.simple_ref(doc)
        return (f"<xs:element name='{name}' type='{self.ref(doc, simple.doc, simple.name)}'"
                f"{form}{occurs}{nillable}{self.value_constraint(simple)}>{lead}"
                f"</xs:element>")

    def wildcard(self) -> str:
        """An xs:any: of namespaces no element here has (the corpus's kind), or, as a rare
        construct, one that may overlap the elements (often ambiguous: then a refusal)."""
        namespace = self.pick([" namespace='urn:x-other'", " namespace='urn:x-other urn:x-y'"])
        if self.rare_ok("overlapping-wildcard", 0.5):
            namespace = self.pick(["", " namespace='##other'", " namespace='##any'",
                                   " namespace='##targetNamespace ##local'"])
            self.use("overlapping-wildcard")
        process = self.pick(["", " processContents='lax'", " processContents='skip'",
                             " processContents='strict'"])
        occurs = self.pick(["", " minOccurs='0'", " maxOccurs='unbounded'",
                            " minOccurs='0' maxOccurs='unbounded'", " maxOccurs='3'"])
        self.use("any")
        return f"<xs:any{namespace}{process}{occurs}/>"

    def model_group(self, doc: str, depth: int, top: bool = False,
                    models: tuple[str, ...] = ("sequence", "sequence", "choice", "all"),
                    in_repeat: bool = False, wildcards: bool = True) -> tuple[str, str]:
        """A sequence, choice or all (an all only where XSD 1.0 allows it: at the top,
        once, holding elements).  Within a repeating group, sequences hold one particle:
        a repeating sequence of several elements is a refusal of the project's own."""
        model = self.pick(list(models if top else ("sequence", "choice")))
        self.use(model)
        lead = self.maybe_docs(0.1)
        if model == "all":
            occurs = self.pick(["", " minOccurs='0'"])
            items = [self.element_particle(doc, depth, in_all=True)
                     for _ in range(self.draw(st.integers(1, 4)))]
            return f"<xs:all{occurs}>{lead}{''.join(items)}</xs:all>", model
        occurs = "" if top else self.pick(["", "", " minOccurs='0'", " minOccurs='0'",
                                           self.occurs(1)])
        in_repeat = in_repeat or "maxOccurs" in occurs
        most = 1 if in_repeat and model == "sequence" else 4
        items = []
        for _ in range(self.draw(st.integers(0 if not top else 1, most))):
            kind = self.draw(st.integers(0, 9))
            groups = [g for g in self.groups if self.visible(doc, g[0])
                      and (wildcards or g not in self.wild_groups)]
            if kind < 6 or depth == 0:
                items.append(self.element_particle(doc, depth))
            elif kind < 8:
                items.append(self.model_group(doc, depth - 1, in_repeat=in_repeat,
                                              wildcards=wildcards)[0])
            elif groups and not in_repeat:
                owner, name = self.pick(groups)
                self.groups.remove((owner, name))
                if (owner, name) in self.wild_groups:
                    self.wildcards_drawn += 1
                self.use("group-ref")
                items.append(f"<xs:group ref='{self.ref(doc, owner, name)}'"
                             f"{self.pick(['', ' minOccurs=' + chr(39) + '0' + chr(39)])}/>")
        if wildcards and model == "sequence" and not in_repeat and self.coin(0.15):
            items.append(self.wildcard())
            self.wildcards_drawn += 1
        return f"<xs:{model}{occurs}>{lead}{''.join(items)}</xs:{model}>", model

    # -- complex types
    def complex_body(self, doc: str, depth: int) -> tuple[str, Complex]:
        """The inside of an xs:complexType and what it is."""
        info = Complex(doc, "", "empty")
        lead = self.maybe_docs(0.3)
        same_doc = [c for c in self.complexes if c.doc == doc]
        visible = [c for c in self.complexes if self.visible(doc, c.doc)]
        roll = self.draw(st.integers(0, 11))
        if roll < 4:
            before = self.wildcards_drawn
            group, model = self.model_group(doc, depth, top=True)
            info.has_wildcard = self.wildcards_drawn > before
            attrs, info.wildcard_attribute = self.attribute_uses(doc)
            info.content, info.group = model, group
            return lead + group + attrs, info
        if roll < 5:
            attrs, info.wildcard_attribute = self.attribute_uses(doc)
            self.use("empty-content")
            return lead + attrs, info
        if roll < 7:  # simple content extension of a simple type or simple-content type
            with_simple = [c for c in visible if c.content == "simple"]
            if with_simple and self.coin(0.4):
                base = self.pick(with_simple)
                base_ref = self.ref(doc, base.doc, base.name)
                info.simple = base.simple
                wildcard_ok = not base.wildcard_attribute
                if not wildcard_ok and self.rare_ok("wildcard-attribute-extension", 0.5):
                    wildcard_ok = True
                    self.use("wildcard-attribute-extension")
                attrs, own_wildcard = self.attribute_uses(doc, wildcard_ok)
                info.wildcard_attribute = own_wildcard or base.wildcard_attribute
            else:
                simple = self.simple_ref(doc)
                base_ref = self.ref(doc, simple.doc, simple.name)
                info.simple = simple
                attrs, info.wildcard_attribute = self.attribute_uses(doc)
            info.content = "simple"
            self.use("simple-content-extension")
            return (lead + f"<xs:simpleContent><xs:extension base='{base_ref}'>{attrs}"
                    f"</xs:extension></xs:simpleContent>"), info
        if roll < 8:  # simple content restriction
            with_simple = [c for c in same_doc if c.content == "simple" and c.simple
                           and c.simple.family is not None]
            if with_simple:
                base = self.pick(with_simple)
                assert base.simple is not None
                if base.wildcard_attribute:
                    self.use("wildcard-attribute-restriction")
                facets, enum, sample = self.facets(base.simple)
                info.content = "simple"
                info.simple = Simple("anon", "", base.simple.family, enum, sample)
                info.wildcard_attribute = base.wildcard_attribute
                self.use("simple-content-restriction")
                return (lead + "<xs:simpleContent><xs:restriction base="
                        f"'{self.ref(doc, base.doc, base.name)}'>{facets}</xs:restriction>"
                        "</xs:simpleContent>"), info
        if roll < 10:  # complex content extension
            derived_wildcard = self.rare_ok("derived-wildcard", 0.5)
            bases = [c for c in visible if c.content in ("empty", "sequence", "choice")
                     and (derived_wildcard or not c.has_wildcard)]
            if self.rare_ok("anytype-extension", 0.3):
                self.use("anytype-extension")
                bases = [Complex("xs", "anyType", "sequence")]
            if bases:
                base = self.pick(bases)
                own, model = ("", "none")
                before = self.wildcards_drawn
                if self.coin(0.7) and base.name != "anyType":  # anyType's is mixed
                    own, model = self.model_group(
                        doc, depth, top=True,
                        models=("sequence", "choice") if base.content != "empty"
                        else ("sequence", "choice", "all"), wildcards=derived_wildcard)
                info.has_wildcard = base.has_wildcard or self.wildcards_drawn > before
                if info.has_wildcard:
                    self.use("derived-wildcard")
                wildcard_ok = not base.wildcard_attribute
                if not wildcard_ok and self.rare_ok("wildcard-attribute-extension", 0.5):
                    wildcard_ok = True
                    self.use("wildcard-attribute-extension")
                attrs, own_wildcard = self.attribute_uses(doc, wildcard_ok)
                info.content = "sequence" if base.content != "empty" or model == "none" \
                    else model
                if base.content == "empty" and model == "none":
                    info.content = "empty"
                info.wildcard_attribute = own_wildcard or base.wildcard_attribute
                self.use("complex-content-extension")
                info.base = (base.doc, base.name)
                self.use("extension-own-group" if own else "extension-no-group")
                self.use("extension-of-empty" if base.content == "empty"
                         else "extension-of-content")
                mixed = ""
                if self.rare_ok("mixed", 0.3):
                    mixed = " mixed='true'"
                    self.use("mixed")
                return (lead + f"<xs:complexContent{mixed}><xs:extension base="
                        f"'{self.ref(doc, base.doc, base.name)}'>{own}{attrs}</xs:extension>"
                        "</xs:complexContent>"), info
        # complex content restriction: of a same-document type (its group copied, so
        # its local elements are the same declarations) or of xs:anyType
        # (an inline type copied is another type: not a restriction of the base's)
        derived_wildcard = self.rare_ok("derived-wildcard", 0.5)
        bases = [c for c in same_doc if (c.group or c.content == "empty")
                 and "Type" not in c.group and (derived_wildcard or not c.has_wildcard)]
        self.use("complex-content-restriction")
        if bases and self.coin(0.7):
            base = self.pick(bases)
            info.has_wildcard = base.has_wildcard
            if base.has_wildcard:
                self.use("derived-wildcard")
            if base.wildcard_attribute:
                self.use("wildcard-attribute-restriction")
            info.content = base.content
            info.group = base.group
            info.wildcard_attribute = base.wildcard_attribute  # kept by a restriction
            return (lead + f"<xs:complexContent><xs:restriction base="
                    f"'{self.ref(doc, base.doc, base.name)}'>{base.group}</xs:restriction>"
                    "</xs:complexContent>"), info
        before = self.wildcards_drawn
        group, model = self.model_group(doc, depth, top=True, wildcards=derived_wildcard)
        info.has_wildcard = self.wildcards_drawn > before
        if info.has_wildcard:
            self.use("derived-wildcard")
        # xs:anyType's attribute wildcard is lax: a restriction's must not be weaker
        attrs, _none = self.attribute_uses(doc, wildcard_ok=False)
        info.content, info.group = model, group
        info.wildcard_attribute = True  # xs:anyType's, kept by the restriction
        self.use("anytype-restriction")
        return (lead + "<xs:complexContent><xs:restriction base='xs:anyType'>"
                f"{group}{attrs}</xs:restriction></xs:complexContent>"), info

    def named_complex(self, doc: str) -> None:
        name = self.fresh("T")
        body, info = self.complex_body(doc, 2)
        info.name = name
        extra = ""
        if self.coin(0.05):
            extra = " abstract='false'"
        if self.rare_ok("block-final", 0.3):
            extra += self.pick([" block='extension'", " block='#all'"])
            self.use("block-final")
        self.body[doc].append(f"<xs:complexType name='{name}'{extra}>{body}</xs:complexType>")
        self.complexes.append(info)
        self.reach_type(doc, name)

    # -- global declarations
    def named_group(self, doc: str) -> None:
        name = self.fresh("G")
        before = self.wildcards_drawn
        group, _model = self.model_group(doc, 1, top=True, models=("sequence", "choice"))
        self.body[doc].append(f"<xs:group name='{name}'>{self.maybe_docs(0.2)}{group}"
                              "</xs:group>")
        self.groups.append((doc, name))
        if self.wildcards_drawn > before:
            self.wild_groups.add((doc, name))

    def global_attribute(self, doc: str) -> None:
        name = self.fresh("ga")
        self.body[doc].append(self.attribute_decl(doc, name, True))
        self.attributes.append((doc, name))

    def attribute_group(self, doc: str) -> None:
        name = self.fresh("AG")
        attrs, _wildcard = self.attribute_uses(doc, wildcard_ok=False)
        self.body[doc].append(f"<xs:attributeGroup name='{name}'>{self.maybe_docs(0.2)}"
                              f"{attrs}</xs:attributeGroup>")
        self.attribute_groups.append((doc, name))

    def global_element(self, doc: str) -> None:
        name = self.fresh("E")
        lead = self.maybe_docs(0.3)
        complexes = [c for c in self.complexes if self.visible(doc, c.doc)]
        nillable = " nillable='true'" if self.coin(0.1) else ""
        if complexes and self.coin(0.3):  # a substitution group
            head = self.pick(complexes)
            head_ref = self.ref(doc, head.doc, head.name)
            abstract = self.pick([" abstract='true'", ""])
            block = ""
            if self.rare_ok("blocked-substitution", 0.5):
                block = " block='substitution'"
                self.use("blocked-substitution")
            self.body[doc].append(f"<xs:element name='{name}' type='{head_ref}'"
                                  f"{abstract}{block}{nillable}>{lead}</xs:element>")
            for _ in range(self.draw(st.integers(1, 3))):
                member = self.fresh("M")
                derived = [c for c in complexes if c.base == (head.doc, head.name)]
                own_type = self.pick(["", f" type='{head_ref}'"])
                if derived and self.coin(0.5):  # a member of a type derived from the head's
                    target = self.pick(derived)
                    own_type = f" type='{self.ref(doc, target.doc, target.name)}'"
                    self.use("substitution-derived-type")
                self.body[doc].append(
                    f"<xs:element name='{member}' substitutionGroup='{self.ref(doc, doc, name)}'"
                    f"{own_type}{self.pick(['', ' abstract=' + chr(39) + 'true' + chr(39)])}>"
                    f"{self.maybe_docs(0.2)}</xs:element>")
            self.use("substitution-group")
            self.elements.append((doc, name))
            self.heads.append((doc, name, head))
            return
        if self.coin(0.5):
            body, _info = self.complex_body(doc, 2)
            self.body[doc].append(f"<xs:element name='{name}'{nillable}>{lead}"
                                  f"<xs:complexType>{body}</xs:complexType></xs:element>")
        elif complexes and self.coin(0.5):
            target = self.pick(complexes)
            self.body[doc].append(
                f"<xs:element name='{name}' type='{self.ref(doc, target.doc, target.name)}'"
                f"{nillable}>{lead}</xs:element>")
        else:
            simple = self.simple_ref(doc)
            self.body[doc].append(
                f"<xs:element name='{name}' type='{self.ref(doc, simple.doc, simple.name)}'"
                f"{nillable}{self.value_constraint(simple)}>{lead}</xs:element>")
        self.elements.append((doc, name))

    def reach_type(self, doc: str, name: str) -> None:
        """An optional A particle of the type, so that the messages reach it."""
        self.reach.append(f"<xs:element name='{self.fresh('r')}' "
                          f"type='{self.ref('A', doc, name)}' minOccurs='0'/>")

    # -- the service
    def build(self) -> Built:
        steps: list[tuple[str, Callable[[str], None]]] = []
        for doc in ("C", "B", "A"):
            plan = ([self.named_simple] * self.draw(st.integers(0, 3))
                    + [self.global_attribute] * self.draw(st.integers(0, 1))
                    + [self.attribute_group] * self.draw(st.integers(0, 1))
                    + [self.named_group] * self.draw(st.integers(0, 1))
                    + [self.named_complex] * self.draw(st.integers(0, 3))
                    + [self.global_element] * self.draw(st.integers(0, 2)))
            steps += [(doc, step) for step in plan]
        for doc, step in steps:
            step(doc)
        # members of another document's substitution group, anywhere in A (the order of
        # a group's members across documents is xmlschema's)
        for owner, head, head_type in self.heads:
            if owner != "A" and self.coin(0.6):
                typed = f" type='{self.ref('A', head_type.doc, head_type.name)}'"
                own_type = self.pick(["", typed])
                member = (f"<xs:element name='{self.fresh('M')}' substitutionGroup="
                          f"'{self.ref('A', owner, head)}'{own_type}/>")
                at = self.draw(st.integers(0, len(self.body["A"])))
                self.body["A"].insert(at, member)
                self.use("substitution-across-documents")
        for doc in ("C", "B", "A"):
            self.qualified[doc] = self.coin(0.7)
            self.qualified["@" + doc] = self.coin(0.2)
        # the message elements: what is left unreferenced is reached from the response
        request = self.model_group("A", 2, top=True)[0]
        leftovers = [f"<xs:element ref='{self.ref('A', owner, name)}' minOccurs='0'/>"
                     for owner, name in self.elements]
        leftovers += [f"<xs:group ref='{self.ref('A', owner, name)}' minOccurs='0'/>"
                      for owner, name in self.groups]
        groups = "".join(f"<xs:attributeGroup ref='{self.ref('A', owner, name)}'/>"
                         for owner, name in self.attribute_groups)
        response = (f"<xs:sequence>{''.join(self.reach)}{''.join(leftovers)}"
                    f"<xs:element name='{self.fresh('status')}' type='xs:string'/>"
                    "</xs:sequence>")
        fault_doc = self.pick(["A", "B"])
        self.body["A"].append(f"<xs:element name='Request'>{self.maybe_docs()}"
                              f"<xs:complexType>{request}</xs:complexType></xs:element>")
        self.body["A"].append(f"<xs:element name='Response'><xs:complexType>{response}"
                              f"{groups}</xs:complexType></xs:element>")
        self.body[fault_doc].append(
            "<xs:element name='Fault'><xs:complexType><xs:sequence>"
            "<xs:element name='code' type='xs:int'/><xs:element name='text' "
            "type='xs:string' minOccurs='0'/></xs:sequence></xs:complexType></xs:element>")
        files = {
            "A.xsd": _schema("A", self.qualified["A"], "<xs:import namespace='urn:lp:b' "
                             "schemaLocation='B.xsd'/><xs:include "
                             "schemaLocation='Common.xsd'/>", self.body["A"],
                             self.qualified["@A"]),
            "B.xsd": _schema("B", self.qualified["B"], "", self.body["B"], self.qualified["@B"]),
            "Common.xsd": _schema("C", self.qualified["C"], "", self.body["C"],
                                  self.qualified["@C"]),
            f"{SERVICE}.wsdl": _wsdl(fault_doc),
        }
        return Built(files, frozenset(self.used))


def _schema(doc: str, qualified: bool, head: str, body: list[str],
            attributes_qualified: bool = False) -> str:
    form = " elementFormDefault='qualified'" if qualified else ""
    if attributes_qualified:
        form += " attributeFormDefault='qualified'"
    if doc == "C":
        declare = ""
    else:
        namespace = NS[doc]
        declare = (f" targetNamespace='{namespace}' xmlns='{namespace}'"
                   f" xmlns:{doc.lower()}='{namespace}'")
        if doc == "A":
            declare += " xmlns:b='urn:lp:b'"
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            f"<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'{declare}{form}>\n"
            + head + "\n" + "\n".join(body) + "\n</xs:schema>\n")


def _wsdl(fault_doc: str) -> str:
    fault = "a:Fault" if fault_doc == "A" else "b:Fault"
    tns = f"http://www.caiso.com/soa/{SERVICE}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="{SERVICE}" targetNamespace="{tns}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{tns}"
    xmlns:a="urn:lp:a" xmlns:b="urn:lp:b">
  <wsdl:types>
    <xs:schema><xs:import namespace="urn:lp:a" schemaLocation="A.xsd"/></xs:schema>
    <xs:schema><xs:import namespace="urn:lp:b" schemaLocation="B.xsd"/></xs:schema>
  </wsdl:types>
  <wsdl:message name="requestMsg"><wsdl:part name="body" element="a:Request"/></wsdl:message>
  <wsdl:message name="responseMsg"><wsdl:part name="body" element="a:Response"/></wsdl:message>
  <wsdl:message name="faultMsg"><wsdl:part name="fault" element="{fault}"/></wsdl:message>
  <wsdl:portType name="ThingPortType">
    <wsdl:operation name="retrieveThing">
      <wsdl:input message="tns:requestMsg"/>
      <wsdl:output message="tns:responseMsg"/>
      <wsdl:fault name="fault" message="tns:faultMsg"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="ThingBinding" type="tns:ThingPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="retrieveThing">
      <soap:operation soapAction="{tns}/retrieveThing" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="fault"><soap:fault name="fault" use="literal"/></wsdl:fault>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="{SERVICE}">
    <wsdl:port name="ThingPort" binding="tns:ThingBinding">
      <soap:address location="https://ws.caiso.com/{SERVICE}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def service_files(a: str, b: str = "", common: str = "", qualified: bool = True
                  ) -> dict[str, str]:
    """A service's files from the bodies of its three schema documents (for examples
    written out: ``a`` declares the Request, Response and Fault elements)."""
    return {
        "A.xsd": _schema("A", qualified, "<xs:import namespace='urn:lp:b' schemaLocation="
                         "'B.xsd'/><xs:include schemaLocation='Common.xsd'/>", [a]),
        "B.xsd": _schema("B", qualified, "", [b]),
        "Common.xsd": _schema("C", qualified, "", [common]),
        f"{SERVICE}.wsdl": _wsdl("A"),
    }


@st.composite
def services(draw: Any, rare: bool = True) -> Built:
    """A whole service; with ``rare=False`` none of the :data:`RARE` constructs."""
    enabled = draw(st.sets(st.sampled_from(sorted(RARE)), max_size=2)) if rare else set()
    return _Gen(draw, rare, enabled=frozenset(enabled)).build()
