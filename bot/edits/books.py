"""The books of the edit service: what accepting, answering, charging and refunding a job does
to the ledger (credits, spend), the daily budget and the metrics, kept in step in one place.

A job's hold on the daily budget (its estimate) is settled exactly once, when the ledger
finishes it (commit or refund: the ledger says which call did), by what its answer cost."""

from __future__ import annotations

import time
from typing import Any

from ..domain import DeliverFn, Delivery, EditCommand, EditOutcome, EditRequest, TokenUsage
from ..ledger import QuotaLedger
from ..ops import DailyBudget, Metrics, outcome_label
from ..pricing import PriceTable, Spend


class Books:
    no_spend: Spend | None = None  # what a job has cost before its answer

    def __init__(self, *, ledger: QuotaLedger, metrics: Metrics, budget: DailyBudget,
                 prices: PriceTable) -> None:
        self.ledger = ledger
        self.metrics = metrics
        self.budget = budget
        self.prices = prices

    def precheck(self, command: EditCommand) -> None:
        """Before any download: BudgetReached if even the output image alone would pass the
        daily budget (the full estimate is held at ``reserve``)."""
        self.budget.check(self.prices.image_usd(self.prices.size_of(command)))

    async def reserve(self, request: EditRequest, credits: int, *, unlimited: bool,
                      request_json: dict[str, Any]) -> int:
        """Admit the job against the daily budget, then reserve its credits; raises
        BudgetReached, QuotaExceeded or DuplicateRequest (then nothing is held)."""
        estimate = self.prices.estimate(request.command, len(request.images))
        self.budget.admit(estimate)
        try:
            job_id = await self.ledger.reserve(
                platform=request.actor.platform, actor=request.actor.key,
                scope=request.scope.key, credits=credits, request=request_json,
                unlimited=unlimited, origin_key=request.origin.get("key"),
                estimated_usd=estimate)
        except BaseException:
            self.budget.release(estimate)
            raise
        self.budget.hold(job_id, estimate)
        self.metrics.credits(request.actor.platform, "reserved", credits)
        return job_id

    def price(self, request: EditRequest, usage: object, *, produced: bool) -> Spend | None:
        """What an upstream answer cost, from its usage (None: it reported none)."""
        if not isinstance(usage, TokenUsage):
            return None
        spend = self.prices.spend(self.prices.size_of(request.command), usage,
                                  len(request.images), produced=produced)
        self.metrics.spent(spend)
        return spend

    def ended(self, request: EditRequest, outcome: EditOutcome) -> EditOutcome:
        self.metrics.edit(request.actor.platform, outcome_label(outcome.status, outcome.error),
                          request.command.image_size)
        return outcome

    # -- stage timings --------------------------------------------------------------------------
    @staticmethod
    def now() -> float:
        return time.monotonic()

    def waited(self, request: EditRequest, since: float) -> None:
        self.metrics.stage("queue_wait", request.command.image_size, time.monotonic() - since)

    def timed(self, request: EditRequest, deliver: DeliverFn) -> DeliverFn:
        """``deliver``, its duration observed as the delivery stage."""
        size = request.command.image_size

        async def timed_deliver(delivery: Delivery) -> None:
            started = time.monotonic()
            await deliver(delivery)
            self.metrics.stage("delivery", size, time.monotonic() - started)

        return timed_deliver

    # -- the ledger -----------------------------------------------------------------------------
    async def commit(self, job_id: int, request: EditRequest, credits: int,
                     spend: Spend | None = None) -> bool:
        """Charge a delivered job (its first arrival counts: end to end is observed then)."""
        done = await self.ledger.commit(job_id, spend=spend)
        if done:
            self.budget.settle(job_id, spend.cost_usd if spend else 0.0)
            self.metrics.credits(request.actor.platform, "committed", credits)
            self.metrics.stage("end_to_end", request.command.image_size,
                               time.monotonic() - request.received_at)
        return done

    async def refund(self, job_id: int, platform: str, credits: int, *, note: str,
                     spend: Spend | None = None) -> bool:
        done = await self.ledger.refund(job_id, note=note, spend=spend)
        if done:
            self.budget.settle(job_id, spend.cost_usd if spend else 0.0)
            self.metrics.credits(platform, "refunded", credits)
        return done

    def let_go(self, job_id: int) -> None:
        """A job another process took over: its estimate is no longer held here (the new
        owner holds it and settles it)."""
        self.budget.drop(job_id)
