"""Inline mode and /history end to end: the real python-telegram-bot Application against the
fake Bot API (tests/fakes/telegram_inline.py: inline queries, answers, chosen results, inline
messages edited) and the fake Gemini."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultCachedPhoto,
    InputMediaPhoto,
)
from telegram.error import BadRequest

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
IVAN = FakeTelegram.user(33, "Ivan", language="ru")
GROUP = FakeTelegram.group()
PHOTO = make_image(1200, 900, "JPEG")


def private(user: dict[str, Any]) -> dict[str, Any]:
    return FakeTelegram.private(user)


async def credits_used(bot: Any, user: dict[str, Any]) -> tuple[int, int]:
    """A person's own credits (their private chat's): charged, and held in flight."""
    status = await bot.core.ledger.status(actor=f"telegram:{user['id']}",
                                          scope=f"telegram:private:{user['id']}")
    return status.used, status.reserved


async def charged(bot: Any, user: dict[str, Any], used: int, held: int = 0) -> None:
    """Wait until ``user`` has ``used`` credits charged in all and ``held`` in flight (a job
    is committed a moment after its delivery, and recorded a moment after its status)."""
    for _ in range(200):
        if await credits_used(bot, user) == (used, held):
            return
        await asyncio.sleep(0.05)
    assert await credits_used(bot, user) == (used, held)


async def noted(bot: Any, user: dict[str, Any], n: int, *, results_only: bool = True) -> None:
    """Wait until ``n`` of ``user``'s images (results, or any) are noted to be picked again
    (a moment after they were shown)."""
    for _ in range(200):
        if len(await bot.core.recent.of(f"telegram:{user['id']}",
                                                results_only=results_only)) >= n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {n} images were noted")


async def edited(tg: FakeTelegram, bot: Any, user: dict[str, Any], words: str,
                 n: int) -> dict[str, Any]:
    """``user`` sends the bot a photo in private with ``words``; wait until the result is
    there and noted as one of their recent images (``n`` results in all by then)."""
    sent = tg.post(private(user), user, photo=PHOTO, caption=words)
    await tg.wait_for(lambda: len(tg.photos(chat_id=user["id"])) >= n)
    await noted(bot, user, n)
    return sent


async def answered(tg: FakeTelegram, user: dict[str, Any], query: str) -> dict[str, Any]:
    query_id = tg.inline(user, query)
    answer: dict[str, Any] = await tg.wait_for(lambda: tg.answered(query_id))
    answer["_query_id"] = query_id
    return answer


async def test_inline_edit_of_a_result_lands_in_the_inline_message_for_one_credit(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot()
    sent = await edited(tg, bot, ANN, "9:16 add a llama", 1)
    [first] = tg.photos(chat_id=ANN["id"])
    result_file = first.result["photo"][-1]["file_id"]
    await charged(bot, ANN, 1)

    answer = await answered(tg, ANN, "1:1 add a hat")  # typing costs nothing
    assert answer["is_personal"] is True and answer["cache_time"] == 0
    results = answer["results"]
    # the newest first: the result, then the photo Ann sent
    assert results[0]["photo_file_id"] == result_file
    assert len(results) == 2 and results[1]["photo_file_id"] == sent["photo"][-1]["file_id"]
    assert results[0]["title"] == "Edit: add a hat"
    assert results[0]["description"] == "1 credit · your result: add a llama"
    assert results[1]["description"] == "1 credit · a photo you sent"
    assert len(gemini.requests) == 1 and await credits_used(bot, ANN) == (1, 0)

    message = tg.choose(ANN, answer["_query_id"], results[0]["id"])
    assert message.caption == "Editing: add a hat…"
    await tg.wait_for(lambda: any(e["method"] == "editMessageMedia" for e in message.edits))
    # the result went to Ann's private chat first (the upload), then into the inline message
    # by that photo's file_id
    copy = tg.photos(chat_id=ANN["id"])[-1]
    assert copy.method == "sendPhoto" and "8 credits left today" in copy.params["caption"]
    assert message.photo == copy.result["photo"][-1]["file_id"]
    assert "credits left" not in message.caption  # the chat does not see Ann's quota
    assert message.reply_markup is not None and "inline_keyboard" in message.reply_markup
    request = gemini.requests[-1]
    assert request.prompt == "add a hat" and request.images == []  # the conversation goes on
    assert request.history[0]["parts"][-1] == {"text": "add a llama"}
    await charged(bot, ANN, 2)

    # the same choice reported again (a redelivered update): nothing more is done or charged
    edits = len(message.edits)
    tg.report_chosen(message, results[0]["id"], "1:1 add a hat")
    await tg.never(lambda: len(gemini.requests) > 2 or len(message.edits) > edits)
    await charged(bot, ANN, 2)
    # and the new result is offered next time, first
    again = await answered(tg, ANN, "add snow")
    assert again["results"][0]["photo_file_id"] == message.photo


async def test_a_choice_reported_twice_at_once_is_one_edit_charged_once(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot()
    await edited(tg, bot, ANN, "add a llama", 1)
    answer = await answered(tg, ANN, "add a hat")
    photo_sent = answer["results"][1]  # the photo Ann sent: edited as an image
    message = tg.choose(ANN, answer["_query_id"], photo_sent["id"])
    tg.report_chosen(message, photo_sent["id"], "add a hat")  # before the bot even looked
    await tg.wait_for(lambda: any(e["method"] == "editMessageMedia" for e in message.edits))
    await tg.never(lambda: len(gemini.requests) > 2)
    assert gemini.requests[-1].images == [PHOTO] and gemini.requests[-1].history == []
    await charged(bot, ANN, 2)


async def test_an_inline_edit_cut_by_a_restart_is_finished_into_its_message(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot()
    await edited(tg, bot, ANN, "add a llama", 1)
    answer = await answered(tg, ANN, "add a hat")
    gemini.delay = 5.0  # still working when the bot stops (its grace is 2 s)
    message = tg.choose(ANN, answer["_query_id"], answer["results"][0]["id"])
    await tg.wait_for(lambda: gemini.in_flight == 1)
    await bot.stop()
    assert not any(e["method"] == "editMessageMedia" for e in message.edits)
    gemini.delay = 0.0
    bot = await start_bot()
    await tg.wait_for(lambda: any(e["method"] == "editMessageMedia" for e in message.edits))
    assert message.photo == tg.photos(chat_id=ANN["id"])[-1].result["photo"][-1]["file_id"]
    await charged(bot, ANN, 2)


async def test_no_recent_images_offers_the_private_chat_and_bad_words_a_hint(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot()
    answer = await answered(tg, BOB, "add a hat")
    assert answer["results"] == []
    assert answer["button"] == {"text": "No recent images: send me a photo first",
                                "start_parameter": "inline"}
    await edited(tg, bot, BOB, "add a llama", 1)
    for words in ("", "4K"):  # nothing to do, and a size without a prompt
        answer = await answered(tg, BOB, words)
        assert answer["results"] == []
        assert answer["button"]["start_parameter"] == "help"
    assert answer["button"]["text"] == "I could not read that request: tap for help"
    assert len(gemini.requests) == 1
    await charged(bot, BOB, 1)


async def test_inline_in_russian_and_a_person_who_never_started_the_bot(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot()
    answer = await answered(tg, IVAN, "добавь шляпу")
    assert answer["button"]["text"] == "Недавних изображений нет: сначала пришлите мне фото"
    # Ivan edits in a group only: the bot cannot write to him privately
    tg.post(GROUP, IVAN, photo=PHOTO, caption="/edit добавь ламу")
    await tg.wait_for(lambda: tg.photos(chat_id=GROUP["id"]))
    await noted(bot, IVAN, 1)
    answer = await answered(tg, IVAN, "добавь шляпу")
    result = answer["results"][0]  # the result, then the photo he sent with /edit
    assert len(answer["results"]) == 2
    assert result["caption"] == "Редактирую: добавь шляпу…"
    assert result["description"] == "1 кредит · ваш результат: добавь ламу"
    message = tg.choose(IVAN, answer["_query_id"], result["id"])
    await tg.wait_for(lambda: message.edits)
    assert message.caption.startswith("Пока не могу прислать вам результат")
    await tg.never(lambda: len(gemini.requests) > 1)
    await charged(bot, IVAN, 0)


async def test_history_lists_the_last_ten_results_with_edit_again(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(default_daily_limit=20)
    for n in range(1, 12):
        await edited(tg, bot, ANN, f"edit number {n}", n)
    tg.post(private(ANN), ANN, text="/history")
    listing = await tg.wait_for(lambda: [c for c in tg.sent("sendMessage", chat_id=ANN["id"])
                                         if "Your last results" in c.params["text"]])
    lines = listing[0].params["text"].split("\n")
    assert lines[0] == "Your last results, newest first:"
    assert lines[1:] == [f"{n}. edit number {12 - n}" for n in range(1, 11)]
    rows = listing[0].params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == [f"Edit again #{n}" for n in range(1, 11)]

    # Edit again on the newest: the result is shown again (by file_id) with the question
    newest = tg.photos(chat_id=ANN["id"])[-1].result["photo"][-1]["file_id"]
    tg.press(ANN, listing[0].result, rows[0][0]["callback_data"])
    [asked] = await tg.wait_for(lambda: [c for c in tg.sent("sendPhoto", chat_id=ANN["id"])
                                         if c.params.get("photo") == newest])
    assert asked.params["caption"] == "What should I change?"
    await charged(bot, ANN, 11)  # the eleven edits so far, each settled
    tg.post(private(ANN), ANN, text="make it blue", reply_to=asked.result)
    await tg.wait_for(lambda: len(gemini.requests) == 12)
    request = gemini.requests[-1]
    assert request.prompt == "make it blue" and request.images == []
    assert request.history[0]["parts"][-1] == {"text": "edit number 11"}
    await tg.wait_for(lambda: len(tg.photos(chat_id=ANN["id"])) == 12)
    await charged(bot, ANN, 12)  # one credit more, once the job is committed
    # someone else's Edit again shows them nothing
    shown_again = len(tg.sent("sendPhoto"))
    tg.press(BOB, listing[0].result, rows[1][0]["callback_data"])
    await tg.never(lambda: len(tg.sent("sendPhoto")) > shown_again)


async def test_history_in_vietnamese_and_when_empty(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    menus = {(c.params["scope"]["type"], c.params.get("language_code")):
             [(command["command"], command["description"]) for command in c.params["commands"]]
             for c in tg.sent("setMyCommands")}
    assert menus[("all_private_chats", "vi")][-1] == ("history", "Kết quả gần đây của bạn")
    assert "history" not in dict(menus[("default", None)])  # a group's menu: not there
    lan = FakeTelegram.user(44, "Lan", language="vi")
    tg.post(private(lan), lan, text="/history")
    await tg.wait_for(lambda: "Chưa có kết quả nào: hãy gửi tôi một ảnh kèm điều cần đổi."
                      in tg.texts(chat_id=44))


async def test_the_answer_never_passes_fifty_results(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot()
    for album in range(6):  # 60 photos, in albums without words: each album asked about
        for _ in range(10):
            tg.post(private(ANN), ANN, photo=PHOTO, media_group_id=f"album{album}")
    await tg.wait_for(lambda: tg.texts(chat_id=ANN["id"]).count("What should I change?") == 6)
    await noted(bot, ANN, 50, results_only=False)
    answer = await answered(tg, ANN, "add a hat")
    assert len(answer["results"]) == 50
    assert len({r["id"] for r in answer["results"]}) == 50


async def test_the_fake_enforces_telegrams_inline_rules(tg: FakeTelegram) -> None:
    tg.me["supports_inline_queries"] = True
    photo = tg.post(private(ANN), ANN, photo=PHOTO)["photo"][-1]["file_id"]
    bot = Bot(tg.token, base_url=f"{tg.root}/bot", base_file_url=f"{tg.root}/file/bot")
    async with bot:
        def results(n: int, make_id: Callable[[int], str] = str) -> list[Any]:
            return [InlineQueryResultCachedPhoto(make_id(i), photo) for i in range(n)]

        for bad, error in ((results(51), "RESULTS_TOO_MUCH"),
                           (results(2, lambda i: "x" * 65), "RESULT_ID_INVALID"),
                           (results(2, lambda i: "same"), "RESULT_ID_DUPLICATE"),
                           ([InlineQueryResultCachedPhoto("1", "FILE-nope")], "wrong file")):
            with pytest.raises(BadRequest, match=rf"(?i){error}"):
                await bot.answer_inline_query(tg.inline(ANN, "x"), bad)
        with pytest.raises(BadRequest, match=r"(?i)cache_time"):
            await bot.answer_inline_query(tg.inline(ANN, "x"), results(1), cache_time=-1)
        query_id = tg.inline(ANN, "x")
        await bot.answer_inline_query(query_id, results(50), cache_time=0)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # answered once only
            await bot.answer_inline_query(query_id, results(1))
        tg.inline_within_s = 0.0
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # too late
            await bot.answer_inline_query(tg.inline(ANN, "x"), results(1))
        tg.inline_within_s = 10.0

        with_keyboard = tg.inline(ANN, "x")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            "go", switch_inline_query_current_chat="")]])
        await bot.answer_inline_query(with_keyboard, [InlineQueryResultCachedPhoto(
            "1", photo, reply_markup=markup)], cache_time=0)
        message = tg.choose(ANN, with_keyboard, "1")
        with pytest.raises(BadRequest, match=r"(?i)upload a new file"):
            await bot.edit_message_media(InputMediaPhoto(PHOTO),
                                         inline_message_id=message.inline_message_id)
        assert await bot.edit_message_media(InputMediaPhoto(photo),
                                            inline_message_id=message.inline_message_id)
        plain = tg.inline(ANN, "x")
        await bot.answer_inline_query(plain, [InlineQueryResultCachedPhoto("1", photo)])
        tg.choose(ANN, plain, "1")
    # a result with an inline keyboard is reported with its message's id; one without is not
    reports = [u["chosen_inline_result"] for u in tg.updates if "chosen_inline_result" in u]
    assert reports[0]["inline_message_id"] == message.inline_message_id
    assert "inline_message_id" not in reports[1]


async def test_a_queued_inline_edit_can_be_cancelled_by_its_requester_only(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    bot = await start_bot(gemini_max_concurrency=1)
    await edited(tg, bot, ANN, "add a llama", 1)  # (the model's time is measured too)
    await charged(bot, ANN, 1)
    gemini.delay = 6.0  # Bob holds the only slot while Ann's inline edit waits
    tg.post(private(BOB), BOB, photo=PHOTO, caption="/edit hold the line")
    await tg.wait_for(lambda: len(gemini.requests) == 2)
    answer = await answered(tg, ANN, "add a hat")
    message = tg.choose(ANN, answer["_query_id"], answer["results"][0]["id"])

    def cancel() -> list[str]:
        return [b["callback_data"] for row in (message.reply_markup or {}).get(
            "inline_keyboard", []) for b in row if b["text"] == "Cancel"]

    [data] = await tg.wait_for(cancel)
    assert message.caption == "Editing: add a hat…\nQueued: #1 in line, about 10 s…"
    await charged(bot, ANN, 1, held=1)  # its credit held while it waits

    tg.press_inline(BOB, message, data)  # not his: told so, nothing changes
    [no] = await tg.wait_for(lambda: tg.sent("answerCallbackQuery"))
    assert no.params["text"] == ("Only the person who asked, or a moderator here, can cancel "
                                 "this.") and no.params["show_alert"] is True
    assert cancel() == [data] and await credits_used(bot, ANN) == (1, 1)

    tg.press_inline(ANN, message, data)
    words = "Cancelled before the model was asked: 1 credit back, nothing charged."
    await tg.wait_for(lambda: message.caption == words)
    assert cancel() == [] and await credits_used(bot, ANN) == (1, 0)
    gemini.release()  # the test is done with the queue: Bob's edit ends now
    await tg.wait_for(lambda: len(tg.photos(chat_id=BOB["id"])) == 1, within=15)
    await tg.never(lambda: len(gemini.requests) > 2)  # the model never heard of it
    assert message.caption == words and await credits_used(bot, ANN) == (1, 0)
