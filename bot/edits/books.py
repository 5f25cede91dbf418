"""The books of the edit service: what accepting, answering, charging and refunding a job does
to the ledger (credits, spend), the operator's budget and the metrics, kept in step in one place.

The budget lives in the ledger: a job's estimate is held by its reservation (the same atomic
statement as its credits), and replaced by what its answer cost once recorded. Nothing about
it is kept in this process, so every replica sees the deployment's spend.

Every job that ends says so in one INFO line (``edit_line``): what an operator needs to follow
the bot, never the prompt (that goes to DEBUG only: it is the user's own words)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ..domain import (
    DeliverFn,
    Delivery,
    EditCommand,
    EditOutcome,
    EditRequest,
    Job,
    TokenUsage,
)
from ..ledger import QuotaLedger
from ..ops import Budget, Metrics, outcome_label
from ..pricing import PriceTable, Spend
from .serialize import request_from_json

log = logging.getLogger(__name__)


class Books:
    no_spend: Spend | None = None  # what a job has cost before its answer

    def __init__(self, *, ledger: QuotaLedger, metrics: Metrics, budget: Budget,
                 prices: PriceTable, ledger_name: str = "") -> None:
        self.ledger = ledger
        # set when another core runs in the same process (the local chat's, beside a real
        # platform): its lines say ``ledger=<name>``, since job ids are per ledger
        self.ledger_name = ledger_name
        self.metrics = metrics
        self.budget = budget
        self.prices = prices
        # job id -> (credits charged, estimated dollars), from its commit or refund to its end
        self._charged: dict[int, tuple[int, float]] = {}

    async def precheck(self, command: EditCommand) -> None:
        """Before any download: BudgetReached if even the output image alone would pass the
        budget now (the full estimate is checked and held by the reservation)."""
        if self.budget.daily_usd is not None or self.budget.monthly_usd is not None:
            await self.budget.check(self.prices.image_usd(self.prices.size_of(command)))

    async def reserve(self, request: EditRequest, credits: int, *, unlimited: bool,
                      request_json: dict[str, Any], asked: bool = False) -> int:
        """Reserve the job's credits and its estimate of the budget, in one statement;
        raises BudgetReached, QuotaExceeded or DuplicateRequest (then nothing is held).
        ``asked``: its turn with the model has come, noted in the same write."""
        estimate = self.prices.estimate(request.command, len(request.images))
        job_id = await self.ledger.reserve(
            platform=request.actor.platform, actor=request.actor.key,
            scope=request.scope.key, credits=credits, request=request_json,
            unlimited=unlimited, origin_key=request.origin.get("key"),
            estimated_usd=estimate, asked=asked)
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
        label = outcome_label(outcome.status, outcome.error)
        self.metrics.edit(request.actor.platform, label, request.command.image_size)
        if outcome.job_id is not None:
            credits, cost = self._charged.pop(outcome.job_id, (0, 0.0))
            fields = self._named(edit_fields(
                outcome.job_id, request, self.prices.size_of(request.command), label, outcome,
                credits, cost, seconds=time.monotonic() - request.received_at))
            log.info("%s", edit_line(fields), extra=fields)
            log.debug("job %d prompt: %r", outcome.job_id, request.command.prompt)
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
            self._charged[job_id] = (credits, spend.cost_usd if spend else 0.0)
            self.settled(spend)
            self.metrics.credits(request.actor.platform, "committed", credits)
            self.metrics.stage("end_to_end", request.command.image_size,
                               time.monotonic() - request.received_at)
        return done

    def charge(self, job_id: int, request: EditRequest, credits: int,
               spend: Spend | None) -> Charge:
        """``commit``, asked once however often it is called (the result's first arrival
        charges the job; a later arrival or the delivery's end need no write)."""
        return Charge(lambda: self.commit(job_id, request, credits, spend))

    async def refund(self, job_id: int, platform: str, credits: int, *, note: str,
                     spend: Spend | None = None) -> bool:
        done = await self.ledger.refund(job_id, note=note, spend=spend)
        if done:
            self._charged[job_id] = (0, spend.cost_usd if spend else 0.0)
            self.settled(spend)
            self.metrics.credits(platform, "refunded", credits)
        return done

    def settled(self, spend: Spend | None) -> None:
        if spend is not None and spend.cost_usd > 0:
            self.budget.settled()  # the operators' alerts, once for the deployment

    async def abandon(self, job: Job, *, note: str) -> bool:
        """Refund a job found unfinished at a start that cannot finish it (True: this call
        did); it ended too, so it gets its INFO line, ``outcome=refunded reason=<note>``."""
        if not await self.refund(job.id, job.platform, job.credits, note=note):
            return False
        self._charged.pop(job.id, None)
        request = request_from_json(job.request)
        fields = self._named(edit_fields(
            job.id, request, self.prices.size_of(request.command), "refunded",
            EditOutcome("failed"), 0, 0.0,
            seconds=(self.ledger.now() - job.created_at).total_seconds()))
        fields["reason"] = note.replace(" ", "_")
        log.info("%s", edit_line(fields), extra=fields)
        return True

    def _named(self, fields: dict[str, object]) -> dict[str, object]:
        if not self.ledger_name:
            return fields
        return {"job": fields["job"], "ledger": self.ledger_name, **fields}


class Charge:
    def __init__(self, commit: Callable[[], Awaitable[bool]]) -> None:
        self._commit = commit
        self._done: bool | None = None

    async def __call__(self) -> bool:
        if self._done is None:
            self._done = await self._commit()
        return self._done


def edit_fields(job_id: int, request: EditRequest, size: str, label: str,
                outcome: EditOutcome, credits: int, cost_usd: float, *, seconds: float
                ) -> dict[str, object]:
    """What the INFO line of a finished job says, in its order (JSON logs get them as fields)."""
    fields: dict[str, object] = {
        "job": job_id, "platform": request.actor.platform,
        "chat": "private" if request.scope.private else "group", "size": size,
        "outcome": label, "seconds": round(seconds, 1),
        "credits": credits, "cost_usd": round(cost_usd, 4)}
    error = outcome.error
    if error is not None and outcome.status in ("refused", "failed"):
        fields["reason"] = getattr(error, "reason", "") or error.code
    return fields


def edit_line(fields: dict[str, object]) -> str:
    """``edit finished: job=42 platform=telegram chat=private size=1K outcome=delivered
    seconds=3.2 credits=1 cost_usd=0.1340`` (and ``reason=`` when refused or failed)."""
    shown = {**fields, "seconds": f"{fields['seconds']:.1f}",
             "cost_usd": f"{fields['cost_usd']:.4f}"}
    return "edit finished: " + " ".join(f"{key}={value}" for key, value in shown.items())
