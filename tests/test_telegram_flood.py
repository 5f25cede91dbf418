"""A crowd against a Bot API that enforces Telegram's flood limits: the bot, at its default
settings, gets no 429 and every user gets their image. The fake and the bot run the limits'
clock equally faster (``telegram_flood_window_scale``) so 200 results in one group (20 a
minute on Telegram) do not take ten minutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.telegram.status import WORKING_FRESH_S
from tests.fakes.flood import FloodLimits
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import Call, FakeTelegram

PHOTO = make_image(160, 120, "JPEG")
CROWD = 200


def answered(call: Call) -> int | None:
    """The user's message a delivered photo answers."""
    return (call.result.get("reply_to_message") or {}).get("message_id")


async def test_fake_answers_429_over_the_limits(tg: FakeTelegram) -> None:
    """The fake itself: over a window, a 429 with retry_after, and refused calls do not count."""
    import httpx

    tg.enforce_flood_limits(FloodLimits(chat_messages=2, chat_window_s=2.0))
    eve = FakeTelegram.user(5, "Eve")
    tg.post(FakeTelegram.private(eve), eve, text="/start")  # a bot writes only once started
    url = f"{tg.root}/bot{tg.token}/sendMessage"
    async with httpx.AsyncClient() as http:
        answers = [await http.post(url, json={"chat_id": 5, "text": f"hi {i}"})
                   for i in range(3)]
        action = await http.post(f"{tg.root}/bot{tg.token}/sendChatAction",
                                 json={"chat_id": 5, "action": "typing"})
    assert [a.status_code for a in answers] == [200, 200, 429]
    body = answers[2].json()
    assert body["ok"] is False and body["error_code"] == 429
    assert body["description"] == "Too Many Requests: retry after 2"
    assert body["parameters"] == {"retry_after": 2}
    assert action.status_code == 200  # a chat action is not a message
    assert tg.flood_429s == 1


@pytest.mark.slow  # crowd-scale: `make test` runs it, `make test-fast` does not
async def test_two_hundred_users_in_one_group_all_get_their_image(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    scale = 0.02  # a group's minute lasts 1.2 s
    tg.enforce_flood_limits(FloodLimits().scaled(scale))
    await start_bot(telegram_flood_window_scale=scale, default_daily_limit=10)
    gemini.delay = 0.2
    group = FakeTelegram.group(-100777, "Crowd")
    asked = {tg.post(group, FakeTelegram.user(1000 + i, f"G{i}"), photo=PHOTO,
                     caption="/edit add a hat")["message_id"] for i in range(CROWD)}
    photos = await tg.wait_for(lambda: len(tg.photos()) >= CROWD and tg.photos(), within=120)
    assert {answered(p) for p in photos} == asked and len(photos) == CROWD
    assert tg.flood_429s == 0
    # results went first: the group's few messages went to results, not to progress
    progress = tg.sent("sendMessage", "editMessageText", "deleteMessage", chat_id=group["id"])
    assert len(progress) < CROWD // 2


@pytest.mark.slow  # crowd-scale: `make test` runs it, `make test-fast` does not
async def test_two_hundred_users_in_private_chats_all_get_their_image(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    # the limits' clock four times as fast: 120 calls a second
    users = await private_crowd(tg, gemini, start_bot, CROWD, 2000, scale=0.25, delay=0.2,
                                within=120)
    # the calls each edit made (+ its getFile): a queued one may count down its place, from
    # the gate's spare capacity only, so the crowd stays within four calls an edit on average
    calls = [len(tg.sent(*CHAT_METHODS, chat_id=user["id"])) + 1 for user in users]
    assert sum(calls) / len(calls) <= 4
    assert max(calls) <= 6


async def private_crowd(tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any],
                        count: int, first_id: int, *, scale: float, delay: float,
                        within: float, **settings: Any) -> list[dict[str, Any]]:
    """``count`` people, each in their private chat, send an edit at once, under Telegram's
    flood limits on a clock ``1 / scale`` times as fast: each gets their photo, and the bot
    never meets a 429. Returns the people."""
    tg.enforce_flood_limits(FloodLimits().scaled(scale))
    await start_bot(telegram_flood_window_scale=scale, **settings)
    gemini.delay = delay
    users = [FakeTelegram.user(first_id + i, f"P{i}") for i in range(count)]
    for user in users:
        tg.post(FakeTelegram.private(user), user, photo=PHOTO, caption="/edit add a hat")
    photos = await tg.wait_for(lambda: len(tg.photos()) >= count and tg.photos(), within=within)
    assert sorted(p.params["chat_id"] for p in photos) == [u["id"] for u in users]
    assert tg.flood_429s == 0
    return users


CHAT_METHODS = ("sendMessage", "editMessageText", "editMessageMedia", "sendPhoto",
                "sendDocument", "sendChatAction", "deleteMessage")


async def test_statuses_leave_half_the_window_to_the_results_coming(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """A crowd whose edits are all with the model at once: each gets a status only from half of
    Telegram's global window, the rest is kept for the results, which may be ready at any
    moment (statuses sent just before them would hold them up a window's span)."""
    scale = 0.25
    limits = FloodLimits().scaled(scale)
    crowd = 2 * limits.global_calls  # more than a window's worth of statuses
    await private_crowd(tg, gemini, start_bot, crowd, 3000, scale=scale, delay=1.0, within=60,
                        gemini_max_concurrency=256)
    statuses = [call.at for call in tg.sent("sendMessage")]
    most = max(sum(1 for other in statuses if at - limits.global_window_s < other <= at)
               for at in statuses)
    assert 0 < most <= limits.global_calls // 2


async def test_a_working_status_held_back_until_its_result_is_near_is_not_sent(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """On Telegram's own clock, 90 edits with the model at once: their "working" statuses go
    out half a window at a time, and one the gate held back past WORKING_FRESH_S is dropped
    (its result is near, and in a crowd it would take that result's place in the window), so
    none goes out later; every result comes, as a new message where no status went."""
    await private_crowd(tg, gemini, start_bot, 90, 4000, scale=1.0, delay=3.0, within=60,
                        gemini_max_concurrency=256)
    statuses = [call.at for call in tg.sent("sendMessage")]
    assert 0 < len(statuses) < 90
    # the first half window's statuses, the second's a window later; the third's would go
    # about 2.1 s after the first
    assert max(statuses) - min(statuses) < WORKING_FRESH_S + 0.5
