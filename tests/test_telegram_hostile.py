"""Hostile and unlucky users on Telegram, end to end against the fake Bot API and fake Gemini:
nobody gets free work, a refusal is said once, a channel is its own requester, prompts that say
nothing cost nothing, and a status edit waiting out flood control never holds the model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
GROUP = FakeTelegram.group()
SCOPE = "telegram:group:-100123"
PHOTO = make_image(640, 480, "JPEG")
# Telegram's shared senders: every channel's messages come "from" Channel_Bot, every
# anonymous administrator's from GroupAnonymousBot
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group",
             "username": "GroupAnonymousBot"}
NEWS = {"id": -1001111, "type": "channel", "title": "Llama News"}
FANS = {"id": -1002222, "type": "channel", "title": "Llama Fans"}


def photos(tg: FakeTelegram) -> list[Any]:
    return tg.photos()


def said(tg: FakeTelegram, words: str) -> list[str]:
    return [t for t in tg.texts() if words in t]


async def settled(tg: FakeTelegram) -> None:
    """Wait until the bot has handled every update so far (it answers /help last)."""
    tg.post(GROUP, BOB, text="/help")
    await tg.wait_for(lambda: said(tg, "/imagine [RATIO]"))
    await asyncio.sleep(0.2)


async def test_no_credits_means_no_download_and_one_answer(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(default_daily_limit=0, refusal_cooldown_s=30)
    for i in range(6):
        tg.post(GROUP, ANN, document=tg.document(make_image(900, 700, "PNG")),
                caption=f"/edit try {i}")
    await tg.wait_for(lambda: said(tg, "used your 0 credits"))
    await settled(tg)
    assert len(said(tg, "used your 0 credits")) == 1  # said once, not six times
    assert tg.sent("getFile") == [] and gemini.requests == []  # nothing fetched or decoded


async def test_a_refusal_is_said_again_after_the_cooldown(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(default_daily_limit=0, refusal_cooldown_s=2)
    one = tg.post(GROUP, ANN, photo=PHOTO, caption="/edit one")
    await tg.wait_for(lambda: len(said(tg, "used your 0 credits")) == 1)
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit two")  # within the cooldown: not told
    three = tg.post(GROUP, BOB, photo=PHOTO, caption="/edit three")  # another person: told
    await tg.wait_for(lambda: len(said(tg, "used your 0 credits")) == 2)
    await asyncio.sleep(2.1)
    four = tg.post(GROUP, ANN, photo=PHOTO, caption="/edit four")
    await tg.wait_for(lambda: len(said(tg, "used your 0 credits")) == 3)
    replied = [c.params["reply_parameters"]["message_id"] for c in tg.sent("sendMessage")
               if "used your 0" in c.params["text"]]
    assert sorted(replied) == [one["message_id"], three["message_id"], four["message_id"]]


async def test_a_person_has_at_most_two_requests_running(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    gemini.delay = 1.0
    for i in range(4):
        tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG", seed=i), caption=f"/edit n{i}")
    await tg.wait_for(lambda: said(tg, "One at a time, please"))
    await tg.wait_for(lambda: len(photos(tg)) == 2, within=20)
    await settled(tg)
    assert len(photos(tg)) == 2 and len(gemini.requests) == 2
    assert len(said(tg, "One at a time")) == 1  # the fourth is dropped: said once
    assert len(tg.sent("getFile")) == 2  # the refused ones were never downloaded
    status = await bot.core.ledger.status(actor="telegram:11", scope=SCOPE)
    assert status.used + status.reserved == 2
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit again")  # done: may ask again
    await tg.wait_for(lambda: len(photos(tg)) == 3, within=20)


async def test_channels_are_their_own_requesters(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(default_daily_limit=1)
    tg.post(GROUP, CHANNEL_BOT, sender_chat=NEWS, photo=PHOTO, caption="/edit add a hat")
    await tg.wait_for(lambda: len(photos(tg)) == 1)
    tg.post(GROUP, CHANNEL_BOT, sender_chat=FANS, photo=PHOTO, caption="/edit add a scarf")
    await tg.wait_for(lambda: len(photos(tg)) == 2)  # not the first channel's credit
    usage = await bot.core.ledger.usage(SCOPE)
    assert usage.members == {"telegram:chat:-1001111": 1, "telegram:chat:-1002222": 1}
    tg.press(ANN, photos(tg)[0].result, "again:1")  # a person cannot spend a channel's credits
    [answer] = await tg.wait_for(lambda: tg.sent("answerCallbackQuery"))
    assert "Only the person who asked" in answer.params["text"]


async def test_a_moderator_limits_a_channel_by_replying_to_its_message(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(default_daily_limit=5)
    mod = FakeTelegram.user(1, "Mia")
    tg.admins[GROUP["id"]].add(mod["id"])
    posted = tg.post(GROUP, CHANNEL_BOT, sender_chat=NEWS, text="our news")
    tg.post(GROUP, mod, text="/setlimit 0", reply_to=posted)
    await tg.wait_for(lambda: said(tg, "Llama News can now use 0 credits"))
    assert (await bot.core.ledger.limits(SCOPE)).members == {"telegram:chat:-1001111": 0}
    tg.post(GROUP, CHANNEL_BOT, sender_chat=NEWS, photo=PHOTO, caption="/edit add a hat")
    await tg.wait_for(lambda: said(tg, "used your 0 credits"))
    tg.post(GROUP, CHANNEL_BOT, sender_chat=FANS, photo=PHOTO, caption="/edit add a scarf")
    await tg.wait_for(lambda: photos(tg))  # another channel keeps the group's default
    assert len(gemini.requests) == 1


async def test_an_anonymous_admin_acts_as_the_group(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.post(GROUP, ANONYMOUS, sender_chat=GROUP, photo=PHOTO, caption="/edit add a llama")
    await tg.wait_for(lambda: photos(tg))
    usage = await bot.core.ledger.usage(SCOPE)
    assert usage.members == {"telegram:chat:-100123": 1}  # the group's own line
    tg.post(GROUP, ANONYMOUS, sender_chat=GROUP, text="/setlimit all 3")
    await tg.wait_for(lambda: said(tg, "can now use 3 credits a day"))
    tg.post(GROUP, ANONYMOUS, sender_chat=GROUP, text="/quota")
    await tg.wait_for(lambda: said(tg, "2 left here, 9 left today in all. Used here today: 1."))


async def test_a_prompt_of_invisible_characters_says_nothing(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(refusal_cooldown_s=0)
    for blank in ("\u200b\u200b", "\ufeff", "\u3164 \u3164", "\u2060\u200d\u00ad"):
        before = len(said(tg, "Say what to do"))
        tg.post(GROUP, ANN, photo=PHOTO, caption=f"/edit {blank}")
        await tg.wait_for(lambda n=before: len(said(tg, "Say what to do")) > n)
    assert gemini.requests == [] and tg.sent("getFile") == []
    assert await bot.core.ledger.unfinished() == []


async def test_an_album_past_the_models_limit_says_how_many_were_used(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["can_read_all_group_messages"] = True  # privacy mode off: albums reach the bot
    await start_bot()
    album = [make_image(200 + 4 * i, 200, "JPEG") for i in range(16)]
    tg.post(GROUP, ANN, photo=album[0], caption="/edit merge these", media_group_id="A9")
    for item in album[1:]:
        tg.post(GROUP, ANN, photo=item, media_group_id="A9")
    await tg.wait_for(lambda: photos(tg), within=20)
    assert said(tg, "using the first 14 of the 16")
    assert gemini.requests[0].images == album[:14]


async def test_a_status_edit_in_flood_control_does_not_hold_the_model(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(gemini_max_concurrency=1)
    gemini.delay = 2.0
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit first")
    await tg.wait_for(lambda: gemini.requests)
    tg.post(GROUP, BOB, photo=PHOTO, caption="/edit second")
    await tg.wait_for(lambda: said(tg, "Queued: #1"))
    # Bob's "working" edit meets flood control twice: 6 s of waiting
    tg.fail("editMessageText", 429, "Too Many Requests: retry after 3", retry_after=3,
            times=2)
    await tg.wait_for(lambda: len(gemini.requests) == 2, within=20)
    first, second = gemini.requests
    assert second.at - first.at < 3.5  # asked as soon as the model was free (2 s), not 8 s
    await tg.wait_for(lambda: len(photos(tg)) == 2, within=20)


async def test_a_long_retry_delay_upstream_is_told_at_once(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    gemini.push(Fault.error(429, retry_delay="600s"))
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
    told = await tg.wait_for(lambda: said(tg, "overloaded"), within=10)
    assert "nothing was charged" in told[0] and len(gemini.requests) == 1
    status = await bot.core.ledger.status(actor="telegram:11", scope=SCOPE)
    assert status.used + status.reserved == 0 and await bot.core.ledger.unfinished() == []
