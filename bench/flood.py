"""A flood from a person with no credits: 40 PNG documents of 7000x7000 (about 160 KB each on
the wire, 196 MB each once decoded) sent at once to a group, while another member edits.

The bot runs as ``python -m bot run``. First the other member's edit is timed on a quiet bot
(the median of a few); then the flood is sent and the same edit is timed again right behind it.
The bot's RSS is sampled from /proc every 20 ms; its growth is the peak during the flood over
the RSS just before it. Targets: growth < 100 MB, the edit within 2x its quiet latency.

    python bench/flood.py [--images 40] [--credits 0]

With ``--credits N`` the flooding member has N credits: the flood checks then let at most
MAX_IN_FLIGHT_PER_USER (2) of the images through at once, decoded within DECODE_MEMORY_MB.

Ends with one JSON line: {"rss_growth_mb", "quiet_edit_s", "flood_edit_s", "edit_ratio",
"files_fetched", "refusals_sent", "flood_cpu_s"}.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness import Bot, emit, fakes

from bot.ledger import QuotaLedger
from tests.fakes.images import flat_png, make_image
from tests.fakes.telegram_server import FakeTelegram

GROUP = FakeTelegram.group()
MALLORY = FakeTelegram.user(66, "Mallory")
ANN = FakeTelegram.user(11, "Ann")


def _proc(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


async def _credits(database: Path, credits: int) -> None:
    ledger = QuotaLedger.open(f"sqlite:///{database}", default_limit=10,
                              timezone=ZoneInfo("UTC"), clock=lambda: datetime.now(UTC))
    try:
        await ledger.migrate()
        await ledger.set_limit(scope="telegram:group:-100123", kind="member",
                               member="telegram:66", per_day=credits, by="bench")
    finally:
        await ledger.close()


async def _edit(tg: FakeTelegram, photo: bytes, n: int) -> float:
    """Ann's edit, from her message to the result."""
    started = time.perf_counter()
    before = len(tg.photos(chat_id=GROUP["id"]))
    tg.post(GROUP, ANN, photo=photo, caption=f"/edit add a hat {n}")
    await tg.wait_for(lambda: len(tg.photos(chat_id=GROUP["id"])) > before,
                      within=600)
    return time.perf_counter() - started


async def measure(images: int, credits: int, quiet_edits: int = 5) -> dict[str, Any]:
    photo = make_image(1024, 768, "JPEG")
    bomb = flat_png(7000, 7000)
    async with fakes() as (tg, gemini):
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "bot.sqlite3"
            await _credits(database, credits)
            bot = Bot(tg, gemini, database)
            await bot.start()
            assert bot.process is not None
            pid = bot.process.pid
            quiet = statistics.median([await _edit(tg, photo, n) for n in range(quiet_edits)])
            await asyncio.sleep(0.5)
            rss_before = _proc(pid, "VmRSS:")
            cpu_before = _cpu_s(pid)
            peak = rss_before
            sampling = True

            async def sample() -> None:
                nonlocal peak
                while sampling:
                    peak = max(peak, _proc(pid, "VmRSS:"))
                    await asyncio.sleep(0.02)

            sampler = asyncio.create_task(sample())
            fetched_before = len(tg.sent("getFile"))
            for i in range(images):
                tg.post(GROUP, MALLORY, document=tg.document(bomb, f"big{i}.png"),
                        caption=f"/edit make it pop {i}")
            flood = await _edit(tg, photo, 99)
            # every flood message handled: the bot has answered what came after them, and
            # the edits that were let through are delivered
            tg.post(GROUP, ANN, text="/help")
            await tg.wait_for(lambda: any("/imagine [RATIO]" in t for t in tg.texts()),
                              within=600)
            await tg.wait_for(lambda: len(gemini.requests) >= quiet_edits + 1 + min(credits, 2),
                              within=600)
            await asyncio.sleep(1.0)
            sampling = False
            await sampler
            cpu = _cpu_s(pid) - cpu_before
            await bot.stop()
    fetched = len(tg.sent("getFile")) - fetched_before
    refusals = len([c for c in tg.sent("sendMessage") if "used your" in c.params["text"]
                    or "One at a time" in c.params["text"]])
    return {"rss_growth_mb": round((peak - rss_before) / 1024, 1),
            "rss_before_mb": round(rss_before / 1024, 1), "quiet_edit_s": round(quiet, 3),
            "flood_edit_s": round(flood, 3), "edit_ratio": round(flood / quiet, 2),
            "files_fetched": fetched, "refusals_sent": refusals, "flood_cpu_s": round(cpu, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--credits", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    quiet_edits = 5  # the quiet latency is their median
    if args.quick:
        args.images, quiet_edits = 2, 1
    figures = await measure(args.images, args.credits, quiet_edits)
    print(f"{args.images} PNGs of 7000x7000 from a member with {args.credits} credits: RSS "
          f"{figures['rss_before_mb']:.0f} MB -> +{figures['rss_growth_mb']:.1f} MB at peak "
          f"(target < 100); another member's edit {figures['flood_edit_s']:.2f} s vs "
          f"{figures['quiet_edit_s']:.2f} s quiet ({figures['edit_ratio']:.2f}x, target <= 2); "
          f"{figures['files_fetched']} files fetched (1 is the other member's photo), "
          f"{figures['refusals_sent']} refusal(s) sent, {figures['flood_cpu_s']:.2f} s of CPU")
    emit(figures)


if __name__ == "__main__":
    asyncio.run(main())
