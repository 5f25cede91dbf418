"""/settings on Telegram, end to end against the fake Bot API and the fake Gemini: the panel,
who may change it, and each setting as a member meets it (refusals cost nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.domain import Scope
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

MOD = FakeTelegram.user(1, "Mia")
ANN = FakeTelegram.user(11, "Ann")
GROUP = FakeTelegram.group()
SCOPE = "telegram:group:-100123"
LOG_CHAT = -100999


async def said(tg: FakeTelegram, user: dict[str, Any] | None, words: str | None = None,
               **kw: Any) -> Any:
    """The bot's answer (a sendMessage replying to the message)."""
    asked = tg.post(GROUP, user, text=words, **kw)

    def answers() -> list[Any]:
        return [c for c in tg.sent("sendMessage") if (c.params.get("reply_parameters") or {})
                .get("message_id") == asked["message_id"]]

    [answer] = await tg.wait_for(answers)
    return answer


async def panel(tg: FakeTelegram, user: dict[str, Any] = MOD) -> Any:
    answer = await said(tg, user, "/settings")
    return answer.result


def labels(message: dict[str, Any]) -> dict[str, str]:
    """The panel's buttons: callback data -> label."""
    return {b["callback_data"]: b["text"] for row in message["reply_markup"]["inline_keyboard"]
            for b in row}


async def press(tg: FakeTelegram, user: dict[str, Any], message: dict[str, Any],
                data: str) -> Any:
    update = tg.press(user, message, data)
    query_id = update["callback_query"]["id"]
    [answer] = await tg.wait_for(lambda: [c for c in tg.sent("answerCallbackQuery")
                                          if c.params["callback_query_id"] == query_id])
    return answer


async def refused(tg: FakeTelegram, user: dict[str, Any], gemini: FakeGemini, **kw: Any
                  ) -> str:
    """A member's request answered with a refusal: free, the model never asked."""
    asked = len(gemini.requests)
    answer = await said(tg, user, **kw)
    assert len(gemini.requests) == asked
    return str(answer.params["text"])


