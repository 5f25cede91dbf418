"""The daily budget (DAILY_BUDGET_USD) and the operators' alerts.

An edit is admitted only if the day's estimated spend, plus the estimates of the jobs still
running, plus its own estimate stays within the budget; otherwise it is refused before any
credit is taken or any upstream call made. The check and the hold are one synchronous step, so
concurrent requests cannot together pass the budget. When a job's answer arrives, its estimate
is replaced by its cost. BOT_ADMINS hear once a day at 80% and once at 100%.

The running figures live in this process (loaded from the ledger at start); the day is the
quota day (QUOTA_TIMEZONE).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from ..errors import BudgetReached
from ..i18n import text

log = logging.getLogger(__name__)
THRESHOLDS = (80, 100)  # percent of the budget at which the operators are told
Messenger = Callable[[str, str], Awaitable[None]]  # (user id on its platform, words)


class AdminAlerts:
    """Private messages to BOT_ADMINS through the adapters that run: each adapter connects a
    messenger for its platform (Telegram: a private message; Discord: a DM)."""

    def __init__(self, admins: frozenset[str]) -> None:
        self._admins = admins
        self._messengers: dict[str, Messenger] = {}
        self._sending: set[asyncio.Task[None]] = set()

    def connect(self, platform: str, messenger: Messenger) -> None:
        self._messengers[platform] = messenger

    def disconnect(self, platform: str) -> None:
        self._messengers.pop(platform, None)

    async def tell(self, message_id: str, **params: object) -> None:
        """Tell every operator that a connected platform can reach."""
        for admin in sorted(self._admins):
            platform, _, user_id = admin.partition(":")
            messenger = self._messengers.get(platform)
            if messenger is None:
                continue
            try:
                await messenger(user_id, text(message_id, "en", **params))
            except Exception:
                log.warning("could not alert operator %s", admin, exc_info=True)

    def tell_soon(self, message_id: str, **params: object) -> None:
        """Tell the operators without holding up the caller (a job on its way)."""
        task = asyncio.get_running_loop().create_task(self._tell(message_id, params))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _tell(self, message_id: str, params: Mapping[str, object]) -> None:
        await self.tell(message_id, **params)

    async def settle(self) -> None:
        """Wait for alerts on their way (at shutdown)."""
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)


class DailyBudget:
    def __init__(self, *, limit_usd: float | None, today: Callable[[], str],
                 resets_at: Callable[[], datetime], alerts: AdminAlerts) -> None:
        self.limit_usd = limit_usd
        self._today = today
        self._resets_at = resets_at
        self._alerts = alerts
        self._day = ""
        self._spent = 0.0
        self._held: dict[int, float] = {}  # job id -> its estimate, until its answer
        self._reserved = 0.0  # held, plus admitted jobs not yet in the ledger
        self._told: set[int] = set()

    def load(self, *, day: str, spent: float, held: Mapping[int, float]) -> None:
        """The ledger's figures at start. Thresholds already passed count as told."""
        self._day, self._spent = day, spent
        self._held = dict(held)
        self._reserved = sum(self._held.values())
        self._told = {t for t in THRESHOLDS if self._percent() >= t}

    def _roll(self) -> None:
        today = self._today()
        if today != self._day:
            self._day, self._spent, self._told = today, 0.0, set()

    def _percent(self) -> float:
        if not self.limit_usd:
            return 0.0
        return 100 * self._spent / self.limit_usd

    def spent_today(self) -> float:
        self._roll()
        return self._spent

    @property
    def reserved(self) -> float:
        return self._reserved

    def check(self, estimate: float) -> None:
        """Raise BudgetReached if ``estimate`` more would pass the budget (nothing held)."""
        self._roll()
        if self.limit_usd is not None and (
                self._spent + self._reserved + estimate > self.limit_usd + 1e-9):
            raise BudgetReached("budget_reached", resets_at=self._resets_at())

    def admit(self, estimate: float) -> None:
        """Hold ``estimate`` for a new job, or raise BudgetReached (nothing held)."""
        self.check(estimate)
        self._reserved += estimate

    def release(self, estimate: float) -> None:
        """An admitted job that never reached the ledger (a quota refusal, a duplicate)."""
        self._reserved = max(self._reserved - estimate, 0.0)

    def hold(self, job_id: int, estimate: float) -> None:
        """The admitted estimate now belongs to job ``job_id``."""
        self._held[job_id] = estimate

    def drop(self, job_id: int) -> None:
        """Job ``job_id`` went on in another process: its estimate is no longer held here."""
        self.release(self._held.pop(job_id, 0.0))

    def settle(self, job_id: int, cost_usd: float) -> None:
        """Job ``job_id`` cost ``cost_usd`` (0: the upstream gave nothing to pay for)."""
        self._roll()
        self.release(self._held.pop(job_id, 0.0))
        self._spent += cost_usd
        crossed = [t for t in THRESHOLDS if self._percent() >= t and t not in self._told]
        if crossed and self.limit_usd is not None:
            self._told.update(crossed)
            self._alerts.tell_soon(
                f"budget_alert_{max(crossed)}", percent=round(self._percent()),
                spent=f"{self._spent:.2f}", budget=f"{self.limit_usd:.2f}",
                resets_at=self._resets_at().strftime("%H:%M %Z").strip())
