"""Kill the bot with SIGKILL at random moments while users send edits; check nothing is lost.

The bot runs as ``python -m bot run`` against the fake Bot API and fake Gemini. Users send a
stream of edits; the bot is killed (seeded random moments) and restarted, N times. At the end
every edit a user sent must have ended exactly one way: delivered once and charged once, or
answered with an explanation and charged nothing.

    python bench/crash_drill.py [--kills 30] [--seed 7] [--users 12]
    python bench/crash_drill.py --replicas 3 --pg [--kills 30] [--url postgresql://...]

``--replicas N --pg``: N replicas in webhook mode on one PostgreSQL ledger (a throwaway server,
tests/pgserver.py, or the empty database ``--url`` names) behind the fake Bot API, which
spreads the updates across them; random replicas are killed and restarted while the others run
on, and a dead replica's jobs are taken over by a live one once their lease expires (about
30 s; 5 s with --quick, EDITBOT_JOB_LEASE_S).

Both modes count "paid_twice_upstream": edits the fake Gemini answered (and so was paid for)
more than once. A result is kept in the ledger as soon as it arrives, and a job resumed with it
is never asked for again; what no design avoids is a kill in the moment between the model's
answer and that write (the answer travelling, parsed, stored). "paid_twice_unexplained" counts
the second payments with no SIGKILL in that moment around the first answer (from NOTICE_S
before it: the fake notices a dead client only when its loop gets to it, so it may still count
an answer the killed bot never read; to KEEP_WINDOW_S after it, tests/replicas.py): those that
window does not explain.

People also buy credits all along (CREDIT_PACKS, Telegram Stars): /buy, then the payment,
whose pre-checkout the bot must answer within Telegram's 10 s. Every payment Telegram completed
must be credited exactly once, however the kills fall: "purchases_lost" counts payments with no
credit in the ledger at the end, "purchases_credited_twice" those credited more than once (a
kill between a payment and its credit is caught up at the next start from the bot's Star
transactions, or by the webhook's redelivery).

Ends with one JSON line: {"kills", "edits", "lost", "charged_twice", "delivered_twice",
"refunded_but_delivered", "refunded_but_delivered_new_message", "charged_undelivered",
"purchases", "purchases_lost", "purchases_credited_twice", ...}: a delivery that put the result
into the edit's status message (editMessageMedia) is done again after a kill and charged, so
"refunded_but_delivered" counts those that were refunded anyway; one that sent the result as a
new message cannot be done again without a second copy, and is refunded and counted apart, as
"refunded_but_delivered_new_message".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from harness import Bot, emit, fakes

from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.replicas import Replica, ledger_jobs, paid_twice

PHOTO = make_image(800, 600, "JPEG")
PACKS = "10:50,50:200"
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
    shown: dict[tuple[int, int], set[int]] = {}  # the messages showing each edit's result
    resent: set[tuple[int, int]] = set()  # edits whose result came as a new message
    answered: set[tuple[int, int]] = set()
    status_of: dict[tuple[int, int], int] = {}  # (chat, status message) -> the user's message
    for call in tg.calls:
        chat = call.params.get("chat_id")
        if call.method == "sendMessage" and call.result and replied_to(call):
            status_of[(chat, call.result["message_id"])] = replied_to(call)  # type: ignore[index]
        if call.method in ("sendPhoto", "editMessageMedia") and "photo" in call.files and (
                call.result and replied_to(call)):
            edit = (chat, replied_to(call))
            # a status message edited into the result again is still one result shown
            shown.setdefault(edit, set()).add(call.result["message_id"])  # type: ignore[arg-type]
            if call.method == "sendPhoto":
                resent.add(edit)  # type: ignore[arg-type]
        words = str(call.params.get("text", ""))
        if any(mark in words for mark in ANSWERED):
            origin = (replied_to(call) if call.method == "sendMessage"
                      else status_of.get((chat, call.params.get("message_id"))))  # type: ignore[arg-type]
            if origin is not None:
                answered.add((chat, origin))  # type: ignore[arg-type]
    delivered = Counter({edit: len(messages) for edit, messages in shown.items()})
    return {"delivered": delivered, "answered": answered, "resent": resent}


def ledger(database: Path) -> dict[tuple[int, int], list[str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT request, status FROM jobs").fetchall()
    jobs: dict[tuple[int, int], list[str]] = {}
    for request, status in rows:
        origin = json.loads(request)["origin"]
        jobs.setdefault((origin["chat_id"], origin["message_id"]), []).append(status)
    return jobs


async def stream(tg: FakeTelegram, people: list[dict[str, Any]], rng: random.Random,
                 sent: list[tuple[int, int]], until: asyncio.Event) -> None:
    """Edits from random people, about four a second, until told to stop; each one noted."""
    while not until.is_set():
        person = rng.choice(people)
        message = tg.post(FakeTelegram.private(person), person, photo=PHOTO,
                          caption=f"/edit 1K add hat #{len(sent)}")
        sent.append((message["chat"]["id"], message["message_id"]))
        await asyncio.sleep(rng.expovariate(1 / 0.25))


async def buy_once(tg: FakeTelegram, person: dict[str, Any]) -> None:
    """/buy, then pay for the first invoice it brings; a /buy the kills swallowed, or a
    pre-checkout not answered in time, ends with no payment (as on Telegram)."""
    chat = FakeTelegram.private(person)
    before = len(tg.sent("sendInvoice", chat_id=chat["id"]))
    tg.post(chat, person, text="/buy")
    try:
        await tg.wait_for(lambda: len(tg.sent("sendInvoice", chat_id=chat["id"])) > before,
                          within=30)
    except AssertionError:
        return
    await tg.pay(person, tg.sent("sendInvoice", chat_id=chat["id"])[before].result)


async def buying(tg: FakeTelegram, buyers: list[dict[str, Any]], rng: random.Random,
                 until: asyncio.Event) -> None:
    """Purchases from random buyers, about one a second, until told to stop."""
    started: list[asyncio.Task[None]] = []
    while not until.is_set():
        started.append(asyncio.create_task(buy_once(tg, rng.choice(buyers))))
        await asyncio.sleep(rng.expovariate(1 / 1.0))
    await asyncio.gather(*started)


def purchase_figures(tg: FakeTelegram, credited: list[str]) -> dict[str, Any]:
    """Per payment Telegram completed: how many times the ledger credited it."""
    times = Counter(credited)
    return {"purchases": len(tg.charges),
            "purchases_lost": sum(1 for charge in tg.charges if not times[charge]),
            "purchases_credited_twice": sum(1 for charge in tg.charges if times[charge] > 1),
            "purchases_unknown": sum(1 for charge in times if charge not in tg.charges)}


def sqlite_purchases(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute(
            "SELECT charge_id FROM purchases WHERE kind = 'purchase'")]


async def pg_purchases(database_url: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    try:
        return [row["charge_id"] for row in await conn.fetch(
            "SELECT charge_id FROM purchases WHERE kind = 'purchase'")]
    finally:
        await conn.close()


async def credited_all(tg: FakeTelegram, read: Any) -> list[str]:
    """The ledger's credited charges, once every completed payment is in (or after a
    minute: what is missing then counts as lost)."""
    for _ in range(120):
        found = await read()
        if set(tg.charges) <= set(found):
            return list(found)
        await asyncio.sleep(0.5)
    return list(await read())


async def drill(kills: int, seed: int, users: int) -> dict[str, Any]:
    rng = random.Random(seed)
    people = [FakeTelegram.user(5000 + i, f"U{i}") for i in range(users)]
    sent: list[tuple[int, int]] = []
    async with fakes(gemini_delay=0.4) as (tg, gemini):
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "bot.sqlite3"
            settings = {"DEFAULT_DAILY_LIMIT": "100000", "GEMINI_MAX_CONCURRENCY": "8",
                        "MAX_IN_FLIGHT_PER_USER": "100",  # every edit runs: none refused
                        "CREDIT_PACKS": PACKS}

            stop = asyncio.Event()
            streaming = asyncio.create_task(stream(tg, people, rng, sent, stop))
            buyers = [FakeTelegram.user(6000 + i, f"B{i}") for i in range(max(2, users // 2))]
            shopping = asyncio.create_task(buying(tg, buyers, rng, stop))
            killed_at: list[float] = []
            for _ in range(kills):
                bot = Bot(tg, gemini, database, **settings)
                await bot.start()
                await asyncio.sleep(rng.uniform(0.2, 2.0))
                killed_at.append(time.monotonic())
                await bot.stop(signal.SIGKILL)
            stop.set()
            await streaming
            bot = Bot(tg, gemini, database, **settings)
            await bot.start()
            await shopping

            def settled() -> bool:
                seen = outcomes(tg, sent)
                return all(seen["delivered"][edit] or edit in seen["answered"] for edit in sent)

            for _ in range(240):  # what is still missing after two minutes counts as lost
                if settled():
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)  # anything late (a second delivery) shows up too

            async def read() -> list[str]:
                return sqlite_purchases(database)

            credited = await credited_all(tg, read)
            await bot.stop(signal.SIGTERM)
            jobs = ledger(database)
    return {**tally(kills, sent, outcomes(tg, sent), jobs), **paid_twice(gemini.paid, killed_at),
            **purchase_figures(tg, credited)}


def tally(kills: int, sent: list[tuple[int, int]], seen: dict[str, Any],
          jobs: dict[tuple[int, int], list[str]]) -> dict[str, Any]:
    delivered, answered, resent = seen["delivered"], seen["answered"], seen["resent"]
    committed = {e: s.count("committed") for e, s in jobs.items()}
    refunded_delivered = [e for e in sent if delivered[e] and not committed.get(e)
                          and "refunded" in jobs.get(e, [])]
    return {
        "kills": kills, "edits": len(sent),
        "lost": sum(1 for e in sent if not delivered[e] and e not in answered),
        "charged_twice": sum(1 for e in sent if committed.get(e, 0) > 1),
        "delivered_twice": sum(1 for e in sent if delivered[e] > 1),
        # an interrupted delivery into the status message is done again and charged; one
        # that sent a new photo cannot be (it would come twice): refunded, counted apart
        "refunded_but_delivered": sum(1 for e in refunded_delivered if e not in resent),
        "refunded_but_delivered_new_message": sum(1 for e in refunded_delivered if e in resent),
        "charged_undelivered": sum(1 for e in sent if committed.get(e) and not delivered[e]),
        "still_reserved": sum(s.count("reserved") for s in jobs.values()),
        "delivered": sum(1 for e in sent if delivered[e]),
        "answered_free": sum(1 for e in sent if not delivered[e] and e in answered),
    }


async def replica_drill(kills: int, seed: int, users: int, count: int,
                        url: str = "", lease_s: float = 0.0) -> dict[str, Any]:
    from tests.pgserver import PgServer

    rng = random.Random(seed)
    people = [FakeTelegram.user(5000 + i, f"U{i}") for i in range(users)]
    sent: list[tuple[int, int]] = []
    server = None if url else PgServer().start()
    try:
        database = url or await server.database()  # type: ignore[union-attr]
        async with fakes(gemini_delay=0.4) as (tg, gemini):
            with tempfile.TemporaryDirectory() as tmp:
                group = [Replica(tg, gemini, database, Path(tmp), f"replica{i}",
                                 DEFAULT_DAILY_LIMIT="100000", GEMINI_MAX_CONCURRENCY="8",
                                 MAX_IN_FLIGHT_PER_USER="100", CREDIT_PACKS=PACKS,
                                 **({"EDITBOT_JOB_LEASE_S": str(lease_s)} if lease_s else {}))
                         for i in range(count)]
                await group[0].start()  # the first migrates the ledger
                await asyncio.gather(*(replica.start() for replica in group[1:]))
                tg.route_webhook([r.backend for r in group], spread="turn")
                tg.webhook.max_backoff_s = 0.5
                killed_at = await kill_while_streaming(tg, group, people, sent, kills, rng)
                await settle(tg, sent)
                credited = await credited_all(tg, lambda: pg_purchases(database))
                await asyncio.gather(*(r.stop(signal.SIGTERM) for r in group))
                jobs = await ledger_jobs(database)
                figures = tally(kills, sent, outcomes(tg, sent), jobs)
                figures.update(paid_twice(gemini.paid, killed_at), replicas=count)
                figures.update(purchase_figures(tg, credited))
    finally:
        if server is not None:
            server.stop()
    return figures


async def kill_while_streaming(tg: FakeTelegram, group: list[Replica],
                               people: list[dict[str, Any]], sent: list[tuple[int, int]],
                               kills: int, rng: random.Random) -> list[float]:
    """Users send edits all along; a random running replica is killed (SIGKILL) every
    moment and started again, while at least one other serves. Returns when each kill
    was (time.monotonic())."""
    up = set(range(len(group)))
    restarts: list[asyncio.Task[None]] = []

    async def restart(index: int) -> None:
        await group[index].start()
        up.add(index)

    stop = asyncio.Event()
    streaming = asyncio.create_task(stream(tg, people, rng, sent, stop))
    buyers = [FakeTelegram.user(6000 + i, f"B{i}") for i in range(max(2, len(people) // 2))]
    shopping = asyncio.create_task(buying(tg, buyers, rng, stop))
    killed_at: list[float] = []
    while len(killed_at) < kills:
        await asyncio.sleep(rng.uniform(0.3, 1.5))
        if len(up) < 2:
            continue
        victim = rng.choice(sorted(up))
        up.discard(victim)
        killed_at.append(time.monotonic())
        await group[victim].stop(signal.SIGKILL)
        restarts.append(asyncio.create_task(restart(victim)))
    stop.set()
    await streaming
    await asyncio.gather(*restarts)
    await shopping
    return killed_at


# --quick: a dead replica's jobs are taken over after 5 s instead of the 30 s lease, so the
# check that the script runs does not wait out the real lease (its figures mean nothing anyway)
QUICK_LEASE_S = 5.0


async def settle(tg: FakeTelegram, sent: list[tuple[int, int]]) -> None:
    """Wait until every edit ended one way or another: a dead replica's jobs wait for their
    lease to expire (30 s, or QUICK_LEASE_S) before a live one takes them over. What is still
    missing after three minutes counts as lost."""
    for _ in range(360):
        seen = outcomes(tg, sent)
        if all(seen["delivered"][edit] or edit in seen["answered"] for edit in sent):
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)  # anything late (a second delivery) shows up too


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--replicas", type=int, default=0,
                        help="this many replicas in webhook mode (needs --pg)")
    parser.add_argument("--pg", action="store_true", help="the ledger on PostgreSQL")
    parser.add_argument("--url", default="",
                        help="with --pg: this (empty) PostgreSQL database, not a throwaway server")
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.kills, args.users = 1, 2
    if args.replicas:
        if not args.pg:
            parser.error("--replicas needs --pg (SQLite serves one process)")
        figures = await replica_drill(args.kills, args.seed, args.users, args.replicas,
                                      args.url, QUICK_LEASE_S if args.quick else 0.0)
    else:
        figures = await drill(args.kills, args.seed, args.users)
    print(f"{figures['kills']} kills, {figures['edits']} edits: {figures['delivered']} "
          f"delivered, {figures['answered_free']} answered with a reason and not charged; "
          f"lost {figures['lost']}, charged twice {figures['charged_twice']}, delivered twice "
          f"{figures['delivered_twice']}, refunded but delivered "
          f"{figures['refunded_but_delivered']} (as a new message, which is not sent "
          f"again: {figures['refunded_but_delivered_new_message']}), charged but not delivered "
          f"{figures['charged_undelivered']}"
          f", paid twice upstream {figures['paid_twice_upstream']} (of which with no kill "
          f"just after the first answer: {figures['paid_twice_unexplained']})"
          + (f", {figures['replicas']} replicas" if "replicas" in figures else "")
          + f"; {figures['purchases']} payments: lost {figures['purchases_lost']}, credited "
          f"twice {figures['purchases_credited_twice']}", flush=True)
    emit(figures)


if __name__ == "__main__":
    asyncio.run(main())
