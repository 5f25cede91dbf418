"""Three bot processes on one PostgreSQL ledger, behind the fake Bot API that spreads the
updates across them, with a budget for N edits: at most N are delivered (the day's budget, and
the month's), the rest are told the budget is reached and charged nothing, every replica's
/metrics shows the deployment's spend, and the operators hear the alert once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.replicas import Group, Replica, answers, delivered, ledger_jobs

PHOTO = make_image(96, 64, "JPEG")
ZED = 77  # an operator (BOT_ADMINS)
EDITS = 12
# each edit costs exactly one dollar: a budget of N dollars is a budget of N edits
PRICES = {"PRICE_PER_IMAGE_USD_1K": "1", "PRICE_PER_IMAGE_USD_2K": "1",
          "PRICE_PER_IMAGE_USD_INPUT": "0"}


@pytest.fixture
async def replicas(tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path
                   ) -> AsyncIterator[Callable[..., Any]]:
    made = Group(tg, gemini, tmp_path)

    async def start(**settings: str) -> list[Replica]:
        database = await pgserver.shared().database()
        group = await made.start(database, 3, BOT_ADMINS=f"telegram:{ZED}",
                                 REFUSAL_COOLDOWN_S="0", TELEGRAM_FLOOD_WINDOW_SCALE="0.05",
                                 **PRICES, **settings)
        tg.route_webhook([r.backend for r in group], spread="turn")
        return group

    yield start
    await made.stop()


async def spend_on(replica: Replica) -> dict[str, float]:
    async with aiohttp.ClientSession() as http, http.get(
            f"http://127.0.0.1:{replica.port}/metrics") as answer:
        body = await answer.text()
    return {line.split()[0]: float(line.split()[1]) for line in body.splitlines()
            if line.startswith(("editbot_spend_", "editbot_daily_budget", "editbot_monthly"))}


async def edits_at_once(tg: FakeTelegram, budget: int) -> list[tuple[int, int]]:
    people = [FakeTelegram.user(8000 + i, f"P{i}") for i in range(EDITS)]
    sent = []
    for person in people:
        message = tg.post(FakeTelegram.private(person), person, photo=PHOTO,
                          caption=f"/edit add a hat {person['id']}")
        sent.append((person["id"], message["message_id"]))
    await tg.wait_for(lambda: all(answers(tg)[edit] for edit in sent)
                      and len(tg.photos()) >= budget, within=60)
    await asyncio.sleep(1.0)  # a late delivery would show up meanwhile
    return sent


@pytest.mark.parametrize("which", ["DAILY_BUDGET_USD", "MONTHLY_BUDGET_USD"])
async def test_three_replicas_deliver_at_most_the_budget(
        tg: FakeTelegram, gemini: FakeGemini, replicas: Callable[..., Any], which: str) -> None:
    budget = 4
    gemini.delay = 0.3  # the requests overlap on every replica
    group = await replicas(**{which: str(budget)})
    sent = await edits_at_once(tg, budget)
    got = delivered(tg)
    assert sum(got.values()) == budget and max(got.values()) == 1
    reached = ("reached its budget for today" if which == "DAILY_BUDGET_USD"
               else "reached its budget for this month")
    refusals = [t for chat, _ in sent for t in tg.texts(chat) if reached in t]
    assert len(refusals) == EDITS - budget and all("Nothing was charged" in t for t in refusals)
    jobs = await ledger_jobs(database_url(group[0]))
    assert sorted(s for statuses in jobs.values() for s in statuses) == ["committed"] * budget
    for replica in group:  # each says the deployment's spend, not its own (each answer's
        figures = await spend_on(replica)  # text tokens add a fraction of a cent to its image)
        assert figures["editbot_spend_today_usd"] == pytest.approx(budget, abs=0.05)
        assert figures["editbot_spend_month_usd"] == figures["editbot_spend_today_usd"]
    told = tg.sent("sendMessage", chat_id=ZED)
    assert len(told) == 1 and "100% of the" in told[0].params["text"]


def database_url(replica: Replica) -> str:
    return replica.env["DATABASE_URL"]
