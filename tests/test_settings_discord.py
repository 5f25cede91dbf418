"""/settings on Discord, end to end against the fake Discord and the fake Gemini: the panel
of select menus and buttons for Manage Server, its changes in place, and what members meet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
SCOPE = "discord:group:7000"
PHOTO = make_image(400, 300, "PNG")


def callbacks(dc: FakeDiscord) -> list[dict[str, Any]]:
    return [c.body for c in dc.sent("POST", "/callback")]


def components(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["custom_id"]: item for row in message["components"]
            for item in row["components"]}


async def open_panel(dc: FakeDiscord, user: dict[str, Any] = BOB, **kw: Any
                     ) -> dict[str, Any]:
    before = len(callbacks(dc))
    await dc.slash(user, "settings", {}, manage_guild=True, **kw)
    await dc.wait_for(lambda: len(callbacks(dc)) > before)
    [answer] = dc.sent("POST", "/callback")[before:]
    assert answer.body["data"]["flags"] & 64  # the moderator's alone
    message: dict[str, Any] = answer.result["resource"]["message"]
    return message


async def answered(dc: FakeDiscord, count: int) -> dict[str, Any]:
    await dc.wait_for(lambda: len(callbacks(dc)) >= count)
    return callbacks(dc)[count - 1]


async def test_the_panel_changes_in_place_and_members_meet_the_rules(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    commands = {c["name"]: c for c in dc.commands["global"]}
    assert commands["settings"]["default_member_permissions"] == "32"  # Manage Server
    assert commands["settings"]["contexts"] == [0]

    await dc.slash(ANN, "settings", {})  # no Manage Server
    assert "Only this group's administrators" in (await answered(dc, 1))["data"]["content"]

    panel = await open_panel(dc)
    assert "Sizes allowed: 1K 2K 4K" in panel["content"]
    shown = components(panel)
    assert [o["value"] for o in shown["cfg:sizes"]["options"] if o.get("default")] == [
        "1K", "2K", "4K"]
    assert shown["cfg:log"]["type"] == 8 and shown["cfg:log"]["channel_types"] == [0]

    await dc.choose(ANN, panel, "cfg:sizes", ["1K"])  # a member's pick changes nothing
    assert "Only this group's administrators" in (await answered(dc, 3))["data"]["content"]
    await dc.choose(BOB, panel, "cfg:sizes", ["1K", "2K"], manage_guild=True)
    update = await answered(dc, 4)
    assert update["type"] == 7  # the panel itself, redrawn
    assert "Sizes allowed: 1K 2K\n" in dc.messages[panel["id"]]["content"]
    await dc.choose(BOB, panel, "cfg:safety", ["relaxed"], manage_guild=True)
    await dc.press(BOB, panel, "cfg:spoiler", manage_guild=True)
    await answered(dc, 6)
    assert "Safety: relaxed" in dc.messages[panel["id"]]["content"]
    assert components(dc.messages[panel["id"]])["cfg:spoiler"]["label"] == "Spoilers: on"
    await dc.slash(BOB, "settings", {"block": "llama, Big Dog"}, manage_guild=True)
    assert (await answered(dc, 7))["data"]["content"] == "Saved. Blocked words here: 2."
    rows = await adapter.core.ledger.audit_log(SCOPE)
    assert [(r["actor"], r["action"], r["detail"]) for r in rows] == [
        ("discord:22", "setting_sizes", "sizes 1K 2K"),
        ("discord:22", "setting_safety", "safety relaxed"),
        ("discord:22", "setting_spoiler", "spoiler on"),
        ("discord:22", "setting_words", "blocked 2 word(s)")]

    # members: a refused size and a blocked word are answered for free
    await dc.slash(ANN, "imagine", {"prompt": "a cat", "size": "4K"})
    words = (await answered(dc, 8))["data"]["content"]
    assert "do not allow 4K images. Allowed sizes: 1K 2K" in words
    await dc.slash(ANN, "imagine", {"prompt": "a LLAMA on a hill"})
    words = (await answered(dc, 9))["data"]["content"]
    assert "blocked" in words and "llama" not in words.lower()
    assert gemini.requests == []

    # a result comes as a spoiler, and relaxed safety reaches the model
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a hat"})
    [result] = await dc.wait_for(lambda: [c for c in dc.calls if c.files and c.method in (
        "PATCH", "POST") and "@original" in c.path])
    assert result.body["attachments"][0]["filename"].startswith("SPOILER_editbot-")
    assert set(gemini.requests[-1].safety.values()) == {"BLOCK_ONLY_HIGH"}


async def test_the_log_channel_is_picked_and_gets_every_edit(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    panel = await open_panel(dc)
    dc.foreign_channels.add("7300")  # a channel the bot cannot see
    await dc.choose(BOB, panel, "cfg:log", ["7300"], component_type=8, manage_guild=True)
    assert "I cannot post in <#7300>, so nothing changed" in (await answered(dc, 2))["data"][
        "content"]
    log_channel = dc.channel["id"]
    await dc.choose(BOB, panel, "cfg:log", [log_channel], component_type=8, manage_guild=True)
    await answered(dc, 3)
    assert f"Log: <#{log_channel}>" in dc.messages[panel["id"]]["content"]
    hello = dc.sent("POST", f"/channels/{log_channel}/messages")
    assert "the edits made in" in hello[0].body["content"]

    await dc.slash(ANN, "imagine", {"prompt": "a red fox"})
    [note] = await dc.wait_for(lambda: [c for c in dc.sent(
        "POST", f"/channels/{log_channel}/messages") if c.files])
    assert note.body["content"] == "Ann: /imagine a red fox\ndelivered · 1 credit"


async def test_vietnamese_panel(dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    panel = await open_panel(dc, locale="vi")
    assert "Cài đặt của nhóm này" in panel["content"]
    assert components(panel)["cfg:imagine"]["label"] == "/imagine: bật"
    await dc.press(BOB, panel, "cfg:imagine", manage_guild=True, locale="vi")
    await answered(dc, 2)
    await dc.slash(ANN, "imagine", {"prompt": "con mèo"}, locale="vi")
    assert (await answered(dc, 3))["data"]["content"] == (
        "Quản trị viên của nhóm này đã tắt /imagine. Bạn không bị trừ gì.")
