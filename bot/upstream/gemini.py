"""GeminiClient: send generateContent requests, authenticate, retry; the request is built and
the answer read in wire.py.

The calls go through aiohttp (as the bot's other HTTP calls do): one session, its connections
pooled per host without the per-call walk of every pooled connection that httpcore does, and
the answer read as the socket delivers it, with no re-registration with the event loop per read.

The key is sent in a header (x-goog-api-key or Bearer) or, for ``query``, as ``?key=``; in every
case it is kept out of exceptions and messages: errors raised here are our own and carry no URL
(aiohttp's own errors name the URL, so none is chained, logged or shown).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import ssl
import time
import urllib.request
from collections.abc import Sequence
from typing import Any

import aiohttp
import certifi
import stamina
from yarl import URL

from ..config import AuthStyle
from ..domain import GeneratedImage, ImageInput
from ..errors import ConfigError, UpstreamError, network_reason
from ..ops import Metrics
from .wire import Retry, Safety, encode_body, parse_body, status_error

log = logging.getLogger(__name__)

# Seconds an idle connection is kept for the next call. A model call lasts seconds to minutes:
# a fresh connection for one is nothing beside that, so idle ones are not kept long.
KEEPALIVE_S = 15.0
CONNECT_TIMEOUT_S = 15.0
# The most an answer may weigh. The largest a 4K image can be is a 17-megapixel PNG of pure
# grain: about 49 MB, 66 MB in base64; a photo weighs far less, and the model's thought images
# are small. A gateway sending more is broken or hostile, and reading it whole would cost the
# process its memory (a 200 MB answer once took it to 1.4 GB). Asking again would pay again for
# the same answer: it is refused at once.
MAX_ANSWER_BYTES = 96 * 1024 * 1024
MAX_ERROR_BYTES = 256 * 1024  # an error's JSON: only its first part is read
# aiohttp's wording for a request whose bytes could not be written (its ClientOSError names no
# other way): such a request never reached the model, so it is asked again
_UNWRITTEN = "Can not write request body"


async def read_capped(response: aiohttp.ClientResponse, limit: int, *,
                      cut: bool = False) -> bytes:
    """The body, read as it comes, never more than ``limit`` bytes (decompressed): past it the
    rest is cut off (``cut``) or the answer is refused, the model's work unused (refunded).
    The pieces are joined once, at the end: megabytes are copied once."""
    declared = response.content_length
    if not cut and declared is not None and declared > limit:
        raise UpstreamError("upstream_malformed", status=response.status, transient=False,
                            detail=f"answer of {declared >> 20} MB")
    pieces: list[bytes] = []
    size = 0
    content = response.content
    while piece := await content.readany():  # what the socket delivered, not copied
        if size + len(piece) > limit:
            if cut:
                pieces.append(piece[:limit - size])
                break
            raise UpstreamError("upstream_malformed", status=response.status, transient=False,
                                detail=f"answer over {limit >> 20} MB")
        pieces.append(piece)
        size += len(piece)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _tls() -> ssl.SSLContext:
    """The CAs httpx trusted: SSL_CERT_FILE or SSL_CERT_DIR when set, else certifi's; loaded
    once for every connection."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())


def _proxy(url: URL) -> str | None:
    """The proxy httpx took from the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY)
    for the model's host, found once: aiohttp's own look-up (trust_env) would read the
    environment and ~/.netrc in a worker thread at every call."""
    proxies = urllib.request.getproxies_environment()
    if not url.host or urllib.request.proxy_bypass(url.host):
        return None
    return proxies.get(url.scheme) or proxies.get("all")


def _session(max_connections: int) -> aiohttp.ClientSession:
    tls = _tls()
    connector = aiohttp.TCPConnector(limit=max_connections, limit_per_host=0,
                                     keepalive_timeout=KEEPALIVE_S, ssl=tls, ttl_dns_cache=300)
    # the whole answer's deadline is the caller's (asyncio.timeout): aiohttp's covers only the
    # connection; a redirect would carry the key elsewhere, so none is followed
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=None,
                                                           sock_connect=CONNECT_TIMEOUT_S))


