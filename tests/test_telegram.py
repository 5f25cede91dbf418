"""The Telegram bot end to end: the real python-telegram-bot Application against the fake Bot
API server and the fake Gemini, both on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_helpers import shown

ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
GROUP = FakeTelegram.group()
PHOTO = make_image(1200, 900, "JPEG")


def photos_to(tg: FakeTelegram, chat: dict[str, Any] = GROUP) -> list[Any]:
    return tg.photos(chat_id=chat["id"])


async def private_credits(bot: Any, user: dict[str, Any]) -> tuple[int, int]:
    """A user's credits in their private chat with the bot: charged, and held in flight."""
    status = await bot.core.ledger.status(actor=f"telegram:{user['id']}",
                                          scope=f"telegram:private:{user['id']}")
    return status.used, status.reserved


async def test_photo_with_caption_is_edited_and_answered(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    message = tg.post(GROUP, ANN, photo=PHOTO, caption="/edit 9:16 add a llama")
    [photo] = await tg.wait_for(lambda: photos_to(tg))
    assert photo.result["reply_to_message"]["message_id"] == message["message_id"]
    assert "Here is your image" in photo.params["caption"]
    assert "9 credits left today" in photo.params["caption"]
    image = Image.open(io.BytesIO(photo.files["photo"]))
    assert abs(image.width / image.height - 9 / 16) < 0.02
    buttons = photo.params["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["again:1", "4k:1", "vary:1"]
    [sent] = gemini.requests
    assert sent.prompt == "add a llama" and sent.images == [PHOTO]  # the largest size
    status = tg.sent("sendMessage")[0]
    assert status.params["text"] == "Working on it…"
    # the status message became the result: one message in the chat, nothing to tidy away
    assert photo.method == "editMessageMedia"
    assert photo.params["message_id"] == status.result["message_id"]
    await tg.never(lambda: tg.documents() or tg.sent("deleteMessage"))  # 1K: a photo is enough


async def test_reply_document_album_imagine_and_chains(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["can_read_all_group_messages"] = True  # privacy mode off: albums reach the bot
    bot = await start_bot()
    original = tg.post(GROUP, ANN, photo=PHOTO)
    tg.post(GROUP, BOB, text="/edit make it night", reply_to=original)
    await tg.wait_for(lambda: len(photos_to(tg)) == 1)
    assert gemini.requests[-1].images == [PHOTO]

    result = photos_to(tg)[0].result
    await shown(bot, result)  # the bot noted which edit the result shows
    tg.post(GROUP, BOB, text="/edit@EditTestBot now add snow", reply_to=result)
    await tg.wait_for(lambda: len(photos_to(tg)) == 2)
    assert gemini.requests[-1].prompt == "now add snow"
    assert gemini.requests[-1].images == []  # the conversation goes on (test_chat.py)
    assert gemini.requests[-1].history[0]["parts"][-1] == {"text": "make it night"}

    png = make_image(640, 480, "PNG")
    tg.post(GROUP, ANN, document=tg.document(png, "scan.png", "image/png"),
            caption="/edit 2K sharpen")
    await tg.wait_for(lambda: len(photos_to(tg)) == 3)
    assert gemini.requests[-1].images == [png]
    document = await tg.wait_for(lambda: tg.documents())
    assert "Full resolution" in document[0].params["caption"]  # 2K also as a file

    album = [make_image(300 + 10 * i, 300, "JPEG") for i in range(3)]
    tg.post(GROUP, ANN, photo=album[0], caption="/edit merge these", media_group_id="A1")
    for item in album[1:]:
        tg.post(GROUP, ANN, photo=item, media_group_id="A1")
    await tg.wait_for(lambda: len(photos_to(tg)) == 4)
    assert gemini.requests[-1].images == album

    tg.post(GROUP, ANN, text="/imagine 16:9 a llama on the moon")
    await tg.wait_for(lambda: len(photos_to(tg)) == 5)
    assert gemini.requests[-1].images == []
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}


async def test_a_deleted_status_message_still_gets_the_result_as_a_reply_of_its_own(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """A moderator deleted the bot's "Working on it…": the result comes as a new photo,
    a reply to the person's message, with its caption and buttons."""
    await start_bot()
    gemini.delay = 1
    message = tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
    [status] = await tg.wait_for(lambda: tg.sent("sendMessage", chat_id=GROUP["id"]))
    del tg.messages[(GROUP["id"], status.result["message_id"])]
    [photo] = await tg.wait_for(lambda: photos_to(tg))
    assert photo.method == "sendPhoto"
    assert photo.result["reply_to_message"]["message_id"] == message["message_id"]
    assert "Here is your image" in photo.params["caption"]
    assert "9 credits left today" in photo.params["caption"]
    buttons = photo.params["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["again:1", "4k:1", "vary:1"]


async def test_what_is_not_for_us_is_left_alone(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    tg.me["can_read_all_group_messages"] = True  # privacy mode off: the bot sees them all
    await start_bot()
    started = len(tg.calls)
    tg.post(GROUP, ANN, photo=PHOTO)
    tg.post(GROUP, ANN, photo=PHOTO, caption="a nice llama")
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit@OtherBot add a hat")
    tg.post(GROUP, ANN, text="/edit@OtherBot add a hat")
    await tg.never(lambda: tg.calls[started:] or gemini.requests)
    tg.post(GROUP, ANN, text="/help")  # and the bot does answer what is for it
    await tg.wait_for(lambda: tg.sent("sendMessage"))
    assert [c.params["text"][:11] for c in tg.sent("sendMessage")] == ["Send a phot"]


async def test_bad_input_is_answered_at_once_and_costs_nothing(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    huge = tg.document(b"x" * 100, "huge.png", "image/png", declared_size=25 * 1024 * 1024)
    unsized = tg.document(b"x" * 100, "huge.png", "image/png", declared_size=25 * 1024 * 1024,
                          size_shown=False)
    cases = [
        (dict(photo=PHOTO, caption="/edit 7:5 add a llama"), "Use one of: 1:1 2:3"),
        (dict(photo=PHOTO, caption="/edit 8K add a llama"), "Use one of: 1K 2K 4K"),
        (dict(photo=PHOTO, caption="/edit"), "Say what to do"),
        (dict(text="/edit add a llama"), "Attach a photo"),
        (dict(document=huge, caption="/edit x"), "too large"),
        (dict(document=unsized, caption="/edit x"), "too large"),  # getFile says so
        (dict(document=tg.document(b"%PDF-1.5 not a photo", "a.pdf", "application/pdf"),
              caption="/edit x"), "not an image"),
        (dict(document=tg.document(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "b.png"),
              caption="/edit x"), "damaged"),
    ]
    cases.append((dict(photo=PHOTO, caption="/edit add a llama"), "could not fetch that image"))
    for fields, expected in cases:
        if expected.startswith("could not fetch"):
            tg.fail("getFile", 400, "Bad Request: wrong file_id or the file is temporarily "
                    "unavailable")
        before = len(tg.texts())
        tg.post(GROUP, ANN, **fields)
        await tg.wait_for(lambda n=before: len(tg.texts()) > n and not tg.texts()[-1].endswith(
            "…"))
        assert expected in tg.texts()[-1], (fields, tg.texts()[-1])
    assert gemini.requests == []
    asked = [c.params["file_id"] for c in tg.sent("getFile")]
    assert huge["file_id"] not in asked  # its size was known: refused before asking
    assert unsized["file_id"] in asked  # refused on getFile's "file is too big"
    assert await bot.core.ledger.unfinished() == []
    status = await bot.core.ledger.status(actor="telegram:11", scope="telegram:group:-100123")
    assert status.used + status.reserved == 0


async def test_quota_race(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(default_daily_limit=3, gemini_max_concurrency=1, max_in_flight_per_user=8,
                    refusal_cooldown_s=0)  # every refusal told, before download or at reserve
    gemini.delay = 0.3
    for i in range(8):
        tg.post(GROUP, ANN, photo=PHOTO, caption=f"/edit try {i}")
    await tg.wait_for(lambda: len(photos_to(tg)) == 3, within=30)
    refusals = await tg.wait_for(lambda: [t for t in tg.texts() if "used your 3 credits" in t]
                                 if len([t for t in tg.texts() if "used your 3" in t]) == 5
                                 else None, within=30)
    assert len(refusals) == 5 and len(gemini.requests) == 3
    assert "0 credits left today" in photos_to(tg)[-1].params["caption"]


async def test_queue_positions_are_shown(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(gemini_max_concurrency=1)
    gemini.delay = 2.0  # the third waits 4 s: longer than a status message waits between edits
    users = [FakeTelegram.user(300 + i, f"Q{i}") for i in range(3)]
    for user in users:
        tg.post(FakeTelegram.private(user), user, photo=PHOTO, caption="/edit add a hat")
    await tg.wait_for(lambda: len(tg.photos()) == 3, within=30)
    last = users[-1]["id"]
    assert any(t.startswith("Queued: #") for t in tg.texts(chat_id=last))
    # while the model works (2 s): "sending a photo…", once (it shows for 5 s)
    actions = tg.sent("sendChatAction", chat_id=users[0]["id"])
    assert [a.params["action"] for a in actions] == ["upload_photo"]
    # one progress call at most beyond the status message: a private edit that did not wait
    # in line is <= 4 calls; one that waited may also have counted down its place
    assert len(tg.sent("editMessageText", "sendChatAction", chat_id=users[0]["id"])) <= 1
    for user in users:
        chat = user["id"]
        progress = tg.sent("editMessageText", "sendChatAction", chat_id=chat)
        assert len([c for c in progress if not str(c.params.get("text")).startswith(
            "Queued: #")]) <= 1
        assert len(tg.sent("sendMessage", chat_id=chat)) == 1


async def test_many_users_at_once_do_not_wait_for_each_other(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(gemini_max_concurrency=32)
    gemini.delay = 1.0
    users = [FakeTelegram.user(100 + i, f"U{i}") for i in range(20)]
    for user in users:
        tg.post(FakeTelegram.private(user), user, photo=PHOTO, caption="/edit add a hat")
    await tg.wait_for(lambda: len(tg.photos()) == 20, within=30)
    assert gemini.peak_in_flight == 20  # all twenty were with the model at the same time


async def test_refusals_and_failures_are_explained_and_free(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(gemini_max_attempts=2)
    gemini.push(Fault.refuse("IMAGE_SAFETY"), Fault.error(503), Fault.error(503))
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit something")
    await tg.wait_for(lambda: any("declined" in t for t in tg.texts()))
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit something else")
    await tg.wait_for(lambda: any("not answering" in t for t in tg.texts()))
    assert any("nothing was charged" in t.lower() for t in tg.texts())
    edits = [c.params["text"] for c in tg.sent("editMessageText")]
    assert any("declined" in t for t in edits)  # the status message becomes the answer
    assert (await bot.core.ledger.status(actor="telegram:11",
                                         scope="telegram:group:-100123")).reserved == 0


async def test_telegram_limits_and_flood_control(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.fail("editMessageMedia", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="/edit one")
    [document] = await tg.wait_for(lambda: tg.documents())
    assert "credits left" in document.params["caption"]
    assert document.params["reply_markup"]["inline_keyboard"]

    tg.fail("editMessageMedia", 429, "Too Many Requests: retry after 1", retry_after=1)
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit two")
    await tg.wait_for(lambda: tg.photos(chat_id=BOB["id"]), within=10)
    first, second = tg.sent("editMessageMedia", chat_id=BOB["id"])
    assert second.at - first.at >= 1.0 and second.result is not None


async def test_a_photo_telegram_will_not_take_comes_as_a_document(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """Telegram answers a photo over 10 MB or of bad dimensions with a 400 whose words vary:
    any 400 on a photo upload means "send it as a document", and the user is charged once."""
    bot = await start_bot()
    users = [FakeTelegram.user(400 + i, f"P{i}") for i in range(3)]
    tg.photo_limit = 1000  # any real photo is now over the photo limit: 400, as Telegram
    tg.post(FakeTelegram.private(users[0]), users[0], photo=PHOTO, caption="/edit one")
    [first] = await tg.wait_for(lambda: tg.documents())
    assert "credits left" in first.params["caption"] and not tg.photos()
    tg.photo_limit = 10 * 1024 * 1024
    for user, words in zip(users[1:], ("Bad Request: file is too big for a photo",
                                       "Bad Request: IMAGE_PROCESS_FAILED"), strict=True):
        tg.fail("editMessageMedia", 400, words)
        tg.post(FakeTelegram.private(user), user, photo=PHOTO, caption="/edit again")
        await tg.wait_for(lambda u=user: tg.documents(chat_id=u["id"]))
    assert not tg.photos() and len(tg.documents()) == 3
    for user in users:  # charged once each (the commit follows the upload)
        for _ in range(100):
            if (await private_credits(bot, user))[0]:
                break
            await asyncio.sleep(0.05)
        assert (await private_credits(bot, user))[0] == 1
    assert await bot.core.ledger.unfinished() == []
    assert first.result["document"]["file_name"] == "editbot-1.png"
    await shown(bot, first.result)  # a reply to the document goes on from that edit
    tg.post(FakeTelegram.private(users[0]), users[0], text="/edit now add snow",
            reply_to=first.result)
    await tg.wait_for(lambda: tg.photos(chat_id=users[0]["id"]))
    assert gemini.requests[-1].history[0]["parts"][-1] == {"text": "one"}


async def test_a_result_whose_status_message_is_gone_comes_as_a_new_reply(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """The status message cannot take the result (deleted meanwhile): the photo comes as a
    reply to the person's message, with its buttons, charged once; a reply to it goes on."""
    bot = await start_bot()
    tg.fail("editMessageMedia", 400, "Bad Request: message to edit not found")
    asked = tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="/edit add a hat")
    [photo] = await tg.wait_for(lambda: tg.sent("sendPhoto", chat_id=ANN["id"]))
    assert photo.result["reply_to_message"]["message_id"] == asked["message_id"]
    assert "credits left" in photo.params["caption"]
    assert photo.params["reply_markup"]["inline_keyboard"]
    for _ in range(100):
        if (await private_credits(bot, ANN))[0]:
            break
        await asyncio.sleep(0.05)
    assert await private_credits(bot, ANN) == (1, 0)
    await shown(bot, photo.result)
    tg.post(FakeTelegram.private(ANN), ANN, text="/edit now add snow", reply_to=photo.result)
    await tg.wait_for(lambda: len(tg.photos(chat_id=ANN["id"])) == 2)
    assert gemini.requests[-1].history[0]["parts"][-1] == {"text": "add a hat"}


async def test_a_4k_result_also_comes_as_a_file_under_it_in_the_persons_language(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """2K/4K: the photo, then the full-resolution file, a reply to the person's message (in a
    busy group it stays with them), named after the edit and captioned in their language with
    the file's size."""
    from bot.i18n import text

    await start_bot()
    vy = FakeTelegram.user(33, "Vy", language="vi")
    message = tg.post(GROUP, vy, photo=PHOTO, caption="/edit 4K add a hat")
    [document] = await tg.wait_for(lambda: tg.documents())
    [photo] = photos_to(tg)
    assert photo.params["message_id"] < document.result["message_id"]  # under the photo
    image = Image.open(io.BytesIO(document.files["document"]))
    made = gemini.answers[-1]["candidates"][0]["content"]["parts"][-1]["inlineData"]["data"]
    assert image.size == Image.open(io.BytesIO(base64.b64decode(made))).size  # all of it
    assert document.params["caption"] == text("full_resolution", "vi", width=image.width,
                                              height=image.height)
    assert document.result["reply_to_message"]["message_id"] == message["message_id"]
    assert document.result["document"]["file_name"] == "editbot-1.png"


async def test_a_result_too_long_and_thin_for_a_photo_goes_straight_to_a_document(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """Telegram takes photos up to 20:1; a longer result comes as a document at once, with no
    photo upload Telegram would refuse first."""
    await start_bot()
    gemini.image = make_image(2100, 100, "PNG")
    tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="/edit one long banner")
    [document] = await tg.wait_for(lambda: tg.documents())
    assert "credits left" in document.params["caption"]
    uploads = tg.sent("sendPhoto", "sendDocument", "editMessageMedia")
    assert [u.result is not None for u in uploads] == [True]  # one upload, not refused
    assert not tg.photos()


async def test_a_proxys_413_on_the_photo_sends_a_document_but_a_bad_gateway_does_not(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    """A size refusal from a proxy before the Bot API (413) means "send it as a document". A
    502 says nothing about size (the photo may even have arrived): no document follows, and
    the user is told and not charged."""
    bot = await start_bot()
    tg.fail("editMessageMedia", 413, "Request Entity Too Large")
    tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="/edit one")
    [document] = await tg.wait_for(lambda: tg.documents())
    assert "credits left" in document.params["caption"] and not tg.photos()

    tg.fail("editMessageMedia", 502, "Bad Gateway")
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit two")
    await tg.wait_for(lambda: any("nothing was charged" in t.lower()
                                  for t in tg.texts(chat_id=BOB["id"])), within=20)
    assert not tg.documents(chat_id=BOB["id"]) and not tg.photos(chat_id=BOB["id"])
    assert await private_credits(bot, BOB) == (0, 0)


async def test_a_result_changing_form_is_said_in_the_operators_log(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any],
        caplog: pytest.LogCaptureFixture) -> None:
    """A photo that went out as a document, or a 4K photo whose full-resolution file Telegram
    refused: the user has the result and is charged once; the log says which job and why."""
    caplog.set_level(logging.INFO, logger="adapters")
    bot = await start_bot()
    tg.fail("editMessageMedia", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="/edit one")
    await tg.wait_for(lambda: tg.documents())
    assert "job 1: photo refused (Photo_invalid_dimensions); sending a document" in caplog.text

    tg.fail("sendDocument", 400, "Bad Request: file is too big")
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit 4K two")
    await tg.wait_for(lambda: tg.photos(chat_id=BOB["id"]))
    await tg.wait_for(lambda: "job 2: the full-resolution file could not be sent" in caplog.text)
    assert not tg.documents(chat_id=BOB["id"])
    assert not any("charged" in t.lower() for t in tg.texts(chat_id=BOB["id"]))
    for _ in range(100):  # the commit follows the upload
        if (await private_credits(bot, BOB))[0]:
            break
        await asyncio.sleep(0.05)
    assert await private_credits(bot, BOB) == (2, 0)  # 4K: two credits, once


async def test_buttons_repeat_for_the_requester_only(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit 3:4 add a hat")
    [photo] = await tg.wait_for(lambda: photos_to(tg))
    result = photo.result

    tg.press(BOB, result, "again:1")
    [answer] = await tg.wait_for(lambda: tg.sent("answerCallbackQuery"))
    assert "Only the person who asked" in answer.params["text"]
    assert "Ann" not in answer.params["text"] and answer.params["show_alert"] is True
    for forged in ("again:2", "4k:99999999999999999999999", "again:0"):
        tg.press(BOB, result, forged)  # data no button of ours carries: nothing about others
    answers = await tg.wait_for(lambda: len(tg.sent("answerCallbackQuery")) == 4
                                and tg.sent("answerCallbackQuery"))
    assert {a.params["text"] for a in answers[1:]} == {
        "I can no longer repeat that edit; please send it again."}

    tg.press(ANN, result, "4k:1")
    await tg.wait_for(lambda: len(photos_to(tg)) == 2)
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {
        "aspectRatio": "3:4", "imageSize": "4K"}
    assert gemini.requests[-1].images == [PHOTO]
    preview = Image.open(io.BytesIO(photos_to(tg)[-1].files["photo"]))
    [full] = await tg.wait_for(lambda: tg.documents())
    original = Image.open(io.BytesIO(full.files["document"]))
    assert 2000 < max(preview.size) <= 2560 < original.height  # Telegram shows 2560 at most
    assert "Full resolution" in full.params["caption"]
    tg.press(ANN, result, "again:1")
    await tg.wait_for(lambda: len(photos_to(tg)) == 3)
    assert len(gemini.requests) == 3
    status = await bot.core.ledger.status(actor="telegram:11", scope="telegram:group:-100123")
    assert status.used + status.reserved == 1 + 2 + 1  # the 4K repeat cost two credits


async def test_vietnamese_speakers_get_vietnamese(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    viet = FakeTelegram.user(33, "Lan", language="vi")
    tg.post(GROUP, viet, text="/edit thêm một con mèo")
    await tg.wait_for(lambda: tg.sent("sendMessage"))
    assert "Hãy gửi kèm ảnh" in tg.texts()[-1]
    tg.post(GROUP, viet, text="/quota")
    await tg.wait_for(lambda: len(tg.sent("sendMessage")) == 2)
    assert "Còn 10 lượt ở đây, còn 10 lượt hôm nay ở mọi nơi" in tg.texts()[-1]


async def test_a_spanish_speakers_result_is_in_spanish(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    ana = FakeTelegram.user(44, "Ana", language="es")
    tg.post(GROUP, ana, photo=PHOTO, caption="/edit añade una llama")
    [photo] = await tg.wait_for(lambda: photos_to(tg))
    assert tg.sent("sendMessage")[0].params["text"] == "Trabajando en ello…"
    assert "Créditos restantes hoy: 9" in photo.params["caption"]
    labels = [b["text"] for b in photo.params["reply_markup"]["inline_keyboard"][0]]
    assert labels[0].startswith("🔁 Otra vez") and labels[-1].startswith("🎲 Variaciones")


async def test_a_ledger_that_cannot_be_written_is_said_and_costs_nothing(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any],
        tmp_path: Any) -> None:
    """Locked past its timeout (as full or read-only): the status message says so at once
    instead of staying at "Working on it…"; no upstream call, nothing charged."""
    import sqlite3

    bot = await start_bot(database_lock_timeout_s=0.3)
    blocker = sqlite3.connect(f"{tmp_path}/editbot.sqlite3", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
        [told] = await tg.wait_for(lambda: tg.sent("editMessageText"), within=20)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "Something went wrong" in told.params["text"]
    assert "Nothing was charged" in told.params["text"]
    assert gemini.requests == [] and not photos_to(tg)
    status = await bot.core.ledger.status(actor="telegram:11", scope="telegram:group:-100123")
    assert status.used + status.reserved == 0
