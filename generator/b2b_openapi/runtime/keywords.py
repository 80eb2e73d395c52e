"""The runtime's own rules for the keywords where jsonschema's are not what the specs mean:
XSD formats checked fully, ``multipleOf`` exact at any magnitude, ECMA-262 patterns.  Both the
jsonschema validator (:mod:`.spec`) and the compiled checks (:mod:`.verdict`) use these, so
the two give one verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, Inexact, localcontext
from functools import cache, lru_cache

from jsonschema import FormatChecker

from b2b_openapi.openapi import formats

# Calendar validity (2026-02-30) is beyond the spec's patterns: check the XSD formats fully.
XSD_FORMATS = FormatChecker(formats=())


REMEMBERED_CHARS = 64  # verdicts on values up to this long are remembered (dates, names)


def _conforms(parse: Callable[[str], object]) -> Callable[[object], bool]:
    """The format check of ``parse``'s values.  elementpath's parsers take ~15 us a date,
    the largest cost of validating a typical request, and requests repeat the same few
    dates and names: short values' verdicts (a pure function of the text) are remembered,
    a bounded number of them."""
    def parses(value: str) -> bool:
        try:
            parse(value)
        except (ValueError, TypeError, ArithmeticError):  # years past datetime's range too
            return False
        return True

    remembered = lru_cache(maxsize=4096)(parses)

    def check(value: object) -> bool:
        if not isinstance(value, str):  # other types are the `type` keyword's business
            return True
        return remembered(value) if len(value) <= REMEMBERED_CHARS else parses(value)
    return check


for _format, _parse in formats.checks().items():
    XSD_FORMATS.checks(_format)(_conforms(_parse))
# OpenAPI's own format names, which a third-party document uses (ours name XSD formats):
# jsonschema's checks, where the installed packages provide one
_STANDARD = FormatChecker()
for _format in ("date", "date-time", "time", "uuid", "email", "ipv4", "ipv6"):
    if _format in _STANDARD.checkers:
        XSD_FORMATS.checkers[_format] = _STANDARD.checkers[_format]


def is_multiple_of(value: Decimal | int | float, step: Decimal | int | float) -> bool:
    """Whether ``value`` is an integer multiple of ``step`` (> 0), exactly, in time linear in
    the digits written whatever the exponents.

    A request body decides the exponent: ``1e20000000`` is ten bytes, and exact rational
    arithmetic (``Fraction``) or a conversion to ``int`` would build its twenty million
    digits on the server's one event loop.  With ``value = c * 10**e`` and
    ``step = s * 10**f`` (integer coefficients) it is ``s | c * 10**(e - f)`` for
    ``e >= f``, checked modulo ``s`` with a modular power, and ``s * 10**(f - e) | c``
    otherwise, which a nonzero ``c`` with fewer digits than ``f - e`` cannot satisfy."""
    number, divisor = Decimal(value), Decimal(step)
    if not number.is_finite():
        return False
    if number.is_zero():
        return True
    _, c_digits, e = number.as_tuple()
    _, s_digits, f = divisor.as_tuple()
    assert isinstance(e, int) and isinstance(f, int)  # both finite
    shift = e - f
    if -shift >= len(c_digits):  # 0 < |c| < 10**len(c_digits) <= s * 10**-shift
        return False
    coefficient, modulus = Decimal((0, c_digits, 0)), Decimal((0, s_digits, max(-shift, 0)))
    with localcontext() as exact:  # enough digits for the quotient: the remainder is exact
        exact.prec = len(c_digits) + len(s_digits) + 2
        exact.traps[Inexact] = True
        remainder = coefficient % modulus
    if shift <= 0:
        return remainder.is_zero()
    s = int(Decimal((0, s_digits, 0)))  # the spec's step: few digits, so are s and remainder
    return int(remainder) * pow(10, shift, s) % s == 0


@cache
def python_regex(pattern: str) -> re.Pattern[str]:
    """An ECMA-262 pattern (OpenAPI's dialect) for Python's ``re``.  Where they differ on
    the patterns the specs use: ECMAScript's ``$`` (no multiline flag) matches only at the
    very end, Python's also before a final newline, so ``W001\\n`` passed ``^W[0-9]{3}$``;
    outside a character class it becomes ``\\Z``."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = "\\Z"
        out.append(ch)
        i += 1
    return re.compile("".join(out))
