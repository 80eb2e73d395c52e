"""b2b-openapi: CAISO SOAP B2B artifacts (WSDL + XSD) -> OpenAPI 3.0, clients, servers."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed distribution on first use: importing
    importlib.metadata and scanning the installed distributions is a measurable part of
    the spec stage's start-up, which does not need it (docs/performance.md)."""
    if name != "__version__":
        raise AttributeError(f"module 'b2b_openapi' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("b2b-openapi")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        found = "0.0.0"
    globals()["__version__"] = found
    return found
