"""The work an adapter starts in the background (edits, late deliveries): kept so a failure is
logged and a shutdown can give the running ones a grace period."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

log = logging.getLogger(__name__)
_noted: ContextVar[list[asyncio.Task[Any]] | None] = ContextVar("noted", default=None)


@contextmanager
def noting() -> Iterator[list[asyncio.Task[Any]]]:
    """The tasks spawned within (by this task and what it awaits), as they are spawned: a
    webhook answers once the work an update started is safely taken."""
    found: list[asyncio.Task[Any]] = []
    token = _noted.set(found)
    try:
        yield found
    finally:
        _noted.reset(token)


class Background:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coroutine)
        noted = _noted.get()
        if noted is not None:
            noted.append(task)
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
