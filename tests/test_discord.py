"""The Discord bot end to end: the real discord.py client against the fake Discord (REST and
gateway) and the fake Gemini, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

from PIL import Image

from tests.fakes.discord_server import Call, FakeDiscord
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
PHOTO = make_image(800, 600, "PNG")
SCOPE = "discord:group:7000"


def results(dc: FakeDiscord) -> list[Call]:
    """Every message the bot made that carries a file: interaction edits and channel posts."""
    return [c for c in dc.calls if c.method in ("PATCH", "POST") and c.files
            and ("@original" in c.path or c.path.endswith("/messages"))]


def ephemerals(dc: FakeDiscord) -> list[str]:
    found = []
    for c in dc.calls:
        data = c.body.get("data", c.body) if "/callback" in c.path else c.body
        if isinstance(data, dict) and data.get("flags", 0) & 64:
            found.append(str(data.get("content")))
    return found


async def test_commands_are_synced_with_permissions_and_translations(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    commands = {c["name"]: c for c in dc.commands["global"]}
    assert set(commands) == {"edit", "imagine", "quota", "usage", "limit", "stats", "settings",
                             "Edit image"}
    edit = {o["name"]: o for o in commands["edit"]["options"]}
    assert edit["image"]["type"] == 11 and edit["image"]["required"] is True
    assert [c["value"] for c in edit["aspect_ratio"]["choices"]][:3] == ["1:1", "2:3", "3:2"]
    assert [c["value"] for c in edit["size"]["choices"]] == ["1K", "2K", "4K"]
    assert {"image2", "image3", "image4"} <= set(edit)
    assert commands["limit"]["default_member_permissions"] == "32"
    assert commands["limit"]["contexts"] == [0] or commands["limit"].get("dm_permission") is False
    assert commands["Edit image"]["type"] == 3
    assert "Sửa ảnh" in commands["edit"]["description_localizations"]["vi"]


async def test_slash_edit_defers_shows_progress_and_delivers(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a llama",
                                 "aspect_ratio": "9:16", "size": "2K"})
    [result] = await dc.wait_for(lambda: results(dc))
    [callback] = dc.sent("POST", "/callback")
    assert callback.body["type"] == 5  # deferred, thinking
    progress = [c.content for c in dc.sent("PATCH", "@original") if not c.files]
    assert "Working on it…" in progress
    assert "Here is your image" in result.content and "9 credits left today" in result.content
    image = Image.open(io.BytesIO(next(iter(result.files.values()))))
    assert abs(image.width / image.height - 9 / 16) < 0.02 and image.height > 2000
    buttons = result.body["components"][0]["components"]
    assert [b["custom_id"] for b in buttons] == ["again:1", "4k:1", "vary:1"]
    assert gemini.requests[0].images == [PHOTO] and gemini.requests[0].prompt == "add a llama"


async def test_imagine_and_several_references(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    await dc.slash(ANN, "imagine", {"prompt": "a llama on the moon", "aspect_ratio": "16:9"})
    await dc.wait_for(lambda: results(dc))
    assert gemini.requests[0].images == []
    second = make_image(300, 300, "JPEG")
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "combine",
                                 "image2": dc.attachment(second, "b.jpg", "image/jpeg")})
    await dc.wait_for(lambda: len(results(dc)) == 2)
    assert gemini.requests[1].images == [PHOTO, second]


async def test_context_menu_asks_with_a_modal(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    target = dc.message(BOB, "look", attachments=[dc.attachment(PHOTO)])
    await dc.context_menu(ANN, "Edit image", target)
    [callback] = await dc.wait_for(lambda: dc.sent("POST", "/callback"))
    assert callback.body["type"] == 9  # a modal
    await dc.submit_modal(ANN, callback.body["data"], {"prompt": "make it winter",
                                                       "ratio": "4:5", "size": "1k"})
    await dc.wait_for(lambda: results(dc))
    sent = gemini.requests[0]
    assert sent.prompt == "make it winter" and sent.images == [PHOTO]
    assert sent.body["generationConfig"]["imageConfig"] == {"aspectRatio": "4:5",
                                                            "imageSize": "1K"}

    plain = dc.message(BOB, "no pictures here")
    await dc.context_menu(ANN, "Edit image", plain)
    await dc.wait_for(lambda: any("Attach an image" in e for e in ephemerals(dc)))


async def test_mentions_edit_attached_or_replied_images(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    message = await dc.say(ANN, "<@4242> 9:16 add a llama", mentions_bot=True,
                           attachments=[dc.attachment(PHOTO)])
    [result] = await dc.wait_for(lambda: results(dc))
    assert str(result.body["message_reference"]["message_id"]) == message["id"]
    assert gemini.requests[0].prompt == "add a llama"
    assert gemini.requests[0].body["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}

    original = dc.message(BOB, "my cat", attachments=[dc.attachment(PHOTO)])
    await dc.say(ANN, "<@4242> give it a hat", mentions_bot=True, reply_to=original)
    await dc.wait_for(lambda: len(results(dc)) == 2)
    assert gemini.requests[1].images == [PHOTO]

    await dc.say(ANN, "<@4242> hello there", mentions_bot=True)
    await dc.wait_for(lambda: any("Attach an image" in c.content
                                  for c in dc.sent("POST", "/messages")))
    calls = len(dc.calls)
    await dc.say(ANN, "no mention here", attachments=[dc.attachment(PHOTO)])
    await dc.never(lambda: dc.calls[calls:] or len(gemini.requests) > 2)


async def test_bad_input_is_ephemeral_free_and_calls_nothing(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    cases = [
        ({"image": dc.attachment(b"%PDF-1.4", "doc.pdf", "application/pdf"), "prompt": "x"},
         "not an image"),
        ({"image": dc.attachment(b"x", "big.png", size=30 * 1024 * 1024), "prompt": "x"},
         "too large"),
        ({"image": dc.attachment(PHOTO), "prompt": "   "}, "Say what to do"),
        ({"image": dc.attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 40), "prompt": "x"},
         "damaged"),
        ({"image": dc.attachment(b"GIF89a-not-really", "a.png", None), "prompt": "x"},
         "damaged"),
    ]
    for options, expected in cases:
        before = len(ephemerals(dc))
        await dc.slash(ANN, "edit", options)
        await dc.wait_for(lambda n=before: len(ephemerals(dc)) > n)
        assert expected in ephemerals(dc)[-1], (options, ephemerals(dc)[-1])
    target = dc.message(BOB, "pic", attachments=[dc.attachment(PHOTO)])
    await dc.context_menu(ANN, "Edit image", target)
    [modal] = await dc.wait_for(lambda: [c for c in dc.sent("POST", "/callback")
                                         if c.body["type"] == 9])
    await dc.submit_modal(ANN, modal.body["data"], {"prompt": "x", "ratio": "7:5"})
    await dc.wait_for(lambda: any("21:9" in e for e in ephemerals(dc)))
    assert gemini.requests == [] and await adapter.core.ledger.unfinished() == []


async def test_buttons_are_for_the_requester(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a hat",
                                 "aspect_ratio": "3:4"})
    [result] = await dc.wait_for(lambda: results(dc))
    message = result.result
    await dc.press(BOB, message, "again:1")
    await dc.wait_for(lambda: any("Only the person who asked" in e for e in ephemerals(dc)))
    assert not any("Ann" in e for e in ephemerals(dc))
    await dc.press(ANN, message, "4k:1")
    await dc.wait_for(lambda: len(results(dc)) == 2)
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {
        "aspectRatio": "3:4", "imageSize": "4K"}
    assert gemini.requests[-1].images == [PHOTO]
    status = await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)
    assert status.used + status.reserved == 3


async def test_a_bad_limit_is_explained_in_discords_words(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(BOB, "limit", {"per_day": "²"}, sub="default", manage_guild=True)
    [words] = await dc.wait_for(lambda: ephemerals(dc))
    assert "/limit default N" in words and "/setlimit" not in words
    assert await adapter.core.ledger.audit_log(SCOPE) == []


async def test_limits_need_manage_server(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(BOB, "limit", {"per_day": "1"}, sub="default")
    await dc.wait_for(lambda: any("Only this group's administrators" in e
                                  for e in ephemerals(dc)))
    assert await adapter.core.ledger.audit_log(SCOPE) == []
    await dc.slash(BOB, "limit", {"per_day": "1"}, sub="default", manage_guild=True)
    await dc.slash(BOB, "limit", {"member": ANN, "per_day": "4"}, sub="member",
                   manage_guild=True)
    await dc.slash(BOB, "limit", {"per_day": "9"}, sub="total", manage_guild=True)
    await dc.wait_for(lambda: len(dc.sent("POST", "/callback")) == 4)
    texts = [c.body["data"]["content"] for c in dc.sent("POST", "/callback")]
    assert "Everyone here can now use 1 credits" in texts[1]
    assert "Ann can now use 4 credits" in texts[2] and "9 credits a day in total" in texts[3]
    rows = await adapter.core.ledger.audit_log(SCOPE)
    assert [(r["actor"], r["action"], r["target"], r["new_value"]) for r in rows] == [
        ("discord:22", "limit_default", SCOPE, 1), ("discord:22", "limit_member", "discord:11", 4),
        ("discord:22", "limit_total", SCOPE, 9)]
    await dc.slash(ANN, "quota", {})
    await dc.wait_for(lambda: any("4 left here, 10 left today in all" in e for e in ephemerals(dc)))
    await dc.slash(ANN, "quota", {}, guild=False)  # in DMs the private scope applies
    await dc.wait_for(lambda: any("10 left here, 10 left today in all" in e
                                  for e in ephemerals(dc)))
    await dc.slash(BOB, "usage", {}, manage_guild=True)
    await dc.wait_for(lambda: any("Nobody has used" in e for e in ephemerals(dc)))


async def test_quota_race(dc: FakeDiscord, gemini: FakeGemini,
                          start_discord: Callable[..., Any]) -> None:
    await start_discord(default_daily_limit=3, max_in_flight_per_user=8, refusal_cooldown_s=0)
    gemini.delay = 0.3
    for i in range(8):
        await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": f"try {i}"})
    await dc.wait_for(lambda: len(results(dc)) == 3, within=20)

    def refused() -> int:  # before the download (the answer) or at the reservation (an edit)
        answers = [(c.body.get("data") or {}).get("content") or ""
                   for c in dc.sent("POST", "/callback")]
        edits = [c.content for c in dc.sent("PATCH", "@original")]
        return len([t for t in answers + edits if "used your 3 credits" in t])

    await dc.wait_for(lambda: refused() == 5)
    assert len(gemini.requests) == 3


async def test_a_slow_edit_past_the_token_deadline_posts_in_the_channel(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord(ttl_s=1.0)
    dc.token_ttl_s = 1.2
    gemini.delay = 2.0
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "slow one"})
    [posted] = await dc.wait_for(lambda: [c for c in results(dc) if "/channels/" in c.path])
    assert posted.path == "/channels/7100/messages"
    assert "<@11>" in posted.content and "credits left" in posted.content


async def test_discord_rate_limits_are_waited_out(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    dc.fail("@original", retry_after=0.3)
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "x"})
    await dc.wait_for(lambda: results(dc))
    limited = [c for c in dc.sent("PATCH", "@original")]
    assert len(limited) >= 3  # the 429, then the progress edit again, then the result


async def test_failures_and_vietnamese(dc: FakeDiscord, gemini: FakeGemini,
                                       start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(gemini_max_attempts=1)
    gemini.push(Fault.refuse("IMAGE_SAFETY"))
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "x"}, locale="vi")
    await dc.wait_for(lambda: any("từ chối" in c.content for c in dc.sent("PATCH", "@original")))
    gemini.push(Fault.error(503))
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "x"})
    await dc.wait_for(lambda: any("not answering" in c.content
                                  for c in dc.sent("PATCH", "@original")))
    assert (await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)).reserved == 0


async def test_a_result_speaks_the_requesters_language_and_is_named_for_its_job(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "x"}, locale="es-ES")
    [result] = await dc.wait_for(lambda: results(dc))
    assert "Créditos restantes hoy: 9" in result.content
    labels = [b["label"] for b in result.body["components"][0]["components"]]
    assert labels[0].startswith("🔁 Otra vez") and labels[-1].startswith("🎲 Variaciones")
    [attachment] = result.body["attachments"]
    assert attachment["filename"] == "editbot-1.png"  # what a person saves it as


def settings_of(dc: FakeDiscord) -> dict[str, Any]:
    return {"discord_bot_token": dc.token, "discord_api_base_url": dc.api,
            "discord_gateway_url": dc.gateway}


async def stopped_mid_edit(dc: FakeDiscord, gemini: FakeGemini,
                           start_discord: Callable[..., Any]) -> None:
    """Ann's slash edit, its adapter stopped while the model works (the grace period ends
    before it answers): the job stays reserved for the next start."""
    first = await start_discord(grace_s=0.1)
    gemini.delay = 5
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "survive"})
    await dc.wait_for(lambda: gemini.requests)
    assert len(await first.core.ledger.unfinished()) == 1
    await first.stop()
    gemini.delay = 0


async def test_a_restart_finishes_the_edit_in_its_channel(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any],
        make_core: Callable[..., Any]) -> None:
    await stopped_mid_edit(dc, gemini, start_discord)
    core = await make_core(**settings_of(dc))
    await start_discord(core=core)
    [posted] = await dc.wait_for(lambda: [c for c in results(dc) if "/channels/" in c.path])
    assert "<@11>" in posted.content and len(results(dc)) == 1
    for _ in range(100):  # charged once it arrived
        if (await core.ledger.status(actor="discord:11", scope=SCOPE)).used == 1:
            break
        await asyncio.sleep(0.05)
    assert (await core.ledger.status(actor="discord:11", scope=SCOPE)).used == 1
