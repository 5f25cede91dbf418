"""The chat experience on Telegram, as a user sees it: private chats need no command, typos are
asked about at no cost, the line's positions are true, buttons say what they cost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import Call, FakeTelegram
from tests.telegram_helpers import shown

ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
DM = FakeTelegram.private(ANN)
GROUP = FakeTelegram.group()
PHOTO = make_image(1200, 900, "JPEG")
# three edits behind one the model is making: each is told its true place at once, then
# counts down as the line moves, then works (the same on every platform); once the first
# answer timed the model (4 s), each place comes with its likely wait
COUNTDOWN = [
    ["Queued: #1 in line…", "Working on it…"],
    ["Queued: #2 in line…", "Queued: #1 in line, about 10 s…", "Working on it…"],
    ["Queued: #3 in line…", "Queued: #2 in line, about 10 s…",
     "Queued: #1 in line, about 10 s…", "Working on it…"]]


def buttons(call: Call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


async def used(bot: Any, scope: str = "telegram:private:11") -> int:
    status = await bot.core.ledger.status(actor="telegram:11", scope=scope)
    return int(status.used + status.reserved)  # charged or held


async def test_a_photo_without_caption_is_asked_about_and_charged_once(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    photo = tg.post(DM, ANN, photo=PHOTO)
    [question] = await tg.wait_for(lambda: tg.sent("sendMessage"))
    assert question.params["text"] == "What should I change?"
    assert question.params["reply_markup"]["force_reply"] is True
    assert question.params["reply_parameters"]["message_id"] == photo["message_id"]
    assert gemini.requests == [] and await used(bot) == 0

    tg.post(DM, ANN, text="add a llama", reply_to=question.result)
    [result] = await tg.wait_for(lambda: tg.photos())
    assert "9 credits left today" in result.params["caption"]
    [sent] = gemini.requests
    assert sent.prompt == "add a llama" and sent.images == [PHOTO]
    assert await used(bot) == 1

    tg.post(DM, ANN, photo=PHOTO)  # the answer may be a command too
    await tg.wait_for(lambda: len(tg.sent("sendMessage")) == 3)
    question = tg.sent("sendMessage")[-1]
    assert question.params["text"] == "What should I change?"
    tg.post(DM, ANN, text="/edit 1:1 add a hat", reply_to=question.result)
    await tg.wait_for(lambda: len(tg.photos()) == 2)
    assert gemini.requests[-1].images == [PHOTO] and gemini.requests[-1].prompt == "add a hat"


async def test_private_photos_files_and_albums_take_their_caption_as_the_prompt(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.post(DM, ANN, photo=PHOTO, caption="make it night 16:9")
    await tg.wait_for(lambda: len(tg.photos()) == 1)
    assert gemini.requests[-1].prompt == "make it night"
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}

    png = make_image(640, 480, "PNG")
    tg.post(DM, ANN, document=tg.document(png, "scan.png", "image/png"), caption="sharpen")
    await tg.wait_for(lambda: len(tg.photos()) == 2)
    assert gemini.requests[-1].images == [png]

    album = [make_image(300 + 10 * i, 300, "JPEG") for i in range(3)]
    tg.post(DM, ANN, photo=album[0], media_group_id="A1")
    tg.post(DM, ANN, photo=album[1], caption="merge these", media_group_id="A1")
    tg.post(DM, ANN, photo=album[2], media_group_id="A1")
    await tg.wait_for(lambda: len(tg.photos()) == 3)
    assert gemini.requests[-1].images == album and gemini.requests[-1].prompt == "merge these"


async def test_plain_text_is_offered_as_a_generation_and_costs_only_when_tapped(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.post(DM, ANN, text="hello")
    [offer] = await tg.wait_for(lambda: tg.sent("sendMessage"))
    assert buttons(offer) == [("Generate - 1 credit", "gen:ask")]
    assert "new image" in offer.params["text"]
    await asyncio.sleep(0.3)
    assert gemini.requests == [] and await used(bot) == 0

    tg.press(BOB, offer.result, "gen:ask")  # not Bob's to press
    [refused] = await tg.wait_for(lambda: tg.sent("answerCallbackQuery"))
    assert "Only the person who asked" in refused.params["text"]
    tg.press(ANN, offer.result, "gen:ask")
    [result] = await tg.wait_for(lambda: tg.photos())
    assert gemini.requests[-1].prompt == "hello" and gemini.requests[-1].images == []
    assert not tg.messages[(DM["id"], offer.result["message_id"])].get("reply_markup")
    tg.press(ANN, offer.result, "gen:ask")  # a second tap does not pay twice
    await tg.wait_for(lambda: len(tg.sent("answerCallbackQuery")) == 3)
    await asyncio.sleep(0.3)
    assert len(gemini.requests) == 1 and await used(bot) == 1
    assert "credits left" in result.params["caption"]


async def test_unknown_commands_get_a_hint_and_groups_keep_commands(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.post(DM, ANN, text="/foo")
    [hint] = await tg.wait_for(lambda: tg.sent("sendMessage"))
    assert hint.params["text"].startswith("I don't know /foo.") and "\n" not in hint.params[
        "text"]
    tg.post(GROUP, ANN, text="hello")  # privacy mode: groups talk to each other
    tg.post(GROUP, ANN, photo=PHOTO, caption="add a hat")
    tg.post(GROUP, ANN, text="/foo")
    tg.post(GROUP, ANN, text="/foo@EditTestBot")
    await tg.wait_for(lambda: len(tg.sent("sendMessage")) == 2)
    await asyncio.sleep(0.3)
    assert len(tg.sent("sendMessage")) == 2 and gemini.requests == []

    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a hat")
    [result] = await tg.wait_for(lambda: tg.photos())
    tg.post(GROUP, BOB, text="now make it snow", reply_to=result.result)  # a reply to the bot
    await tg.wait_for(lambda: len(tg.photos()) == 2)
    assert gemini.requests[-1].prompt == "now make it snow"


async def test_typos_are_understood_or_asked_about_at_no_cost(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    for caption, ratio in (("/edit 9/16 add a llama", "9:16"), ("/edit 16x9 add a llama", "16:9"),
                           ("/edit 9 : 16 add a llama", "9:16"),
                           ("/edit add a llama 9:16", "9:16")):
        before = len(gemini.requests)
        tg.post(GROUP, ANN, photo=PHOTO, caption=caption)
        await tg.wait_for(lambda n=before: len(tg.photos()) == n + 1)  # one by one
        assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {
            "aspectRatio": ratio}, caption
        assert gemini.requests[-1].prompt == "add a llama"
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit 2048 sharpen")
    await tg.wait_for(lambda: len(gemini.requests) == 5)
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {"imageSize": "2K"}
    await tg.wait_for(lambda: len(tg.photos()) == 5)
    spent = await used(bot, "telegram:group:-100123")

    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama 9/16")
    [question] = await tg.wait_for(lambda: [c for c in tg.sent("sendMessage")
                                            if "Did you mean" in c.params["text"]])
    assert question.params["text"].startswith("Did you mean 9:16?")
    assert buttons(question) == [("✅ 9:16 - 1 credit", "pick:accept"),
                                 ("As typed - 1 credit", "pick:literal")]
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit hd sharpen")
    [sizing] = await tg.wait_for(lambda: [c for c in tg.sent("sendMessage")
                                          if "Did you mean 2K" in c.params["text"]])
    await asyncio.sleep(0.3)
    assert len(gemini.requests) == 5
    assert await used(bot, "telegram:group:-100123") == spent  # asking cost nothing

    tg.press(ANN, question.result, "pick:accept")
    await tg.wait_for(lambda: len(gemini.requests) == 6)
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}
    assert gemini.requests[-1].prompt == "add a llama" and gemini.requests[-1].images == [PHOTO]
    tg.press(ANN, sizing.result, "pick:literal")
    await tg.wait_for(lambda: len(gemini.requests) == 7)
    assert gemini.requests[-1].prompt == "hd sharpen"
    assert "imageConfig" not in gemini.requests[-1].body["generationConfig"]


async def test_three_queued_jobs_count_down_from_their_true_places(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(gemini_max_concurrency=1, max_in_flight_per_user=3)
    gemini.delay = 4.0  # longer than the status edits' spacing, so each move is shown
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit first in line")
    await tg.wait_for(lambda: gemini.requests)
    for i in range(3):
        tg.post(DM, ANN, photo=PHOTO, caption=f"/edit take {i}")
    await tg.wait_for(lambda: len(tg.photos()) == 4, within=30)
    shown = []
    for status in tg.sent("sendMessage", chat_id=DM["id"]):
        edits = [c.params["text"] for c in tg.sent("editMessageText")
                 if c.params["message_id"] == status.result["message_id"]]
        asked = tg.messages[(DM["id"], status.params["reply_parameters"]["message_id"])]
        shown.append(([status.params["text"], *edits], asked["caption"][6:]))
    shown.sort()  # by the place each was first told
    # each is told its true place at once, then counts down as the line moves (a short line
    # leaves the flood limits room for every step), then works
    assert [texts for texts, _ in shown] == COUNTDOWN
    # and the places were true: the job told #1 ran first, then #2, then #3
    assert [r.prompt for r in gemini.requests] == ["first in line",
                                                   *(prompt for _, prompt in shown)]


async def test_buttons_say_what_they_cost_and_variations_make_two_more_takes(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.post(DM, ANN, photo=PHOTO, caption="3:4 add a hat")
    [first] = await tg.wait_for(lambda: tg.photos())
    assert buttons(first) == [("🔁 Again (1)", "again:1"), ("4K (2)", "4k:1"),
                              ("🎲 Variations (2)", "vary:1")]
    tg.press(ANN, first.result, "4k:1")
    await tg.wait_for(lambda: len(tg.photos()) == 2)
    four_k = tg.photos()[-1]
    assert buttons(four_k) == [("🔁 Again (2)", "again:2"), ("🎲 Variations (4)", "vary:2")]
    assert await used(bot) == 3
    # a person presses after the edit has ended (its books closed), not within milliseconds
    await tg.wait_for(lambda: not bot.core.service._admission.in_flight.running("telegram:11"))
    tg.press(ANN, first.result, "vary:1")
    await tg.wait_for(lambda: len(tg.photos()) == 4)
    takes = gemini.requests[-2:]
    assert [t.prompt for t in takes] == ["add a hat", "add a hat"]
    assert all(t.images == [PHOTO] for t in takes)
    assert all(t.body["generationConfig"]["imageConfig"] == {"aspectRatio": "3:4"}
               for t in takes)
    assert {buttons(c)[0][1] for c in tg.photos()[-2:]} == {"again:3", "again:4"}
    assert await used(bot) == 5  # two takes, one credit each, as the button said


async def test_a_reply_to_a_result_continues_the_conversation_with_its_signatures(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.post(DM, ANN, photo=PHOTO, caption="add a llama")
    [first] = await tg.wait_for(lambda: tg.photos())
    await shown(bot, first.result)
    tg.post(DM, ANN, text="now make it snow", reply_to=first.result)
    await tg.wait_for(lambda: len(tg.photos()) == 2)
    chained = gemini.requests[1]
    assert chained.prompt == "now make it snow" and chained.images == []
    model_turn = gemini.answers[0]["candidates"][0]["content"]
    assert chained.history == [
        {"role": "user", "parts": [chained.history[0]["parts"][0], {"text": "add a llama"}]},
        model_turn]  # the model's parts exactly as received, signatures and all
    assert all("thoughtSignature" in p for p in chained.history[1]["parts"])
    assert chained.history[0]["parts"][0]["inlineData"]["mimeType"] == "image/jpeg"
    assert await used(bot) == 2

    second = tg.photos()[-1]
    await shown(bot, second.result)
    tg.post(DM, ANN, text="/edit new add a hat", reply_to=second.result)  # starts afresh
    await tg.wait_for(lambda: len(tg.photos()) == 3)
    fresh = gemini.requests[2]
    assert fresh.history == [] and fresh.prompt == "add a hat"
    assert fresh.images == [second.files["photo"]]

    latest = tg.photos()[-1]
    for i in range(5):  # a long chain sends back its last four turns only
        await shown(bot, latest.result)
        tg.post(DM, ANN, text=f"step {i}", reply_to=latest.result)
        await tg.wait_for(lambda n=4 + i: len(tg.photos()) == n)
        latest = tg.photos()[-1]
    last = gemini.requests[-1]
    assert len(last.history) == 8 and last.prompt == "step 4"
    assert [c["parts"][-1]["text"] for c in last.history[0::2]] == [
        "step 0", "step 1", "step 2", "step 3"]
    assert last.history[7] == gemini.answers[-2]["candidates"][0]["content"]

    tg.press(ANN, latest.result, "again:8")  # Again keeps the conversation
    await tg.wait_for(lambda: len(tg.photos()) == 9)
    assert gemini.requests[-1].history == last.history
