"""GeminiClient: build generateContent requests, authenticate, retry, parse the answer.

The key is sent in a header (x-goog-api-key or Bearer) or, for ``query``, as ``?key=``; in every
case it is kept out of exceptions and messages: errors raised here are our own and carry no URL.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import re
import time
from collections.abc import Sequence
from typing import Any

import httpx
import stamina

from .config import AuthStyle
from .domain import GeneratedImage, ImageInput, TokenUsage
from .errors import ConfigError, Refusal, UpstreamError
from .images import image_size, sniff
from .metrics import Metrics

log = logging.getLogger(__name__)

RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_REFUSAL_REASONS = frozenset({
    "SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT", "BLOCKLIST",
    "SPII", "RECITATION", "IMAGE_RECITATION", "NO_IMAGE", "IMAGE_OTHER", "OTHER", "LANGUAGE",
})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


class _Retry(Exception):
    """A transient failure worth another attempt; ``delay`` is the server's RetryInfo."""

    def __init__(self, error: UpstreamError, delay: float | None) -> None:
        super().__init__(error.code)
        self.error = error
        self.delay = delay


# Idle connections kept open. httpcore checks every idle connection of the pool on each request
# and response (a syscall each, and a count of the idle ones per idle one), so a pool that keeps
# hundreds open spends more time checking than calling. A model call lasts seconds to minutes;
# opening a fresh connection for one is nothing beside that.
KEEPALIVE = 16


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
        self._http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=15.0),
            limits=httpx.Limits(max_connections=max_connections,
                                max_keepalive_connections=min(max_connections, KEEPALIVE)),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def check_key(self) -> None:
        """At start, one free ``models.get`` of the configured model: ConfigError when the key
        is refused. Any other answer (a gateway without that route, an outage) only warns: the
        bot starts, and an edit that fails later is refunded."""
        headers, params = self._auth_parts()
        try:
            response = await self._http.get(self._model_url, headers=headers, params=params,
                                            timeout=15.0)
        except httpx.HTTPError as exc:
            log.warning("gemini: could not check GEMINI_API_KEY at start (%s)",
                        type(exc).__name__)
            return
        if response.status_code == 200:
            return
        error = _status_error(response)
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
        image_size: str | None, history: Sequence[dict[str, Any]] = (),
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
                   json.dumps(config).encode(), b"}"]
        return b"".join(chunks)

    async def generate(
        self, prompt: str, images: Sequence[ImageInput] = (), *,
        aspect_ratio: str | None = None, image_size: str | None = None,
        history: Sequence[dict[str, Any]] = (),
    ) -> GeneratedImage:
        """One edit or generation (after ``history``, the conversation's earlier turns).
        Raises Refusal or UpstreamError; retries transient failures with jittered backoff,
        honouring the server's RetryInfo up to ``max_retry_delay_s`` (a longer wait is a
        failure at once)."""
        content = self.encode_body(prompt, images, aspect_ratio, image_size, history)
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
                    except _Retry as retry:
                        log.warning("gemini attempt %d failed: %s", attempt.num, retry.error)
                        if retry.delay is not None and retry.delay > self._max_retry_delay_s:
                            raise UpstreamError(
                                "upstream_retry_too_late", status=retry.error.status,
                                transient=True, detail=f"retryDelay {retry.delay:g}s") from None
                        raise
        except _Retry as retry:
            raise retry.error from None
        finally:  # the upstream stage: every attempt and the waits between them
            self.metrics.stage("upstream", image_size, time.monotonic() - started)
        raise UpstreamError("upstream_failed", transient=True)  # only with zero attempts

    def _backoff_for(self, exc: Exception) -> bool | float:
        if not isinstance(exc, _Retry):
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
                response = await self._http.post(
                    self._url, content=content, headers=headers, params=params)
        except (httpx.TimeoutException, TimeoutError):
            self.metrics.upstream_response("timeout")
            # The model may still be working (and billing); a retry would pay twice.
            raise UpstreamError("upstream_timeout", transient=True) from None
        except httpx.TransportError as exc:
            self.metrics.upstream_response("network")
            error = UpstreamError("upstream_unreachable", transient=True,
                                  detail=type(exc).__name__)
            raise _Retry(error, None) from None
        self.metrics.upstream_response(f"{response.status_code // 100}xx")
        if response.status_code != 200:
            raise _status_error(response)
        # megabytes of JSON and base64: parsed off the event loop
        return await asyncio.to_thread(parse_body, response.content)


