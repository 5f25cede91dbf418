"""The operator's budget for the whole deployment, held by the ledger: DAILY_BUDGET_USD and
MONTHLY_BUDGET_USD are checked in the reservation statement itself, on every backend, so many
requests at once (and several processes on one PostgreSQL) never spend past them; a job counts
on the day it was reserved on, whenever it settles; the operators hear each alert once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from bot.domain import TokenUsage
from bot.errors import BudgetReached
from bot.i18n import error_text
from bot.ledger import QuotaLedger, SpendLimits
from bot.ledger import store as ledger_store
from bot.pricing import Spend
from tests import pgserver, test_ledger
from tests.conftest import Clock
from tests.test_spend import Operators, edit, expected_cost

make_ledger = test_ledger.make_ledger  # every backend
G = "telegram:group:-5"


def cost(usd: float) -> Spend:
    return Spend(model="m", size="1K", usage=TokenUsage(prompt=10, output=10), cost_usd=usd)


async def attempt(ledger: Any, n: int, usd: float = 1.0) -> int | BudgetReached:
    try:
        return int(await ledger.reserve(platform="telegram", actor=f"telegram:{n}", scope=G,
                                        credits=1, request={"n": n}, estimated_usd=usd))
    except BudgetReached as refused:
        return refused


async def test_many_requests_at_once_never_pass_the_daily_budget(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(budget=SpendLimits(daily_usd=7.0))
    tries = await asyncio.gather(*(attempt(ledger, n) for n in range(40)))
    kept = [t for t in tries if isinstance(t, int)]
    refused = [t for t in tries if isinstance(t, BudgetReached)]
    assert len(kept) == 7 and len(refused) == 33  # exactly the budget, whatever the order
    assert {r.code for r in refused} == {"budget_reached"}
    assert error_text(refused[0]) == ("The bot has reached its budget for today; it resets at "
                                      "00:00 UTC. Nothing was charged.")
    spent = await ledger.spending()
    assert (spent.day_usd, spent.day_held_usd, spent.day_cost_usd) == (7.0, 7.0, 0.0)
    # answers that cost less than their estimate free the difference; a job refunded before
    # the model was asked frees all of it
    for job_id in kept[:3]:
        assert await ledger.commit(job_id, spend=cost(0.5))
    assert await ledger.refund(kept[3])
    assert (await ledger.spending()).day_usd == 1.5 + 3.0
    more = await asyncio.gather(*(attempt(ledger, n) for n in range(40, 50)))
    assert len([t for t in more if isinstance(t, int)]) == 2  # 4.5 + 2 <= 7 < 4.5 + 3
    # an operator's own edits (no credit limit) are held to the budget too
    admin = ledger.reserve(platform="telegram", actor="telegram:77", scope=G, credits=1,
                           request={}, estimated_usd=1.0, unlimited=True)
    with pytest.raises(BudgetReached):
        await admin


async def test_the_monthly_budget_holds_across_days_and_resets_with_the_month(
        make_ledger: Callable[..., Any], clock: Clock) -> None:
    ledger = await make_ledger(budget=SpendLimits(monthly_usd=3.0))
    for n in range(2):
        job = await attempt(ledger, n)
        assert isinstance(job, int) and await ledger.commit(job, spend=cost(1.0))
    clock.now += timedelta(days=1)  # the 26th: a new day, the same month
    assert isinstance(await attempt(ledger, 2), int)  # its estimate is held
    refused = await attempt(ledger, 3)
    assert isinstance(refused, BudgetReached) and refused.code == "monthly_budget_reached"
    assert refused.resets_at == datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC"))
    assert error_text(refused) == ("The bot has reached its budget for this month; it resets "
                                   "on 2026-12-01 at 00:00 UTC. Nothing was charged.")
    assert (await ledger.spending()).month_usd == 3.0
    clock.now = datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)
    assert isinstance(await attempt(ledger, 4), int)
    spent = await ledger.spending()
    assert (spent.day, spent.month_usd) == ("2026-12-01", 1.0)


async def test_replicas_on_one_postgresql_never_pass_the_budget_together(clock: Clock) -> None:
    """Three processes' ledgers on one database, requests spread across them at once."""
    url = await pgserver.shared().database()
    budget = SpendLimits(daily_usd=5.0, monthly_usd=9.0)
    replicas = [QuotaLedger.open(url, default_limit=10, timezone=ZoneInfo("UTC"), clock=clock,
                                 owner=f"replica{i}", budget=budget) for i in range(3)]
    try:
        await replicas[0].migrate()
        tries = await asyncio.gather(*(attempt(replicas[n % 3], n) for n in range(45)))
        assert len([t for t in tries if isinstance(t, int)]) == 5
        clock.now += timedelta(days=1)  # a new day: the month has 4 dollars left
        tries = await asyncio.gather(*(attempt(replicas[n % 3], n) for n in range(45, 90)))
        kept = [t for t in tries if isinstance(t, int)]
        assert len(kept) == 4
        assert {t.code for t in tries if isinstance(t, BudgetReached)} == {
            "monthly_budget_reached"}
        for replica in replicas:  # every replica reads the deployment's figures
            spent = await replica.spending()
            assert (spent.day_usd, spent.month_usd) == (4.0, 9.0)
    finally:
        for replica in replicas:
            await replica.close()


