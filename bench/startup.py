"""Time from process start to the first getUpdates poll, against the loopback fakes.

    python bench/startup.py [--runs 5]

Ends with one JSON line: {"startup_s": <median>, "startup_s_max": ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from harness import Bot, emit, fakes


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    times = []
    async with fakes() as (tg, gemini):
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                bot = Bot(tg, gemini, Path(tmp) / "bot.sqlite3")
                seconds = await bot.start()
                await bot.stop()
                times.append(seconds)
                print(f"run {run + 1}: {seconds:.3f} s to the first getUpdates"
                      + (" (fresh database: migrations ran)" if run == 0 else ""))
    print(f"median {statistics.median(times):.3f} s, max {max(times):.3f} s")
    emit({"startup_s": round(statistics.median(times), 3), "startup_s_max": round(max(times), 3)})


if __name__ == "__main__":
    asyncio.run(main())
