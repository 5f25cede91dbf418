"""A flood from a person with no credits, against the bot as a real process: large-dimension
PNGs (small on the wire, huge decoded) are neither downloaded nor decoded, the refusal is said
once, and another person's edit goes through."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import flat_png, make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]
MALLORY = FakeTelegram.user(66, "Mallory")
ANN = FakeTelegram.user(11, "Ann")
GROUP = FakeTelegram.group()


async def test_a_flood_without_credits_is_not_downloaded_nor_decoded(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root,
           "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LOG_LEVEL": "DEBUG",
           "DEFAULT_DAILY_LIMIT": "0", "BOT_ADMINS": "telegram:11", "LISTEN_PORT": "0"}
    process = await bot_process("run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        await tg.wait_for(lambda: tg.polls > 0, within=30)
        bomb = flat_png(7000, 7000)  # 49 MP: under the 50 MP cap, 196 MB decoded
        for i in range(12):
            tg.post(GROUP, MALLORY, document=tg.document(bomb, f"big{i}.png"),
                    caption=f"/edit make it pop {i}")
        tg.post(GROUP, ANN, photo=make_image(640, 480, "JPEG"), caption="/edit add a hat")
        await tg.wait_for(lambda: tg.photos(), within=30)
        await asyncio.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    logs = out.decode()
    assert process.returncode == 0, logs[-2000:]
    refusals = [t for t in tg.texts() if "used your 0 credits" in t]
    assert len(refusals) == 1  # said once; the rest dropped
    assert "repeated refusal was dropped" in logs  # ... and noted at DEBUG
    fetched = [c.params["file_id"] for c in tg.sent("getFile")]
    assert len(fetched) == 1 and not fetched[0].endswith(f"-{len(bomb)}")  # Ann's photo only
    assert len(gemini.requests) == 1
