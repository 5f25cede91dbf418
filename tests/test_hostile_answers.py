"""A broken or hostile model gateway cannot take the bot's memory: the bot as a real process
(``python -m bot run``) against answers of 200 MB, a 12000x12000 PNG (small on the wire, 576 MB
decoded), and 50 image parts, each in a fresh process whose peak RSS (VmHWM) is read before it
stops. The first two are refused, refunded and explained; of the third only the image used is
kept for the conversation."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import launch, telegram_env

ANN = FakeTelegram.user(11, "Ann")
CHAT = FakeTelegram.private(ANN)
PHOTO = make_image(640, 480, "JPEG")
PEAK_RSS_MB = 300
UNUSABLE = ("The image service sent back something unusable. Please try again; nothing was "
            "charged.")


def huge_png(side: int) -> bytes:
    """A ``side`` x ``side`` grey PNG, compressed row by row (never whole in memory here)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    packer, row = zlib.compressobj(9), b"\x00" + b"\x80" * side
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


async def edit_once(tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path,
                    done: Any) -> tuple[float, list[str]]:
    """One edit by a fresh bot process; its peak RSS and the rows of its jobs' statuses."""
    env = telegram_env(tg, gemini, tmp_path)
    process = await launch(env, tmp_path, fresh=True)  # its memory is measured
    try:
        polls = tg.polls
        await tg.wait_for(lambda: tg.polls > polls, within=30)
        tg.post(CHAT, ANN, photo=PHOTO, caption="/edit add a hat")
        await tg.wait_for(done, within=60)
        await asyncio.sleep(0.5)  # the job's end is written after what the user saw
        peak = peak_rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM jobs ORDER BY id")]
    assert process.returncode == 0, out.decode()[-2000:]
    return peak, statuses


async def test_a_200_mb_answer_is_refused_as_it_comes(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    gemini.push(Fault.huge(200))
    peak, statuses = await edit_once(tg, gemini, tmp_path,
                                     lambda: UNUSABLE in tg.texts(CHAT["id"]))
    assert peak < PEAK_RSS_MB, f"peak RSS {peak:.0f} MB"
    assert statuses == ["refunded"] and tg.photos() == []


async def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    gemini.image = huge_png(12000)  # 144 MP
    peak, statuses = await edit_once(tg, gemini, tmp_path,
                                     lambda: UNUSABLE in tg.texts(CHAT["id"]))
    assert peak < PEAK_RSS_MB, f"peak RSS {peak:.0f} MB"
    assert statuses == ["refunded"] and tg.photos() == []


async def test_of_50_image_parts_only_the_one_used_is_kept(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    gemini.push(Fault.many_images(50))
    peak, statuses = await edit_once(tg, gemini, tmp_path, lambda: tg.photos(CHAT["id"]))
    assert peak < PEAK_RSS_MB, f"peak RSS {peak:.0f} MB"
    assert statuses == ["committed"]
    answer = gemini.answers[0]["candidates"][0]["content"]["parts"]
    assert sum("inlineData" in part for part in answer) == 50
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        [(model_parts,)] = db.execute("SELECT model_parts FROM turns").fetchall()
    kept = json.loads(model_parts)
    [image] = [part for part in kept if "inlineData" in part]  # the one sent, its bytes in a
    assert image["thoughtSignature"] == answer[-1]["thoughtSignature"]  # file beside SQLite
    assert [part for part in kept if "text" in part] == [answer[0]]
