"""GeminiClient: build generateContent requests, authenticate, retry; the answer is read in
gemini_wire.py.

The key is sent in a header (x-goog-api-key or Bearer) or, for ``query``, as ``?key=``; in every
case it is kept out of exceptions and messages: errors raised here are our own and carry no URL.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import time
from collections.abc import Sequence
from typing import Any

import httpx
import stamina

from ..config import AuthStyle
from ..domain import GeneratedImage, ImageInput
from ..errors import ConfigError, UpstreamError, network_reason
from ..ops import Metrics
from .wire import Retry, parse_body, status_error

log = logging.getLogger(__name__)

# Idle connections kept open. httpcore checks every idle connection of the pool on each request
# and response (a syscall each, and a count of the idle ones per idle one), so a pool that keeps
# hundreds open spends more time checking than calling. A model call lasts seconds to minutes;
# opening a fresh connection for one is nothing beside that.
KEEPALIVE = 16
# httpcore also walks every connection of a pool (a check of each, a syscall for the idle
# ones) whenever a request starts or ends: with hundreds of calls at once that walk costs more
# than the calls. Past this many connections the calls are spread over several pools, each
# call to the one with the fewest running, so each walk stays short.
CONNECTIONS_PER_POOL = 32
# The most an answer may weigh. The largest a 4K image can be is a 17-megapixel PNG of pure
# grain: about 49 MB, 66 MB in base64; a photo weighs far less, and the model's thought images
# are small. A gateway sending more is broken or hostile, and reading it whole would cost the
# process its memory (a 200 MB answer once took it to 1.4 GB). Asking again would pay again for
# the same answer: it is refused at once.
MAX_ANSWER_BYTES = 96 * 1024 * 1024
MAX_ERROR_BYTES = 256 * 1024  # an error's JSON: only its first part is read
# a community's safety level as Gemini's safetySettings ({category, threshold} each); None: none
Safety = Sequence[dict[str, str]] | None


async def read_capped(response: httpx.Response, limit: int, *, cut: bool = False) -> bytearray:
    """The body, read as it comes, never more than ``limit`` bytes (decompressed): past it the
    rest is cut off (``cut``) or the answer is refused, the model's work unused (refunded)."""
    body = bytearray()
    declared = response.headers.get("content-length", "")
    if not cut and declared.isdigit() and int(declared) > limit:
        raise UpstreamError("upstream_malformed", status=response.status_code, transient=False,
                            detail=f"answer of {int(declared) >> 20} MB")
    async for chunk in response.aiter_bytes():
        if len(body) + len(chunk) > limit:
            if cut:
                body += chunk[:limit - len(body)]
                return body
            raise UpstreamError("upstream_malformed", status=response.status_code,
                                transient=False,
                                detail=f"answer over {limit >> 20} MB")
        body += chunk
    return body


async def _post(http: httpx.AsyncClient, url: str, content: bytes, headers: dict[str, str],
                params: dict[str, str]) -> tuple[httpx.Response, bytearray]:
    """The answer's status and headers (an error's body in it) and its body, capped."""
    async with http.stream("POST", url, content=content, headers=headers,
                           params=params) as streamed:
        ok = streamed.status_code == 200
        body = await read_capped(streamed, MAX_ANSWER_BYTES if ok else MAX_ERROR_BYTES,
                                 cut=not ok)
        return httpx.Response(streamed.status_code, headers=streamed.headers,
                              content=b"" if ok else bytes(body)), body


