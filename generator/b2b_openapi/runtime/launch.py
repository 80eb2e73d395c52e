"""Starting the generated servers for ``b2b-openapi serve``: options -> environment -> uvicorn.

The apps read their configuration from ``B2B_*`` variables (each uvicorn worker imports them
afresh), so ``serve`` turns its options into those variables, checks the result once with
the apps' own reader (:meth:`.server.Settings.from_env`: a bad value is one line naming the
option or variable, before any worker starts) and runs uvicorn on
:func:`.combined.app_from_env`.  Secrets never need the command line: API keys come from
``B2B_API_KEYS`` or a file of hashed keys, a Redis password from ``B2B_REDIS_URL``.
"""

from __future__ import annotations

import copy
import os
import shutil
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from b2b_openapi.runtime.envconfig import ConfigError, integer
from b2b_openapi.runtime.server import Settings

# serve option -> the variable that sets it (when the option is not given) and that hands
# it to the workers
SERVE_VARIABLES = {
    "--service": "B2B_SERVICE", "--mode": "B2B_MODE", "--api-keys-file": "B2B_API_KEYS_FILE",
    "--soap-timeout": "B2B_SOAP_TIMEOUT", "--redis-url": "B2B_REDIS_URL",
    "--workers": "B2B_WORKERS", "--max-body-mb": "B2B_MAX_BODY_MB",
    "--max-upstream": "B2B_MAX_UPSTREAM", "--upstream-queue-seconds":
    "B2B_UPSTREAM_QUEUE_SECONDS", "--host": "B2B_HOST", "--port": "B2B_PORT",
    "--build": "B2B_BUILD", "--tls-cert": "B2B_TLS_CERT", "--tls-key": "B2B_TLS_KEY",
    "--tls-client-ca": "B2B_TLS_CLIENT_CA",
}


class UsageError(ValueError):
    """A serve option or variable is unusable; ``option`` names the one at fault."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Launch:
    """A checked serve configuration: the environment for the workers, and uvicorn's
    arguments."""

    env: dict[str, str]
    settings: Settings
    workers: int
    uvicorn: dict[str, Any]


def plan(values: Mapping[str, str], from_command_line: set[str], env: Mapping[str, str],
         *, host: str, port: str, tls: Mapping[str, Path | None],
         uvicorn_extra: Mapping[str, Any] | None = None) -> Launch:
    """Check the options (``values``: option -> text, given or from its variable) against
    each other and the apps' reader; raise :class:`UsageError` naming what is wrong.
    ``uvicorn_extra``: more uvicorn arguments (e.g. an ``http`` protocol class)."""
    merged = dict(env)
    for option, value in values.items():
        merged[SERVE_VARIABLES[option]] = value
    try:
        workers = integer(merged, "B2B_WORKERS", 1, minimum=1)
        port_number = integer(merged, "B2B_PORT", 8000, minimum=0)
        settings = Settings.from_env(merged)
    except ConfigError as exc:
        variable = str(exc).partition(":")[0]
        named = next((o for o, v in SERVE_VARIABLES.items() if v == variable), None)
        if named in from_command_line:
            raise UsageError(str(exc).replace(variable, named, 1), named) from None
        raise UsageError(str(exc)) from None
    if workers > 1 and not settings.redis_url:
        raise UsageError(f"--workers {workers} needs --redis-url (B2B_REDIS_URL): the "
                         "acceptable use window must be one for all workers", "--workers")
    if "--redis-url" in from_command_line and settings.redis_url and \
            "@" in settings.redis_url.partition("//")[2].partition("/")[0]:
        raise UsageError("a Redis URL with credentials on the command line is visible to "
                         "every local user (ps): set B2B_REDIS_URL instead", "--redis-url")
    cert, key, ca = tls.get("--tls-cert"), tls.get("--tls-key"), tls.get("--tls-client-ca")
    options: dict[str, Any] = {
        "host": host, "port": port_number, "workers": workers, "factory": True,
        "access_log": False, "log_config": log_config(), "ssl_certfile": cert,
        "ssl_keyfile": key, "ssl_ca_certs": ca,
        "ssl_cert_reqs": ssl.CERT_REQUIRED if ca else ssl.CERT_NONE, **(uvicorn_extra or {})}
    return Launch(merged, settings, workers, options)


def log_config() -> dict[str, Any]:
    """uvicorn's logging plus the server's own loggers (the JSON access lines as they are)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["b2b"] = {"format": "%(message)s"}
    config["handlers"]["b2b"] = {"class": "logging.StreamHandler", "formatter": "b2b",
                                 "stream": "ext://sys.stderr"}
    config["loggers"]["b2b_openapi"] = {"handlers": ["b2b"], "level": "INFO",
                                        "propagate": False}
    return config


def run(launch: Launch) -> None:
    """Hand the environment over and run uvicorn until it stops."""
    import uvicorn

    os.environ.update(launch.env)
    if launch.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # every worker writes its figures here; /metrics adds them all up
        metrics = tempfile.mkdtemp(prefix="b2b-openapi-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics
    else:
        metrics = None
    try:
        uvicorn.run("b2b_openapi.runtime.combined:app_from_env", **launch.uvicorn)
    finally:
        if metrics is not None:
            shutil.rmtree(metrics, ignore_errors=True)
