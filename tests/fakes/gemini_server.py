"""A Gemini generateContent server on 127.0.0.1 (aiohttp) with fault injection.

It checks the request the way Google does (auth, camelCase shape, candidateCount, the model's
ratios and sizes), answers with a real image of the requested ratio and size, and records every
request. ``push`` queues faults that the next requests consume in order. Like the API, it
refuses a request body over about 20 MB (``request_limit``: inline image data counts whole, as
base64) with 400 INVALID_ARGUMENT; such a request is still recorded, so tests can see it was made.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image

from bot.models import spec_for

from .images import dimensions, make_image
from .watch import SHUTDOWN_S


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 0
    retry_delay: str | None = None
    per_day: bool = False
    delay: float = 0.0
    reason: str = ""
    text: str = ""

    @classmethod
    def error(cls, status: int, *, retry_delay: str | None = None, per_day: bool = False
              ) -> Fault:
        return cls("error", status=status, retry_delay=retry_delay, per_day=per_day)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", delay=seconds)

    @classmethod
    def trickle(cls, seconds: float) -> Fault:
        """A 200 at once, then the body a few bytes at a time over ``seconds``."""
        return cls("trickle", delay=seconds)

    @classmethod
    def cut(cls) -> Fault:
        """An answer produced (and paid for), then the connection dropped halfway through its
        body."""
        return cls("cut")

    @classmethod
    def refuse(cls, finish_reason: str = "IMAGE_SAFETY", text: str = "") -> Fault:
        return cls("refuse", reason=finish_reason, text=text)

    @classmethod
    def blocked(cls, reason: str = "PROHIBITED_CONTENT") -> Fault:
        return cls("blocked", reason=reason)

    @classmethod
    def text_only(cls, text: str = "I can't make that image.") -> Fault:
        return cls("refuse", reason="STOP", text=text)

    @classmethod
    def huge(cls, megabytes: int) -> Fault:
        """A broken or hostile gateway: a 200 whose body is ``megabytes`` of one image part's
        base64, streamed (chunked, no length), never held whole here."""
        return cls("huge", delay=megabytes)

    @classmethod
    def many_images(cls, count: int) -> Fault:
        """An answer with ``count`` image parts, each signed as Gemini 3 signs its images."""
        return cls("many_images", delay=count)

    @classmethod
    def simple(cls, kind: str) -> Fault:
        """thoughts | not_json | no_candidates | bad_image | wrong_mime | ignore_ratio |
        snake_case"""
        return cls(kind)


@dataclass
class Received:
    model: str
    headers: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]
    at: float

    @property
    def prompt(self) -> str:
        """The words of this turn (the last user content)."""
        parts = self.body["contents"][-1]["parts"]
        return " ".join(p["text"] for p in parts if "text" in p)

    @property
    def images(self) -> list[bytes]:
        """The images of this turn (the last user content)."""
        parts = self.body["contents"][-1]["parts"]
        return [base64.b64decode(p["inlineData"]["data"]) for p in parts if "inlineData" in p]

    @property
    def safety(self) -> dict[str, str]:
        """The request's safetySettings as category -> threshold ({}: none sent)."""
        return {s["category"]: s["threshold"] for s in self.body.get("safetySettings", [])}

    @property
    def history(self) -> list[dict[str, Any]]:
        """The earlier turns of a multi-turn request, as sent."""
        return list(self.body["contents"][:-1])


def _google_error(status: int, message: str, details: list[dict[str, Any]] | None = None
                  ) -> web.Response:
    names = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
             404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
             503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
    body = {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN"),
                      "details": details or []}}
    return web.json_response(body, status=status)


