"""Memory under 20 concurrent 4K edits.

The bot runs as ``python -m bot run``; 20 users each send a 4K edit at once, and the fake Gemini
answers each after 2 s with a photo-weight 4K PNG (about 17 MB, 27 MB as base64). Peak RSS is
read from /proc; the growth over the idle bot, per in-flight job, is set against the size of
one decoded 4K image (width x height x 3 bytes).

    python bench/memory_4k.py [--jobs 20]

Ends with one JSON line: {"peak_rss_mb", "idle_rss_mb", "per_job_mb", "per_job_vs_image"}.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from harness import Bot, emit, fakes

from tests.fakes.images import dimensions, make_image
from tests.fakes.telegram_server import FakeTelegram

MB = 1024 * 1024


async def measure(jobs: int, size: str = "4K") -> dict[str, Any]:
    photo = make_image(2560, 1920, "JPEG", grain=0.15)
    width, height = dimensions("4:3", size)
    async with fakes(gemini_delay=2.0) as (tg, gemini):
        gemini.grain, gemini.variants = 0.15, 1
        make_image(width, height, "PNG", grain=0.15, seed=0)  # made before the clock starts
        with tempfile.TemporaryDirectory() as tmp:
            bot = Bot(tg, gemini, Path(tmp) / "bot.sqlite3", GEMINI_MAX_CONCURRENCY=str(jobs))
            await bot.start()
            await asyncio.sleep(1.0)
            idle = bot.peak_rss_mb
            people = [FakeTelegram.user(3000 + i, f"U{i}") for i in range(jobs)]
            for person in people:
                tg.post(FakeTelegram.private(person), person, photo=photo,
                        caption=f"/edit 4:3 {size} add a hat")
            await tg.wait_for(lambda: len(tg.documents()) >= jobs, within=600)
            await bot.stop()
    decoded_mb = width * height * 3 / MB
    per_job = (bot.peak_rss_mb - idle) / jobs
    return {"peak_rss_mb": round(bot.peak_rss_mb, 1), "idle_rss_mb": round(idle, 1),
            "per_job_mb": round(per_job, 1), "decoded_image_mb": round(decoded_mb, 1),
            "per_job_vs_image": round(per_job / decoded_mb, 2),
            "in_flight_at_once": gemini.peak_in_flight}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing): "
                             "one 2K edit")
    args = parser.parse_args()
    size = "4K"
    if args.quick:
        args.jobs, size = 1, "2K"
    figures = await measure(args.jobs, size)
    print(f"{args.jobs} concurrent {size} edits ({figures['in_flight_at_once']} with the model at "
          f"once): peak RSS {figures['peak_rss_mb']:.0f} MB over {figures['idle_rss_mb']:.0f} MB "
          f"idle; {figures['per_job_mb']:.0f} MB per job = {figures['per_job_vs_image']:.2f}x "
          f"one decoded {size} image ({figures['decoded_image_mb']:.0f} MB)", flush=True)
    emit(figures)


if __name__ == "__main__":
    asyncio.run(main())
