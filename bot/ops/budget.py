"""The operator's budget (DAILY_BUDGET_USD, MONTHLY_BUDGET_USD) and the operators' alerts.

The ledger holds the budget: every reservation checks, in the same atomic statement as the
credits, that the day's spend (each job's recorded cost, or its estimate while it runs) plus this
job's estimate stays within the day's budget, and the same for the month (bot/ledger/spending.py).
So the budget holds for the whole deployment, however many replicas share the database. Here:
the cheap check before any download, the figures for /metrics, and the alerts: BOT_ADMINS hear
once a day (and once a month) at 80% and once at 100%, from whichever replica claims the alert
in the ledger first. A job counts on the quota day it was reserved on (QUOTA_TIMEZONE).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from ..i18n import text
from ..ledger import QuotaLedger, Spending

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
        self.soon(self._tell(message_id, params))

    def soon(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` (that may tell the operators) without holding up the caller."""
        task = asyncio.get_running_loop().create_task(work)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _tell(self, message_id: str, params: Mapping[str, object]) -> None:
        await self.tell(message_id, **params)

    async def settle(self) -> None:
        """Wait for alerts on their way (at shutdown)."""
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)


class Budget:
    """The deployment's budget as the edit flow and the operators see it; the ledger enforces
    it (``QuotaLedger.open(budget=...)``)."""

    def __init__(self, *, ledger: QuotaLedger, alerts: AdminAlerts) -> None:
        self._ledger = ledger
        self._alerts = alerts

    @property
    def daily_usd(self) -> float | None:
        return self._ledger.budget.daily_usd

    @property
    def monthly_usd(self) -> float | None:
        return self._ledger.budget.monthly_usd

    async def check(self, estimate: float) -> None:
        """Raise BudgetReached if ``estimate`` more would pass a budget now (nothing held: the
        reservation checks again, atomically)."""
        refusal = await self._ledger.over_budget(estimate)
        if refusal is not None:
            raise refusal

    async def spending(self) -> Spending:
        """The deployment's spend today and this month, from the ledger."""
        return await self._ledger.spending()

    def settled(self) -> None:
        """A job's cost was recorded: tell the operators of a threshold it crossed (in the
        background, once for the deployment)."""
        if self._ledger.budget.any:
            self._alerts.soon(self._alert())

    async def _alert(self) -> None:
        try:
            spent = await self._ledger.spending()
            await self._crossed(spent.day, self.daily_usd, spent.day_cost_usd, "budget_alert",
                                resets_at=self._ledger.resets_at())
            resets = self._ledger.month_resets_at()
            await self._crossed(spent.day[:7], self.monthly_usd, spent.month_cost_usd,
                                "monthly_budget_alert", resets_at=resets,
                                resets_on=resets.date().isoformat())
        except Exception:  # an alert must never fail the job that prompted it
            log.warning("could not check the budget's alerts", exc_info=True)

    async def _crossed(self, period: str, budget: float | None, spent: float, message: str,
                       **params: Any) -> None:
        if not budget:
            return
        percent = 100 * spent / budget
        # the highest crossed first, and none below one another replica holds: two replicas
        # that both saw the last dollar spent would otherwise each claim one threshold (80 and
        # 100) and both tell the operators
        claimed = []
        for threshold in sorted((t for t in THRESHOLDS if percent >= t), reverse=True):
            if not await self._ledger.claim_alert(period, threshold, spent):
                break
            claimed.append(threshold)
        if claimed:
            params["resets_at"] = params["resets_at"].strftime("%H:%M %Z").strip()
            await self._alerts.tell(f"{message}_{max(claimed)}", percent=round(percent),
                                    spent=f"{spent:.2f}", budget=f"{budget:.2f}", **params)
