"""Python names for OpenAPI names, shared by the emitters and the servers' runtime.

A module of its own (no jinja2): the runtime needs these names too, and must not load the
templating stack it never renders with.
"""

from __future__ import annotations

import re


def snake(name: str) -> str:
    """``RetrieveCleanBidSet_SIBRv5_DocAttach`` -> ``retrieve_clean_bid_set_sibrv5_doc_attach``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = re.sub(r"([A-Z]+)([A-Z][a-z]{2})", r"\1_\2", words)  # HTTPServer, not SIBRv5
    return re.sub(r"_+", "_", words).lower()
