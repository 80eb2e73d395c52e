"""XSD regular expressions (xs:pattern) as OpenAPI 3.0 (ECMA-262 5.1) patterns.

An XSD regex is implicitly anchored, has no ``^``/``$`` anchors, its own ``.``, ``\\s``,
``\\d`` and its own name-character escapes; xmlschema (the gateway's encoder) reads some of
them differently again.  A translation must accept exactly what the XSD accepts, or the
construct is refused (:class:`UnsupportedPattern`) so the build can name its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


class UnsupportedPattern(ValueError):
    """An XSD pattern that has no faithful ECMA-262 (OpenAPI 3.0) form."""


# XSD's multi-character escapes: translated by :func:`_escape`, but copied with Python's
# meaning by elementpath
_MULTI_CHARACTER = frozenset(("\\s", "\\S", "\\d", "\\D", "\\w", "\\W"))
_PYTHON_ANCHORS = re.compile(r"\^\(\?:(.*)\)\$\(\?!\\n\\Z\)", re.DOTALL)


def _escapes(pattern: str) -> Iterator[tuple[int, str]]:
    r"""Each escape of an XSD regex with its position, ``\p{...}`` whole."""
    i = 0
    while i < len(pattern):
        if pattern[i] != "\\":
            i += 1
            continue
        if pattern[i + 1:i + 3] in ("p{", "P{"):
            end = pattern.find("}", i)
            escape = pattern[i:end + 1] if end > 0 else pattern[i:]
        else:
            escape = pattern[i:i + 2]
        yield i, escape
        i += len(escape)


def _elementpath_construct(pattern: str) -> str | None:
    r"""The first construct of an XSD regex that elementpath translates and ECMAScript
    lacks: ``\i`` ``\c`` (name characters), ``\p{Is...}`` (a Unicode block, one range),
    class subtraction (``[a-z-[aeiou]]``)."""
    escapes = dict(_escapes(pattern))
    depth = 0  # character class nesting
    i = 0
    while i < len(pattern):
        if i in escapes:
            escape = escapes[i]
            if escape[1:] in ("i", "c", "I", "C") or escape[1:4] in ("p{I", "P{I"):
                return escape
            i += len(escape)
            continue
        ch = pattern[i]
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif ch == "-" and depth and pattern[i + 1:i + 2] == "[":
            return "class subtraction (-[)"
        i += 1
    return None


def _plain_xsd_regex(pattern: str) -> str:
    r"""An XSD regex without elementpath-only constructs, as ECMAScript (and Python) syntax.

    XSD regexes have no anchors: ``^`` and ``$`` are ordinary characters outside a class
    (inside one, ``^`` is special only as its first character, in both dialects), so they
    are escaped; ``.`` is XSD's any character but newline and carriage return, which in
    ECMAScript also excludes U+2028/U+2029 and in Python includes ``\r``, so it is spelled
    out; ``\-`` outside a class is a plain ``-`` (an escaped ``-`` there is a syntax error
    in ECMAScript's unicode mode).  Other escapes are copied (``\^`` stays literal) but the
    multi-character ones, see :func:`_escape`.
    """
    out: list[str] = []
    depth = 0  # character class nesting (only class subtraction nests, see above)
    range_open = False  # the last token was a range's "-" (after a character, in a class)
    negated = False  # the class being read is a [^...] one
    previous = ""  # the class's last token: "" at its start, else "char" or "-"
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        escaped_start = ch == "\\" and depth and pattern[i + 2:i + 3] == "-" \
            and pattern[i + 3:i + 4] not in ("", "]", "[")
        if ch == "\\":
            if escaped_start or range_open:  # [\t-\r], [a-\]]
                raise UnsupportedPattern(
                    f'pattern "{pattern}" has a range with an escaped endpoint, which '
                    "xmlschema reads differently from the XSD standard (so the spec and the "
                    "gateway would disagree); write the endpoints unescaped or list them")
            out.append(_escape(pattern, pattern[i:i + 2], depth > 0,
                               negated=negated and depth > 0))
            previous, range_open = "char", False
            i += 2
            continue
        range_open = depth > 0 and ch == "-" and previous == "char"
        if ch == "^" and previous == "" and out and out[-1] == "[":  # [^ negates
            negated = True
        else:
            previous = "-" if ch == "-" else "char"
        if ch == "[":
            depth += 1
            previous, negated = "", False
        elif ch == "]" and depth:
            depth -= 1
        elif depth == 0 and ch in "^$":
            ch = "\\" + ch
        elif depth == 0 and ch == ".":
            ch = "[^\\n\\r]"
        out.append(ch)
        i += 1
    return "".join(out)


# XSD's \s is exactly these four (ECMAScript's also takes \v, \f, NBSP, U+2028...)
_XSD_SPACE = " \\t\\n\\r"
# ...but xmlschema (through elementpath) reads a \s outside a class as Python's, which
# also takes these: what the gateway's encoder accepts is bounded by both (xmlschema also
# splits xs:list text at these)
PYTHON_SPACE = _XSD_SPACE + ("\\f\\v\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028"
                             "\\u2029\\u202f\\u205f\\u3000")


def _escape(pattern: str, escape: str, in_class: bool, *, negated: bool = False) -> str:
    r"""One XSD escape in ECMAScript, accepting only what both the XSD specification (a
    SOAP service) and xmlschema (the gateway's encoder) accept.  ``\s`` is the XSD's four
    characters; ``\S`` refuses Python's whitespace too; ``\d`` (XSD: any Unicode decimal
    digit) is ASCII ``[0-9]``, stricter, except in a negated class, where ``[^0-9]`` would
    be looser (it takes U+0660) and the exact set has digits beyond U+FFFF: refused, as are
    ``\w``, ``\W``, ``\D`` and ``\S`` inside a class, which have no exact ECMA-262 5.1
    form (Unicode category sets, complements)."""
    if escape == "\\-" and not in_class:
        return "-"
    if escape == "\\s":
        return _XSD_SPACE if in_class else f"[{_XSD_SPACE}]"
    if escape == "\\S" and not in_class:
        return f"[^{PYTHON_SPACE}]"
    if escape == "\\d" and not negated:
        return "0-9" if in_class else "[0-9]"
    if escape in ("\\w", "\\W", "\\D", "\\S", "\\d"):
        where = " in a negated character class" if negated else " in a character class"
        raise UnsupportedPattern(
            f'pattern "{pattern}" uses {escape}{where if in_class else ""}, '
            "which has no exact OpenAPI 3.0 (ECMA-262 5.1) form; list the characters or "
            "ranges instead")
    return escape


# The escapes of XSD regexes (XML Schema Part 2, appendix F): single-character ones,
# multi-character ones (\s \i \c \d \w and complements) and \p{..}/\P{..}
_XSD_ESCAPED = frozenset("nrt\\|.-^?*+{}()[]" "sSiIcCdDwW" "pP")


def _foreign_escape(pattern: str) -> str | None:
    r"""The first escape XSD regexes do not have (``\u``, ``\x``, ``\f``, ``\/``, a trailing
    backslash...).  xmlschema accepts some of them with a meaning of its own (``[\u]`` is
    a backslash or a "u" there) which no ECMAScript translation would share."""
    return next((escape for _, escape in _escapes(pattern)
                 if escape[1:2] not in _XSD_ESCAPED), None)


def _category_escape(pattern: str) -> str | None:
    r"""The first Unicode general category escape (``\p{Lu}``, ``\P{L}``...) of a pattern."""
    return next((escape for _, escape in _escapes(pattern)
                 if escape[1:3] in ("p{", "P{") and not escape[3:].startswith("Is")), None)


def xsd_regex_to_ecma(pattern: str) -> str:
    """One XSD regex as an unanchored ECMA-262 regex that accepts the same strings.

    Raises :class:`UnsupportedPattern` for what ECMA-262 5.1 (the dialect OpenAPI 3.0 names)
    cannot say exactly and compactly: Unicode category escapes (``\\p{Lu}`` is hundreds of
    ranges, and which ones depends on the Unicode version), characters beyond the Basic
    Multilingual Plane (UTF-16 surrogate pairs cannot sit in a character class),
    multi-character escapes in a pattern elementpath translates (it copies them with
    Python's meaning, which is neither the XSD's nor ECMAScript's), and escapes XSD does
    not have (see :func:`_foreign_escape`).
    """
    foreign = _foreign_escape(pattern)
    if foreign is not None:
        raise UnsupportedPattern(
            f'pattern "{pattern}" uses {foreign}, which is not an escape of XSD regular '
            "expressions (xmlschema reads it one way, ECMAScript another, other XSD "
            "processors refuse it); write the character itself, or \\\\ for a backslash")
    category = _category_escape(pattern)
    if category is not None:
        raise UnsupportedPattern(
            f'pattern "{pattern}" uses the Unicode category escape {category}, which OpenAPI '
            "3.0 (ECMA-262 5.1) patterns cannot express; list the characters or ranges instead")
    construct = _elementpath_construct(pattern)
    if construct is not None:
        multi = next((e for _, e in _escapes(pattern) if e in _MULTI_CHARACTER), None)
        if multi is not None:
            raise UnsupportedPattern(
                f'pattern "{pattern}" combines {multi} with {construct}, which has no exact '
                "OpenAPI 3.0 (ECMA-262 5.1) form here; list the characters or ranges "
                f"instead of {multi}")
        from elementpath.regex import translate_pattern  # a costly import: on first use

        translated = translate_pattern(pattern, back_references=False, anchors=False)
        # elementpath wraps the result in Python-only anchors (\Z)
        wrapped = _PYTHON_ANCHORS.fullmatch(translated)
        translated = wrapped.group(1) if wrapped else translated
    else:
        translated = _plain_xsd_regex(pattern)
    if any(ord(ch) > 0xFFFF for ch in translated):
        raise UnsupportedPattern(
            f'pattern "{pattern}" needs characters beyond U+FFFF, which OpenAPI 3.0 '
            "(ECMA-262 5.1) patterns cannot express")
    return _ascii(translated)


def _ascii(regex: str) -> str:
    r"""A regex with every character outside printable ASCII written ``\uXXXX``: elementpath
    writes its classes as raw ranges (``\p{IsBasicLatin}`` with a raw NUL, ``\i`` with
    raw letters), which YAML and readers handle badly; ECMAScript and Python read the
    escape alike.  A raw character after a backslash is that character (identity escape)."""
    out: list[str] = []
    i = 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            i += 1
            ch = regex[i]
            if " " <= ch <= "~":
                out.append("\\" + ch)
                i += 1
                continue
        out.append(ch if " " <= ch <= "~" else f"\\u{ord(ch):04x}")
        i += 1
    return "".join(out)


def xml_text_only(pattern: str) -> bool:
    r"""Whether an XSD regex surely matches only characters XML can carry (not C0 controls
    but tab, LF, CR; not U+FFFE, U+FFFF), so a string it bounds needs no :data:`XML_TEXT`.

    Conservative: a pattern elementpath translates is never sure (its classes come out as
    raw ranges, ``\p{IsBasicLatin}`` is ``[\x00-\x7f]``), nor is one whose translation has
    a negated class (XSD's ``.``, ``[^,]``), an escape but the plain single-character ones,
    a range with an escaped endpoint (``[\t-\r]``) or one from a control character, or such
    a character itself.
    """
    if _elementpath_construct(pattern) is not None:
        return False
    try:
        translated = _plain_xsd_regex(pattern)
    except UnsupportedPattern:
        return False
    return _closed(translated)


# escapes whose character is printable (or tab, LF, CR)
_PLAIN_ESCAPES = frozenset("\\" + c for c in "nrt\\|.-^$?*+(){}[]/")


def _closed(ecma: str) -> bool:
    """Whether a plain translated regex matches XML characters only, see
    :func:`xml_text_only`: only positive classes of plain atoms and ranges between
    unescaped printable characters."""
    tokens: list[str] = []
    i = 0
    while i < len(ecma):
        token = ecma[i:i + 2] if ecma[i] == "\\" else ecma[i]
        i += len(token)
        if (len(token) == 2 and token not in _PLAIN_ESCAPES) or _control(token):
            return False
        tokens.append(token)
    in_class: list[str] | None = None
    for token in tokens:
        if in_class is None:
            if token == "[":
                in_class = []
            continue
        if token == "]":
            if in_class[:1] == ["^"] or not _closed_class(in_class):
                return False
            in_class = None
            continue
        in_class.append(token)
    return True


def _closed_class(atoms: list[str]) -> bool:
    """A class body (ECMAScript: ``a-b`` between two atoms is a range) with no range from
    or to an escape or a character XML cannot carry."""
    j = 0
    while j < len(atoms):
        if j + 2 < len(atoms) and atoms[j + 1] == "-":
            low, high = atoms[j], atoms[j + 2]
            if len(low) > 1 or len(high) > 1 or ord(low) < 0x20 or ord(high) >= 0xFFFE:
                return False
            j += 3
        else:
            j += 1
    return True


def _control(token: str) -> bool:
    """A raw character XML cannot carry (tab, LF, CR excepted) or that makes a range."""
    return len(token) == 1 and ((ord(token) < 0x20 and token not in "\t\n\r")
                                or ord(token) >= 0xFFFE)


def xsd_pattern_to_ecma(patterns: tuple[str, ...]) -> str:
    """One restriction step's patterns (OR'ed, implicitly anchored) as an anchored regex."""
    translated = [xsd_regex_to_ecma(pattern) for pattern in patterns]
    body = translated[0] if len(translated) == 1 else "|".join(f"(?:{p})" for p in translated)
    return f"^(?:{body})$"
