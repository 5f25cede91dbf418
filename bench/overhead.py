"""The time the bot adds to an edit, against a lean reference bot, both as separate processes.

The bot runs as in production (``python -m bot run``); the yardstick is bench/reference_bot.py
(aiohttp: getFile -> Gemini -> sendPhoto, and at 4K the same photo preview + document the bot
sends). Each has its own fake Bot API (enforcing Telegram's flood limits); both share one fake
Gemini that answers at once with photo-weight images (about 1 MB at 1K, 17 MB at 4K). Edits
alternate A/B (then B/A), each from a new user in a private chat, and are timed from the user's
message to the moment the user has everything: the photo at 1K, the photo and the document at
4K. ``--rounds`` rounds of ``--edits`` edits per size and bot, after a warm-up.

``calls_per_edit``: the Bot API calls the bot made per 1K edit (getFile included, getUpdates
not), counted on its fake.

``cpu_ms_1k`` / ``cpu_ms_4k``: the CPU time (user + system, /proc) the bot's process used per
edit of that size, the reference's beside it: unlike the times, hardly moved by the machine's
other work. ``--profile DIR``: py-spy samples the bot through the timed rounds
(bench/profiling.py) and the costliest functions are printed per size, in ms of CPU per edit.

    python bench/overhead.py [--edits 30] [--rounds 3] [--quick] [--profile DIR]

Ends with one JSON line: {"p50_ms_1k", "p50_ms_1k_ref", "vs_ref_1k", "p50_ms_4k", "vs_ref_4k",
"calls_per_edit", "cpu_ms_1k", "cpu_ms_1k_ref", "cpu_ms_4k", "cpu_ms_4k_ref"}.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import runpy
import statistics
import tempfile
import time
from pathlib import Path

from harness import Bot, ReferenceBot, emit, percentile
from profiling import Sampler, top

from tests.fakes.flood import FloodLimits
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

PHOTO = make_image(2560, 1920, "JPEG", grain=0.15)  # Telegram keeps photos to 2560 px
USER_IDS = itertools.count(10_000)


class Side:
    """One bot and its own fake Bot API; ``calls`` counts what it asked of the API."""

    def __init__(self, name: str, tg: FakeTelegram) -> None:
        self.name, self.tg = name, tg
        self.times: dict[str, list[list[float]]] = {"1K": [], "4K": []}
        self.calls = 0
        self.cpu_s = {"1K": 0.0, "4K": 0.0}

    async def edit(self, size: str) -> float:
        tg = self.tg
        user = FakeTelegram.user(next(USER_IDS), "Ann")
        chat = user["id"]
        start = len(tg.calls)
        want = {"photo"} if size == "1K" else {"photo", "document"}

        def has_all() -> bool:
            got = {kind for c in tg.calls[start:] if c.result is not None
                   and c.params.get("chat_id") == chat for kind in ("photo", "document")
                   if kind in c.files}
            return want <= got

        begun = time.perf_counter()
        tg.post(FakeTelegram.private(user), user, photo=PHOTO, caption=f"/edit {size} add a hat")
        await tg.wait_for(has_all, within=120)
        took = (time.perf_counter() - begun) * 1000
        await asyncio.sleep(0.15)  # the bot's tail work (ledger) stays out of the next edit
        return took

    def forget(self, count: bool) -> None:
        """Count and drop the recorded calls (their uploads would fill the memory)."""
        tg = self.tg
        if count:
            self.calls += sum(1 for c in tg.calls if c.method != "getUpdates")
        tg.calls.clear()
        tg.files = {k: v for k, v in tg.files.items() if v is PHOTO}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=30, help="per size, bot and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    parser.add_argument("--metrics-only", action="store_true",
                        help="only the cost of the metrics, with and without (metrics_overhead.py)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample the bot with py-spy, one file per size in DIR")
    args, _ = parser.parse_known_args()
    if args.metrics_only:
        runpy.run_path(str(Path(__file__).with_name("metrics_overhead.py")), run_name="__main__")
        return
    if args.quick:
        args.edits, args.rounds = 1, 1
    gemini = FakeGemini()
    gemini.grain, gemini.variants = 0.15, 1
    await gemini.start()
    fakes = [FakeTelegram(), FakeTelegram()]
    for tg in fakes:
        tg.enforce_flood_limits(FloodLimits())
        await tg.start()
    with tempfile.TemporaryDirectory() as tmp:
        bot = Bot(fakes[0], gemini, Path(tmp) / "bot.sqlite3", DEFAULT_DAILY_LIMIT="1000000")
        ref = ReferenceBot(fakes[1], gemini)
        ours, theirs = Side("bot", fakes[0]), Side("reference", fakes[1])
        await bot.start()
        await ref.start()
        try:
            warm_up = ("1K",) if args.quick else ("1K", "4K", "1K")
            for side in (ours, theirs):
                for size in warm_up:
                    await side.edit(size)
                side.forget(count=False)
            for round_no in range(args.rounds):
                for size in ("1K", "4K"):
                    sampler = None
                    if args.profile is not None and bot.process is not None:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        sampler = Sampler(bot.process.pid,
                                          args.profile / f"overhead-{size}-{round_no}.txt")
                        await sampler.start()
                    cpu = {side.name: process.cpu_s()
                           for side, process in ((ours, bot), (theirs, ref))}
                    for side in (ours, theirs):
                        side.times[size].append([])
                    for i in range(args.edits):
                        pair = (ours, theirs) if i % 2 == 0 else (theirs, ours)
                        for side in pair:
                            side.times[size][-1].append(await side.edit(size))
                    used = {side.name: process.cpu_s() - cpu[side.name]
                            for side, process in ((ours, bot), (theirs, ref))}
                    for side in (ours, theirs):
                        side.cpu_s[size] += used[side.name]
                    if sampler is not None:
                        await sampler.stop()
                        print(top(sampler.out, 1000 * used["bot"] / args.edits), flush=True)
                    for side in (ours, theirs):
                        side.forget(count=size == "1K")
                    print(f"round {round_no + 1} {size}: bot p50 "
                          f"{statistics.median(ours.times[size][-1]):.0f} ms, reference p50 "
                          f"{statistics.median(theirs.times[size][-1]):.0f} ms", flush=True)
        finally:
            await bot.stop()
            await ref.stop()
            for tg in fakes:
                await tg.stop()
            await gemini.stop()
    figures: dict[str, float] = {}
    for size in ("1K", "4K"):
        a = [t for run in ours.times[size] for t in run]
        b = [t for run in theirs.times[size] for t in run]
        p50, p50_ref = statistics.median(a), statistics.median(b)
        print(f"{size}: bot p50 {p50:.0f} ms p95 {percentile(a, 95):.0f} ms; reference p50 "
              f"{p50_ref:.0f} ms p95 {percentile(b, 95):.0f} ms; ratio {p50 / p50_ref:.2f} "
              f"({len(a)} edits each)")
        key = size.lower()
        figures[f"p50_ms_{key}"] = round(p50, 1)
        if size == "1K":
            figures["p50_ms_1k_ref"] = round(p50_ref, 1)
        figures[f"vs_ref_{key}"] = round(p50 / p50_ref, 2)
    edits_1k = args.edits * args.rounds
    print(f"Bot API calls per 1K edit: bot {ours.calls / edits_1k:.2f}, reference "
          f"{theirs.calls / edits_1k:.2f}; 429s: bot {fakes[0].flood_429s}, reference "
          f"{fakes[1].flood_429s}")
    figures["calls_per_edit"] = round(ours.calls / edits_1k, 2)
    for size in ("1K", "4K"):
        mine, yours = (1000 * side.cpu_s[size] / edits_1k for side in (ours, theirs))
        print(f"CPU per {size} edit: bot {mine:.1f} ms, reference {yours:.1f} ms", flush=True)
        figures[f"cpu_ms_{size.lower()}"] = round(mine, 1)
        figures[f"cpu_ms_{size.lower()}_ref"] = round(yours, 1)
    emit(figures)


if __name__ == "__main__":
    asyncio.run(main())