@dataclass
class FakeGemini:
    key: str = "test-gemini-key"
    accept_auth: frozenset[str] = frozenset({"x-goog-api-key", "bearer", "query"})
    delay: float = 0.0
    output_format: str = "PNG"
    noisy: bool = False
    grain: float = 0.0  # see make_image: photo-like weight for the answers
    variants: int = 4  # distinct answers in turn (each is made once, then cached)
    answer_text: str | None = None  # the model's words beside the image (default: a note)
    image: bytes | None = None  # answer with exactly this image (PNG), whatever was asked
    request_limit: int = 20 * 1024 * 1024
    requests: list[Received] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    in_flight: int = 0
    peak_in_flight: int = 0
    signed: set[str] = field(default_factory=set)  # every thoughtSignature handed out
    answers: list[dict[str, Any]] = field(default_factory=list)  # every image answer sent
    # each image answer sent (so paid for): its prompt and time.monotonic()
    paid: list[tuple[str, float]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)  # models.get calls (the start's key check)
    refusal_status: int = 401  # how a wrong key is answered; Google itself answers 400

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._releases = 0

    def release(self) -> None:
        """Answer now the requests that are waiting out ``delay``: a test that held the model
        for as long as it needed does not wait out the rest (later requests wait as before)."""
        self._releases += 1

    def push(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=128 * 1024 * 1024)
        app.router.add_post("/v1beta/models/{call}", self._handle)
        app.router.add_get("/v1beta/models/{model}", self._model)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorized(self, request: web.Request) -> bool:
        headers = request.headers
        if "x-goog-api-key" in self.accept_auth and headers.get("x-goog-api-key") == self.key:
            return True
        if "bearer" in self.accept_auth and request.headers.get(
                "Authorization") == f"Bearer {self.key}":
            return True
        return "query" in self.accept_auth and request.query.get("key") == self.key

    def _refused(self) -> web.Response:
        details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]
        return _google_error(self.refusal_status,
                             "API key not valid. Please pass a valid API key.", details)

    async def _model(self, request: web.Request) -> web.Response:
        """models.get: what the model is, for a key that is accepted."""
        model = request.match_info["model"]
        self.lookups.append(model)
        if not self._authorized(request):
            return self._refused()
        return web.json_response({"name": f"models/{model}", "displayName": model,
                                  "supportedGenerationMethods": ["generateContent"]})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["call"].partition(":")
        if method != "generateContent":
            return _google_error(404, f"method {method} not found")
        if not self._authorized(request):
            return self._refused()
        raw = await request.read()
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return _google_error(400, "Invalid JSON payload received.")
        self.requests.append(Received(model, dict(request.headers), dict(request.query), body,
                                      time.monotonic()))
        if len(raw) > self.request_limit:
            return _google_error(400, "Request payload size exceeds the limit: "
                                      f"{self.request_limit} bytes.")
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer(request, model, body)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, model: str, body: dict[str, Any]
                      ) -> web.StreamResponse:
        fault = self.faults.popleft() if self.faults else Fault("ok")
        deadline = time.monotonic() + (fault.delay if fault.kind == "slow" else self.delay)
        releases = self._releases
        while True:  # like the model: slow, but gone with its client (until it answers)
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)
            if time.monotonic() >= deadline or self._releases != releases:
                break
            await asyncio.sleep(min(0.05, max(deadline - time.monotonic(), 0)))
        if fault.kind == "error":
            details: list[dict[str, Any]] = []
            if fault.per_day:
                details.append({"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                                "violations": [{"quotaMetric": "generate_content_requests",
                                                "quotaId": "GenerateRequestsPerDayPerProject"}]})
            if fault.retry_delay:
                details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                "retryDelay": fault.retry_delay})
            return _google_error(fault.status, f"injected {fault.status}", details)
        if fault.kind == "not_json":
            return web.Response(text="<html>gateway error</html>", content_type="text/html")
        if fault.kind == "no_candidates":
            return web.json_response({"usageMetadata": {"promptTokenCount": 3}})
        if fault.kind == "blocked":
            return web.json_response({"promptFeedback": {"blockReason": fault.reason}})
        if fault.kind == "huge":
            self.paid.append((_prompt(body), time.monotonic()))
            return await _huge(request, int(fault.delay))
        try:
            ratio, size, inputs = self._check(model, body)
        except ValueError as problem:
            return _google_error(400, str(problem))
        if fault.kind == "refuse":
            parts = [{"text": fault.text}] if fault.text else []
            return web.json_response({"candidates": [{
                "content": {"role": "model", "parts": parts}, "finishReason": fault.reason}],
                "usageMetadata": usage_for(model, _prompt(body), len(inputs), size,
                                           image=False)})
        if fault.kind == "ignore_ratio":
            ratio = "1:1"
        width, height = dimensions(ratio, size)
        fmt = "JPEG" if fault.kind == "wrong_mime" else self.output_format
        # a few looks in turn: consecutive answers differ, and the cache keeps the fake cheap
        image = make_image(width, height, fmt, noisy=self.noisy, grain=self.grain,
                           seed=len(self.requests) % self.variants)
        if self.image is not None:
            image = self.image
        if fault.kind == "bad_image":
            image = b"definitely not an image"
        declared = "image/png" if fault.kind == "wrong_mime" or fmt == "PNG" else "image/jpeg"
        parts = []
        if fault.kind == "thoughts":
            thought_image = make_image(64, 64, "PNG", seed=99)
            parts += [{"text": "Planning the edit…", "thought": True},
                      {"inlineData": {"mimeType": "image/png",
                                      "data": base64.b64encode(thought_image).decode()},
                       "thought": True}]
        # like Gemini 3 image models: signatures on the first text part and on the image,
        # to be sent back exactly in a later turn
        n = len(self.requests)
        self.signed |= {_signature(f"text-{n}"), _signature(f"image-{n}")}
        count = f"{len(inputs)} input{'' if len(inputs) == 1 else 's'}" if inputs else "no input"
        words = self.answer_text or f"Here is your image ({count})."
        parts += [{"text": words, "thoughtSignature": _signature(f"text-{n}")}]
        for k in range(int(fault.delay) - 1 if fault.kind == "many_images" else 0):
            self.signed.add(_signature(f"image-{n}-{k}"))
            extra = make_image(width, height, fmt, seed=k)
            parts.append({"inlineData": {"mimeType": declared,
                                         "data": base64.b64encode(extra).decode()},
                          "thoughtSignature": _signature(f"image-{n}-{k}")})
        parts.append({"inlineData": {"mimeType": declared,
                                     "data": base64.b64encode(image).decode()},
                      "thoughtSignature": _signature(f"image-{n}")})
        usage = usage_for(model, _prompt(body), len(inputs), size)
        answer = {"candidates": [{"content": {"role": "model", "parts": parts},
                                  "finishReason": "STOP", "index": 0}],
                  "usageMetadata": usage, "modelVersion": model}
        self.answers.append(answer)
        self.paid.append((_prompt(body), time.monotonic()))
        if fault.kind == "snake_case":
            answer = json.loads(json.dumps(answer).replace('"inlineData"', '"inline_data"')
                                .replace('"mimeType"', '"mime_type"')
                                .replace('"finishReason"', '"finish_reason"')
                                .replace('"usageMetadata"', '"usage_metadata"'))
        if fault.kind == "trickle":
            return await _trickle(request, json.dumps(answer).encode(), fault.delay)
        if fault.kind == "cut":
            return await _cut(request, json.dumps(answer).encode())
        return web.json_response(answer)

    def _check(self, model: str, body: dict[str, Any]) -> tuple[str, str, list[bytes]]:
        spec = spec_for(model)
        try:
            contents = body["contents"]
            parts = contents[-1]["parts"]
        except (KeyError, IndexError, TypeError):
            raise ValueError("contents[].parts is required") from None
        if contents[-1].get("role", "user") != "user":
            raise ValueError("the last content must be the user's")
        earlier: list[bytes] = []
        for content in contents[:-1]:
            for part in content.get("parts", []):
                if content.get("role") == "model" and "inlineData" in part and (
                        "thoughtSignature" not in part):
                    raise ValueError("Image part is missing a thought_signature in content "
                                     "position 2, part position 1.")
                if "thoughtSignature" in part and part["thoughtSignature"] not in self.signed:
                    raise ValueError("Corrupted thought signature.")
                if "inlineData" in part:
                    earlier.append(base64.b64decode(part["inlineData"]["data"]))
        inputs = []
        for part in parts:
            if "inline_data" in part:
                raise ValueError("Unknown name \"inline_data\": use inlineData")
            if "inlineData" in part:
                inline = part["inlineData"]
                if "mimeType" not in inline or "data" not in inline:
                    raise ValueError("inlineData needs mimeType and data")
                inputs.append(base64.b64decode(inline["data"], validate=True))
        if len(inputs) > spec.max_reference_images:
            raise ValueError("too many input images")
        _check_safety(body.get("safetySettings"))
        config = body.get("generationConfig", {})
        if "IMAGE" not in config.get("responseModalities", []):
            raise ValueError("responseModalities must include IMAGE")
        if config.get("candidateCount", 1) != 1:
            raise ValueError("Multiple candidates is not enabled for this model")
        image_config = config.get("imageConfig", {})
        ratio = image_config.get("aspectRatio")
        size = image_config.get("imageSize", "1K")
        if ratio is not None and ratio not in spec.aspect_ratios:
            raise ValueError(f"aspectRatio {ratio} is not supported")
        if "imageSize" in image_config and (not spec.takes_size or size not in spec.image_sizes):
            raise ValueError(f"imageSize {size} is not supported")
        if ratio is None:
            shown = inputs or earlier[-1:]  # a follow-up keeps the last image's shape
            ratio = _closest_ratio(shown[0], spec.aspect_ratios) if shown else "1:1"
        return ratio, size, inputs


