"""Three bot processes on one PostgreSQL ledger, behind the fake Bot API that spreads the
updates across them, with a budget for N edits: at most N are delivered (the day's budget, and
the month's), the rest are told the budget is reached and charged nothing, every replica's
/metrics shows the deployment's spend, and the operators hear the alert once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.replicas import Group, Replica, delivered, ledger_jobs

PHOTO = make_image(96, 64, "JPEG")
PROGRESS = re.compile(r"Queued: #\d+ in line…|Working on it…|Sending…")  # the status message
ZED = 77  # an operator (BOT_ADMINS)
EDITS = 12
# each edit costs exactly one dollar, so a budget of N dollars is a budget of N edits whatever
# the order of reservations and answers: the image at $1, its input free, on a model that does
# not think (a Gemini 3 answer's thinking tokens add a quarter of a cent to its dollar; once one
# such answer is recorded before the Nth edit reserves, $1.0025 + N-1 estimates of $1 pass N
# dollars and only N-1 edits fit, which is right for the budget but not what this counts)
PRICES = {"GEMINI_MODEL": "gemini-2.5-flash-image", "PRICE_PER_IMAGE_USD_1K": "1",
          "PRICE_PER_IMAGE_USD_2K": "1", "PRICE_PER_IMAGE_USD_INPUT": "0"}


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
    # every edit's answer: its status message turned into the result or a refusal (a status
    # message alone is no answer yet: on a loaded machine the refusals come seconds later)
    await tg.wait_for(lambda: all(answered(tg, chat) for chat, _ in sent)
                      and len(tg.photos()) >= budget, within=60)
    await asyncio.sleep(1.0)  # a late delivery would show up meanwhile
    return sent


def answered(tg: FakeTelegram, chat: int) -> bool:
    """The bot's last word in ``chat`` is an answer, not its progress."""
    said = tg.texts(chat)
    return bool(said) and not PROGRESS.fullmatch(said[-1])


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
    for replica in group:  # each says the deployment's spend, not its own
        figures = await spend_on(replica)
        assert figures["editbot_spend_today_usd"] == pytest.approx(budget)
        assert figures["editbot_spend_month_usd"] == figures["editbot_spend_today_usd"]
    alerts = lambda: tg.sent("sendMessage", chat_id=ZED)  # noqa: E731
    told = await tg.wait_for(alerts)  # the replica that spent the last dollar sends it
    assert "100% of the" in told[0].params["text"]
    await tg.never(lambda: len(alerts()) > 1)  # once per deployment, not once per replica


def database_url(replica: Replica) -> str:
    return replica.env["DATABASE_URL"]
