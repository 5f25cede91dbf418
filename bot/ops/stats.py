"""Stats for operators (/stats, ``python -m bot stats``): today and the last 7 days, read from
the ledger's jobs (the deployment's, whichever replica answers). Only BOT_ADMINS may read
them. A job counts on the quota day it was reserved on, whenever it finished (the same rule as
its credits and the budget).

A job's outcome is its ledger status: committed = delivered; refunded with a ``refused:`` note =
refused by the model; any other refund = failed; still reserved = running. Time to result runs
from the reservation to the commit (the moment the user had the image). Requests turned away
before a job existed (bad input, quotas, the budget) are counted by the metrics, not here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..domain import Actor, JobStatus
from ..errors import NotAllowed
from ..ledger import QuotaLedger, jobs

OUTCOMES = ("delivered", "refused", "failed", "running")
TOP_SCOPES = 5


@dataclass(frozen=True, slots=True)
class Sales:
    """What people paid for credits in a period: Stars received (Telegram), credits sold
    (every platform), refunds and the Stars they gave back, and the estimated revenue in USD
    (Stars kept, at STAR_USD_RATE)."""

    stars: int
    credits_sold: int
    purchases: int
    refunds: int
    stars_refunded: int
    revenue_usd: float

    def to_json(self) -> dict[str, Any]:
        return {"stars": self.stars, "credits_sold": self.credits_sold,
                "purchases": self.purchases, "refunds": self.refunds,
                "stars_refunded": self.stars_refunded,
                "revenue_usd": round(self.revenue_usd, 4)}


@dataclass(frozen=True, slots=True)
class Period:
    first_day: str
    last_day: str
    outcomes: dict[str, int]  # every key of OUTCOMES
    spend_usd: float
    top_scopes: list[tuple[str, float]]  # group/server scope key -> spend, dearest first
    failure_rate: float | None  # failed / finished; None when nothing finished
    p50_s: float | None  # time to result of delivered edits
    p95_s: float | None
    sales: Sales | None = None  # None: payments are off and nothing was ever sold

    def to_json(self) -> dict[str, Any]:
        sold = {} if self.sales is None else {"sales": self.sales.to_json()}
        return {**sold, "first_day": self.first_day, "last_day": self.last_day,
                "outcomes": self.outcomes, "spend_usd": round(self.spend_usd, 4),
                "top_scopes": [{"scope": s, "spend_usd": round(v, 4)}
                               for s, v in self.top_scopes],
                "failure_rate": self.failure_rate, "p50_s": self.p50_s, "p95_s": self.p95_s}


@dataclass(frozen=True, slots=True)
class StatsReport:
    today: Period
    week: Period
    budget_usd: float | None
    model: str
    at: datetime = field(compare=False)
    month_spend_usd: float = 0.0  # the calendar month of today's quota day
    monthly_budget_usd: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"today": self.today.to_json(), "last_7_days": self.week.to_json(),
                "budget_usd": self.budget_usd, "model": self.model, "at": self.at.isoformat(),
                "month": {"spend_usd": round(self.month_spend_usd, 4),
                          "budget_usd": self.monthly_budget_usd}}


def outcome_of(status: str, note: str) -> str:
    if status == JobStatus.COMMITTED.value:
        return "delivered"
    if status == JobStatus.RESERVED.value:
        return "running"
    return "refused" if note.startswith("refused:") else "failed"


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 2)


def summarize(rows: list[Any], first_day: str, last_day: str) -> Period:
    outcomes: Counter[str] = Counter()
    by_scope: dict[str, float] = defaultdict(float)
    spend = 0.0
    times: list[float] = []
    for row in rows:
        if not first_day <= row.day <= last_day:
            continue
        outcome = outcome_of(row.status, row.note or "")
        outcomes[outcome] += 1
        cost = row.cost_usd or 0.0
        spend += cost
        if ":group:" in row.scope:
            by_scope[row.scope] += cost
        if outcome == "delivered":
            took = datetime.fromisoformat(row.updated_at) - datetime.fromisoformat(
                row.created_at)
            times.append(took.total_seconds())
    finished = outcomes["delivered"] + outcomes["refused"] + outcomes["failed"]
    top = sorted(((s, v) for s, v in by_scope.items() if v > 0), key=lambda i: -i[1])
    return Period(
        first_day=first_day, last_day=last_day,
        outcomes={name: outcomes[name] for name in OUTCOMES}, spend_usd=spend,
        top_scopes=top[:TOP_SCOPES],
        failure_rate=round(outcomes["failed"] / finished, 4) if finished else None,
        p50_s=percentile(times, 50), p95_s=percentile(times, 95))


class Stats:
    def __init__(self, *, ledger: QuotaLedger, admins: frozenset[str],
                 budget_usd: float | None, model: str,
                 clock: Callable[[], datetime], monthly_budget_usd: float | None = None,
                 payments: bool = False, star_usd_rate: float = 0.0) -> None:
        self._payments = payments
        self._star_usd = star_usd_rate
        self._ledger = ledger
        self._admins = admins
        self._budget = budget_usd
        self._monthly = monthly_budget_usd
        self._model = model
        self._clock = clock

    async def report(self, actor: Actor | None) -> StatsReport:
        """Today and the last 7 days; ``actor`` None is the operator's shell. Raises
        NotAllowed for anyone not in BOT_ADMINS."""
        if actor is not None and actor.key not in self._admins:
            raise NotAllowed("not_operator")
        today = self._ledger.today()
        first = (date.fromisoformat(today) - timedelta(days=6)).isoformat()
        stmt = select(jobs.c.day, jobs.c.status, jobs.c.note, jobs.c.scope, jobs.c.cost_usd,
                      jobs.c.created_at, jobs.c.updated_at).where(jobs.c.day >= first)
        async with self._ledger.engine.connect() as conn:
            rows = list((await conn.execute(stmt)).all())
        month = await self._ledger.spending(today)
        return StatsReport(today=await self._sold(summarize(rows, today, today), 1),
                           week=await self._sold(summarize(rows, first, today), 7),
                           budget_usd=self._budget,
                           model=self._model, at=self._clock(),
                           month_spend_usd=month.month_cost_usd,
                           monthly_budget_usd=self._monthly)

    async def _sold(self, period: Period, days: int) -> Period:
        """The period with its sales, when payments are on or anything was ever sold."""
        start = self._ledger.resets_at() - timedelta(days=days)
        found = await self._ledger.sales(start.astimezone(UTC).isoformat(
            timespec="microseconds"))
        if not self._payments and not (await self._ledger.sales())["purchases"]:
            return period
        kept = found["stars"] - found["stars_refunded"]
        return replace(period, sales=Sales(**found, revenue_usd=kept * self._star_usd))
