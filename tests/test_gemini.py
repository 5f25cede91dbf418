"""The Gemini client against the fake generateContent server, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import time

import pytest
from PIL import Image

from bot.config import load_settings
from bot.domain import ImageInput
from bot.errors import Refusal, UpstreamError
from bot.ops import RedactingFilter
from bot.upstream import GeminiClient
from bot.upstream.wire import parse_body
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image


def client(fake: FakeGemini, auth: str = "x-goog-api-key", **kw: object) -> GeminiClient:
    return GeminiClient(base_url=fake.base_url, api_key=fake.key, auth=auth,  # type: ignore[arg-type]
                        model="gemini-3-pro-image-preview", backoff_s=0.01, **kw)  # type: ignore[arg-type]


def photo(width: int = 640, height: int = 480) -> ImageInput:
    return ImageInput(make_image(width, height, "JPEG"), "image/jpeg", width, height)


@pytest.mark.parametrize("auth", ["x-goog-api-key", "bearer", "query"])
async def test_request_shape_and_auth_styles(gemini: FakeGemini, auth: str) -> None:
    gemini.accept_auth = frozenset({auth})
    result = await client(gemini, auth).generate(
        "add a llama", [photo()], aspect_ratio="9:16", image_size="2K")
    sent = gemini.requests[-1]
    assert sent.model == "gemini-3-pro-image-preview"
    config = sent.body["generationConfig"]
    assert config["imageConfig"] == {"aspectRatio": "9:16", "imageSize": "2K"}
    assert config["responseModalities"] == ["TEXT", "IMAGE"] and config["candidateCount"] == 1
    assert sent.prompt == "add a llama" and len(sent.images) == 1
    assert result.mime_type == "image/png"
    assert abs(result.width / result.height - 9 / 16) < 0.02 and result.height > 2000
    assert result.text.startswith("Here is your image") and result.usage.total > 0


def test_auto_auth_depends_on_the_host() -> None:
    google = load_settings(gemini_api_key="k")
    gateway = load_settings(gemini_api_key="k", gemini_base_url="https://gw.example/api")
    assert google.auth_style == "x-goog-api-key" and gateway.auth_style == "bearer"


async def test_transient_errors_are_retried(gemini: FakeGemini) -> None:
    gemini.push(Fault.error(503), Fault.error(500))
    result = await client(gemini).generate("x", [photo()])
    assert result.width > 0 and len(gemini.requests) == 3


async def test_retry_info_is_honoured(gemini: FakeGemini) -> None:
    gemini.push(Fault.error(429, retry_delay="0.4s"))
    await client(gemini).generate("x", [photo()])
    first, second = gemini.requests
    assert second.at - first.at >= 0.4


@pytest.mark.parametrize(("fault", "code"), [
    (Fault.error(400), "upstream_bad_request"),
    (Fault.error(401), "upstream_auth"),
    (Fault.error(403), "upstream_auth"),
    (Fault.error(404), "upstream_model"),
    (Fault.error(429, per_day=True, retry_delay="1s"), "upstream_daily_quota"),
])
async def test_permanent_errors_are_not_retried(gemini: FakeGemini, fault: Fault,
                                                code: str) -> None:
    gemini.push(fault)
    with pytest.raises(UpstreamError) as info:
        await client(gemini).generate("x", [photo()])
    assert info.value.code == code and not info.value.transient
    assert len(gemini.requests) == 1


async def test_gives_up_after_the_attempts(gemini: FakeGemini) -> None:
    gemini.push(*[Fault.error(503)] * 5)
    with pytest.raises(UpstreamError) as info:
        await client(gemini, max_attempts=3).generate("x", [photo()])
    assert info.value.code == "upstream_unavailable" and len(gemini.requests) == 3


@pytest.mark.parametrize(("fault", "reason"), [
    (Fault.refuse("IMAGE_SAFETY"), "IMAGE_SAFETY"),
    (Fault.refuse("NO_IMAGE"), "NO_IMAGE"),
    (Fault.blocked("PROHIBITED_CONTENT"), "PROHIBITED_CONTENT"),
    (Fault.text_only("I cannot draw that."), "NO_IMAGE"),
])
async def test_refusals_say_why(gemini: FakeGemini, fault: Fault, reason: str) -> None:
    gemini.push(fault)
    with pytest.raises(Refusal) as info:
        await client(gemini).generate("x", [photo()])
    assert info.value.reason == reason
    if fault.text:
        assert info.value.text == fault.text


async def test_thought_parts_are_skipped(gemini: FakeGemini) -> None:
    gemini.push(Fault.simple("thoughts"))
    result = await client(gemini).generate("x", [photo()], aspect_ratio="16:9")
    assert result.width > 1000 and "Planning" not in result.text


async def test_declared_mime_type_is_not_trusted(gemini: FakeGemini) -> None:
    gemini.push(Fault.simple("wrong_mime"))
    result = await client(gemini).generate("x", [photo()])
    assert result.mime_type == "image/jpeg"
    assert Image.open(io.BytesIO(result.data)).format == "JPEG"


async def test_snake_case_answers_are_understood(gemini: FakeGemini) -> None:
    gemini.push(Fault.simple("snake_case"))
    result = await client(gemini).generate("x", [photo()])
    assert result.mime_type == "image/png" and result.usage.total > 0


@pytest.mark.parametrize("kind", ["not_json", "no_candidates", "bad_image"])
async def test_malformed_answers_are_upstream_errors(gemini: FakeGemini, kind: str) -> None:
    gemini.push(Fault.simple(kind))
    with pytest.raises(UpstreamError) as info:
        await client(gemini).generate("x", [photo()])
    assert info.value.code == "upstream_malformed"


async def test_unreachable_server(gemini: FakeGemini) -> None:
    url = gemini.base_url
    await gemini.stop()
    broken = GeminiClient(base_url=url, api_key="k", auth="query", model="m", backoff_s=0.01,
                          max_attempts=2)
    with pytest.raises(UpstreamError) as info:
        await broken.generate("x")
    assert info.value.code == "upstream_unreachable"


async def test_the_key_never_shows(gemini: FakeGemini, caplog: pytest.LogCaptureFixture) -> None:
    secret = "AIzaSECRET-key-123456"
    redactor = RedactingFilter([secret])
    caplog.handler.addFilter(redactor)
    caplog.set_level(logging.DEBUG)
    bad = GeminiClient(base_url=gemini.base_url, api_key=secret, auth="query",
                       model="gemini-3-pro-image", backoff_s=0.01, max_attempts=2)
    with pytest.raises(UpstreamError) as info:
        await bad.generate("x")
    gemini.push(Fault.error(503), Fault.error(503))
    with pytest.raises(UpstreamError) as second:
        await client(gemini, "query", max_attempts=2).generate("y")
    for error in (info.value, second.value):
        assert secret not in str(error) and secret not in repr(error)
        assert error.__cause__ is None
    assert gemini.requests[-1].query == {"key": gemini.key}  # the key went in the URL
    assert secret not in caplog.text and gemini.key not in caplog.text


async def test_a_retry_delay_past_the_cap_fails_at_once(gemini: FakeGemini) -> None:
    gemini.push(Fault.error(429, retry_delay="120s"))
    with pytest.raises(UpstreamError) as info:
        await asyncio.wait_for(client(gemini, max_retry_delay_s=60).generate("x", [photo()]), 5)
    assert info.value.code == "upstream_retry_too_late" and info.value.transient
    assert len(gemini.requests) == 1


async def test_the_timeout_is_a_deadline_for_the_whole_answer(gemini: FakeGemini) -> None:
    gemini.push(Fault.trickle(30))  # every read gets a few bytes at once; the whole takes 30 s
    started = time.monotonic()
    with pytest.raises(UpstreamError) as info:
        await asyncio.wait_for(client(gemini, timeout_s=3).generate("x", [photo()]), 10)
    assert info.value.code == "upstream_timeout"
    assert 2.5 < time.monotonic() - started < 5
    gemini.push(Fault.trickle(1))  # a trickle within the deadline is fine
    assert (await client(gemini, timeout_s=3).generate("x", [photo()])).width > 0


async def test_an_answer_cut_short_is_not_asked_for_again(gemini: FakeGemini) -> None:
    """The connection broke in the middle of an answer the model had produced (and billed):
    asking again would pay for the edit twice. The edit fails (and is refunded) instead."""
    gemini.push(Fault.cut())
    with pytest.raises(UpstreamError) as info:
        await client(gemini).generate("x", [photo()])
    assert info.value.code == "upstream_unreachable"
    await asyncio.sleep(0.5)  # a retry, were there one, would have been answered by now
    assert len(gemini.requests) == 1
    assert len(gemini.paid) == 1


@pytest.mark.parametrize("wrapped", [False, True])
def test_the_image_is_decoded_whether_its_base64_is_one_line_or_wrapped(wrapped: bool) -> None:
    """The model sends one padded line; a gateway that wraps it at 76 characters (as MIME
    does) still gives the same image, and base64 that is not base64 is still malformed."""
    image = make_image(320, 240, "PNG")
    data = base64.b64encode(image).decode()
    if wrapped:
        data = "\n".join(data[i:i + 76] for i in range(0, len(data), 76))
    answer = {"candidates": [{"content": {"parts": [
        {"inlineData": {"mimeType": "image/png", "data": data}}]}, "finishReason": "STOP"}]}
    result = parse_body(json.dumps(answer).encode())
    assert result.data == image and (result.width, result.height) == (320, 240)
    answer["candidates"][0]["content"]["parts"][0]["inlineData"]["data"] = "iVBORw0K" + "!" * 9
    with pytest.raises(UpstreamError) as info:
        parse_body(json.dumps(answer).encode())
    assert info.value.code == "upstream_malformed"


async def test_the_proxy_of_the_environment_is_used(gemini: FakeGemini,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY / HTTPS_PROXY (and NO_PROXY) are honoured, as they were under httpx: here
    the proxy is the fake itself, the model's host a name that resolves nowhere."""
    monkeypatch.setenv("HTTP_PROXY", gemini.base_url)
    behind = GeminiClient(base_url="http://gemini.invalid", api_key=gemini.key,
                          auth="x-goog-api-key", model="gemini-3-pro-image-preview",
                          backoff_s=0.01, max_attempts=1)
    assert (await behind.generate("x", [photo()])).width > 0
    await behind.aclose()
    monkeypatch.setenv("NO_PROXY", "gemini.invalid")
    direct = GeminiClient(base_url="http://gemini.invalid", api_key=gemini.key,
                          auth="x-goog-api-key", model="gemini-3-pro-image-preview",
                          backoff_s=0.01, max_attempts=1)
    with pytest.raises(UpstreamError) as info:
        await direct.generate("x", [photo()])
    assert info.value.code == "upstream_unreachable" and len(gemini.requests) == 1
    await direct.aclose()
