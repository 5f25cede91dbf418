"""Three bot processes in webhook mode on one PostgreSQL ledger, behind the fake Bot API that
spreads the updates across them: 60 edits from 10 users with a daily limit, each answered once,
each user getting exactly what the limit allows, nothing delivered or charged twice, and the
upstream never asked more than GEMINI_MAX_CONCURRENCY at once across the replicas. (The same
property at 300 edits from 50 users was this test's scale; 60 keeps every user past the limit and
every replica busy at a fifth of the CPU. ``EDITBOT_REPLICA_USERS=50`` runs it at 300 again,
docs/TESTING.md.)"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.replicas import (
    answers,
    delivered,
    ledger_jobs,
    paid_upstream,
)

USERS = int(os.environ.get("EDITBOT_REPLICA_USERS", "10"))  # each sends EACH edits
EACH, LIMIT, CONCURRENCY = 6, 4, 3
PHOTO = make_image(96, 64, "JPEG")



async def test_three_replicas_share_one_bot_and_do_nothing_twice(
        tg: FakeTelegram, gemini: FakeGemini, replicas: Callable[..., Any]) -> None:
    database = await pgserver.shared().database()
    gemini.delay = 0.2
    group = await replicas(database, 3, DEFAULT_DAILY_LIMIT=str(LIMIT),
                           MAX_IN_FLIGHT_PER_USER="20", REFUSAL_COOLDOWN_S="0",
                           GEMINI_MAX_CONCURRENCY=str(CONCURRENCY),
                           TELEGRAM_FLOOD_WINDOW_SCALE="0.05")
    assert len(tg.sent("setWebhook")) == 3 and tg.polls == 0
    tg.route_webhook([r.backend for r in group], spread="turn")
    people = [FakeTelegram.user(7000 + i, f"P{i}") for i in range(USERS)]
    sent = []
    for round_ in range(EACH):
        for person in people:
            message = tg.post(FakeTelegram.private(person), person, photo=PHOTO,
                              caption=f"/edit add hat {person['id']}-{round_}")
            sent.append((person["id"], message["message_id"]))
        await asyncio.sleep(0.1)
    await tg.wait_for(lambda: all(answers(tg)[edit] for edit in sent)
                      and len(tg.photos()) >= USERS * LIMIT, within=180)
    await asyncio.sleep(1.0)  # a second answer or delivery would show up meanwhile
    answered, got = answers(tg), delivered(tg)
    assert [edit for edit in sent if answered[edit] != 1] == []  # each answered exactly once
    assert [edit for edit in sent if got[edit] > 1] == []  # no double delivery
    per_user = {p["id"]: sum(got[(p["id"], m)] for _, m in sent if _ == p["id"])
                for p in people}
    assert set(per_user.values()) == {LIMIT}
    jobs = await ledger_jobs(database)
    committed = {edit: statuses.count("committed") for edit, statuses in jobs.items()}
    assert max(committed.values()) == 1  # no double charge
    assert sum(committed.values()) == sum(got.values()) == USERS * LIMIT
    assert [s for s in jobs.values() if "reserved" in s] == []
    assert max(paid_upstream(gemini).values()) == 1  # paid once upstream per edit
    # every replica took updates, and the upstream never saw more than the deployment's budget
    assert {p.backend for p in tg.webhook.posts if p.status == 200} == {
        r.backend for r in group}
    assert gemini.peak_in_flight <= CONCURRENCY
    print(f"upstream calls at once at most: {gemini.peak_in_flight}")
