"""b2b-openapi: CAISO SOAP B2B artifacts (WSDL + XSD) -> OpenAPI 3.0, clients, servers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("b2b-openapi")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"
