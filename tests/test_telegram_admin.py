"""Moderation on Telegram: who may set limits, what each command does, the command menus."""

from __future__ import annotations

import asyncio
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
    """The bot's answer to a message (not a status line of an edit going on meanwhile)."""
    asked = tg.post(GROUP, user, text=words, **kw)

    def answers() -> list[Any]:
        return [c for c in tg.sent("sendMessage") if (c.params.get("reply_parameters") or {})
                .get("message_id") == asked["message_id"]]

    [answer] = await tg.wait_for(answers)
    return str(answer.params["text"])


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
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    tg.post(GROUP, ANN, photo=make_image(400, 300, "JPEG"), caption="/edit 4K add a hat")
    await tg.wait_for(lambda: tg.documents())  # 4K: the photo, then the full-resolution file
    for _ in range(100):  # the commit follows the upload
        if (await bot.core.ledger.status(actor="telegram:11", scope=SCOPE)).used == 2:
            break
        await asyncio.sleep(0.05)
    quota = await said(tg, ANN, "/quota")
    assert "8 left here, 8 left today in all. Used here today: 2." in quota
    assert "00:00 UTC" in quota
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
    assert menus[("all_chat_administrators", None)][-3:] == ["setlimit", "usage", "settings"]
    assert ("default", "vi") in menus


async def test_a_crowd_of_commands_asks_telegram_once(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot(telegram_flood_window_scale=0.01)  # 60 answers in one group: a fast clock
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


async def test_one_ceiling_per_person_across_every_chat(
        tg: FakeTelegram, gemini: Any, start_bot: Callable[..., Any]) -> None:
    """3 a day in each group and in private no longer make 3 per chat: USER_DAILY_LIMIT (5)
    holds across them all, and /quota tells both."""
    bot = await start_bot(default_daily_limit=3, user_daily_limit=5, max_in_flight_per_user=8)
    other = FakeTelegram.group(-100456, "Other")
    private = FakeTelegram.private(ANN)
    for chat, count in ((GROUP, 3), (private, 2)):
        for n in range(count):
            tg.post(chat, ANN, photo=make_image(300, 200, "JPEG"), caption=f"/edit hat {n}")
    await tg.wait_for(lambda: len(tg.photos()) == 5, within=30)
    before = len(gemini.requests)
    tg.post(other, ANN, photo=make_image(300, 200, "JPEG"), caption="/edit one more")
    await tg.wait_for(lambda: any("across all chats" in t for t in tg.texts()))
    assert len(gemini.requests) == before  # refused before any upstream call
    tg.post(other, ANN, text="/quota")
    await tg.wait_for(lambda: any("left today in all" in t for t in tg.texts()))
    assert "0 left here, 0 left today in all" in tg.texts()[-1]
    status = await bot.core.ledger.status(actor="telegram:11", scope="telegram:group:-100456")
    assert (status.day_used + status.day_reserved, status.left) == (5, 0)


async def test_quota_tells_held_from_used_and_never_more_used_than_allowed(
        tg: FakeTelegram, gemini: Any, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(max_in_flight_per_user=8)
    tg.admins[GROUP["id"]].add(MOD["id"])
    for n in range(4):
        tg.post(GROUP, ANN, photo=make_image(300, 200, "JPEG"), caption=f"/edit hat {n}")
    await tg.wait_for(lambda: len(tg.photos()) == 4, within=30)
    gemini.delay = 3
    tg.post(GROUP, ANN, photo=make_image(300, 200, "JPEG"), caption="/edit slow")
    await tg.wait_for(lambda: len(gemini.requests) == 5)
    quota = await said(tg, ANN, "/quota")  # one edit in flight: held, not used
    assert "5 left here" in quota and "Used here today: 4." in quota
    assert "Held for edits in progress: 1." in quota
    assert "Everyone here can now use 3" in await said(tg, MOD, "/setlimit all 3")
    await tg.wait_for(lambda: len(tg.photos()) == 5, within=30)
    for _ in range(100):  # charged once it arrived
        if (await bot.core.ledger.status(actor="telegram:11", scope=SCOPE)).used == 5:
            break
        await asyncio.sleep(0.05)
    quota = await said(tg, ANN, "/quota")  # 5 used, the limit now 3
    assert "0 left here" in quota and "Used here today: 5." in quota
    assert "of 3" not in quota