async def _huge(request: web.Request, megabytes: int) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk = b"A" * (1024 * 1024)
    try:
        await response.write(b'{"candidates": [{"content": {"role": "model", "parts": '
                             b'[{"inlineData": {"mimeType": "image/png", "data": "')
        for _ in range(megabytes):
            await response.write(chunk)
        await response.write(b'"}}]}, "finishReason": "STOP"}]}')
        await response.write_eof()
    except (ConnectionResetError, RuntimeError):  # the client gave up
        pass
    return response


async def _trickle(request: web.Request, body: bytes, seconds: float) -> web.StreamResponse:
    """Headers at once, then the body in 64 pieces spread over ``seconds``: no single read
    waits long, the whole answer takes ``seconds``."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(body)
    await response.prepare(request)
    step = -(-len(body) // 64)
    try:
        for start in range(0, len(body), step):
            await response.write(body[start:start + step])
            await asyncio.sleep(seconds / 64)
        await response.write_eof()
    except (ConnectionResetError, RuntimeError):  # the client gave up
        pass
    return response


async def _cut(request: web.Request, body: bytes) -> web.StreamResponse:
    """Headers and half the body, then the connection closed."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[:len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return response


# the Gemini API's HarmCategory and HarmBlockThreshold values a generateContent request takes
HARM_CATEGORIES = frozenset({
    "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY"})