class Pools:
    """The HTTP clients calls go through: one, or past CONNECTIONS_PER_POOL connections
    several, each call to the one with the fewest calls under way."""

    def __init__(self, clients: list[httpx.AsyncClient]) -> None:
        self.clients = clients
        self._running = [0] * len(clients)  # calls under way in each

    @staticmethod
    def made(timeout_s: float, max_connections: int) -> list[httpx.AsyncClient]:
        count = -(-max_connections // CONNECTIONS_PER_POOL)
        tls = httpx.create_ssl_context()  # one for all: each would load the CAs again
        # each may take every connection (the calls are bounded before they get here: the
        # shared line); the idle ones kept are shared out
        limits = httpx.Limits(max_connections=max_connections,
                              max_keepalive_connections=-(-min(max_connections, KEEPALIVE)
                                                          // count))
        return [httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=15.0), verify=tls,
                                  limits=limits) for _ in range(count)]

    async def post(self, url: str, content: bytes, headers: dict[str, str],
                   params: dict[str, str]) -> tuple[httpx.Response, bytearray]:
        running = self._running
        index = running.index(min(running)) if len(running) > 1 else 0
        running[index] += 1
        try:
            return await _post(self.clients[index], url, content, headers, params)
        finally:
            running[index] -= 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


class GeminiClient:
    def __init__(
        self, *, base_url: str, api_key: str, auth: AuthStyle, model: str,
        timeout_s: float = 300.0, max_attempts: int = 4, backoff_s: float = 1.0,
        max_connections: int = 64, http: httpx.AsyncClient | None = None,
        max_retry_delay_s: float = 60.0, metrics: Metrics | None = None,
    ) -> None:
        self.model = model
        self.metrics = metrics or Metrics(model=model, enabled=False)
        self._timeout_s = timeout_s
        self._max_retry_delay_s = max_retry_delay_s
        self._model_url = f"{base_url.rstrip('/')}/v1beta/models/{model}"
        self._url = f"{self._model_url}:generateContent"
        self._auth = auth
        self._key = api_key
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._pools = Pools([http] if http else Pools.made(timeout_s, max_connections))
        self._http = self._pools.clients[0]

    async def aclose(self) -> None:
        await self._pools.aclose()

    async def check_key(self) -> None:
        """At start, one free ``models.get`` of the configured model: ConfigError when the key
        is refused. Any other answer (a gateway without that route, an outage) only warns: the
        bot starts, and an edit that fails later is refunded."""
        headers, params = self._auth_parts()
        try:
            response = await self._http.get(self._model_url, headers=headers, params=params,
                                            timeout=15.0)
        except httpx.HTTPError as exc:
            log.warning("gemini: could not check GEMINI_API_KEY at start (%s)", network_reason(exc))
            return
        if response.status_code == 200:
            return
        error = status_error(response)
        if isinstance(error, UpstreamError) and error.code == "upstream_auth":
            raise ConfigError.about(
                f"GEMINI_API_KEY was refused by the Gemini API (HTTP {response.status_code}): "
                "check the key, and GEMINI_AUTH / GEMINI_BASE_URL when using a gateway",
                "GEMINI_API_KEY")
        log.warning("gemini: could not check GEMINI_API_KEY at start (HTTP %d)",
                    response.status_code)

    def _auth_parts(self) -> tuple[dict[str, str], dict[str, str]]:
        if self._auth == "bearer":
            return {"Authorization": f"Bearer {self._key}"}, {}
        if self._auth == "query":
            return {}, {"key": self._key}
        return {"x-goog-api-key": self._key}, {}

    @staticmethod
    def encode_body(
        prompt: str, images: Sequence[ImageInput], aspect_ratio: str | None,
        image_size: str | None, history: Sequence[dict[str, Any]] = (), safety: Safety = None,
    ) -> bytes:
        """The request as JSON bytes. Base64 needs no JSON escaping, so each image's base64
        bytes are spliced in as they are: no str copies of megabytes, no escaping pass.
        ``history`` is the earlier turns (user and model contents), sent as they were kept."""
        image_config: dict[str, str] = {}
        if aspect_ratio:
            image_config["aspectRatio"] = aspect_ratio
        if image_size:
            image_config["imageSize"] = image_size
        config: dict[str, Any] = {"responseModalities": ["TEXT", "IMAGE"], "candidateCount": 1}
        if image_config:
            config["imageConfig"] = image_config
        chunks = [b'{"contents":[']
        for content in history:
            chunks += [json.dumps(content, separators=(",", ":")).encode(), b","]
        chunks.append(b'{"role":"user","parts":[')
        for image in images:
            chunks += [b'{"inlineData":{"mimeType":', json.dumps(image.mime_type).encode(),
                       b',"data":"', base64.b64encode(image.data), b'"}},']
        chunks += [json.dumps({"text": prompt}).encode(), b']}],"generationConfig":',
                   _closing(config, safety)]
        return b"".join(chunks)

    async def generate(
        self, prompt: str, images: Sequence[ImageInput] = (), *,
        aspect_ratio: str | None = None, image_size: str | None = None,
        history: Sequence[dict[str, Any]] = (), safety: Safety = None,
    ) -> GeneratedImage:
        """One edit or generation (after ``history``, the conversation's earlier turns).
        Raises Refusal or UpstreamError; retries transient failures with jittered backoff,
        honouring the server's RetryInfo up to ``max_retry_delay_s`` (a longer wait is a
        failure at once)."""
        content = self.encode_body(prompt, images, aspect_ratio, image_size, history, safety)
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
        headers, params = self._auth_parts()
        headers["Content-Type"] = "application/json"
        try:
            # a deadline for the whole answer: httpx's timeouts are per read, and a body
            # trickled a few bytes at a time would never trip them
            async with asyncio.timeout(self._timeout_s):
                response, body = await self._pools.post(self._url, content, headers, params)
        except (httpx.TimeoutException, TimeoutError):
            self.metrics.upstream_response("timeout")
            # The model may still be working (and billing); a retry would pay twice.
            raise UpstreamError("upstream_timeout", transient=True) from None
        except httpx.TransportError as exc:
            self.metrics.upstream_response("network")
            error = UpstreamError("upstream_unreachable", transient=True,
                                  detail=type(exc).__name__)
            # broken once the request was sent: the model may have answered (and billed)
            unsent = isinstance(exc, httpx.ConnectError | httpx.WriteError)
            raise (Retry(error, None) if unsent else error) from None
        self.metrics.upstream_response(f"{response.status_code // 100}xx")
        if response.status_code != 200:
            raise status_error(response)
        # megabytes of JSON and base64: parsed off the event loop
        return await asyncio.to_thread(parse_body, body)


def _closing(config: dict[str, Any], safety: Safety) -> bytes:
    """The request's end: its generationConfig and, when a community set a safety level,
    Gemini's ``safetySettings`` (none: the model's own defaults, as before)."""
    if not safety:
        return json.dumps(config).encode() + b"}"
    return (json.dumps(config).encode() + b',"safetySettings":'
            + json.dumps(list(safety)).encode() + b"}")


def _retry_fields(attempt: int, error: UpstreamError) -> dict[str, object]:
    """A failed attempt's facts, for whoever shows retries in its own words (the CLI)."""
    return {"attempt": attempt, "error": error.code, "status": error.status}
