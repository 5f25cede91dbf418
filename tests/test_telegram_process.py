"""The bot as a real process (``python -m bot``): crash safety, clean shutdown, no token in logs."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.ledger import QuotaLedger
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import launch, telegram_env

ANN = FakeTelegram.user(11, "Ann")
GROUP = FakeTelegram.group()


class BotProcess:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.process: asyncio.subprocess.Process | None = None
        self.logs = ""

    async def start(self, tg: FakeTelegram) -> None:
        polls = tg.polls
        self.process = await launch(self.env, self.cwd)
        await tg.wait_for(lambda: tg.polls > polls, within=20)

    async def end(self, sig: int) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        out, _ = await asyncio.wait_for(self.process.communicate(), 20)
        self.logs += out.decode()
        assert self.process.returncode is not None
        return self.process.returncode


@pytest.fixture
async def bot_process(tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path
                      ) -> AsyncIterator[Callable[[], BotProcess]]:
    env = telegram_env(tg, gemini, tmp_path, LOG_LEVEL="DEBUG")
    made: list[BotProcess] = []

    def make() -> BotProcess:
        made.append(BotProcess(env, tmp_path))
        return made[-1]

    yield make
    for bot in made:
        if bot.process and bot.process.returncode is None:
            await bot.end(signal.SIGKILL)
    logs = "".join(bot.logs for bot in made)
    assert tg.token not in logs and tg.token.split(":")[1] not in logs
    assert gemini.key not in logs
    replies = " ".join(str(c.params) for c in tg.calls)
    assert tg.token not in replies and gemini.key not in replies


async def used_today(tmp_path: Path) -> int:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    ledger = QuotaLedger.open(f"sqlite:///{tmp_path}/bot.sqlite3", default_limit=10,
                              timezone=ZoneInfo("UTC"), clock=lambda: datetime.now(UTC))
    try:
        status = await ledger.status(actor="telegram:11", scope="telegram:group:-100123")
        return status.used + status.reserved  # charged or held
    finally:
        await ledger.close()


async def killed_mid_edit(tg: FakeTelegram, gemini: FakeGemini,
                          bot_process: Callable[[], BotProcess], caption: str) -> None:
    """Ann's edit, its bot killed (SIGKILL) while the model works: nothing was sent."""
    first = bot_process()
    await first.start(tg)
    gemini.delay = 60
    tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG"), caption=caption)
    await tg.wait_for(lambda: gemini.requests, within=20)
    assert await first.end(signal.SIGKILL) == -signal.SIGKILL
    assert not tg.photos()
    gemini.delay = 0


async def test_kill_9_mid_edit_is_finished_after_restart(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess],
        tmp_path: Path) -> None:
    await killed_mid_edit(tg, gemini, bot_process, "/edit 16:9 add a llama")
    second = bot_process()
    await second.start(tg)
    [photo] = await tg.wait_for(lambda: tg.photos(), within=20)
    assert photo.result["reply_to_message"]["message_id"] == 100
    assert "9 credits left today" in photo.params["caption"]
    assert await second.end(signal.SIGTERM) == 0
    assert len(tg.photos()) == 1 and len(gemini.requests) == 2
    assert await used_today(tmp_path) == 1  # charged once

    third = bot_process()  # nothing is left to resume: no second delivery, no second charge
    await third.start(tg)
    assert await third.end(signal.SIGTERM) == 0
    assert len(tg.photos()) == 1 and await used_today(tmp_path) == 1


async def test_a_job_that_cannot_be_finished_is_refunded_and_told(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess],
        tmp_path: Path) -> None:
    await killed_mid_edit(tg, gemini, bot_process, "/edit add a llama")
    tg.files.clear()  # the photo can no longer be downloaded

    second = bot_process()
    await second.start(tg)
    await tg.wait_for(lambda: any("restarted before finishing" in t for t in tg.texts()),
                      within=20)
    assert await second.end(signal.SIGTERM) == 0
    assert not tg.photos() and await used_today(tmp_path) == 0


async def test_sigterm_gives_running_edits_a_grace_period(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess],
        tmp_path: Path) -> None:
    bot = bot_process()
    await bot.start(tg)
    gemini.delay = 1.0
    tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG"), caption="/edit add a llama")
    await tg.wait_for(lambda: gemini.requests, within=20)
    assert await bot.end(signal.SIGTERM) == 0
    assert len(tg.photos()) == 1 and await used_today(tmp_path) == 1
    assert "[REDACTED]" in bot.logs  # DEBUG logs carry Bot API URLs, redacted


