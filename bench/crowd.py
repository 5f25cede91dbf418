"""A crowd: 200 users send an edit at once; the model takes 2 s for each.

Everything runs against a fake Bot API that enforces Telegram's flood limits. The yardstick is
the lean reference bot (bench/reference_bot.py) on the same crowd: its time, not the model's
2 s, is what the bot is held to. Runs, each with fresh fakes and a fresh database:

1. the bot (``python -m bot run``) at GEMINI_MAX_CONCURRENCY=256, users in private chats: the
   timed run (time, CPU, Bot API calls, peak RSS);
2. the reference bot on the same crowd;
3. the bot at its default settings, users in private chats;
4. the bot at its default settings, all users in one group. Telegram allows 20 messages a
   minute in a group, so 200 results take ten minutes there; this run has the fake and the bot
   keep the limits' clock 20 times faster (TELEGRAM_FLOOD_WINDOW_SCALE=0.05).

A user counts as delivered when a photo answering their message reached the chat.

    python bench/crowd.py [--users 200] [--model-s 2] [--quick] [--profile DIR]

``--profile DIR``: py-spy samples the bot in runs 1 and 3 (bench/profiling.py); the costliest
functions are printed, in ms of CPU per edit, and the samples left in DIR.

Ends with one JSON line: {"crowd_s", "crowd_s_ref", "vs_ref", "cpu_ms_per_edit",
"cpu_ms_per_edit_default", "flood_429s", "delivered_users", "peak_rss_mb"}: flood_429s counts
the 429s the bot received in runs 1, 3 and 4; delivered_users is the fewest distinct users
delivered in any of them; cpu_ms_per_edit is run 1's, cpu_ms_per_edit_default run 3's.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import Bot, ReferenceBot, emit, fakes
from profiling import Sampler, top

from tests.fakes.flood import FloodLimits
from tests.fakes.images import make_image
from tests.fakes.telegram_server import Call, FakeTelegram

PHOTO = make_image(1024, 768, "JPEG")
GROUP = FakeTelegram.group(-100555, "Crowd")
GROUP_SCALE = 0.05


def delivered_to(call: Call) -> int | None:
    """The user's message a delivered photo answers (None if the call delivered none)."""
    if call.result is None or "photo" not in call.files:
        return None
    reply = call.params.get("reply_parameters") or {}
    return reply.get("message_id") or (call.result.get("reply_to_message") or {}).get(
        "message_id")


async def crowd(users: int, model_s: float, *, reference: bool = False, group: bool = False,
                concurrency: int | None = None, profile: Path | None = None,
                ) -> dict[str, Any]:
    scale = GROUP_SCALE if group else 1.0
    settings = {"DEFAULT_DAILY_LIMIT": "1000", "TELEGRAM_FLOOD_WINDOW_SCALE": str(scale)}
    if concurrency:
        settings["GEMINI_MAX_CONCURRENCY"] = str(concurrency)
    async with fakes(gemini_delay=model_s, flood=FloodLimits().scaled(scale)) as (tg, gemini):
        with tempfile.TemporaryDirectory() as tmp:
            bot = (ReferenceBot(tg, gemini) if reference
                   else Bot(tg, gemini, Path(tmp) / "bot.sqlite3", **settings))
            await bot.start()
            await asyncio.sleep(0.5)  # startup calls settle
            sampler = None
            if profile is not None and bot.process is not None:
                sampler = Sampler(bot.process.pid, profile)
                await sampler.start()
            people = [FakeTelegram.user(1000 + i, f"U{i}") for i in range(users)]
            first_call = len(tg.calls)
            cpu_before = bot.cpu_s()
            started = time.perf_counter()
            asked: dict[int, int] = {}  # message id -> user id
            for person in people:
                chat = GROUP if group else FakeTelegram.private(person)
                message = tg.post(chat, person, photo=PHOTO, caption="/edit 1K add a hat")
                asked[message["message_id"] + (0 if group else person["id"] << 20)] = (
                    person["id"])
            got: set[int] = set()
            seen = first_call
            deadline = started + 900
            while len(got) < users and time.perf_counter() < deadline:
                await asyncio.sleep(0.02)
                for call in tg.calls[seen:]:
                    message_id = delivered_to(call)
                    if message_id is not None:
                        chat_id = int(call.params.get("chat_id", 0))
                        key = message_id + (0 if group else chat_id << 20)
                        if key in asked:
                            got.add(asked[key])
                        call.files.clear()  # keep the bench's memory flat
                seen = len(tg.calls)
            wall = time.perf_counter() - started
            cpu = bot.cpu_s() - cpu_before
            if sampler is not None:
                await sampler.stop()
            await asyncio.sleep(0.5)
            calls = sum(1 for c in tg.calls[first_call:] if c.method != "getUpdates")
            await bot.stop()
    return {"wall_s": wall, "cpu_s": cpu, "delivered": len(got), "calls": calls,
            "flood_429s": tg.flood_429s, "peak_rss_mb": bot.peak_rss_mb}