async def test_a_job_settled_after_midnight_counts_on_the_day_it_was_reserved(
        make_core: Callable[..., Any], gemini: Any, clock: Clock) -> None:
    """Its credit, its spend and its place in /stats all stay on the day it was reserved on:
    the new day starts with the whole budget, as it starts with every credit."""
    core = await make_core(daily_budget_usd=round(expected_cost() * 1.5, 6))
    clock.now = datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC)
    gemini.delay = 0.5
    late = asyncio.create_task(edit(core))
    while not gemini.requests:
        await asyncio.sleep(0.01)
    clock.now += timedelta(seconds=2)  # midnight passes while the model works
    assert (await late).status == "delivered"
    assert (await core.ledger.job(1)).day == "2026-11-25"
    spent = await core.budget.spending()
    assert (spent.day, spent.day_usd) == ("2026-11-26", 0.0)
    await core.metrics.refresh()
    assert core.metrics.registry.get_sample_value("editbot_spend_today_usd") == 0.0
    today = (await core.stats.report(None)).today
    assert (today.outcomes["delivered"], today.spend_usd) == (0, 0.0)
    status = await core.ledger.status(actor="telegram:1", scope="telegram:group:-100")
    assert status.used == 0  # the credit was yesterday's
    gemini.delay = 0.0
    assert (await edit(core, user="2")).status == "delivered"  # the new day's budget is whole
    assert (await edit(core, user="3")).status == "rejected"  # and holds


async def test_each_alert_is_sent_once_for_the_deployment(
        make_core: Callable[..., Any], gemini: Any) -> None:
    """Two processes on one PostgreSQL settle the jobs that pass 80% at the same moment: the
    operators hear it once; each process's metrics show the deployment's spend."""
    url = await pgserver.shared().database()
    settings = {"database_url": url, "daily_budget_usd": round(expected_cost() * 2.2, 6),
                "bot_admins": "telegram:77"}
    first, second = await make_core(**settings), await make_core(**settings)
    operators = Operators()
    for core in (first, second):
        core.alerts.connect("telegram", operators)
    gemini.delay = 0.3
    outcomes = await asyncio.gather(edit(first, user="1"), edit(second, user="2"))
    assert [o.status for o in outcomes] == ["delivered", "delivered"]
    for core in (first, second):
        await core.alerts.settle()
    spent = f"{expected_cost() * 2:.2f}"
    assert operators.told == [("77", f"editbot: today's estimated spend is ${spent}, 91% of "
                                     f"the daily budget of ${expected_cost() * 2.2:.2f}.")]
    for core in (first, second):
        await core.metrics.refresh()
        assert core.metrics.registry.get_sample_value(
            "editbot_spend_today_usd") == pytest.approx(expected_cost() * 2)
        report = await core.stats.report(None)
        assert report.today.spend_usd == pytest.approx(expected_cost() * 2)
    assert (await edit(second, user="3")).status == "rejected"
    third = await make_core(**settings)  # a replica started later does not say it again
    third.alerts.connect("telegram", operators)
    await third.alerts.settle()
    assert len(operators.told) == 1


async def test_the_monthly_budget_refuses_for_free_and_alerts_once(
        make_core: Callable[..., Any], gemini: Any) -> None:
    monthly = round(expected_cost() * 1.1, 6)
    core = await make_core(monthly_budget_usd=monthly, bot_admins="telegram:77")
    operators = Operators()
    core.alerts.connect("telegram", operators)
    assert (await edit(core)).status == "delivered"
    refused = await edit(core, user="2")
    assert refused.status == "rejected" and isinstance(refused.error, BudgetReached)
    assert error_text(refused.error) == (
        "The bot has reached its budget for this month; it resets on 2026-12-01 at 00:00 UTC. "
        "Nothing was charged.")
    assert len(gemini.requests) == 1  # the refusal cost nothing upstream
    await core.alerts.settle()
    assert operators.told == [("77", f"editbot: this month's estimated spend is "
                                     f"${expected_cost():.2f}, 91% of the monthly budget of "
                                     f"${monthly:.2f}.")]
    report = await core.stats.report(None)
    assert (report.month_spend_usd, report.monthly_budget_usd) == (expected_cost(), monthly)


def _migrate_to(revision: str) -> Callable[[Connection], None]:
    def step(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(Path(ledger_store.__file__).parent
                                                      / "migrations"))
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)

    return step


async def test_a_ledger_upgraded_with_jobs_already_recorded_holds_them_to_the_budget(
        make_ledger: Callable[..., Any], clock: Clock) -> None:
    """The budget reads a running total per day; a ledger that recorded the month's jobs
    before it was kept has it filled from them when it is upgraded, on every backend."""
    ledger = await make_ledger(budget=SpendLimits(daily_usd=6.0, monthly_usd=8.0))
    clock.now -= timedelta(days=1)  # yesterday: two answers at $1.50
    for n in range(2):
        job = await attempt(ledger, n)
        assert isinstance(job, int) and await ledger.commit(job, spend=cost(1.5))
    clock.now += timedelta(days=1)
    held = await attempt(ledger, 2)  # today: one still running, one refunded, one answered
    refunded, answered = await attempt(ledger, 3), await attempt(ledger, 4)
    assert isinstance(refunded, int) and await ledger.refund(refunded)
    assert isinstance(answered, int) and await ledger.commit(answered, spend=cost(0.5))
    await ledger.writer.write(_migrate_to("0014_inline"))  # as before the running total
    await ledger.writer.write(_migrate_to("head"))
    # the month holds 3 + 1 (held) + 0.5: $3.50 left, three more; the day had room for four
    tries = [await attempt(ledger, n) for n in range(5, 10)]
    assert [isinstance(t, int) for t in tries] == [True, True, True, False, False]
    assert {t.code for t in tries if isinstance(t, BudgetReached)} == {"monthly_budget_reached"}
    assert isinstance(held, int) and await ledger.refund(held)  # its estimate is freed
    assert isinstance(await attempt(ledger, 10), int)
    spent = await ledger.spending()
    assert (spent.day_usd, spent.month_usd) == (0.5 + 4.0, 3.0 + 0.5 + 4.0)
