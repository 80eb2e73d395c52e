"""Facets and enumerations: the JSON schema and the XSD accept and reject the same values.

For every named simple type in every emitted document, candidate values are derived from
its facets (just inside and just outside each bound, lengths, enumeration outsiders, values
with too many fraction digits, strings that break the pattern).  Each candidate must get the
same verdict from the OpenAPI schema and from the XSD type.  What JSON Schema cannot express
stays an ``x-xsd-`` note checked when the gateway encodes to XML, and is left out here on
purpose (see README "JSON mapping"): totalDigits (it counts digits, not magnitude), bounds of
non-numbers and patterns of non-strings (test_simple_types.py checks the gateway refuses).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
import xmlschema
from openapi_schema_validator import OAS30Validator

from b2b_openapi.model import Facets, SimpleType
from b2b_openapi.openapi.schema import XML_TEXT, SchemaEmitter
from b2b_openapi.openapi.xsdregex import UnsupportedPattern, xml_text_only, xsd_pattern_to_ecma
from support import decimal_facets, document, rendered, xsd_type

NUMERIC = {"number", "integer"}
# notes of facets JSON Schema cannot say, left to the gateway's encoder (but totalDigits)
XSD_ONLY = ("x-xsd-pattern", "x-xsd-min-inclusive", "x-xsd-max-inclusive",
            "x-xsd-min-exclusive", "x-xsd-max-exclusive")


def _named_simple_types() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for spec in rendered():
        name = spec.service.id.full_name
        for component, schema in document(name)["components"]["schemas"].items():
            if "x-xsd-name" in schema and schema.get("type") in {"string", *NUMERIC}:
                out.append((name, component, schema))
    return out


def _candidates(schema: dict[str, Any]) -> list[Any]:
    """Values on both sides of every facet the schema carries."""
    values: list[Any] = []
    if schema.get("type") in NUMERIC:
        frac = schema.get("x-xsd-fraction-digits", 0 if schema["type"] == "integer" else 2)
        unit = Decimal(1).scaleb(-int(frac))
        for key in ("minimum", "maximum"):
            if key in schema:
                bound = Decimal(repr(schema[key])) if isinstance(schema[key], float) else (
                    Decimal(schema[key]))
                values += [bound - unit, bound, bound + unit]
        values += [Decimal(v) if not isinstance(v, float) else Decimal(repr(v))
                   for v in schema.get("enum", [])]
        values.append(Decimal(values[0] if values else 1) + unit / 10)  # one digit too many
        values.append(Decimal("999999999999"))
        if schema["type"] == "integer":
            values = [v for v in values if v == v.to_integral_value()]
            values = [int(v) for v in values]
        return values
    enum = schema.get("enum")
    if enum:
        values += [*list(enum), enum[0] + "X", enum[0].lower() + "?", ""]
    lengths = [schema.get(k) for k in ("minLength", "maxLength") if k in schema]
    fill = "A"
    for n in lengths:
        values += ["9" * n, fill * n, fill * (n + 1), fill * max(n - 1, 0)]
    values += ["", "ABC1", "abc", "W001", "A-1234", "ABC-1234", "!!!"]
    return values


TYPES = _named_simple_types()


@pytest.mark.parametrize(("service", "component", "schema"), TYPES,
                         ids=[f"{c}@{s}" for s, c, _ in TYPES])
def test_json_schema_and_xsd_agree(service: str, component: str, schema: dict[str, Any]) -> None:
    spec = next(s for s in rendered() if s.service.id.full_name == service)
    declared = xsd_type(spec.service, schema["x-xsd-name"])
    json_check = OAS30Validator(decimal_facets(schema))
    checked_rejections = 0
    for value in _candidates(schema):
        json_ok = json_check.is_valid(value)
        xsd_ok = declared.is_valid(str(value))
        if "x-xsd-total-digits" in schema and json_ok != xsd_ok:
            digits = len(str(value).replace("-", "").replace(".", "").lstrip("0"))
            if digits > schema["x-xsd-total-digits"]:
                continue  # totalDigits: documented as XSD-only
        if json_ok and not xsd_ok and any(note in schema for note in XSD_ONLY):
            continue  # documented as XSD-only
        assert json_ok == xsd_ok, f"{component}: {value!r} json={json_ok} xsd={xsd_ok}"
        checked_rejections += not json_ok
    facets = {"enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "multipleOf"}
    if facets & set(schema):
        assert checked_rejections > 0, f"no candidate exercised a facet of {component}"


def test_corpus_has_faceted_types() -> None:
    kinds = {k for _, _, s in TYPES for k in s}
    assert {"enum", "pattern", "minimum", "maximum", "minLength", "maxLength",
            "multipleOf"} <= kinds


# XSD regexes whose ECMAScript form is not the XSD text: no anchors in XSD (^ and $ are
# characters), XSD's "." excludes CR, \- outside a class, and what elementpath translates.
PATTERNS: list[tuple[str, list[str]]] = [
    (r"a$b", ["a$b", "ab", "a", "b"]),
    (r"^a", ["^a", "a"]),
    (r"\^a", ["^a", "a"]),
    (r"a|b$", ["a", "b$", "b", "a$"]),
    (r"[a^b]+", ["a^b", "^", "ab", "c"]),
    (r"[^ab]", ["c", "^", "a"]),
    (r"[$]{2}", ["$$", "$", ""]),
    (r"x.y", ["xay", "x$y", "x\ny", "x\ry", "x\u2028y"]),
    (r"a\-b", ["a-b", "ab"]),
    (r"[a\-z]+", ["a-z", "b"]),
    (r"\p{IsBasicLatin}+", ["abc", "a^$", "é"]),
    (r"[a-z-[aeiou]]+", ["bcd", "bad"]),
    (r"\i\c*", ["abc", "_a-b.c", "1ab", "a b"]),
    # multi-character escapes (values on which the XSD spec and xmlschema agree; see below)
    (r"\s+", [" \t\r\n", "a", "\ufeff"]),
    (r"[\s,]+", [" ,\t", "\u00a0", ",", "\x0b"]),
    (r"\S+", ["ab", "\ufeff", "a b", "a\tb"]),
    (r"[0-9]\d", ["12", "1a", "x9"]),
    # escapes next to a "-" that is not a range
    (r"[a-z\-\.]+", ["a-.", "a,", "-"]),
    (r"[^-\.]", ["a", "-", "."]),
]


@pytest.mark.parametrize(("pattern", "value"), [(r"\s", "\x0b"), (r"\s", "\u00a0"),
                                                (r"\S", "\u00a0"), (r"\S", "\u3000")])
def test_space_escapes_accept_only_what_the_spec_and_xmlschema_both_do(pattern: str,
                                                                      value: str) -> None:
    """Where the XSD specification (\\s is space, tab, LF, CR) and xmlschema (which reads
    \\s outside a class as Python's Unicode whitespace) disagree, the JSON pattern refuses:
    a value one of them refuses must not pass the spec."""
    spec_verdict = value in " \t\n\r" if pattern == r"\s" else value not in " \t\n\r"
    assert spec_verdict != _xsd_string_type(pattern).is_valid(value)  # they disagree
    json_check = OAS30Validator({"type": "string", "pattern": xsd_pattern_to_ecma((pattern,))})
    assert not json_check.is_valid(value)


def _xsd_string_type(pattern: str) -> Any:
    value = pattern.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return xmlschema.XMLSchema(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="T">'
        f'<xs:restriction base="xs:string"><xs:pattern value="{value}"/></xs:restriction>'
        "</xs:simpleType></xs:schema>").types["T"]


@pytest.mark.parametrize(("pattern", "values"), PATTERNS, ids=[p for p, _ in PATTERNS])
def test_pattern_translation_agrees_with_xsd(pattern: str, values: list[str]) -> None:
    xsd_type = _xsd_string_type(pattern)
    json_check = OAS30Validator({"type": "string", "pattern": xsd_pattern_to_ecma((pattern,))})
    verdicts = [(v, json_check.is_valid(v), xsd_type.is_valid(v)) for v in values]
    assert [v for v in verdicts if v[1] != v[2]] == []
    assert {ok for _, _, ok in verdicts} == {True, False}  # both verdicts exercised


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_pattern_translation_agrees_with_ecmascript() -> None:
    """The same verdicts from JavaScript's RegExp, with and without the unicode flag (ajv
    uses it, ECMA-262 5.1 has none)."""
    cases = [{"pattern": xsd_pattern_to_ecma((p,)), "value": v} for p, values in PATTERNS
             for v in values]
    script = ("const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(cases.map(c => ['', 'u'].map("
              "f => new RegExp(c.pattern, f).test(c.value)))));")
    proc = subprocess.run(["node", "-e", script], input=json.dumps(cases), text=True,
                          capture_output=True, check=True)
    expected = [_xsd_string_type(p).is_valid(v) for p, values in PATTERNS for v in values]
    got = json.loads(proc.stdout)
    wrong = [(c, e, g) for c, e, g in zip(cases, expected, got, strict=True) if g != [e, e]]
    assert wrong == []


@pytest.mark.parametrize("pattern", [r"\p{IsBasicLatin}+", r"\i\c*", "é+", "[\t-z]+"])
def test_translations_are_printable_ascii(pattern: str) -> None:
    r"""elementpath writes its classes with raw characters (a NUL for \p{IsBasicLatin}):
    the spec has ``\uXXXX`` for anything beyond printable ASCII, which means the same."""
    ecma = xsd_pattern_to_ecma((pattern,))
    assert all(" " <= ch <= "~" for ch in ecma), ecma
    assert re.search(r"\\u[0-9a-f]{4}", ecma)


def test_digit_escape_is_ascii_on_the_json_side() -> None:
    r"""XSD's \d is any Unicode decimal digit; the JSON pattern takes ASCII digits only:
    stricter, never accepting what the XSD refuses (documented)."""
    json_check = OAS30Validator({"type": "string", "pattern": xsd_pattern_to_ecma((r"\d+",))})
    xsd_type = _xsd_string_type(r"\d+")
    assert json_check.is_valid("2026") and xsd_type.is_valid("2026")
    assert not json_check.is_valid("\u0663\u0664") and xsd_type.is_valid("\u0663\u0664")
    # a negated class ends before the next \d: that one is a plain digit again
    assert xsd_pattern_to_ecma((r"[^a]\d[b\d]",)) == "^(?:[^a][0-9][b0-9])$"


@pytest.mark.parametrize("pattern", [r"\p{Lu}", r"[\P{L}0-9]", r"\p{Nd}+", "\U00010300",
                                     r"\w+", r"\W", r"\D", r"[\S,]",
                                     # [^0-9] would take U+0660, a digit to the XSD
                                     r"[^\d]", r"[^a\d]",
                                     # xmlschema misreads ranges with escaped endpoints
                                     r"[\t-\r]", r"[\+-\.]", r"[a-\]]", r"[^a-\.]"])
def test_patterns_without_an_exact_ecmascript_form_are_refused(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        xsd_pattern_to_ecma((pattern,))


@pytest.mark.parametrize(("pattern", "escape"), [(r"[\u]", r"\u"), (r"\x41", r"\x"),
                                                 (r"a\f", r"\f"), (r"\/", r"\/"),
                                                 (r"\$", r"\$"), ("a\\", "\\"),
                                                 (r"\i\u", r"\u")])
def test_escapes_xsd_does_not_have_are_refused(pattern: str, escape: str) -> None:
    r"""Not XSD, but xmlschema takes some of them (``[\u]`` is a backslash or a "u" there),
    and ECMAScript reads them another way (``[\u]`` is a "u", or a syntax error)."""
    with pytest.raises(UnsupportedPattern, match=re.escape(
            f"uses {escape}, which is not an escape of XSD regular expressions")):
        xsd_pattern_to_ecma((pattern,))
    if pattern == r"[\u]":
        assert _xsd_string_type(pattern).is_valid("\\")


@pytest.mark.parametrize(("pattern", "escape"), [(r"\S[a-z-[b]]", r"\S"),
                                                 (r"\i\s*", r"\s"),
                                                 (r"[\i-[:]]\w", r"\w"),
                                                 (r"\p{IsBasicLatin}\d", r"\d"),
                                                 (r"[\d-[5]]", r"\d")])
def test_multi_character_escapes_beside_elementpath_constructs_are_refused(
        pattern: str, escape: str) -> None:
    r"""A pattern with \i, \c, \p{Is..} or class subtraction goes through elementpath,
    which copies \s \S \d \D \w \W with Python's meaning (``\S[a-z-[b]]`` would accept
    "\x1ca"): refused, naming the escape (not "beyond U+FFFF" for ``[\d-[5]]``)."""
    with pytest.raises(UnsupportedPattern, match=re.escape(f"combines {escape} with")) as info:
        xsd_pattern_to_ecma((pattern,))
    assert "U+FFFF" not in str(info.value)


def test_escaped_backslash_is_not_an_elementpath_construct() -> None:
    r"""``\\i`` is a backslash and an "i": the plain translation, \s and all."""
    json_check = OAS30Validator({"type": "string", "pattern": xsd_pattern_to_ecma(
        (r"\\i\s",))})
    assert json_check.is_valid("\\i ") and not json_check.is_valid("\\i\x0b")


def _string_schema(*patterns: str) -> dict[str, Any]:
    return SchemaEmitter({}, {}).simple(SimpleType(
        builtin="string", facets=Facets(patterns=tuple((p,) for p in patterns))))


def _has_xml_text(schema: dict[str, Any]) -> bool:
    return XML_TEXT in [schema.get("pattern"), *(s["pattern"] for s in schema.get("allOf", []))]


@pytest.mark.parametrize(("pattern", "value"), [
    (r"\p{IsBasicLatin}+", "a\x1cb"),  # elementpath: [\x00-\x7f]
    ("[\t-z]+", "a\x1fb"),  # from a raw control character
    (r"[^,]+", "\x01"),
    (r"a.b", "a\x01b"),
    (r"\S+", "\x01"),
    (r"[a-z-[b]]*|\i", "\x01"),
])
def test_patterns_that_may_match_a_control_character_get_xml_text(pattern: str,
                                                                 value: str) -> None:
    """The free-text rule is conservative: a pattern counts as bounding the text to XML
    characters only when it is plain (not from elementpath) and has no negated class, no
    \\x or \\u escape and no range from or to an escape or a control character."""
    schema = _string_schema(pattern)
    assert _has_xml_text(schema)
    assert not OAS30Validator(schema).is_valid(value)


@pytest.mark.parametrize("pattern", [r"W[0-9]{3}", r"[A-Z0-9_]+", r"[0-9]{4}\.[0-9]{2}",
                                     r"\d+", r"[\s,]+", r"[ -~]+", r"[a\-z]+", r"x\^y"])
def test_positive_plain_patterns_need_no_xml_text(pattern: str) -> None:
    schema = _string_schema(pattern)
    assert not _has_xml_text(schema) and "allOf" not in schema
    assert not xml_text_only(pattern + "|.") and xml_text_only(pattern)


def test_one_closed_step_bounds_the_text() -> None:
    """Steps are AND'ed: one closed step is enough; OR'ed patterns must all be closed."""
    assert not _has_xml_text(_string_schema(r"[^,]*", r"[A-Z]+"))
    assert _has_xml_text(SchemaEmitter({}, {}).simple(SimpleType(
        builtin="string", facets=Facets(patterns=((r"[A-Z]+", r"[^,]*"),)))))
