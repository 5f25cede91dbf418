"""Gemini's wire format: a generateContent request built as JSON bytes, and its answer read: a
body into the image (or a Refusal saying why), its usageMetadata into what Google bills, and an
HTTP error status into the error it means (or a Retry, for a transient one). Pure functions: no
I/O, safe to run in a worker thread.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from typing import Any

import pybase64

from ..domain import GeneratedImage, ImageInput, TokenUsage
from ..errors import Refusal, UpstreamError
from ..images import image_size, sniff

# a community's safety level as Gemini's safetySettings ({category, threshold} each); None: none
Safety = Sequence[dict[str, str]] | None
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_REFUSAL_REASONS = frozenset({
    "SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT", "BLOCKLIST",
    "SPII", "RECITATION", "IMAGE_RECITATION", "NO_IMAGE", "IMAGE_OTHER", "OTHER", "LANGUAGE",
})
# Gemini's largest image (4K at 21:9) is 17 MP; Pillow would decode 180 MP before it objects
# (a 12000x12000 PNG, small on the wire, is 430 MB once decoded)
MAX_OUTPUT_PIXELS = 25_000_000
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


class Retry(Exception):
    """A transient failure worth another attempt; ``delay`` is the server's RetryInfo."""

    def __init__(self, error: UpstreamError, delay: float | None) -> None:
        super().__init__(error.code)
        self.error = error
        self.delay = delay


def parse_body(content: bytes | bytearray) -> GeneratedImage:
    try:
        payload = json.loads(content)
    except ValueError:
        raise UpstreamError("upstream_malformed", status=200, transient=True,
                            detail="body is not JSON") from None
    return parse_response(payload)


def status_error(status: int, body: bytes) -> Exception:
    """An HTTP error answer (its status and the first part of its body) as what it means."""
    try:
        error = json.loads(body).get("error", {})
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
        return Retry(UpstreamError(code, status=status, transient=True, detail=message), delay)
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
    parts = [part for part in (candidate.get("content") or {}).get("parts") or []
             if isinstance(part, dict)]
    texts = [part["text"] for part in parts
             if not part.get("thought") and isinstance(part.get("text"), str)]
    text = "\n".join(t.strip() for t in texts if t.strip())
    usage = usage_of(payload)
    chosen = _chosen_image(parts)
    if chosen is None:
        reason = finish if finish and finish != "STOP" else "NO_IMAGE"
        if reason not in _REFUSAL_REASONS and reason != "MAX_TOKENS":
            reason = "NO_IMAGE"
        raise Refusal("refused", reason=reason, text=text, usage=usage)
    inline = _get(parts[chosen], "inlineData", "inline_data")
    declared = str(_get(inline, "mimeType", "mime_type") or "")
    try:
        data = b64decode(inline["data"])
    except ValueError:
        raise UpstreamError("upstream_malformed", transient=True,
                            detail="image data is not base64") from None
    mime = sniff(data)
    if mime is None:
        raise UpstreamError("upstream_malformed", transient=True,
                            detail=f"image bytes are not an image (declared {declared})")
    try:
        width, height = image_size(data)  # the header only: nothing is decoded
    except Exception:
        raise UpstreamError("upstream_malformed", transient=True,
                            detail="unreadable image") from None
    if width * height > MAX_OUTPUT_PIXELS:
        raise UpstreamError("upstream_malformed", transient=True,
                            detail=f"image of {width}x{height} pixels")
    # the conversation keeps the model's words and signatures and the one image used: other
    # images in the answer (drafts, thought images) would be sent back at every follow-up
    kept = tuple(part for i, part in enumerate(parts)
                 if i == chosen or _get(part, "inlineData", "inline_data") is None)
    return GeneratedImage(data=data, mime_type=mime, width=width, height=height, text=text,
                          usage=usage, parts=kept)


def b64decode(data: str | bytes) -> bytes:
    """Base64 as the model sends it (one line, padded) decoded by pybase64's SIMD code, a
    fiftieth of the standard library's time (6 ms per 1K image, 90 per 4K); anything else
    (line breaks, stray characters) decoded as before, leniently, by the standard library."""
    try:
        return pybase64.b64decode(data, validate=True)
    except ValueError:
        return base64.b64decode(data, validate=False)


def _chosen_image(parts: list[dict[str, Any]]) -> int | None:
    """The index of the last non-thought inline image whose base64 decodes, if any."""
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        inline = _get(part, "inlineData", "inline_data")
        if part.get("thought") or not isinstance(inline, dict) or not inline.get("data"):
            continue
        try:
            base64.b64decode(inline["data"][:8], validate=False)
        except (ValueError, TypeError):
            continue
        return i
    return None


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
                   b',"data":"', pybase64.b64encode(image.data), b'"}},']
    chunks += [json.dumps({"text": prompt}).encode(), b']}],"generationConfig":',
               _closing(config, safety)]
    return b"".join(chunks)


def _closing(config: dict[str, Any], safety: Safety) -> bytes:
    """The request's end: its generationConfig and, when a community set a safety level,
    Gemini's ``safetySettings`` (none: the model's own defaults, as before)."""
    if not safety:
        return json.dumps(config).encode() + b"}"
    return (json.dumps(config).encode() + b',"safetySettings":'
            + json.dumps(list(safety)).encode() + b"}")