async def test_sigterm_with_a_long_edit_running_stops_within_8_s_and_resumes_it(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess],
        tmp_path: Path) -> None:
    """``docker stop`` sends SIGTERM and kills 10 s later: the bot is gone well before, the
    interrupted user is told nothing wrong, and the next start delivers the edit."""
    first = bot_process()
    await first.start(tg)
    gemini.delay = 40
    tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG"), caption="/edit add a llama")
    await tg.wait_for(lambda: gemini.requests, within=20)
    said = tg.texts()
    asked = time.monotonic()
    assert await first.end(signal.SIGTERM) == 0
    assert time.monotonic() - asked < 8
    assert tg.texts() == said and not tg.photos()  # no error, nothing more at all
    assert "job 1 interrupted; it stays reserved" in first.logs

    gemini.delay = 0
    second = bot_process()
    await second.start(tg)
    [photo] = await tg.wait_for(lambda: tg.photos(), within=20)
    assert photo.result["reply_to_message"]["message_id"] == 100
    assert "9 credits left today" in photo.params["caption"]
    assert await second.end(signal.SIGTERM) == 0
    assert await used_today(tmp_path) == 1
    assert not [t for t in tg.texts() if "wrong" in t.lower() or "sorry" in t.lower()]


async def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess],
        tmp_path: Path) -> None:
    """It used to "resume" the first one's job in flight: two Gemini calls, two photos."""
    first = bot_process()
    await first.start(tg)
    gemini.delay = 3
    tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG"), caption="/edit add a llama")
    await tg.wait_for(lambda: gemini.requests, within=20)
    second = await launch(first.env, first.cwd)
    out, _ = await asyncio.wait_for(second.communicate(), 30)
    lines = [line for line in out.decode().splitlines() if "another process" in line]
    assert second.returncode == 2 and len(lines) == 1 and "DATABASE_URL" in lines[0]
    await tg.wait_for(lambda: tg.photos(), within=20)
    assert await first.end(signal.SIGTERM) == 0
    assert len(gemini.requests) == 1 and len(tg.photos()) == 1
    assert await used_today(tmp_path) == 1


async def test_two_processes_on_postgresql_never_do_the_same_job_twice(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess]) -> None:
    """PostgreSQL takes several processes: the second starts, and leaves the first's job in
    flight alone (its lease is alive)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from tests import pgserver

    url = await pgserver.shared().database()
    first = bot_process()
    first.env["DATABASE_URL"] = url  # the fixture's processes share this environment
    await first.start(tg)
    gemini.delay = 4
    tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG"), caption="/edit add a llama")
    await tg.wait_for(lambda: gemini.requests, within=20)
    second = bot_process()
    await second.start(tg)
    await tg.wait_for(lambda: tg.photos(), within=20)
    assert await first.end(signal.SIGTERM) == 0 and await second.end(signal.SIGTERM) == 0
    assert len(gemini.requests) == 1 and len(tg.photos()) == 1
    ledger = QuotaLedger.open(url, default_limit=10, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    try:
        status = await ledger.status(actor="telegram:11", scope="telegram:group:-100123")
        assert (status.used, status.reserved) == (1, 0)
    finally:
        await ledger.close()


async def test_a_kill_while_the_result_goes_into_the_status_delivers_it_again_and_charges(
        tg: FakeTelegram, gemini: FakeGemini, bot_process: Callable[[], BotProcess],
        tmp_path: Path) -> None:
    """The result reached Telegram (the status message became the photo), then the bot died
    before writing the charge. Putting the result into that message again shows it once:
    the next start does so and charges it, rather than refunding a delivered edit."""
    import sqlite3

    chat = FakeTelegram.private(ANN)
    first = bot_process()
    await first.start(tg)
    tg.answer_after["editMessageMedia"] = 60  # done at Telegram; its answer never comes back
    tg.post(chat, ANN, photo=make_image(640, 480, "JPEG"), caption="/edit 1K add a llama")
    [shown] = await tg.wait_for(lambda: [c for c in tg.sent("editMessageMedia") if c.result])
    assert await first.end(signal.SIGKILL) == -signal.SIGKILL

    tg.answer_after.clear()
    second = bot_process()
    await second.start(tg)
    await tg.wait_for(lambda: len([c for c in tg.sent("editMessageMedia") if c.result]) == 2,
                      within=20)
    assert await second.end(signal.SIGTERM) == 0
    again = tg.sent("editMessageMedia")[-1]
    assert again.params["message_id"] == shown.params["message_id"]  # the same message
    assert tg.sent("sendPhoto") == [] and len(gemini.requests) == 1  # its kept result
    assert not [t for t in tg.texts(chat["id"]) if "restarted" in t]
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        assert db.execute("SELECT status FROM jobs").fetchall() == [("committed",)]
