"""Gemini takes about 20 MB of inline data in one request (the fake refuses more, as the API
does): up to 14 references are shrunk to fit together before anything is sent, or refused at
no cost."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from PIL import Image

from bot.domain import Actor, EditCommand, EditRequest, ImageInput, Scope
from bot.edits import prepare_images
from bot.errors import ImageError
from bot.i18n import error_text
from bot.images import REQUEST_LIMIT, REQUEST_ROOM, fit_references, request_bytes
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.test_discord import ANN, SCOPE, results

BIG = make_image(1800, 1400, "PNG", noisy=True)  # ~7.5 MB: noise does not compress


async def test_the_fake_refuses_what_the_api_refuses(gemini: FakeGemini) -> None:
    body = b'{"contents": [{"parts": [{"text": "' + b"x" * (21 * 1024 * 1024) + b'"}]}]}'
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{gemini.base_url}/v1beta/models/gemini-3-pro-image:generateContent",
            content=body, headers={"x-goog-api-key": gemini.key})
    assert answer.status_code == 400
    assert "payload size exceeds the limit" in answer.json()["error"]["message"]


async def test_references_are_shrunk_to_fit_one_request() -> None:
    small = make_image(300, 200, "JPEG")
    prepared = await prepare_images([BIG, small, BIG, BIG])
    assert request_bytes(prepared) <= REQUEST_LIMIT - 200 * 1024
    assert prepared[1].data == small  # what is already small keeps every byte
    for image in prepared:
        with Image.open(io.BytesIO(image.data)) as opened:
            opened.load()
            assert opened.size == (image.width, image.height)
    fits = await prepare_images([BIG])
    assert fits[0].data == BIG  # one large image fits alone: untouched


def test_what_cannot_be_shrunk_enough_is_refused() -> None:
    tiny_limit = 300 * 1024
    with pytest.raises(ImageError) as refused:
        fit_references([ImageInput(BIG, "image/png", 1800, 1400)] * 14, limit=tiny_limit)
    assert refused.value.code == "references_too_large"


def test_references_keep_every_byte_up_to_the_last_one_a_request_allows() -> None:
    for extra in range(3):  # every length modulo 3: base64 rounds up to four characters
        data = make_image(300, 200, "JPEG") + b"\0" * extra
        small = ImageInput(data, "image/jpeg", 300, 200)
        pair = [small, ImageInput(make_image(200, 100, "PNG"), "image/png", 200, 100)]
        exact = request_bytes(pair) + REQUEST_ROOM  # the images, and room for the rest
        assert fit_references(pair, limit=exact) == tuple(pair)
        shrunk = fit_references(pair, limit=exact - 1)
        assert shrunk[0].data != data and shrunk[1] == pair[1]  # the smaller keeps its bytes
        assert request_bytes(shrunk) + REQUEST_ROOM <= exact - 1


async def test_too_large_a_request_is_refused_before_any_cost(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    heavy = tuple([ImageInput(BIG, "image/png", 1800, 1400)] * 3)  # ~30 MB as base64
    request = EditRequest(Actor("telegram", "1"), Scope("telegram", "-100"),
                          EditCommand("edit", "combine"), heavy)

    async def deliver(_: Any) -> None:
        raise AssertionError("nothing to deliver")

    outcome = await core.service.submit(request, deliver=deliver)
    assert outcome.status == "invalid"
    assert outcome.error is not None and outcome.error.code == "references_too_large"
    assert "(28 MB even after shrinking; the limit is 20 MB)" in error_text(outcome.error)
    assert gemini.requests == [] and await core.ledger.unfinished() == []


async def test_four_large_references_on_discord_reach_the_model(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    options: dict[str, Any] = {"prompt": "combine"}
    for index, name in enumerate(("image", "image2", "image3", "image4")):
        options[name] = dc.attachment(BIG, f"{index}.png")
    await dc.slash(ANN, "edit", options)
    [result] = await dc.wait_for(lambda: results(dc), within=60)
    [sent] = gemini.requests
    assert len(sent.images) == 4 and request_bytes(
        [ImageInput(b, "", 0, 0) for b in sent.images]) < REQUEST_LIMIT
    assert "credits left" in result.content
    status = await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)
    assert status.used + status.reserved == 1  # charged, or held until the commit lands
