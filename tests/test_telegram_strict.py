"""The Telegram bot against what Telegram holds back: the update kinds a bot asked for
(allowed_updates) and group privacy mode, where the uncaptioned photos of an album never reach
a bot. In a group where it cannot see them, an album with /edit gets an explanation at no cost;
a reply to one album item edits that item."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.test_telegram import ANN, GROUP, PHOTO, photos_to

ALBUM = [make_image(300 + 10 * i, 300, "JPEG") for i in range(3)]


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{tg.root}/bot{tg.token}") as client:
        yield client


async def updates(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    answer = await api.post("/getUpdates", json={"timeout": 0, **params})
    return list(answer.json()["result"])


async def test_get_updates_honours_allowed_updates(tg: FakeTelegram,
                                                   api: httpx.AsyncClient) -> None:
    message = tg.post(FakeTelegram.private(ANN), ANN, text="hi")
    tg.press(ANN, message, "again:1")
    kinds = [set(u) - {"update_id"} for u in await updates(api, allowed_updates=["message"])]
    assert kinds == [{"message"}]
    assert len(await updates(api)) == 1  # the setting stays until a call names another
    assert len(await updates(api, allowed_updates=[])) == 2  # the default: both kinds


async def test_privacy_mode_keeps_most_group_messages_from_the_bot(
        tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    bots_own = tg._message(GROUP, tg.me, text="a result")
    tg.post(GROUP, ANN, text="just chatting")
    tg.post(GROUP, ANN, photo=PHOTO, media_group_id="A", caption="/edit merge")
    tg.post(GROUP, ANN, photo=PHOTO, media_group_id="A")
    tg.post(GROUP, ANN, text="/edit@OtherBot x")
    tg.post(GROUP, ANN, text="hey @EditTestBot look")
    tg.post(GROUP, ANN, text="nice", reply_to=bots_own)
    tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO)
    seen = [u["message"].get("text") or u["message"].get("caption") or "photo"
            for u in await updates(api)]
    assert seen == ["/edit merge", "hey @EditTestBot look", "nice", "photo"]
    tg.admins[GROUP["id"]].add(tg.me["id"])  # an administrator bot sees everything
    tg.post(GROUP, ANN, text="just chatting")
    assert len(await updates(api)) == 5


async def test_an_album_under_privacy_mode_is_explained_not_charged(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.post(GROUP, ANN, photo=ALBUM[0], caption="/edit merge these", media_group_id="A1")
    for item in ALBUM[1:]:
        tg.post(GROUP, ANN, photo=item, media_group_id="A1")
    await tg.wait_for(lambda: any("rest of the album" in t for t in tg.texts()))
    await tg.never(lambda: gemini.requests)
    assert await bot.core.ledger.unfinished() == []


async def test_an_album_reaches_a_bot_that_sees_all_and_a_reply_edits_one_item(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.admins[GROUP["id"]].add(tg.me["id"])  # an administrator: privacy mode does not apply
    await start_bot()
    tg.post(GROUP, ANN, photo=ALBUM[0], caption="/edit merge these", media_group_id="A2")
    for item in ALBUM[1:]:
        tg.post(GROUP, ANN, photo=item, media_group_id="A2")
    await tg.wait_for(lambda: photos_to(tg))
    assert gemini.requests[0].images == ALBUM


async def test_a_reply_to_an_album_item_the_bot_never_saw_edits_that_item(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    items = [tg.post(GROUP, ANN, photo=item, media_group_id="A3") for item in ALBUM]
    tg.post(GROUP, ANN, text="/edit add snow", reply_to=items[1])
    await tg.wait_for(lambda: photos_to(tg))
    assert gemini.requests[0].images == [ALBUM[1]]


async def test_buttons_arrive_because_the_bot_asks_for_them(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a hat")
    [photo] = await tg.wait_for(lambda: photos_to(tg))
    assert {"message", "callback_query"} <= tg.allowed_updates
    tg.press(ANN, photo.result, "again:1")
    await tg.wait_for(lambda: len(photos_to(tg)) == 2)
