"""Moderation on Telegram: who may set limits, what each command does, the command menus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

MOD = FakeTelegram.user(1, "Mia")
ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
GROUP = FakeTelegram.group()
SCOPE = "telegram:group:-100123"


async def said(tg: FakeTelegram, user: dict[str, Any] | None, words: str, **kw: Any) -> str:
    before = len(tg.sent("sendMessage"))
    tg.post(GROUP, user, text=words, **kw)
    await tg.wait_for(lambda: len(tg.sent("sendMessage")) > before)
    return str(tg.sent("sendMessage")[-1].params["text"])


async def test_only_moderators_change_limits(tg: FakeTelegram,
                                            start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    from_ann = tg.post(GROUP, ANN, text="hello")

    answer = await said(tg, BOB, "/setlimit all 2")
    assert "Only this group's administrators" in answer
    assert await said(tg, BOB, "/setlimit 50", reply_to=from_ann) == answer
    assert await bot.core.ledger.audit_log(SCOPE) == []

    assert "Everyone here can now use 2 credits" in await said(tg, MOD, "/setlimit all 2")
    assert "Ann can now use 5 credits" in await said(tg, MOD, "/setlimit 5",
                                                     reply_to=from_ann)
    assert "3 credits a day in total" in await said(tg, MOD, "/setlimit total 3")
    assert (await bot.core.ledger.status(actor="telegram:11", scope=SCOPE)).limit == 5
    assert (await bot.core.ledger.status(actor="telegram:22", scope=SCOPE)).limit == 2
    assert "How to use it" in await said(tg, MOD, "/setlimit lots")
    assert "back to this group's default" in await said(tg, MOD, "/setlimit reset",
                                                        reply_to=from_ann)
    shown = await said(tg, MOD, "/setlimit")
    assert "2 credits a day each" in shown and "group budget: 3" in shown
    rows = await bot.core.ledger.audit_log(SCOPE)
    assert [(r["actor"], r["action"], r["new_value"]) for r in rows] == [
        ("telegram:1", "limit_default", 2), ("telegram:1", "limit_member", 5),
        ("telegram:1", "limit_total", 3), ("telegram:1", "limit_member", None)]
    assert [c.params["user_id"] for c in tg.sent("getChatMember")].count(1) == 1  # cached


async def test_anonymous_admins_creators_and_operators(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(bot_admins="telegram:77")
    tg.creators[GROUP["id"]] = 5
    assert "Everyone here" in await said(tg, None, "/setlimit all 4", sender_chat=GROUP)
    assert "Everyone here" in await said(tg, FakeTelegram.user(5, "Cy"), "/setlimit all 6")
    assert "Everyone here" in await said(tg, FakeTelegram.user(77, "Op"), "/setlimit all 8")
    assert (await bot.core.ledger.limits(SCOPE)).default == 8
    private = FakeTelegram.private(ANN)
    tg.post(private, ANN, text="/setlimit all 99")
    await tg.wait_for(lambda: tg.sent("sendMessage", chat_id=ANN["id"]))
    assert "groups only" in tg.sent("sendMessage", chat_id=ANN["id"])[-1].params["text"]


async def test_quota_usage_help_and_start(tg: FakeTelegram, gemini: Any,
                                          start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    tg.post(GROUP, ANN, photo=make_image(400, 300, "JPEG"), caption="/edit 4K add a hat")
    await tg.wait_for(lambda: tg.sent("sendPhoto"))
    quota = await said(tg, ANN, "/quota")
    assert "used 2 of 10 credits; 8 left" in quota and "00:00 UTC" in quota
    assert "Only this group's administrators" in await said(tg, BOB, "/usage")
    usage = await said(tg, MOD, "/usage")
    assert "• Ann: 2" in usage and "Total: 2" in usage
    assert "1:1 2:3" in await said(tg, ANN, "/help")
    assert "/setlimit all N" in await said(tg, MOD, "/help")
    assert "Hi Ann" in await said(tg, ANN, "/start")


async def test_command_menus_are_registered(tg: FakeTelegram,
                                           start_bot: Callable[..., Any]) -> None:
    await start_bot()
    menus = {(c.params["scope"]["type"], c.params.get("language_code")):
             [command["command"] for command in c.params["commands"]]
             for c in tg.sent("setMyCommands")}
    assert menus[("default", None)] == ["edit", "imagine", "quota", "help"]
    assert menus[("all_chat_administrators", None)][-2:] == ["setlimit", "usage"]
    assert ("default", "vi") in menus


async def test_a_crowd_of_commands_asks_telegram_once(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    for _ in range(60):
        tg.post(GROUP, BOB, text="/help")
    await tg.wait_for(lambda: len(tg.sent("sendMessage")) == 60)
    assert len(tg.sent("getChatMember")) == 1


async def test_limits_are_ascii_digits(tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    for word in ("²", "٣", "1e3", "99999999"):
        assert "How to use it" in await said(tg, MOD, f"/setlimit all {word}")
    assert await bot.core.ledger.audit_log(SCOPE) == []
    assert "Everyone here can now use 3 credits" in await said(tg, MOD, "/setlimit all 3")
