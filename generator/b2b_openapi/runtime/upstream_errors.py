"""The gateway's SOAP call as the caller sees it when it goes wrong: a deadline for the whole
call, and each way a SOAP service can fail told apart.

* ``B2B_SOAP_TIMEOUT`` bounds the whole call - connect, send, every chunk of the answer -
  not each step (httpx's own timeouts restart with every byte, so a service dripping one
  byte a second would hold a request forever): past it, **504**.
* **502**, saying which: no connection; the connection dropped mid-answer; a redirect (not
  followed: the endpoint is configured, and a redirect would re-post the envelope
  somewhere unconfigured); a body that is not a SOAP envelope (an HTML error page); an HTTP
  error status without a SOAP fault - never a 200.
* **500** stays for SOAP Server faults and 400 for Client faults (:mod:`.gateway`); their
  strings and details are clipped like every error text (:func:`.spec.clip`).
* CAISO's acceptable use refusal is not SOAP (protocol notes, section 5): a body with its
  words becomes the **429** it means.

The gateway holds an answer's first :data:`HELD_BACK_BYTES` of JSON back, so that a failure
within them (most answers are smaller) is still one of these statuses; only a larger answer
streams, and once its 200 has begun a failure can only cut the connection (see
:mod:`.streaming`): the errors raised here then end the stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from b2b_openapi.errors import one_line
from b2b_openapi.runtime.spec import Problem, clip
from b2b_openapi.runtime.upstream import describe

HELD_BACK_BYTES = 2**20  # JSON held before a streamed answer starts (per call in flight)
MAX_ERROR_BODY = 4 * 2**20  # an error answer (fault, HTML page) read at most
AUP_WORDS = b"Acceptable Use Policy Violation"


class Deadline:
    """The moment an upstream call (a SOAP service's, or OASIS's) must be done by, on the
    running loop's clock: connect, send and every chunk of the answer within it."""

    def __init__(self, seconds: float, endpoint: str, service: str = "SOAP service") -> None:
        self.seconds = seconds
        self.endpoint = endpoint
        self.service = service  # what the problem titles call the upstream
        self.at = asyncio.get_running_loop().time() + seconds

    def expired(self) -> Problem:
        return Problem(504, f"{self.service} timed out",
                       f"{self.endpoint} gave no complete answer within {self.seconds:g} s "
                       "(B2B_SOAP_TIMEOUT)")

    async def send(self, http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
        """``request`` sent, its answer's headers read (the body left to stream)."""
        try:
            async with asyncio.timeout_at(self.at):
                return await http.send(request, stream=True, follow_redirects=False)
        except TimeoutError:
            raise self.expired() from None
        except httpx.HTTPError as exc:
            raise transport_problem(exc, self) from None

    async def chunks(self, response: httpx.Response) -> AsyncIterator[bytes]:
        """The answer's body, each chunk within the deadline."""
        stream = response.aiter_bytes()
        while True:
            try:
                async with asyncio.timeout_at(self.at):
                    chunk = await anext(stream)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise self.expired() from None
            except httpx.HTTPError as exc:
                raise transport_problem(exc, self) from None
            yield chunk


def transport_problem(exc: httpx.HTTPError, deadline: Deadline) -> Problem:
    """What a transport failure means to the caller."""
    why = clip(describe(exc))  # the TLS error underneath, when there is one
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return deadline.expired()
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return Problem(502, f"{deadline.service} unreachable",
                       f"cannot connect to {deadline.endpoint}: {why}")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return Problem(502, f"{deadline.service} dropped the connection",
                       f"{deadline.endpoint} closed the connection mid-answer: {why}")
    return Problem(502, f"{deadline.service} unreachable", f"{deadline.endpoint}: {why}")


SOAP_MEDIA = {"text/xml", "application/xml", "application/soap+xml", "multipart/related",
              "application/xop+xml"}


def soap_media(headers: Mapping[str, str]) -> bool:
    """Whether an answer's Content-Type can be SOAP (no Content-Type: left to the parser)."""
    media = headers.get("content-type")
    return media is None or media.partition(";")[0].strip().lower() in SOAP_MEDIA


def redirect_problem(response: httpx.Response, endpoint: str) -> Problem | None:
    """A 502 for a redirect (3xx), else None."""
    if not 300 <= response.status_code < 400:
        return None
    location = response.headers.get("location", "nowhere")
    return Problem(502, "SOAP service redirected",
                   f"{endpoint} answered HTTP {response.status_code} to {clip(location, 200)}; "
                   "the gateway does not follow redirects: configure the final endpoint")


async def error_body(chunks: AsyncIterator[bytes], endpoint: str, status: int) -> bytes:
    """The body of an error status, read whole but at most :data:`MAX_ERROR_BODY`."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_ERROR_BODY:
            raise Problem(502, "SOAP service error",
                          f"{endpoint} answered HTTP {status} with more than "
                          f"{MAX_ERROR_BODY // 2**20} MB")
        parts.append(chunk)
    return b"".join(parts)


def not_soap(status: int, headers: Mapping[str, str], data: bytes, why: str) -> Problem:
    """The answer for a body that is not a SOAP envelope."""
    if AUP_WORDS in data[:MAX_ERROR_BODY]:  # CAISO's own refusal: a 429, with its text
        text = clip(one_line(data.decode("utf-8", "replace")))
        return Problem(429, "Too Many Requests", f"the SOAP service refused: {text}",
                       headers={"Retry-After": "30"})
    content_type = headers.get("content-type", "no Content-Type")
    return Problem(502, "Invalid SOAP response",
                   f"HTTP {status}, {clip(content_type, 100)}: not a SOAP envelope ({why})")


def without_fault(status: int) -> Problem:
    """An HTTP error status whose envelope holds no fault: a failure, never data."""
    return Problem(502, "SOAP service error",
                   f"HTTP {status} without a SOAP fault; the answer is not used")


def clipped(value: Any) -> Any:
    """A decoded fault detail with every string in it clipped (:func:`.spec.clip`)."""
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, dict):
        return {clip(str(k), 100): clipped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clipped(v) for v in value[:100]]
    return value
