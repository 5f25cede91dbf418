"""Six languages, chosen from the user's Telegram language_code or Discord locale; /help fits
on one phone screen in each; every translation fills the same blanks as the English."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import pytest

from adapters.render import help_text
from bot.i18n import CATALOGS, EN, credits, language_of, text
from bot.models import FLASH_31, PRO
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

PHOTO = make_image(640, 480, "JPEG")
ASKED = {"en": "What should I change?", "vi": "Bạn muốn đổi gì?", "es": "¿Qué debo cambiar?",
         "pt": "O que devo mudar?", "ru": "Что изменить?", "id": "Apa yang harus saya ubah?"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_every_text_fills_the_english_blanks_and_help_fits_a_screen(language: str) -> None:
    catalog = CATALOGS[language]
    for key, template in EN.items():
        assert _fields(catalog[key]) == _fields(template), (language, key)
    for spec in (PRO, FLASH_31):
        words = help_text(spec, language, cost=1, cost_4k=2)
        assert len(words.splitlines()) <= 6 and "{" not in words, (language, words)
    assert len(text("modal_prompt", language)) <= 45  # Discord's limit for a modal label
    assert all(len(text(k, language)) <= 100 for k in EN if k.startswith("cmd_"))


def test_languages_are_chosen_from_the_users_code() -> None:
    assert [language_of(c) for c in ("es-419", "pt-br", "pt_PT", "ru", "in", "id-ID", "vi",
                                     "de", None)] == [
        "es", "pt", "pt", "ru", "id", "id", "vi", "en", "en"]
    assert [credits(n, "ru") for n in (1, 2, 5, 11, 21, 22)] == [
        "1 кредит", "2 кредита", "5 кредитов", "11 кредитов", "21 кредит", "22 кредита"]
    assert credits(1, "pt") == "1 crédito" and credits(2, "es") == "2 créditos"


async def test_telegram_users_are_answered_in_their_language(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    for n, (code, language) in enumerate((("es", "es"), ("pt-br", "pt"), ("ru", "ru"),
                                          ("id", "id"), ("vi", "vi"), ("de", "en"))):
        user = FakeTelegram.user(500 + n, f"U{n}", language=code)
        chat = FakeTelegram.private(user)
        tg.post(chat, user, photo=PHOTO)
        [asked] = await tg.wait_for(lambda c=chat: tg.sent("sendMessage", chat_id=c["id"]))
        assert asked.params["text"] == ASKED[language]
        tg.post(chat, user, text="/help")
        await tg.wait_for(lambda c=chat: len(tg.sent("sendMessage", chat_id=c["id"])) == 2)
        helped = tg.sent("sendMessage", chat_id=chat["id"])[-1].params["text"]
        assert helped == help_text(PRO, language, cost=1, cost_4k=2)
        assert len(helped.splitlines()) <= 6
    menus = {c.params.get("language_code") for c in tg.sent("setMyCommands")}
    assert menus == {None, "vi", "es", "pt", "ru", "id"}
    spanish = [c for c in tg.sent("setMyCommands") if c.params.get("language_code") == "es"]
    assert {"command": "edit", "description": "Editar una foto: [proporción] [tamaño] "
            "indicación"} in spanish[0].params["commands"]


async def test_discord_commands_and_answers_are_localized(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    edit = next(c for c in dc.commands["global"] if c["name"] == "edit")
    assert edit["description_localizations"] == {
        "vi": text("cmd_edit", "vi"), "es-ES": text("cmd_edit", "es"),
        "es-419": text("cmd_edit", "es"), "pt-BR": text("cmd_edit", "pt"),
        "ru": text("cmd_edit", "ru"), "id": text("cmd_edit", "id")}
    await dc.slash(FakeDiscord.user(11, "ana"), "edit",
                   {"image": dc.attachment(b"%PDF-1.4", "doc.pdf", "application/pdf"),
                    "prompt": "x"}, locale="pt-BR")
    await dc.wait_for(lambda: any("não é uma imagem" in str(
        c.body.get("data", {}).get("content")) for c in dc.sent("POST", "/callback")))
    assert re.search(r"JPEG, PNG, WebP ou GIF", str(dc.sent("POST", "/callback")[-1].body))
