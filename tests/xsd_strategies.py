"""Hypothesis strategies for the specs' XSD formats (b2b_openapi.openapi.formats): valid XSD 1.0
lexical values.  Generators cannot invert the format checks (calendar validity), so property
tests and schemathesis runs both draw formatted strings from here."""

from __future__ import annotations

import base64
import datetime as dt

from hypothesis import strategies as st

from b2b_openapi.openapi import formats

_TZ = st.sampled_from(["", "Z", "+00:00", "-08:00", "+14:00"])
FORMATS: dict[str, st.SearchStrategy[str]] = {
    formats.DATE_TIME: st.builds(
        lambda d, tz: d.isoformat() + tz,
        st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)), _TZ),
    formats.DATE: st.builds(lambda d, tz: d.isoformat() + tz,
                            st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), _TZ),
    formats.TIME: st.builds(lambda t, tz: t.isoformat() + tz, st.times(), _TZ),
    formats.DURATION: st.builds(lambda d, h, m: f"P{d}DT{h}H{m}M", st.integers(0, 40),
                                st.integers(0, 23), st.integers(0, 59)),
    formats.BASE64: st.binary(max_size=48).map(lambda b: base64.b64encode(b).decode()),
}