THRESHOLDS = frozenset({"HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE",
                        "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF"})


def _check_safety(settings: Any) -> None:
    """safetySettings: a list of {category, threshold}, each category once, as Google
    answers 400 INVALID_ARGUMENT otherwise."""
    if settings is None:
        return
    if not isinstance(settings, list):
        raise ValueError("Invalid value at 'safety_settings': expected a list")
    seen = set()
    for n, setting in enumerate(settings):
        category = setting.get("category") if isinstance(setting, dict) else None
        threshold = setting.get("threshold") if isinstance(setting, dict) else None
        if category not in HARM_CATEGORIES:
            raise ValueError(f"Invalid value at 'safety_settings[{n}].category' ({category})")
        if threshold not in THRESHOLDS:
            raise ValueError(f"Invalid value at 'safety_settings[{n}].threshold' ({threshold})")
        if category in seen:
            raise ValueError(f"Duplicate category in safety_settings: {category}")
        seen.add(category)


def _signature(name: str) -> str:
    return base64.b64encode(f"sig:{name}".encode()).decode()


def _prompt(body: dict[str, Any]) -> str:
    return " ".join(str(p["text"]) for p in body["contents"][-1]["parts"] if "text" in p)


def usage_for(model: str, prompt: str, inputs: int, size: str, *, image: bool = True
              ) -> dict[str, Any]:
    """usageMetadata as Google reports it for an image model: the prompt's text and image
    tokens (an input image is 560 tokens on Gemini 3, 258 before), the output image's tokens
    (1120 at 1K/2K, 2000 at 4K on Pro; 1290 on 2.5 Flash Image) and, on Gemini 3, thinking."""
    gemini_3 = "gemini-3" in model
    text_tokens = len(prompt) // 4 + 6
    image_tokens = inputs * (560 if gemini_3 else 258)
    output = (2000 if size == "4K" else 1120) if gemini_3 else 1290
    reply_text = 8
    thoughts = 212 if gemini_3 else 0
    prompt_tokens = text_tokens + image_tokens
    candidates = (output if image else 0) + reply_text
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt_tokens + candidates + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": text_tokens}]
        + ([{"modality": "IMAGE", "tokenCount": image_tokens}] if inputs else []),
        "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": reply_text}]
        + ([{"modality": "IMAGE", "tokenCount": output}] if image else []),
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


def _closest_ratio(data: bytes, ratios: tuple[str, ...]) -> str:
    with Image.open(io.BytesIO(data)) as image:
        actual = image.width / image.height

    def distance(ratio: str) -> float:
        a, b = (int(x) for x in ratio.split(":"))
        return abs(a / b - actual)

    return min(ratios, key=distance)


async def main() -> None:  # pragma: no cover - manual use: python -m tests.fakes.gemini_server
    fake = FakeGemini(delay=2.0)
    print(await fake.start(8765), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(main())
