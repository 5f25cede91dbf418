"""The work an adapter starts in the background (edits, late deliveries): kept so a failure is
logged and a shutdown can give the running ones a grace period."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a %s task failed", self.platform, exc_info=task.exception())

    async def settle(self, grace_s: float) -> None:
        """Let running work finish within ``grace_s``, then cancel the rest: their jobs stay
        reserved and are resumed on the next start."""
        if not self._tasks:
            return
        _, running = await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