def parse_body(content: bytes) -> GeneratedImage:
    try:
        payload = json.loads(content)
    except ValueError:
        raise UpstreamError("upstream_malformed", status=200, transient=True,
                            detail="body is not JSON") from None
    return parse_response(payload)


def _status_error(response: httpx.Response) -> Exception:
    status = response.status_code
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    message = str(error.get("message", ""))[:300]
    details = error.get("details") or []
    per_day = any(
        "perday" in str(violation.get("quotaId", "")).lower()
        for detail in details if isinstance(detail, dict)
        for violation in detail.get("violations", []) if isinstance(violation, dict)
    )
    key_invalid = any(isinstance(detail, dict) and detail.get("reason") == "API_KEY_INVALID"
                      for detail in details)  # Google answers a wrong key with 400
    if status == 429 and per_day:
        return UpstreamError("upstream_daily_quota", status=status, transient=False,
                             detail=message)
    if status in RETRYABLE:
        delay = None
        for detail in details:
            if isinstance(detail, dict) and "retryDelay" in detail:
                match = _DURATION.match(str(detail["retryDelay"]))
                delay = float(match.group(1)) if match else None
        code = "upstream_busy" if status == 429 else "upstream_unavailable"
        return _Retry(UpstreamError(code, status=status, transient=True, detail=message), delay)
    code = {400: "upstream_bad_request", 401: "upstream_auth", 403: "upstream_auth",
            402: "upstream_billing", 404: "upstream_model"}.get(status, "upstream_failed")
    if key_invalid:
        code = "upstream_auth"
    return UpstreamError(code, status=status, transient=False, detail=message)


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    return obj[camel] if camel in obj else obj.get(snake)


def parse_response(payload: Any) -> GeneratedImage:
    """The last non-thought inline image of the first candidate, or a Refusal saying why."""
    if not isinstance(payload, dict):
        raise UpstreamError("upstream_malformed", transient=True, detail="not an object")
    candidates = payload.get("candidates") or []
    feedback = _get(payload, "promptFeedback", "prompt_feedback") or {}
    if not candidates:
        reason = _get(feedback, "blockReason", "block_reason")
        if reason:
            raise Refusal("refused", reason=str(reason), usage=usage_of(payload))
        raise UpstreamError("upstream_malformed", transient=True, detail="no candidates")
    candidate = candidates[0] if isinstance(candidates[0], dict) else {}
    finish = str(_get(candidate, "finishReason", "finish_reason") or "")
    parts = (candidate.get("content") or {}).get("parts") or []
    texts: list[str] = []
    image: tuple[bytes, str] | None = None
    for part in parts:
        if not isinstance(part, dict) or part.get("thought"):
            continue
        inline = _get(part, "inlineData", "inline_data")
        if isinstance(inline, dict) and inline.get("data"):
            try:
                data = base64.b64decode(inline["data"], validate=False)
            except ValueError:
                continue
            image = (data, str(_get(inline, "mimeType", "mime_type") or ""))
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
    text = "\n".join(t.strip() for t in texts if t.strip())
    usage = usage_of(payload)
    if image is None:
        reason = finish if finish and finish != "STOP" else "NO_IMAGE"
        if reason not in _REFUSAL_REASONS and reason != "MAX_TOKENS":
            reason = "NO_IMAGE"
        raise Refusal("refused", reason=reason, text=text, usage=usage)
    data, declared = image
    mime = sniff(data)
    if mime is None:
        raise UpstreamError("upstream_malformed", transient=True,
                            detail=f"image bytes are not an image (declared {declared})")
    try:
        width, height = image_size(data)
    except Exception:
        raise UpstreamError("upstream_malformed", transient=True,
                            detail="unreadable image") from None
    return GeneratedImage(
        data=data, mime_type=mime, width=width, height=height, text=text, usage=usage,
        parts=tuple(part for part in parts if isinstance(part, dict)),
    )


def usage_of(payload: dict[str, Any]) -> TokenUsage:
    """The answer's ``usageMetadata`` (what Google bills), zeros where it is missing."""
    usage = _get(payload, "usageMetadata", "usage_metadata")
    if not isinstance(usage, dict):
        return TokenUsage()

    def count(camel: str, snake: str) -> int:
        value = _get(usage, camel, snake)
        return int(value) if isinstance(value, int | float) else 0

    return TokenUsage(
        prompt=count("promptTokenCount", "prompt_token_count"),
        output=count("candidatesTokenCount", "candidates_token_count"),
        thoughts=count("thoughtsTokenCount", "thoughts_token_count"),
        total=count("totalTokenCount", "total_token_count"),
    )
