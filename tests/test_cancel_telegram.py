"""A queued Telegram edit, as people see it: its place and likely wait, and a Cancel button
that gives the credit back before the model is asked, and only then; only the requester or a
moderator of the chat may press it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.ledger import job_from
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
MOD = FakeTelegram.user(33, "Mo")
GROUP = FakeTelegram.group()
PHOTO = make_image(640, 480, "JPEG")
CANCELLED = "Cancelled before the model was asked: 1 credit back, nothing charged."


def keyboard(message: dict[str, Any]) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


async def used(bot: Any, actor: str = "telegram:11",
               scope: str = "telegram:private:11") -> int:
    status = await bot.core.ledger.status(actor=actor, scope=scope)
    return int(status.used + status.reserved)


def answers(tg: FakeTelegram) -> list[tuple[str, bool]]:
    return [(c.params.get("text", ""), bool(c.params.get("show_alert")))
            for c in tg.sent("answerCallbackQuery")]


async def queue_behind(tg: FakeTelegram, gemini: FakeGemini, bot: Any, user: dict[str, Any],
                       prompt: str, *, chat: dict[str, Any] | None = None) -> dict[str, Any]:
    """One quick edit measures the model; then Bob holds the only slot (both in his own
    chat), and ``user`` asks behind him (in their own chat unless ``chat``): the status of
    that queued request, once its job is recorded."""
    chat = chat or FakeTelegram.private(user)
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit warm up")
    await tg.wait_for(lambda: len(tg.photos()) == 1)
    gemini.delay = 6.0  # long enough for everything the test does while it waits
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit hold the line")
    await tg.wait_for(lambda: len(gemini.requests) == 2)
    asked = tg.post(chat, user, photo=PHOTO, caption=f"/edit {prompt}")
    key = f"telegram:{chat['id']}:{asked['message_id']}"

    def statuses() -> list[dict[str, Any]]:
        return [c.result for c in tg.sent("sendMessage", chat_id=chat["id"])
                if c.params["reply_parameters"]["message_id"] == asked["message_id"]]

    await tg.wait_for(statuses)
    for _ in range(200):
        if await job_from(bot.core.ledger, key) is not None:
            break
        await asyncio.sleep(0.05)
    [status] = statuses()
    return status


def now(tg: FakeTelegram, status: dict[str, Any]) -> dict[str, Any]:
    return tg.messages[(status["chat"]["id"], status["message_id"])]


async def test_a_queued_edit_shows_its_wait_and_cancel_gives_the_credit_back(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(gemini_max_concurrency=1)
    status = await queue_behind(tg, gemini, bot, ANN, "add a hat")
    assert status["text"] == "Queued: #1 in line, about 10 s…"
    [(label, data)] = keyboard(status)
    assert label == "Cancel" and data.startswith("cancel:telegram:11:")
    assert await used(bot) == 1  # held while it waits

    tg.press(ANN, status, data)
    await tg.wait_for(lambda: now(tg, status)["text"] == CANCELLED)
    assert keyboard(now(tg, status)) == []  # the button is gone with the job
    assert answers(tg) == [(CANCELLED, False)]
    assert await used(bot) == 0  # the credit is back at once
    gemini.release()  # the test is done with the queue: Bob's edit ends now
    await tg.wait_for(lambda: len(tg.photos()) == 2, within=15)  # Bob's edit goes on
    # the model never heard of it, and nothing was charged for it
    assert [r.prompt for r in gemini.requests] == ["warm up", "hold the line"]
    assert await used(bot) == 0 and now(tg, status)["text"] == CANCELLED

    tg.press(ANN, status, data)  # a second press changes nothing, and says so
    await tg.wait_for(lambda: len(answers(tg)) == 2)
    assert answers(tg)[-1] == (CANCELLED, False) and await used(bot) == 0
    assert len(tg.sent("sendMessage")) == 3  # the three statuses; nothing said anew


async def test_only_the_requester_or_a_moderator_may_cancel(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(gemini_max_concurrency=1)
    tg.admins[GROUP["id"]].add(MOD["id"])
    status = await queue_behind(tg, gemini, bot, ANN, "add a hat", chat=GROUP)
    [(_, data)] = keyboard(status)
    group = "telegram:group:-100123"

    tg.press(BOB, status, data)  # another member: told no, nothing changes
    await tg.wait_for(lambda: answers(tg))
    assert answers(tg) == [("Only the person who asked, or a moderator here, can cancel this.",
                            True)]
    assert now(tg, status)["text"] == "Queued: #1 in line, about 10 s…"
    assert keyboard(now(tg, status)) == [("Cancel", data)] and await used(bot, scope=group) == 1

    # forged data: a request that does not exist, and one of another chat
    tg.press(BOB, status, "cancel:telegram:-100123:999999")
    tg.press(BOB, {**status, "chat": FakeTelegram.private(BOB)}, data)
    await tg.wait_for(lambda: len(answers(tg)) == 3)
    assert sorted(answers(tg)[1:]) == [  # answered as each is done, in either order
        ("Only the person who asked, or a moderator here, can cancel this.", True),
        ("This request has already ended.", True)]
    assert await used(bot, scope=group) == 1

    tg.press(MOD, status, data)  # a moderator of the group may
    await tg.wait_for(lambda: now(tg, status)["text"] == CANCELLED)
    assert await used(bot, scope=group) == 0
    gemini.release()  # the test is done with the queue: Bob's edit ends now
    await tg.wait_for(lambda: len(tg.photos()) == 2, within=15)
    assert [r.prompt for r in gemini.requests] == ["warm up", "hold the line"]


async def test_a_cancel_once_the_model_was_asked_is_too_late_and_the_edit_is_charged(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(gemini_max_concurrency=1)
    status = await queue_behind(tg, gemini, bot, ANN, "add a hat")
    [(_, data)] = keyboard(status)
    gemini.release()  # Bob's edit ends now, and Ann's goes to the model
    await tg.wait_for(lambda: len(gemini.requests) == 3, within=15)  # now with the model
    await tg.wait_for(lambda: keyboard(now(tg, status)) == [])  # the button went with it
    tg.press(ANN, status, data)  # pressed on a keyboard shown a moment before
    await tg.wait_for(lambda: answers(tg))
    assert answers(tg) == [("Too late: it is already with the model, and it is charged.",
                            True)]
    gemini.release()
    await tg.wait_for(lambda: len(tg.photos()) == 3, within=15)
    assert await used(bot) == 1  # the model's work is paid for


async def test_the_wait_and_the_cancel_speak_the_requesters_language(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(gemini_max_concurrency=1)
    ivan = FakeTelegram.user(44, "Иван", language="ru")
    status = await queue_behind(tg, gemini, bot, ivan, "добавь шляпу")
    assert status["text"] == "В очереди: №1, примерно 10 с…"
    [(label, data)] = keyboard(status)
    assert label == "Отменить"
    tg.press(ivan, status, data)
    words = "Отменено до запроса к модели. Возвращено: 1 кредит, ничего не списано."
    await tg.wait_for(lambda: now(tg, status)["text"] == words)
    assert answers(tg) == [(words, False)]
    assert await used(bot, "telegram:44", "telegram:private:44") == 0
    gemini.release()  # the test is done with the queue: Bob's edit ends now
    await tg.wait_for(lambda: len(tg.photos()) == 2, within=15)
    assert "добавь шляпу" not in [r.prompt for r in gemini.requests]

