"""200 users send an edit at once; the model takes 2 s for each.

With GEMINI_MAX_CONCURRENCY=256 all should finish in about 2 s; with the default (16) they
queue, see their position, and are served in the order they asked.

    python bench/crowd.py [--users 200] [--model-s 2]

Ends with one JSON line: {"ratio_to_ideal", "peak_rss_mb", "default_concurrency_s", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import Bot, emit, fakes

from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram


async def crowd(users: int, model_s: float, concurrency: int | None) -> dict[str, Any]:
    settings = {"GEMINI_MAX_CONCURRENCY": str(concurrency)} if concurrency else {}
    photo = make_image(1024, 768, "JPEG")
    async with fakes(gemini_delay=model_s) as (tg, gemini):
        with tempfile.TemporaryDirectory() as tmp:
            bot = Bot(tg, gemini, Path(tmp) / "bot.sqlite3", **settings)
            await bot.start()
            people = [FakeTelegram.user(1000 + i, f"U{i}") for i in range(users)]
            started = time.perf_counter()
            for person in people:
                tg.post(FakeTelegram.private(person), person, photo=photo,
                        caption="/edit 1K add a hat")
            await tg.wait_for(lambda: len(tg.sent("sendPhoto")) >= users, within=600)
            wall = time.perf_counter() - started
            await bot.stop()
    order = [c.params["chat_id"] for c in tg.sent("sendPhoto")]
    asked = [p["id"] for p in people]
    displacement = max(abs(order.index(u) - asked.index(u)) for u in asked)
    queued = {c.params["chat_id"] for c in tg.sent("sendMessage", "editMessageText")
              if str(c.params.get("text", "")).startswith("Queued: #")}
    return {"wall_s": wall, "peak_rss_mb": bot.peak_rss_mb, "peak_in_flight":
            gemini.peak_in_flight, "max_displacement": displacement,
            "saw_position": len(queued)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--model-s", type=float, default=2.0)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.users, args.model_s = 4, 0.2
    wide = await crowd(args.users, args.model_s, 256)
    print(f"{args.users} users, GEMINI_MAX_CONCURRENCY=256: all delivered in "
          f"{wide['wall_s']:.2f} s (ideal {args.model_s:.2f} s, "
          f"{wide['wall_s'] / args.model_s:.2f}x); peak RSS {wide['peak_rss_mb']:.0f} MB; "
          f"{wide['peak_in_flight']} calls in flight at once")
    narrow = await crowd(args.users, args.model_s, None)
    print(f"{args.users} users, default concurrency (16): {narrow['wall_s']:.2f} s "
          f"(ideal {args.users / 16 * args.model_s:.1f} s); {narrow['saw_position']} users "
          f"saw their queue position; delivery order within {narrow['max_displacement']} "
          f"places of the asking order; peak RSS {narrow['peak_rss_mb']:.0f} MB")
    emit({"ratio_to_ideal": round(wide["wall_s"] / args.model_s, 3),
          "peak_rss_mb": round(wide["peak_rss_mb"], 1),
          "default_concurrency_s": round(narrow["wall_s"], 2),
          "queue_positions_shown": narrow["saw_position"],
          "max_order_displacement": narrow["max_displacement"]})


if __name__ == "__main__":
    asyncio.run(main())
