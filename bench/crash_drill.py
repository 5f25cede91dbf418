"""Kill the bot with SIGKILL at random moments while users send edits; check nothing is lost.

The bot runs as ``python -m bot run`` against the fake Bot API and fake Gemini. Users send a
stream of edits; the bot is killed (seeded random moments) and restarted, N times. At the end
every edit a user sent must have ended exactly one way: delivered once and charged once, or
answered with an explanation and charged nothing.

    python bench/crash_drill.py [--kills 30] [--seed 7] [--users 12]

Ends with one JSON line: {"kills", "edits", "lost", "charged_twice", "delivered_twice",
"refunded_but_delivered", "charged_undelivered"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from harness import Bot, emit, fakes

from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

PHOTO = make_image(800, 600, "JPEG")
ANSWERED = ("restarted before finishing", "Nothing was charged", "nothing was charged")


def replied_to(call: Any) -> int | None:
    """The user's message a call answered: by its reply parameters, or (a status message
    turned into the result) by the message it edited."""
    reply = call.params.get("reply_parameters") or {}
    if reply:
        return reply.get("message_id")
    result = call.result if isinstance(call.result, dict) else {}
    return (result.get("reply_to_message") or {}).get("message_id")


def outcomes(tg: FakeTelegram, sent: list[tuple[int, int]]) -> dict[str, Any]:
    """Per edit the user sent: photos delivered, and whether it was answered with a reason."""
    delivered: Counter[tuple[int, int]] = Counter()
    answered: set[tuple[int, int]] = set()
    status_of: dict[tuple[int, int], int] = {}  # (chat, status message) -> the user's message
    for call in tg.calls:
        chat = call.params.get("chat_id")
        if call.method == "sendMessage" and call.result and replied_to(call):
            status_of[(chat, call.result["message_id"])] = replied_to(call)  # type: ignore[index]
        if call.method in ("sendPhoto", "editMessageMedia") and "photo" in call.files and (
                call.result and replied_to(call)):
            delivered[(chat, replied_to(call))] += 1  # type: ignore[index]
        words = str(call.params.get("text", ""))
        if any(mark in words for mark in ANSWERED):
            origin = (replied_to(call) if call.method == "sendMessage"
                      else status_of.get((chat, call.params.get("message_id"))))  # type: ignore[arg-type]
            if origin is not None:
                answered.add((chat, origin))  # type: ignore[arg-type]
    return {"delivered": delivered, "answered": answered}


def ledger(database: Path) -> dict[tuple[int, int], list[str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT request, status FROM jobs").fetchall()
    jobs: dict[tuple[int, int], list[str]] = {}
    for request, status in rows:
        origin = json.loads(request)["origin"]
        jobs.setdefault((origin["chat_id"], origin["message_id"]), []).append(status)
    return jobs


async def drill(kills: int, seed: int, users: int) -> dict[str, Any]:
    rng = random.Random(seed)
    people = [FakeTelegram.user(5000 + i, f"U{i}") for i in range(users)]
    sent: list[tuple[int, int]] = []
    async with fakes(gemini_delay=0.4) as (tg, gemini):
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "bot.sqlite3"
            settings = {"DEFAULT_DAILY_LIMIT": "100000", "GEMINI_MAX_CONCURRENCY": "8",
                        "MAX_IN_FLIGHT_PER_USER": "100"}  # every edit runs: none refused

            async def stream(until: asyncio.Event) -> None:
                while not until.is_set():
                    person = rng.choice(people)
                    message = tg.post(FakeTelegram.private(person), person, photo=PHOTO,
                                      caption=f"/edit 1K add hat #{len(sent)}")
                    sent.append((message["chat"]["id"], message["message_id"]))
                    await asyncio.sleep(rng.expovariate(1 / 0.25))

            stop = asyncio.Event()
            streaming = asyncio.create_task(stream(stop))
            for _ in range(kills):
                bot = Bot(tg, gemini, database, **settings)
                await bot.start()
                await asyncio.sleep(rng.uniform(0.2, 2.0))
                await bot.stop(signal.SIGKILL)
            stop.set()
            await streaming
            bot = Bot(tg, gemini, database, **settings)
            await bot.start()

            def settled() -> bool:
                seen = outcomes(tg, sent)
                return all(seen["delivered"][edit] or edit in seen["answered"] for edit in sent)

            for _ in range(240):  # what is still missing after two minutes counts as lost
                if settled():
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)  # anything late (a second delivery) shows up too
            await bot.stop(signal.SIGTERM)
            jobs = ledger(database)
    seen = outcomes(tg, sent)
    delivered, answered = seen["delivered"], seen["answered"]
    committed = {e: s.count("committed") for e, s in jobs.items()}
    return {
        "kills": kills, "edits": len(sent),
        "lost": sum(1 for e in sent if not delivered[e] and e not in answered),
        "charged_twice": sum(1 for e in sent if committed.get(e, 0) > 1),
        "delivered_twice": sum(1 for e in sent if delivered[e] > 1),
        "refunded_but_delivered": sum(1 for e in sent if delivered[e] and not committed.get(e)
                                      and "refunded" in jobs.get(e, [])),
        "charged_undelivered": sum(1 for e in sent if committed.get(e) and not delivered[e]),
        "still_reserved": sum(s.count("reserved") for s in jobs.values()),
        "delivered": sum(1 for e in sent if delivered[e]),
        "answered_free": sum(1 for e in sent if not delivered[e] and e in answered),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.kills, args.users = 1, 2
    figures = await drill(args.kills, args.seed, args.users)
    print(f"{figures['kills']} kills, {figures['edits']} edits: {figures['delivered']} "
          f"delivered, {figures['answered_free']} answered with a reason and not charged; "
          f"lost {figures['lost']}, charged twice {figures['charged_twice']}, delivered twice "
          f"{figures['delivered_twice']}, refunded but delivered "
          f"{figures['refunded_but_delivered']}, charged but not delivered "
          f"{figures['charged_undelivered']}", flush=True)
    emit(figures)


if __name__ == "__main__":
    asyncio.run(main())