def line(name: str, run: dict[str, Any], users: int) -> str:
    return (f"{name}: {run['delivered']}/{users} users delivered in {run['wall_s']:.2f} s; "
            f"CPU {run['cpu_s']:.2f} s ({run['cpu_s'] / users * 1000:.1f} ms per edit); "
            f"{run['calls']} Bot API calls; {run['flood_429s']} 429s; peak RSS "
            f"{run['peak_rss_mb']:.0f} MB")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--model-s", type=float, default=2.0)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample the bot with py-spy in runs 1 and 3; samples go in DIR")
    parser.add_argument("--wide-only", action="store_true",
                        help="run 1 alone (its CPU per edit; for a quick A/B or a profile)")
    parser.add_argument("--default-only", action="store_true",
                        help="run 3 alone (the default settings' CPU per edit, likewise)")
    args = parser.parse_args()
    if args.quick:
        args.users, args.model_s = 4, 0.2
    n, model = args.users, args.model_s
    samples = None
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        samples = (args.profile / "crowd-256.txt", args.profile / "crowd-default.txt")
    if args.default_only:
        default = await crowd(n, model, profile=samples and samples[1])
        print(line("bot, default settings, private chats", default, n), flush=True)
        if samples:
            print(top(samples[1], default["cpu_s"] / n * 1000), flush=True)
        emit({"cpu_ms_per_edit_default": round(default["cpu_s"] / n * 1000, 1),
              "flood_429s": default["flood_429s"], "delivered_users": default["delivered"]})
        return
    wide = await crowd(n, model, concurrency=256, profile=samples and samples[0])
    print(line("bot, GEMINI_MAX_CONCURRENCY=256, private chats", wide, n), flush=True)
    if samples:
        print(top(samples[0], wide["cpu_s"] / n * 1000), flush=True)
    if args.wide_only:
        emit({"crowd_s": round(wide["wall_s"], 2),
              "cpu_ms_per_edit": round(wide["cpu_s"] / n * 1000, 1),
              "flood_429s": wide["flood_429s"], "delivered_users": wide["delivered"],
              "peak_rss_mb": round(wide["peak_rss_mb"], 1)})
        return
    ref = await crowd(n, model, reference=True)
    print(line("reference bot, private chats", ref, n), flush=True)
    default = await crowd(n, model, profile=samples and samples[1])
    print(line("bot, default settings, private chats", default, n), flush=True)
    if samples:
        print(top(samples[1], default["cpu_s"] / n * 1000), flush=True)
    grouped = await crowd(n, model, group=True)
    print(line(f"bot, default settings, one group (limits' clock x{1 / GROUP_SCALE:.0f})",
               grouped, n), flush=True)
    runs = (wide, default, grouped)
    emit({"crowd_s": round(wide["wall_s"], 2), "crowd_s_ref": round(ref["wall_s"], 2),
          "vs_ref": round(wide["wall_s"] / ref["wall_s"], 2),
          "cpu_ms_per_edit": round(wide["cpu_s"] / n * 1000, 1),
          "cpu_ms_per_edit_default": round(default["cpu_s"] / n * 1000, 1),
          "flood_429s": sum(r["flood_429s"] for r in runs),
          "delivered_users": min(r["delivered"] for r in runs),
          "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1)})


if __name__ == "__main__":
    asyncio.run(main())
