"""Taking over, while running, the jobs of replicas that stopped (PostgreSQL only).

At its start each process resumes the jobs whose owner is gone (``Recovery.resume``). On a
database shared by replicas a replica may die while the others run on: ``Takeover`` looks again
a few times per lease, so a crashed replica's work is picked up within about one lease (30 s).
A live replica's jobs are never touched: their leases do not expire.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from .domain import EditOutcome, Job

if TYPE_CHECKING:
    from .ports import ResumeHandler
    from .recovery import Recovery

log = logging.getLogger(__name__)
Adopt = Callable[[Job, "asyncio.Task[EditOutcome]"], object]


class Takeover:
    def __init__(self, recovery: Recovery) -> None:
        self._recovery = recovery
        self._watchers: dict[str, asyncio.Task[None]] = {}

    def start(self, platform: str, handler: ResumeHandler, adopt: Adopt) -> None:
        """Keep resuming ``platform``'s orphaned jobs; ``adopt`` gets each job and its task.
        Nothing to do on SQLite (one process: everything was resumed at start)."""
        if not self._recovery.ledger.postgres or platform in self._watchers:
            return
        self._watchers[platform] = asyncio.get_running_loop().create_task(
            self._watch(platform, handler, adopt))

    async def _watch(self, platform: str, handler: ResumeHandler, adopt: Adopt) -> None:
        ledger = self._recovery.ledger
        while True:
            await asyncio.sleep(ledger.lease.total_seconds() / 3)
            try:
                for job, task in await self._recovery.resume(platform, handler):
                    adopt(job, task)
            except Exception:
                log.warning("could not look for %s jobs to take over", platform, exc_info=True)

    async def stop(self, platform: str) -> None:
        watcher = self._watchers.pop(platform, None)
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
