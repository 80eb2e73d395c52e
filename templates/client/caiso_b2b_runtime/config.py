"""Where and how a client calls: base URL, API key, client certificate, TLS, retries."""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)

try:
    VERSION = version("caiso-b2b-runtime")
except PackageNotFoundError:  # imported from a source folder, not installed
    VERSION = "0+unknown"
USER_AGENT = f"caiso-b2b-runtime/{VERSION}"


@dataclass(frozen=True)
class ClientCertificate:
    """The X.509 identity presented for mutual TLS: a PEM certificate chain and its key."""

    cert_pem: bytes
    key_pem: bytes = field(repr=False)  # secrets stay out of logs that print a config
    password: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_pem(cls, cert: str | Path, key: str | Path | None = None,
                 password: str | None = None) -> ClientCertificate:
        """Certificate and key PEM files (or one file holding both)."""
        cert_pem = Path(cert).read_bytes()
        key_pem = Path(key).read_bytes() if key is not None else cert_pem
        return cls(cert_pem, key_pem, password.encode() if password else None)

    @classmethod
    def from_pkcs12(cls, path: str | Path, password: str | None = None) -> ClientCertificate:
        """A PKCS#12 (.p12/.pfx) bundle, as CAISO's certificate tooling exports it."""
        secret = password.encode() if password else None
        key, cert, extra = pkcs12.load_key_and_certificates(Path(path).read_bytes(), secret)
        if key is None or cert is None:
            raise ValueError(f"{path}: PKCS#12 bundle lacks a private key or certificate")
        chain = b"".join(c.public_bytes(Encoding.PEM) for c in [cert, *extra])
        protection = BestAvailableEncryption(secret) if secret else NoEncryption()
        key_pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, protection)
        return cls(chain, key_pem, secret)

    def load_into(self, context: ssl.SSLContext) -> None:
        """ssl only loads identities from files: write them to private temporary files."""
        with tempfile.TemporaryDirectory(prefix="caiso-b2b-") as folder:
            cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
            for path, data in ((cert_file, self.cert_pem), (key_file, self.key_pem)):
                path.touch(mode=0o600)
                path.write_bytes(data)
            context.load_cert_chain(cert_file, key_file, self.password)


@dataclass(frozen=True)
class ClientConfig:
    """Where and how to call: nothing is hard-coded, everything has an environment variable.

    ``verify`` is True (system CAs), False (no verification, tests only) or a CA bundle path.
    Retries apply to connections that failed before the request was sent (any operation:
    it never arrived) and, for operations safe to repeat (GET, not under an acceptable use
    policy), to broken reads and 502/503/504 answers.  A submit whose answer was lost is
    never sent twice; 429 is never retried for you: :class:`RateLimitError` tells how long
    to wait.  Retries wait ``backoff_seconds``, doubling each time up to
    ``max_retry_after`` (a long outage should not stretch the waits to minutes), or the
    answer's ``Retry-After`` when that is longer; an answer asking for more than
    ``max_retry_after`` seconds is not retried but raised (see ``ApiError.retry_after``).
    """

    base_url: str = "http://127.0.0.1:8000"
    api_key: str | None = field(default=None, repr=False)
    certificate: ClientCertificate | None = None
    verify: bool | str | Path = True
    timeout: float = 30.0
    max_retries: int = 2
    backoff_seconds: float = 0.5
    max_retry_after: float = 10.0

    @classmethod
    def from_env(cls, prefix: str = "CAISO_B2B_") -> ClientConfig:
        """``CAISO_B2B_BASE_URL``, ``_API_KEY``, ``_CERT``/``_KEY`` (PEM) or ``_P12``,
        ``_CERT_PASSWORD``, ``_CA_BUNDLE``, ``_TIMEOUT``, ``_MAX_RETRIES``."""
        env = {k.removeprefix(prefix): v for k, v in os.environ.items() if k.startswith(prefix)}
        certificate = None
        if "P12" in env:
            certificate = ClientCertificate.from_pkcs12(env["P12"], env.get("CERT_PASSWORD"))
        elif "CERT" in env:
            certificate = ClientCertificate.from_pem(env["CERT"], env.get("KEY"),
                                                     env.get("CERT_PASSWORD"))
        return cls(
            base_url=env.get("BASE_URL", cls.base_url),
            api_key=env.get("API_KEY"),
            certificate=certificate,
            verify=env.get("CA_BUNDLE", True),
            timeout=float(env.get("TIMEOUT", cls.timeout)),
            max_retries=int(env.get("MAX_RETRIES", cls.max_retries)),
        )

    def ssl_context(self) -> ssl.SSLContext | bool:
        if self.verify is False and self.certificate is None:
            return False
        context = ssl.create_default_context(
            cafile=str(self.verify) if isinstance(self.verify, (str, Path)) else None)
        if self.verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.certificate is not None:
            self.certificate.load_into(context)
        return context

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        return headers
