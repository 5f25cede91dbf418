"""The texts of inline mode, /history, community settings and Cancel, as a person meets them on
Telegram in each of the six languages: chosen from their language_code, never the English
where a translation exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.i18n import CATALOGS, credits, text
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.test_cancel_telegram import keyboard, now, queue_behind, used

MOD = FakeTelegram.user(1, "Mia")
GROUP = FakeTelegram.group()
CODES = {"en": "en", "vi": "vi", "es": "es-419", "pt": "pt-br", "ru": "ru", "id": "id"}


def said(language: str, key: str, **params: Any) -> str:
    """The words a person of ``language`` reads; for a language other than English, proof
    that they are not the English ones."""
    words = text(key, language, **params)
    if language != "en":
        assert words != text(key, "en", **params), (language, key)
    return words


@pytest.mark.parametrize("language", sorted(CATALOGS))
async def test_the_new_texts_reach_people_in_their_language(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any],
        language: str) -> None:
    assert set(CATALOGS) == set(CODES)
    tg.me["supports_inline_queries"] = True
    bot = await start_bot(gemini_max_concurrency=1)
    tg.admins[GROUP["id"]].add(MOD["id"])
    person = FakeTelegram.user(11, "Ann", language=CODES[language])

    # /history before any result, and an inline query with nothing to offer
    tg.post(FakeTelegram.private(person), person, text="/history")
    [empty] = await tg.wait_for(lambda: tg.sent("sendMessage", chat_id=person["id"]))
    assert empty.params["text"] == said(language, "history_empty")
    query_id = tg.inline(person, "add a hat")
    answer = await tg.wait_for(lambda: tg.answered(query_id))
    assert answer["results"] == [] and answer["button"]["text"] == said(language, "inline_none")

    # a blocked word in the group: refused in her words, for free
    tg.post(GROUP, MOD, text="/settings block llama")
    await tg.wait_for(lambda: tg.sent("sendMessage", chat_id=GROUP["id"]))
    tg.post(GROUP, person, text="/imagine a llama with a hat")
    told = await tg.wait_for(lambda: tg.sent("sendMessage", chat_id=GROUP["id"])[1:])
    assert told[0].params["text"] == said(language, "word_blocked") and not gemini.requests

    # a queued edit: its place and wait, Cancel, and the credit back
    status = await queue_behind(tg, gemini, bot, person, "add a hat")
    assert status["text"] == said(language, "queued_wait", position=1,
                                  wait=text("wait_s", language, n=10))
    [(label, data)] = keyboard(status)
    assert label == said(language, "cancel_button")
    tg.press(person, status, data)
    cancelled = said(language, "cancelled", credits=credits(1, language))
    await tg.wait_for(lambda: now(tg, status)["text"] == cancelled)
    assert await used(bot) == 0
    assert [r.prompt for r in gemini.requests] == ["warm up", "hold the line"]
