"""Cancel where the job is not: ``python -m bot run`` processes in webhook mode on one PostgreSQL
ledger. A press answered by another replica than the one holding the queued job, and a press
on a status shown before a restart, both call the job off: its credit is back and the model
never sees it."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

import asyncpg

from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
PHOTO = make_image(640, 480, "JPEG")
CANCELLED = "Cancelled before the model was asked: 1 credit back, nothing charged."
FAST = {"TELEGRAM_FLOOD_WINDOW_SCALE": "0.05", "GEMINI_MAX_CONCURRENCY": "1"}



async def job_rows(database_url: str) -> dict[str, tuple[str, str, bool]]:
    """Per origin key: the job's status, note, and whether the model was asked."""
    conn = await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    try:
        rows = await conn.fetch("SELECT origin_key, status, note, asked_at FROM jobs")
    finally:
        await conn.close()
    return {r["origin_key"]: (r["status"], r["note"], r["asked_at"] is not None) for r in rows}


async def queued_status(tg: FakeTelegram, gemini: FakeGemini, database: str) -> dict[str, Any]:
    """Bob's edit holds the deployment's only slot; Ann's waits behind it: her status (with
    its Cancel button) once her job is recorded."""
    gemini.delay = 8.0
    tg.post(FakeTelegram.private(BOB), BOB, photo=PHOTO, caption="/edit hold the line")
    await tg.wait_for(lambda: gemini.requests, within=30)
    asked = tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="/edit add a hat")
    key = f"telegram:{ANN['id']}:{asked['message_id']}"
    for _ in range(200):
        if key in await job_rows(database):
            break
        await asyncio.sleep(0.05)
    [status] = await tg.wait_for(lambda: [
        c.result for c in tg.sent("sendMessage", chat_id=ANN["id"])
        if c.params.get("reply_markup")], within=30)
    assert status["text"].startswith("Queued: #1 in line")
    return status


def cancel_data(status: dict[str, Any]) -> str:
    [[button]] = status["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Cancel"
    return str(button["callback_data"])


async def settled(tg: FakeTelegram, gemini: FakeGemini, database: str,
                  status: dict[str, Any]) -> None:
    """Ann's status says she got her credit back, Bob's edit ends, and the model was never
    asked for Ann's."""
    message = tg.messages[(ANN["id"], status["message_id"])]
    await tg.wait_for(lambda: message.get("text") == CANCELLED, within=30)
    assert not message.get("reply_markup")
    gemini.release()  # Bob's edit, if with the model, ends now: the line moves on
    await tg.wait_for(lambda: tg.photos(chat_id=BOB["id"]), within=60)
    await asyncio.sleep(1.0)  # the replica that held Ann's place had its turn by now
    assert [r.prompt for r in gemini.requests if r.prompt == "add a hat"] == []
    rows = await job_rows(database)
    [ann] = [row for key, row in rows.items() if key.startswith(f"telegram:{ANN['id']}:")]
    assert ann == ("refunded", "cancelled", False)
    assert message["text"] == CANCELLED  # nobody showed a place in line over it


async def test_a_cancel_answered_by_another_replica_calls_the_job_off(
        tg: FakeTelegram, gemini: FakeGemini, replicas: Callable[..., Any]) -> None:
    database = await pgserver.shared().database()
    group = await replicas(database, 2, **FAST)
    tg.route_webhook([r.backend for r in group], spread="turn")  # update by update
    status = await queued_status(tg, gemini, database)  # Bob's edit, then Ann's:
    tg.press(ANN, status, cancel_data(status))  # so the press goes to the replica Bob's went to
    await settled(tg, gemini, database, status)
    [answer] = tg.sent("answerCallbackQuery")
    assert answer.params["text"] == CANCELLED
    logs = [replica.log.read_text() for replica in group]
    # the replica holding Ann's job let it go instead of asking for it
    assert sum("called off; not asking" in log or "was called off" in log for log in logs) == 1


async def test_a_cancel_pressed_after_a_restart_calls_the_job_off(
        tg: FakeTelegram, gemini: FakeGemini, replicas: Callable[..., Any]) -> None:
    database = await pgserver.shared().database()
    [replica] = await replicas(database, 1, **FAST)
    tg.route_webhook([replica.backend])
    status = await queued_status(tg, gemini, database)
    assert await replica.stop(signal.SIGTERM) == 0  # Ann's job stays reserved, still queued
    assert ("reserved", "", False) in (await job_rows(database)).values()  # Ann's
    await replica.start()  # resumes both jobs: Bob's asks again, Ann's waits behind it
    tg.press(ANN, status, cancel_data(status))
    await settled(tg, gemini, database, status)