class GeminiClient:
    def __init__(
        self, *, base_url: str, api_key: str, auth: AuthStyle, model: str,
        timeout_s: float = 300.0, max_attempts: int = 4, backoff_s: float = 1.0,
        max_connections: int = 64, http: aiohttp.ClientSession | None = None,
        max_retry_delay_s: float = 60.0, metrics: Metrics | None = None,
    ) -> None:
        self.model = model
        self.metrics = metrics or Metrics(model=model, enabled=False)
        self._timeout_s = timeout_s
        self._max_retry_delay_s = max_retry_delay_s
        self._auth = auth
        self._key = api_key
        self._headers, query = self._auth_parts()
        # the URLs built once, the key in them for ``query``: yarl parses nothing per call
        model_url = f"{base_url.rstrip('/')}/v1beta/models/{model}"
        self._model_url = URL(model_url).update_query(query)
        self._url = URL(f"{model_url}:generateContent").update_query(query)
        self._proxy = _proxy(self._url)
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._max_connections = max_connections
        # made at the first call: an aiohttp session belongs to the running event loop
        self._http = http

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = _session(self._max_connections)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def check_key(self) -> None:
        """At start, one free ``models.get`` of the configured model: ConfigError when the key
        is refused. Any other answer (a gateway without that route, an outage) only warns: the
        bot starts, and an edit that fails later is refunded."""
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S), self.http.get(
                    self._model_url, headers=self._headers, proxy=self._proxy,
                    allow_redirects=False) as response:
                status = response.status
                body = b"" if status == 200 else await read_capped(response, MAX_ERROR_BYTES,
                                                                   cut=True)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("gemini: could not check GEMINI_API_KEY at start (%s)", network_reason(exc))
            return
        if status == 200:
            return
        error = status_error(status, body)
        if isinstance(error, UpstreamError) and error.code == "upstream_auth":
            raise ConfigError.about(
                f"GEMINI_API_KEY was refused by the Gemini API (HTTP {status}): "
                "check the key, and GEMINI_AUTH / GEMINI_BASE_URL when using a gateway",
                "GEMINI_API_KEY")
        log.warning("gemini: could not check GEMINI_API_KEY at start (HTTP %d)", status)

    def _auth_parts(self) -> tuple[dict[str, str], dict[str, str]]:
        if self._auth == "bearer":
            return {"Authorization": f"Bearer {self._key}"}, {}
        if self._auth == "query":
            return {}, {"key": self._key}
        return {"x-goog-api-key": self._key}, {}

    async def generate(
        self, prompt: str, images: Sequence[ImageInput] = (), *,
        aspect_ratio: str | None = None, image_size: str | None = None,
        history: Sequence[dict[str, Any]] = (), safety: Safety = None,
    ) -> GeneratedImage:
        """One edit or generation (after ``history``, the conversation's earlier turns).
        Raises Refusal or UpstreamError; retries transient failures with jittered backoff,
        honouring the server's RetryInfo up to ``max_retry_delay_s`` (a longer wait is a
        failure at once)."""
        content = encode_body(prompt, images, aspect_ratio, image_size, history, safety)
        started = time.monotonic()
        try:
            async for attempt in stamina.retry_context(
                on=self._backoff_for, attempts=self._max_attempts, timeout=None,
                wait_initial=self._backoff_s, wait_max=30 * self._backoff_s,
                wait_jitter=self._backoff_s,
            ):
                with attempt:
                    if attempt.num > 1:
                        self.metrics.upstream_retry()
                    try:
                        return await self._attempt(content)
                    except Retry as retry:
                        log.warning("gemini attempt %d failed: %s", attempt.num, retry.error,
                                    extra=_retry_fields(attempt.num, retry.error))
                        if retry.delay is not None and retry.delay > self._max_retry_delay_s:
                            raise UpstreamError(
                                "upstream_retry_too_late", status=retry.error.status,
                                transient=True, detail=f"retryDelay {retry.delay:g}s") from None
                        raise
        except Retry as retry:
            raise retry.error from None
        finally:  # the upstream stage: every attempt and the waits between them
            self.metrics.stage("upstream", image_size, time.monotonic() - started)
        raise UpstreamError("upstream_failed", transient=True)  # only with zero attempts

    def _backoff_for(self, exc: Exception) -> bool | float:
        if not isinstance(exc, Retry):
            return False
        if exc.delay is not None:
            return exc.delay + random.uniform(0, self._backoff_s / 4)
        return True

    async def _attempt(self, content: bytes) -> GeneratedImage:
        headers = {**self._headers, "Content-Type": "application/json"}
        try:
            # a deadline for the whole answer: a body trickled a few bytes at a time would
            # never trip a per-read timeout
            async with asyncio.timeout(self._timeout_s), self.http.post(
                    self._url, data=content, headers=headers, proxy=self._proxy,
                    allow_redirects=False) as response:
                status = response.status
                ok = status == 200
                body = await read_capped(response, MAX_ANSWER_BYTES if ok else MAX_ERROR_BYTES,
                                         cut=not ok)
        except TimeoutError:  # aiohttp's connect timeout is one too
            self.metrics.upstream_response("timeout")
            # The model may still be working (and billing); a retry would pay twice.
            raise UpstreamError("upstream_timeout", transient=True) from None
        except aiohttp.ClientError as exc:  # its message names the URL: it goes no further
            self.metrics.upstream_response("network")
            error = UpstreamError("upstream_unreachable", transient=True,
                                  detail=type(exc).__name__)
            # broken once the request was sent: the model may have answered (and billed)
            unsent = isinstance(exc, aiohttp.ClientConnectorError) or (
                isinstance(exc, aiohttp.ClientOSError) and str(exc).startswith(_UNWRITTEN))
            raise (Retry(error, None) if unsent else error) from None
        self.metrics.upstream_response(f"{status // 100}xx")
        if not ok:
            raise status_error(status, body)
        # megabytes of JSON and base64: parsed off the event loop
        return await asyncio.to_thread(parse_body, body)


def _retry_fields(attempt: int, error: UpstreamError) -> dict[str, object]:
    """A failed attempt's facts, for whoever shows retries in its own words (the CLI)."""
    return {"attempt": attempt, "error": error.code, "status": error.status}
