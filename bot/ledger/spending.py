"""The operator's budget for the whole deployment: DAILY_BUDGET_USD and MONTHLY_BUDGET_USD.

A job's spend is what its answer cost once recorded (``cost_usd``), else its estimate while it
still holds a reservation (``estimated_usd``), else nothing (refunded before the model was
asked). It counts on the job's day: the quota day it was reserved on (QUOTA_TIMEZONE), whenever
it settles, the same rule as its credits. The month is the calendar month of that day.

The budget is one clause of the reservation statement (``budget_clause``): the day's spend
(and the month's) plus this job's estimate must stay within the budget, or nothing is recorded.
The spend is read from ``spend_days``, a running total per day that triggers on ``jobs`` keep
in the transaction that changes a job's spend (migration 0015), so the clause reads a row for
the day and at most 31 for the month however many jobs the month recorded; the reports
(``spending``) still sum the jobs, as they also tell the held estimates apart.
SQLite runs one writer at a time; PostgreSQL replicas take one transaction-scoped advisory lock
for the budget (``BUDGET_LOCK``, after the person's and the chat's), so two replicas never both
count the same last dollar. The operators' 80% and 100% alerts are each claimed once per day
(and per month) by a row in ``budget_alerts``: the replica that inserts it sends the alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Float, and_, bindparam, case, func, select, text
from sqlalchemy.engine import Connection

from ..domain import JobStatus
from ..errors import BudgetReached
from .base import LedgerBase
from .tables import budget_alerts, jobs, spend_days

EPSILON = 1e-9  # sums of floats: a budget for exactly N edits admits N
BUDGET_LOCK = text("SELECT pg_advisory_xact_lock(7303, 0)")
# a job's spend: its recorded cost, else its estimate while it runs, else nothing
SPEND = case((jobs.c.cost_usd.is_not(None), jobs.c.cost_usd),
             (jobs.c.status == JobStatus.RESERVED.value, func.coalesce(jobs.c.estimated_usd, 0.0)),
             else_=0.0)
HELD = case((and_(jobs.c.cost_usd.is_(None), jobs.c.status == JobStatus.RESERVED.value),
             func.coalesce(jobs.c.estimated_usd, 0.0)), else_=0.0)


@dataclass(frozen=True, slots=True)
class SpendLimits:
    daily_usd: float | None = None
    monthly_usd: float | None = None

    @property
    def any(self) -> bool:
        return self.daily_usd is not None or self.monthly_usd is not None

    def params(self, day: str) -> dict[str, Any]:
        """The statement's parameters: a missing budget is one no spend can pass."""
        return {"daily_usd": _cap(self.daily_usd), "monthly_usd": _cap(self.monthly_usd),
                "month": month_of(day)}


@dataclass(frozen=True, slots=True)
class Spending:
    """The deployment's spend, from the ledger: ``day_usd`` and ``month_usd`` count recorded
    costs and the estimates held by running jobs (what the budget holds against);
    ``*_held_usd`` are those estimates alone."""

    day: str
    day_usd: float
    month_usd: float
    day_held_usd: float = 0.0
    month_held_usd: float = 0.0

    @property
    def day_cost_usd(self) -> float:
        """What the day's answers cost (the figure on dashboards and in the alerts)."""
        return max(self.day_usd - self.day_held_usd, 0.0)

    @property
    def month_cost_usd(self) -> float:
        return max(self.month_usd - self.month_held_usd, 0.0)


def _cap(usd: float | None) -> float:
    return 1e18 if usd is None else usd + EPSILON


def month_of(day: str) -> str:
    return day[:8] + "01"


def _spent_since(first: str) -> Any:
    """The spend from ``first`` to the job's day: a row per day of the running total, so a
    reservation's cost does not grow with the jobs recorded."""
    return select(func.coalesce(func.sum(spend_days.c.usd), 0.0)).where(
        spend_days.c.day >= bindparam(first), spend_days.c.day <= bindparam("day"),
    ).scalar_subquery()


def budget_clause() -> Any:
    """The reservation's budget condition: the day's and the month's spend plus this job's
    estimate stay within DAILY_BUDGET_USD and MONTHLY_BUDGET_USD."""
    estimate = func.coalesce(bindparam("estimated_usd", type_=Float), 0.0)
    return and_(_spent_since("day") + estimate <= bindparam("daily_usd", type_=Float),
                _spent_since("month") + estimate <= bindparam("monthly_usd", type_=Float))


class Spend(LedgerBase):
    budget = SpendLimits()

    def month_resets_at(self) -> datetime:
        first = date.fromisoformat(month_of(self.today()))
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return datetime.combine(following, time(0), self._tz)

    async def spending(self, day: str | None = None) -> Spending:
        day = day or self.today()
        params = {"day": day, "month": month_of(day)}
        today = jobs.c.day == bindparam("day")
        stmt = select(func.coalesce(func.sum(case((today, SPEND), else_=0.0)), 0.0),
                      func.coalesce(func.sum(SPEND), 0.0),
                      func.coalesce(func.sum(case((today, HELD), else_=0.0)), 0.0),
                      func.coalesce(func.sum(HELD), 0.0)).where(
            jobs.c.day >= bindparam("month"), jobs.c.day <= bindparam("day"))
        async with self.engine.connect() as conn:
            row = (await conn.execute(stmt, params)).one()
        day_usd, month_usd, day_held, month_held = (float(v) for v in row)
        return Spending(day=day, day_usd=day_usd, month_usd=month_usd, day_held_usd=day_held,
                        month_held_usd=month_held)

    async def over_budget(self, estimate: float | None) -> BudgetReached | None:
        """The budget ``estimate`` more would pass, as the refusal to give (None: it fits)."""
        if not self.budget.any:
            return None
        spent, extra = await self.spending(), estimate or 0.0
        daily, monthly = self.budget.daily_usd, self.budget.monthly_usd
        if daily is not None and spent.day_usd + extra > daily + EPSILON:
            return BudgetReached("budget_reached", resets_at=self.resets_at())
        if monthly is not None and spent.month_usd + extra > monthly + EPSILON:
            resets = self.month_resets_at()
            return BudgetReached("monthly_budget_reached", resets_at=resets,
                                 resets_on=resets.date().isoformat())
        return None

    async def claim_alert(self, period: str, threshold: int, spent_usd: float) -> bool:
        """Whether this process is the one to tell the operators that ``period`` (a day or a
        month) reached ``threshold`` percent: the first to record it, across every replica."""
        row = {"period": period, "threshold": threshold, "spent_usd": spent_usd,
               "at": self._now()}

        def claim(conn: Connection) -> bool:
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as upsert
            else:
                from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
            done = conn.execute(upsert(budget_alerts).values(row).on_conflict_do_nothing())
            return bool(done.rowcount)

        return bool(await self._writer.write(claim))