async def test_the_panel_is_for_moderators_and_every_change_is_audited(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    assert "Only this group's administrators" in (await said(tg, ANN, "/settings")).params[
        "text"]

    shown = await panel(tg)
    assert "Sizes allowed: 1K 2K 4K" in shown["text"] and "Safety: standard" in shown["text"]
    assert labels(shown)["cfg:size:4K"] == "4K: on"

    answer = await press(tg, ANN, shown, "cfg:size:4K")  # a member taps: refused, unchanged
    assert answer.params["show_alert"] is True
    assert "Only this group's administrators" in answer.params["text"]
    assert await bot.core.ledger.audit_log(SCOPE) == []

    answer = await press(tg, MOD, shown, "cfg:size:4K")
    assert answer.params["text"] == "Saved."
    redrawn = tg.messages[(GROUP["id"], shown["message_id"])]
    assert labels(redrawn)["cfg:size:4K"] == "4K: off"
    assert "Sizes allowed: 1K 2K\n" in redrawn["text"]
    await press(tg, MOD, redrawn, "cfg:safety")
    await press(tg, MOD, redrawn, "cfg:safety")
    await press(tg, MOD, redrawn, "cfg:imagine")
    redrawn = tg.messages[(GROUP["id"], shown["message_id"])]
    assert "Safety: strict" in redrawn["text"] and "/imagine: off" in redrawn["text"]
    rows = await bot.core.ledger.audit_log(SCOPE)
    assert [(r["actor"], r["action"], r["detail"]) for r in rows] == [
        ("telegram:1", "setting_sizes", "4K off"), ("telegram:1", "setting_safety",
                                                    "safety relaxed"),
        ("telegram:1", "setting_safety", "safety strict"),
        ("telegram:1", "setting_imagine", "imagine off")]

    # what members meet: each refusal is free and says what is allowed
    photo = make_image(400, 300, "JPEG")
    words = await refused(tg, ANN, gemini, photo=photo, caption="/edit 4K add a hat")
    assert "do not allow 4K images. Allowed sizes: 1K 2K" in words
    assert "turned /imagine off" in await refused(tg, ANN, gemini, words="/imagine a cat")
    assert (await bot.core.ledger.status(actor="telegram:11", scope=SCOPE)).used == 0

    # strict safety reaches the model as Gemini's safetySettings
    tg.post(GROUP, ANN, photo=photo, caption="/edit 2K add a hat")
    [result] = await tg.wait_for(lambda: tg.photos(GROUP["id"]))
    assert [b["callback_data"].split(":")[0] for b in result.params["reply_markup"][
        "inline_keyboard"][0]] == ["again", "vary"]  # no 4K button where 4K is off
    assert gemini.requests[-1].safety == {
        "HARM_CATEGORY_HARASSMENT": "BLOCK_LOW_AND_ABOVE",
        "HARM_CATEGORY_HATE_SPEECH": "BLOCK_LOW_AND_ABOVE",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT": "BLOCK_LOW_AND_ABOVE",
        "HARM_CATEGORY_DANGEROUS_CONTENT": "BLOCK_LOW_AND_ABOVE"}


async def test_standard_safety_sends_no_settings_and_spoilers_hide_results(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    photo = make_image(400, 300, "JPEG")
    tg.post(GROUP, ANN, photo=photo, caption="/edit add a hat")
    [first] = await tg.wait_for(lambda: tg.photos(GROUP["id"]))
    assert gemini.requests[-1].safety == {}  # today's request: the model's own defaults
    assert "has_media_spoiler" not in first.result

    shown = await panel(tg)
    await press(tg, MOD, shown, "cfg:spoiler")
    assert labels(tg.messages[(GROUP["id"], shown["message_id"])])["cfg:spoiler"] == (
        "Spoilers: on")
    tg.post(GROUP, ANN, photo=photo, caption="/edit add a scarf")
    [_, hidden] = await tg.wait_for(lambda: tg.photos(GROUP["id"])[1:] and tg.photos(
        GROUP["id"]))
    assert hidden.result["has_media_spoiler"] is True
    assert hidden.params["media"]["has_spoiler"] is True  # the status became the photo


async def test_blocked_words_are_refused_without_repeating_them(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    answer = await said(tg, MOD, "/settings\nblock Llama,\nbig dog")
    assert answer.params["text"] == "Saved. Blocked words here: 2."
    words = await refused(tg, ANN, gemini, words="/imagine a LLAMA with a hat")
    assert "has a word the moderators of this group blocked" in words
    assert "llama" not in words.lower()
    bob = FakeTelegram.user(22, "Bob")  # (Ann is told once per cooldown)
    assert "blocked" in await refused(tg, bob, gemini, words="/imagine a Big   Dog")
    assert "Blocked words: 2" in (await panel(tg))["text"]
    assert "llama" not in (await panel(tg))["text"].lower()  # counted, never listed

    assert "Blocked words here: 1" in (await said(tg, MOD, "/settings unblock llama")).params[
        "text"]
    tg.post(GROUP, ANN, text="/imagine a llama with a hat")  # a llamas' group, a llama's hat
    await tg.wait_for(lambda: tg.photos(GROUP["id"]))
    assert gemini.requests[-1].prompt == "a llama with a hat"
    assert [r["action"] for r in await bot.core.ledger.audit_log(SCOPE)] == [
        "setting_words", "setting_words"]
    assert "Only this group's administrators" in (await said(
        tg, ANN, "/settings unblock dog")).params["text"]


async def test_slow_mode_says_the_time_left(tg: FakeTelegram, gemini: FakeGemini,
                                            start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    assert (await said(tg, MOD, "/settings slow 600")).params["text"] == (
        "Saved. Slow mode: 600 s.")
    tg.post(GROUP, ANN, text="/imagine a cat")
    await tg.wait_for(lambda: tg.photos(GROUP["id"]))
    words = await refused(tg, ANN, gemini, words="/imagine a dog")
    left = re.search(r"wait (\d+) s before your next request", words)
    assert left is not None and 500 < int(left.group(1)) <= 600, words
    assert "Nothing was charged" in words
    assert "Slow mode is a whole number" in (await said(
        tg, MOD, "/settings slow 99999")).params["text"]
    assert "Slow mode: /settings slow N" in (await said(
        tg, MOD, "/settings slow ²")).params["text"]  # a digit, but no number: the usage


async def test_the_log_chat_gets_every_edit_once_the_bot_can_post_there(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    answer = await said(tg, MOD, "/settings log @hidden_channel")  # no such chat
    assert "I cannot post in @hidden_channel, so nothing changed" in answer.params["text"]
    assert (await bot.core.community.rules(Scope("telegram", "-100123"))).log == ""
    tg.fail("sendMessage", 403, "Forbidden: bot is not a member of the channel chat")
    answer = await said(tg, MOD, "/settings log -100555")
    assert "I cannot post in -100555, so nothing changed" in answer.params["text"]

    answer = await said(tg, MOD, f"/settings log {LOG_CHAT}")
    assert answer.params["text"] == f"Saved. Every edit made here is now noted in {LOG_CHAT}."
    assert "the edits made in Llamas are noted here" in tg.texts(LOG_CHAT)[0]

    tg.post(GROUP, ANN, photo=make_image(400, 300, "JPEG"), caption="/edit add a hat")
    [note] = await tg.wait_for(lambda: tg.sent("sendPhoto", chat_id=LOG_CHAT))
    assert note.params["caption"] == "Ann: /edit add a hat\ndelivered · 1 credit"
    assert note.files["photo"]  # the result's thumbnail
    assert "Log: -100999" in (await panel(tg))["text"]
    assert (await said(tg, MOD, "/settings log off")).params["text"] == (
        "Saved. The log is off.")
    forwarded = tg.post(GROUP, MOD, text="a post of the channel")  # forwarded from it
    forwarded["forward_origin"] = {"type": "channel", "date": 1, "message_id": 9, "chat": {
        "id": -100777, "type": "channel", "title": "Mods"}}
    answer = await said(tg, MOD, "/settings log", reply_to=forwarded)
    assert answer.params["text"] == "Saved. Every edit made here is now noted in -100777."


async def test_russian_moderators_and_members(tg: FakeTelegram, gemini: FakeGemini,
                                              start_bot: Callable[..., Any]) -> None:
    await start_bot()
    boss = FakeTelegram.user(2, "Игорь", language="ru")
    member = FakeTelegram.user(12, "Оля", language="ru")
    tg.admins[GROUP["id"]].add(boss["id"])
    shown = await panel(tg, boss)
    assert "Настройки этой группы" in shown["text"]
    assert labels(shown)["cfg:imagine"] == "/imagine: вкл."
    await press(tg, boss, shown, "cfg:imagine")
    words = await refused(tg, member, gemini, words="/imagine кот")
    assert words == "Модераторы этой группы выключили /imagine. Ничего не списано."

