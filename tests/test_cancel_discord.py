"""A queued Discord edit, as members see it: its place and likely wait, and a Cancel button that
gives the credit back before the model is asked, and only then; only the requester or a member
with Manage Server may press it, anyone else is told so privately."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.ledger import job_from
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
MOD = FakeDiscord.user(33, "mo")
PHOTO = make_image(640, 480, "PNG")
SCOPE = "discord:group:7000"
CANCELLED = "Cancelled before the model was asked: 1 credit back, nothing charged."
NOT_YOURS = "Only the person who asked, or a moderator here, can cancel this."


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(b["label"], b["custom_id"]) for row in message.get("components") or []
            for b in row["components"]]


async def used(adapter: Any, actor: str = "discord:11") -> int:
    status = await adapter.core.ledger.status(actor=actor, scope=SCOPE)
    return int(status.used + status.reserved)


def replies(dc: FakeDiscord, token: str) -> list[tuple[int, str, bool]]:
    """How the bot answered one press: (callback type, words, seen by the presser only)."""
    return [(c.body["type"], (c.body.get("data") or {}).get("content", ""),
             bool((c.body.get("data") or {}).get("flags", 0) & 64))
            for c in dc.sent("POST", f"/{token}/callback")]


async def queue_behind(dc: FakeDiscord, gemini: FakeGemini, adapter: Any,
                       prompt: str) -> tuple[dict[str, Any], str]:
    """A quick edit times the model, Bob holds the only slot, Ann asks behind him: her
    status, once her job is recorded, and its Cancel button's custom id."""
    await dc.slash(BOB, "edit", {"image": dc.attachment(PHOTO), "prompt": "warm up"})
    await dc.wait_for(lambda: len(gemini.paid) == 1)
    gemini.delay = 6.0  # long enough for everything the test does while Ann waits
    await dc.slash(BOB, "edit", {"image": dc.attachment(PHOTO), "prompt": "hold the line"})
    await dc.wait_for(lambda: len(gemini.requests) == 2)
    asked = await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": prompt})
    key = f"discord:interaction:{asked['id']}"
    for _ in range(200):
        if await job_from(adapter.core.ledger, key) is not None:
            break
        await asyncio.sleep(0.05)
    status = await dc.wait_for(lambda: buttons(dc.messages.get(
        f"@original:{asked['token']}") or {}) and dc.messages[f"@original:{asked['token']}"])
    return status, f"cancel:{key}"


async def test_a_queued_edit_shows_its_wait_and_cancel_gives_the_credit_back(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(gemini_max_concurrency=1)
    status, custom_id = await queue_behind(dc, gemini, adapter, "add a hat")
    assert status["content"] == "Queued: #1 in line, about 10 s…"
    assert buttons(status) == [("Cancel", custom_id)]
    assert await used(adapter) == 1  # held while it waits

    press = await dc.press(ANN, status, custom_id)
    await dc.wait_for(lambda: replies(dc, press["token"]))
    assert replies(dc, press["token"]) == [(7, CANCELLED, False)]  # the status itself
    assert status["content"] == CANCELLED and buttons(status) == []
    assert await used(adapter) == 0
    gemini.release()  # the test is done with the queue: Bob's edit ends now
    await dc.wait_for(lambda: len(gemini.paid) == 2, within=15)  # Bob's edit goes on
    await asyncio.sleep(0.5)
    assert [r.prompt for r in gemini.requests] == ["warm up", "hold the line"]
    assert await used(adapter) == 0 and status["content"] == CANCELLED


async def test_only_the_requester_or_a_moderator_may_cancel(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(gemini_max_concurrency=1)
    status, custom_id = await queue_behind(dc, gemini, adapter, "add a hat")

    bob = await dc.press(BOB, status, custom_id, locale="vi")  # told privately, in his words
    forged = await dc.press(BOB, status, "cancel:discord:interaction:1")
    await dc.wait_for(lambda: replies(dc, bob["token"]) and replies(dc, forged["token"]))
    assert replies(dc, bob["token"]) == [
        (4, "Chỉ người gửi yêu cầu hoặc người kiểm duyệt ở đây mới hủy được.", True)]
    assert replies(dc, forged["token"]) == [(4, "This request has already ended.", True)]
    assert status["content"] == "Queued: #1 in line, about 10 s…"
    assert buttons(status) == [("Cancel", custom_id)] and await used(adapter) == 1

    mod = await dc.press(MOD, status, custom_id, manage_guild=True)  # Manage Server may
    await dc.wait_for(lambda: replies(dc, mod["token"]))
    assert replies(dc, mod["token"]) == [(7, CANCELLED, False)]
    assert await used(adapter) == 0
    gemini.release()  # the test is done with the queue: Bob's edit ends now
    await dc.wait_for(lambda: len(gemini.paid) == 2, within=15)
    assert [r.prompt for r in gemini.requests] == ["warm up", "hold the line"]


async def test_a_cancel_once_the_model_was_asked_is_too_late_and_the_edit_is_charged(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(gemini_max_concurrency=1)
    status, custom_id = await queue_behind(dc, gemini, adapter, "add a hat")
    gemini.release()  # Bob's edit ends now, and Ann's goes to the model
    await dc.wait_for(lambda: len(gemini.requests) == 3, within=15)  # now with the model
    await dc.wait_for(lambda: buttons(status) == [])  # the button went with it
    press = await dc.press(ANN, status, custom_id)  # pressed on a button shown a moment before
    await dc.wait_for(lambda: replies(dc, press["token"]))
    assert replies(dc, press["token"]) == [
        (4, "Too late: it is already with the model, and it is charged.", True)]
    gemini.release()
    await dc.wait_for(lambda: len(gemini.paid) == 3, within=15)
    assert await used(adapter) == 1  # the model's work is paid for
