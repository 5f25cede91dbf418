"""The only place that wires: settings -> Gemini client, ledger, metrics, the budget, the edit,
moderation and stats services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from .community import CommunityLog, CommunitySettings, Moderation, Payments
from .config import Settings
from .edits import Books, EditService, RecentImages, TurnStore
from .errors import ConfigError
from .ledger import QuotaLedger, SpendLimits, database_problem
from .models import ModelSpec, spec_for
from .ops import AdminAlerts, Budget, Metrics, Stats, fewer_arenas, freeze_start
from .pricing import PriceTable
from .upstream import FairQueue, GeminiClient, SharedQueue, UpstreamQueue


@dataclass(frozen=True, slots=True)
class Core:
    settings: Settings
    spec: ModelSpec
    gemini: GeminiClient
    ledger: QuotaLedger
    service: EditService
    turns: TurnStore  # a conversation's turns: which job a message continues (the service's too)
    recent: RecentImages  # what a person may pick again (inline, /history)
    moderation: Moderation
    metrics: Metrics
    budget: Budget
    alerts: AdminAlerts
    stats: Stats
    queue: UpstreamQueue  # the upstream calls: this process's (FairQueue), or the deployment's
    payments: Payments  # credits people buy (CREDIT_PACKS, DISCORD_SKU_CREDITS)
    community: CommunitySettings  # what each group's moderators set (/settings)
    logbook: CommunityLog  # each community's log channel: the platforms post to it

    def hold(self) -> None:
        """Take a SQLite database for this process alone (a ConfigError naming DATABASE_URL
        when another process has it); PostgreSQL is shared by design."""
        self.ledger.hold()

    async def start(self) -> None:
        """Open and migrate the ledger (a database that cannot be used is a ConfigError), settle
        what earlier runs left pending."""
        fewer_arenas()  # before the ledger's threads start (bot/ops/heap.py)
        try:
            await self.ledger.migrate()
        except (OSError, SQLAlchemyError) as exc:
            raise database_error(self.settings.database_url, exc) from None
        await self.ledger.settle_pending(earlier_runs=True)  # before anything is resumed
        self.ledger.keep_alive()
        if isinstance(self.queue, SharedQueue):
            await self.queue.start()
        freeze_start()  # what the start built lives as long as the process (bot/ops/heap.py)

    async def check_upstream(self) -> None:
        """The checks worth a request at start: is the Gemini key accepted?"""
        await self.gemini.check_key()

    async def ping(self) -> None:
        """Raises if the ledger does not answer (for /readyz)."""
        await self.ledger.ping()

    async def aclose(self) -> None:
        await self.alerts.settle()
        await self.logbook.settle()
        self.service.close()
        await self.gemini.aclose()
        await self.turns.settle()
        if isinstance(self.queue, SharedQueue):
            await self.queue.close()  # this replica's places and slots go at once
        await self.ledger.close()


def database_error(url: str, exc: BaseException) -> ConfigError:
    return database_problem(url, exc)


def _now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: Settings, *, gemini: GeminiClient | None = None, ledger: QuotaLedger | None = None,
    clock: Callable[[], datetime] | None = None, metrics: Metrics | None = None,
    ledger_name: str = "",
) -> Core:
    """``metrics`` defaults to a fresh registry of this core's own (Metrics(enabled=False)
    records nothing: the benchmark's baseline). ``ledger_name``: a second core in the process
    (the local chat's) names its ledger in its edit lines."""
    spec = spec_for(settings.gemini_model)
    metrics = metrics or Metrics(model=settings.gemini_model)
    gemini = gemini or GeminiClient(
        base_url=settings.gemini_base_url, api_key=(settings.gemini_api_key.get_secret_value()
                                           if settings.gemini_api_key else ""),
        auth=settings.auth_style, model=settings.gemini_model,
        timeout_s=settings.gemini_timeout_s, max_attempts=settings.gemini_max_attempts,
        max_connections=settings.gemini_max_concurrency + 4,
        max_retry_delay_s=settings.gemini_max_retry_delay_s, metrics=metrics,
    )
    try:
        ledger = ledger or QuotaLedger.open(
            settings.database_url, default_limit=settings.default_daily_limit,
            user_limit=settings.person_daily_limit, timezone=settings.timezone,
            clock=clock or _now, lock_timeout_s=settings.database_lock_timeout_s,
        )
    except OSError as exc:  # its folder cannot be made
        raise database_error(settings.database_url, exc) from None
    # every reservation checks it, in the same statement as the credits
    ledger.budget = SpendLimits(settings.daily_budget_usd, settings.monthly_budget_usd)
    alerts = AdminAlerts(settings.bot_admins)
    budget = Budget(ledger=ledger, alerts=alerts)
    queue: UpstreamQueue = FairQueue(settings.gemini_max_concurrency)
    if ledger.postgres:  # one upstream budget for every replica on the database
        queue = SharedQueue(settings.gemini_max_concurrency, url=ledger.url,
                            replica=ledger.owner)
    books = Books(ledger=ledger, metrics=metrics, budget=budget,
                  prices=PriceTable(settings.gemini_model, settings.price_overrides()),
                  ledger_name=ledger_name)
    moderation = Moderation(ledger=ledger, admins=settings.bot_admins,
                            default_limit=settings.default_daily_limit)
    community = CommunitySettings(ledger=ledger, moderation=moderation, spec=spec)
    logbook = CommunityLog()
    turns = TurnStore(ledger)
    service = EditService(
        ledger=ledger, gemini=gemini, spec=spec, max_concurrency=settings.gemini_max_concurrency,
        credits_for=settings.credits_for, admins=settings.bot_admins,
        max_in_flight_per_user=settings.max_in_flight_per_user,
        refusal_cooldown_s=settings.refusal_cooldown_s, decode_memory_mb=settings.decode_memory_mb,
        books=books, turns=turns, queue=queue, community=community, logbook=logbook,
    )
    metrics.watch(waiting=lambda: queue.waiting, in_flight=lambda: queue.in_flight,
                  spending=budget.spending, budget=settings.daily_budget_usd,
                  monthly_budget=settings.monthly_budget_usd)
    stats = Stats(ledger=ledger, admins=settings.bot_admins, budget_usd=settings.daily_budget_usd,
                  model=settings.gemini_model, clock=clock or _now,
                  monthly_budget_usd=settings.monthly_budget_usd,
                  payments=settings.payments, star_usd_rate=settings.star_usd_rate)
    return Core(settings=settings, spec=spec, gemini=gemini, ledger=ledger, service=service,
                turns=turns, recent=RecentImages(ledger),
                moderation=moderation, metrics=metrics, budget=budget, alerts=alerts, stats=stats,
                queue=queue, payments=Payments(ledger=ledger, settings=settings,
                                               metrics=metrics),
                community=community, logbook=logbook)


async def copy_ledger(source_url: str, target_url: str) -> dict[str, int]:
    """``python -m bot copy-ledger``: see bot/ledger/copying.py."""
    from .ledger import copy_ledger as copy

    return await copy(source_url, target_url)
