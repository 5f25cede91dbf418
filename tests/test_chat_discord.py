"""The chat experience on Discord, as a member sees it: typos asked about at no cost, buttons
that say what they cost, Variations as two more takes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.fakes.discord_server import Call, FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.test_chat import COUNTDOWN

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
PHOTO = make_image(800, 600, "PNG")
SCOPE = "discord:group:7000"


def with_files(dc: FakeDiscord) -> list[Call]:
    """Every message the bot made that carries a file."""
    return [c for c in dc.calls if c.method in ("PATCH", "POST") and c.files]


async def shown(adapter: Any, message: dict[str, Any]) -> None:
    """Wait until the bot has noted which job the result ``message`` shows (a moment after
    it was posted): a reply to it may then continue that job."""
    for _ in range(100):
        if await adapter.core.turns.job_of(f"discord:{message['id']}") is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the result was never noted")


def labels(call: Call) -> list[tuple[str, str]]:
    return [(b["label"], b["custom_id"]) for row in call.body.get("components", [])
            for b in row["components"]]


async def test_a_typo_in_a_mention_is_asked_about_for_free(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    message = await dc.say(ANN, "<@4242> add a llama 9/16", mentions_bot=True,
                           attachments=[dc.attachment(PHOTO)])
    [asked] = await dc.wait_for(lambda: [c for c in dc.sent("POST", "/messages")
                                         if "Did you mean 9:16?" in c.content])
    cid = f"{message['channel_id']}:{message['id']}"
    assert labels(asked) == [("✅ 9:16 - 1 credit", f"pick:accept:{cid}"),
                             ("As typed - 1 credit", f"pick:literal:{cid}")]
    await asyncio.sleep(0.3)
    assert gemini.requests == []
    assert (await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)).reserved == 0

    await dc.press(BOB, asked.result, f"pick:accept:{cid}")
    await dc.wait_for(lambda: any("Only the person who asked" in str(
        c.body.get("data", {}).get("content")) for c in dc.sent("POST", "/callback")))
    await dc.press(ANN, asked.result, f"pick:accept:{cid}")
    await dc.wait_for(lambda: with_files(dc))
    assert gemini.requests[0].prompt == "add a llama"
    assert gemini.requests[0].body["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}

    await dc.slash(ANN, "imagine", {"prompt": "a llama on the moon 16:9"})
    await dc.wait_for(lambda: len(gemini.requests) == 2)
    assert gemini.requests[1].prompt == "a llama on the moon"
    assert gemini.requests[1].body["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}


async def test_buttons_say_their_cost_and_variations_make_two_more_takes(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a hat",
                                 "size": "4K"})
    [result] = await dc.wait_for(lambda: with_files(dc))
    assert labels(result) == [("🔁 Again (2)", "again:1"), ("🎲 Variations (4)", "vary:1")]
    # a person presses after the edit has ended (its books closed), not within milliseconds
    await dc.wait_for(lambda: not adapter.core.service._admission.in_flight.running("discord:11"))
    await dc.press(ANN, result.result, "vary:1")
    await dc.wait_for(lambda: len(with_files(dc)) == 3, within=20)
    assert [r.prompt for r in gemini.requests] == ["add a hat"] * 3
    assert all(r.body["generationConfig"]["imageConfig"] == {"imageSize": "4K"}
               for r in gemini.requests)
    followups = [c for c in with_files(dc) if c.method == "POST"]
    assert len(followups) == 1 and labels(followups[0])[0] in (
        ("🔁 Again (2)", "again:2"), ("🔁 Again (2)", "again:3"))
    status = await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)
    assert status.used + status.reserved == 6  # charged or held


async def test_a_reply_or_the_menu_on_a_result_continues_the_conversation(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a llama"})
    [first] = await dc.wait_for(lambda: with_files(dc))
    await shown(adapter, first.result)
    await dc.say(ANN, "<@4242> now make it snow", mentions_bot=True, reply_to=first.result)
    await dc.wait_for(lambda: len(with_files(dc)) == 2)
    chained = gemini.requests[1]
    assert chained.prompt == "now make it snow" and chained.images == []
    assert chained.history[0]["parts"][-1] == {"text": "add a llama"}
    assert chained.history[1] == gemini.answers[0]["candidates"][0]["content"]

    second = with_files(dc)[-1]
    await shown(adapter, second.result)
    await dc.context_menu(ANN, "Edit image", second.result)
    [modal] = await dc.wait_for(lambda: [c for c in dc.sent("POST", "/callback")
                                         if c.body["type"] == 9])
    await dc.submit_modal(ANN, modal.body["data"], {"prompt": "and a scarf"})
    await dc.wait_for(lambda: len(gemini.requests) == 3)
    third = gemini.requests[2]
    assert third.prompt == "and a scarf" and len(third.history) == 4
    assert third.history[3] == gemini.answers[1]["candidates"][0]["content"]
    await dc.wait_for(lambda: len(with_files(dc)) == 3)
    await shown(adapter, with_files(dc)[-1].result)

    await dc.say(ANN, "<@4242> new add a hat", mentions_bot=True,
                 reply_to=with_files(dc)[-1].result)
    await dc.wait_for(lambda: len(gemini.requests) == 4)
    assert gemini.requests[3].history == [] and gemini.requests[3].prompt == "add a hat"
    assert len(gemini.requests[3].images) == 1


async def test_three_queued_jobs_count_down_from_their_true_places(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord(gemini_max_concurrency=1, max_in_flight_per_user=3)
    gemini.delay = 1.5  # the line moves faster than a status shows a move: none is lost
    await dc.slash(BOB, "edit", {"image": dc.attachment(PHOTO), "prompt": "first in line"})
    await dc.wait_for(lambda: gemini.requests)
    tokens = {(await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO),
                                            "prompt": f"take {i}"}))["token"]: f"take {i}"
              for i in range(3)}
    await dc.wait_for(lambda: len(with_files(dc)) == 4, within=30)
    shown = sorted(([c.content for c in dc.sent("PATCH", f"/{token}/messages/@original")
                     if not c.files], prompt) for token, prompt in tokens.items())
    assert [texts for texts, _ in shown] == COUNTDOWN
    # and the places were true: the job told #1 ran first, then #2, then #3
    assert [r.prompt for r in gemini.requests] == ["first in line",
                                                   *(prompt for _, prompt in shown)]
