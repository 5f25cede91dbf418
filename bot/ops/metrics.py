"""Prometheus metrics: one registry, owned by one ``Metrics`` built in ``bootstrap.build``.

Nothing is created at import time, so every core (and every test) has a registry of its own.
Labels stay low-cardinality: platform, outcome, stage, size, model, status class; never a
user, a chat or a job. ``Metrics(enabled=False)`` keeps the same calls but records nothing
(bench/overhead.py measures the difference).

    editbot_edits_total{platform,outcome,size}       how requests ended: delivered, refused,
                                                      failed, invalid, rejected_quota,
                                                      rejected_budget, rejected_busy, duplicate
    editbot_stage_seconds{stage,size}                 queue_wait, upstream, delivery,
                                                      end_to_end (received -> delivered)
    editbot_queue_depth / editbot_upstream_in_flight  jobs waiting / calls running
    editbot_upstream_responses_total{model,status_class}  2xx 4xx 5xx timeout network
    editbot_upstream_retries_total{model}
    editbot_platform_rate_limited_total{platform}     429s from the Bot API / Discord REST
    editbot_credits_total{platform,event}             reserved, committed, refunded
    editbot_spend_usd_total{model,size}               estimated upstream spend
    editbot_upstream_tokens_total{model,kind}         prompt, output, thoughts
    editbot_spend_today_usd / editbot_daily_budget_usd  the deployment's, read from the ledger
    editbot_spend_month_usd / editbot_monthly_budget_usd  at each scrape (every replica says
    editbot_spend_held_usd                            the same); held: running jobs' estimates
    process_* python_* python_gc_*                    the client's default collectors
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from ..errors import BudgetReached, EditbotError, QuotaExceeded
from ..ledger import Spending
from ..pricing import Spend

STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300)


def size_label(size: str | None) -> str:
    return size or "default"


def outcome_label(status: str, error: EditbotError | None) -> str:
    """An outcome's label; a request turned away says by what: rejected_quota (no credits),
    rejected_budget (DAILY_ or MONTHLY_BUDGET_USD), rejected_busy (too many running), else
    invalid."""
    if status not in ("rejected", "invalid") or error is None:
        return status
    if isinstance(error, QuotaExceeded):
        return "rejected_quota"
    if isinstance(error, BudgetReached):
        return "rejected_budget"
    return "rejected_busy" if error.code == "one_at_a_time" else "invalid"


class Metrics:
    def __init__(self, *, model: str = "", enabled: bool = True) -> None:
        self.model = model
        self.enabled = enabled
        self.registry = registry = CollectorRegistry()
        if enabled:
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
            GCCollector(registry=registry)
        self._edits = Counter("editbot_edits", "Edit requests by how they ended",
                              ["platform", "outcome", "size"], registry=registry)
        self._stage = Histogram("editbot_stage_seconds", "Time spent in each stage of an edit",
                                ["stage", "size"], buckets=STAGE_BUCKETS, registry=registry)
        self._queue_depth = Gauge("editbot_queue_depth", "Jobs waiting for an upstream slot",
                                  registry=registry)
        self._in_flight = Gauge("editbot_upstream_in_flight", "Upstream calls running",
                                registry=registry)
        self._responses = Counter("editbot_upstream_responses",
                                  "Upstream (Gemini) answers by status class",
                                  ["model", "status_class"], registry=registry)
        self._retries = Counter("editbot_upstream_retries", "Upstream calls tried again",
                                ["model"], registry=registry)
        self._rate_limited = Counter("editbot_platform_rate_limited",
                                     "429 answers received from a chat platform's API",
                                     ["platform"], registry=registry)
        self._credits = Counter("editbot_credits", "Credits reserved, committed and refunded",
                                ["platform", "event"], registry=registry)
        self._spend = Counter("editbot_spend_usd", "Estimated upstream spend in US dollars",
                              ["model", "size"], registry=registry)
        self._tokens = Counter("editbot_upstream_tokens", "Tokens the upstream reported",
                               ["model", "kind"], registry=registry)
        self._spend_today = Gauge("editbot_spend_today_usd",
                                  "Estimated upstream spend of the current budget day, "
                                  "the deployment's", registry=registry)
        self._spend_month = Gauge("editbot_spend_month_usd",
                                  "Estimated upstream spend of the current month, "
                                  "the deployment's", registry=registry)
        self._spend_held = Gauge("editbot_spend_held_usd",
                                 "Estimates held against the budget by running jobs",
                                 registry=registry)
        self._spending: Callable[[], Awaitable[Spending]] | None = None
        # what people paid (counted by the replica that credited it: sum across replicas)
        self._sales = Counter("editbot_sales", "Purchases and refunds of bought credits: "
                              "stars paid, credits sold, refunds", ["platform", "what"],
                              registry=registry)
        self._revenue = Counter("editbot_revenue_usd", "Estimated revenue in US dollars "
                                "(Stars at STAR_USD_RATE), before refunds", registry=registry)

    # -- what the edit service reports --------------------------------------------------------
    def edit(self, platform: str, outcome: str, size: str | None) -> None:
        if self.enabled:
            self._edits.labels(platform, outcome, size_label(size)).inc()

    def turned_away(self, platform: str, error: EditbotError, size: str | None = None) -> None:
        """A request refused before it became a job (by the adapter's first checks)."""
        self.edit(platform, outcome_label("invalid", error), size)

    def stage(self, stage: str, size: str | None, seconds: float) -> None:
        if self.enabled:
            self._stage.labels(stage, size_label(size)).observe(seconds)

    def credits(self, platform: str, event: str, amount: int) -> None:
        if self.enabled and amount:
            self._credits.labels(platform, event).inc(amount)

    def sale(self, platform: str, *, credits: int, stars: int, usd: float,
             refund: bool = False) -> None:
        """A purchase credited, or (``refund``) one refunded: what it moved."""
        if not self.enabled:
            return
        prefix = "refunded_" if refund else ""
        self._sales.labels(platform, "refunds" if refund else "purchases").inc()
        self._sales.labels(platform, f"{prefix}stars").inc(stars)
        self._sales.labels(platform, "credits_taken_back" if refund else "credits_sold"
                           ).inc(credits)
        if not refund:
            self._revenue.inc(usd)

    def spent(self, spend: Spend) -> None:
        if not self.enabled:
            return
        self._spend.labels(spend.model, spend.size).inc(spend.cost_usd)
        usage = spend.usage
        for kind, count in (("prompt", usage.prompt), ("output", usage.output),
                            ("thoughts", usage.thoughts)):
            if count:
                self._tokens.labels(spend.model, kind).inc(count)

    # -- the upstream client and the adapters -------------------------------------------------
    def upstream_response(self, status_class: str) -> None:
        if self.enabled:
            self._responses.labels(self.model, status_class).inc()

    def upstream_retry(self) -> None:
        if self.enabled:
            self._retries.labels(self.model).inc()

    def rate_limited(self, platform: str) -> None:
        if self.enabled:
            self._rate_limited.labels(platform).inc()

    # -- gauges read at scrape time -----------------------------------------------------------
    def watch(self, *, waiting: Callable[[], float], in_flight: Callable[[], float],
              spending: Callable[[], Awaitable[Spending]], budget: float | None,
              monthly_budget: float | None = None) -> None:
        if not self.enabled:
            return
        self._queue_depth.set_function(waiting)
        self._in_flight.set_function(in_flight)
        self._spending = spending
        for name, value in (("editbot_daily_budget_usd", budget),
                            ("editbot_monthly_budget_usd", monthly_budget)):
            if value is not None:  # absent when there is no cap
                Gauge(name, name.removeprefix("editbot_").upper(), registry=self.registry
                      ).set(value)

    async def refresh(self) -> None:
        """Read the deployment's spend from the ledger (before each scrape)."""
        if self._spending is None:
            return
        spent = await self._spending()
        self._spend_today.set(spent.day_cost_usd)
        self._spend_month.set(spent.month_cost_usd)
        self._spend_held.set(spent.day_held_usd)
