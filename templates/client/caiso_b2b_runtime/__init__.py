"""The runtime every generated CAISO B2B client package runs on (``caiso-b2b-runtime``).

One distribution, shared by all system packages (``caiso-b2b-sibr``, ``caiso-b2b-cmri``...),
so code that calls several CAISO systems has one configuration type and one exception
tree: ``except caiso_b2b_runtime.ApiError`` (or the same class re-exported as
``caiso_b2b_sibr.ApiError``) catches what any system's client raises.  This source is copied
verbatim by b2b-openapi into ``build/clients/caiso-b2b-runtime/``; it is linted and
type-checked (mypy --strict) in the b2b-openapi repository, not rendered from a template.

Bodies travel as exact JSON: numbers are ``Decimal`` both ways (simplejson), because CAISO
quantities and prices are xs:decimal and must not pass through binary floats.
"""

from .client import AsyncServiceClient, BinaryAnswer, ServiceClient
from .config import VERSION, ClientCertificate, ClientConfig
from .errors import (
    ApiError,
    AuthenticationError,
    B2BError,
    BadRequestError,
    RateLimitError,
    RequestValidationError,
    ResponseError,
    ServerError,
    TransportError,
    retry_after_seconds,
)

__version__ = VERSION
__all__ = [
    "ApiError",
    "AsyncServiceClient",
    "AuthenticationError",
    "B2BError",
    "BadRequestError",
    "BinaryAnswer",
    "ClientCertificate",
    "ClientConfig",
    "RateLimitError",
    "RequestValidationError",
    "ResponseError",
    "ServerError",
    "ServiceClient",
    "TransportError",
    "__version__",
    "retry_after_seconds",
]
