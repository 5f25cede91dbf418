"""Hostile and unlucky users on Discord, end to end against the fake Discord and fake Gemini:
images that are gone get an answer, the bot pings nobody but the requester, and a reply ping
alone is no request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.discord_server import Call, FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
PHOTO = make_image(800, 600, "PNG")
SCOPE = "discord:group:7000"
GONE = "could not fetch that image"


def results(dc: FakeDiscord) -> list[Call]:
    return [c for c in dc.calls if c.method in ("PATCH", "POST") and c.files
            and ("@original" in c.path or c.path.endswith("/messages"))]


def shown(dc: FakeDiscord) -> list[str]:
    """Every text the bot showed: interaction answers, edits, follow-ups, channel posts."""
    texts = []
    for c in dc.calls:
        data = c.body.get("data", c.body) if "/callback" in c.path else c.body
        if isinstance(data, dict) and data.get("content"):
            texts.append(str(data["content"]))
    return texts


def posted(dc: FakeDiscord) -> list[tuple[Call, dict[str, Any]]]:
    """Each message the bot posted or edited, with the body that carries its content."""
    found = []
    for c in dc.calls:
        if c.method not in ("POST", "PATCH"):
            continue
        data = c.body.get("data") if "/callback" in c.path else c.body
        if isinstance(data, dict) and "content" in data:
            found.append((c, data))
    return found


async def test_an_image_that_is_gone_is_answered_on_again_menu_and_mention(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a hat"})
    [result] = await dc.wait_for(lambda: results(dc))
    target = dc.message(BOB, "look", attachments=[dc.attachment(PHOTO)])
    dc.attachments.clear()  # the messages were deleted: their CDN links answer 404

    await dc.press(ANN, result.result, "again:1")
    await dc.wait_for(lambda: any(GONE in t for t in shown(dc)))

    await dc.context_menu(ANN, "Edit image", target)
    [modal] = await dc.wait_for(lambda: [c for c in dc.sent("POST", "/callback")
                                         if c.body["type"] == 9])
    await dc.submit_modal(ANN, modal.body["data"], {"prompt": "make it winter"})
    await dc.wait_for(lambda: len([t for t in shown(dc) if GONE in t]) == 2)

    await dc.say(ANN, "<@4242> make it blue", mentions_bot=True, reply_to=target)
    await dc.wait_for(lambda: len([t for t in shown(dc) if GONE in t]) == 3)
    assert len(gemini.requests) == 1
    assert await adapter.core.ledger.unfinished() == []
    status = await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)
    assert status.used + status.reserved == 1


async def test_the_bot_pings_nobody_but_the_requester(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord(ttl_s=1.0)
    gemini.answer_text = "@everyone @here look <@22> <@&7000>"
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "shout"})
    await dc.wait_for(lambda: results(dc))
    await dc.say(ANN, "<@4242> shout again", mentions_bot=True,
                 attachments=[dc.attachment(PHOTO)])
    await dc.wait_for(lambda: len(results(dc)) == 2)
    dc.token_ttl_s = 1.2  # the next one outlives its interaction: posted in the channel
    gemini.delay = 2.0
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "late"})
    [late] = await dc.wait_for(lambda: [c for c in results(dc) if "/channels/" in c.path
                                        and "<@11>" in c.content])
    assert "@everyone" in late.content
    messages = posted(dc)
    assert len(messages) >= 5
    for call, body in messages:
        pings = body.get("allowed_mentions")
        assert pings is not None, (call.method, call.path, body.get("content"))
        assert pings.get("parse") == [] and not pings.get("roles"), (call.path, pings)
        assert {str(u) for u in pings.get("users", [])} <= {"11"}, (call.path, pings)
        assert not pings.get("replied_user"), (call.path, pings)
    assert [str(u) for u in late.body["allowed_mentions"]["users"]] == ["11"]  # pinged


async def test_a_reply_ping_alone_is_no_request(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.say(ANN, "<@4242> add a llama", mentions_bot=True,
                 attachments=[dc.attachment(PHOTO)])
    [result] = await dc.wait_for(lambda: results(dc))
    mine = result.result
    await dc.say(ANN, "thanks, love it!", mentions_bot=True, reply_to=mine)
    await dc.say(BOB, "haha", mentions_bot=True, reply_to=mine)
    await dc.say(ANN, "/edit now make it night", mentions_bot=True, reply_to=mine)
    await dc.wait_for(lambda: len(results(dc)) == 2)
    await dc.say(ANN, "<@4242> and snow", mentions_bot=True, reply_to=mine)
    await dc.wait_for(lambda: len(results(dc)) == 3)
    assert [r.prompt for r in gemini.requests] == ["add a llama", "now make it night",
                                                    "and snow"]
    status = await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)
    assert status.used + status.reserved == 3 and len(gemini.requests) == 3
