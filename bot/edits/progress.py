"""A job's progress reaches its requester without holding the job up: status messages go out
in the background, one at a time and in order, and a newer one replaces any still waiting.

A status edit can wait a long time (a platform's flood control asks for seconds); the job's
upstream slot must not wait with it."""

from __future__ import annotations

import asyncio
import logging

from ..domain import Progress, ProgressFn

log = logging.getLogger(__name__)


class ProgressPump:
    def __init__(self, show: ProgressFn | None, job_id: int) -> None:
        self._show = show
        self._job_id = job_id
        self._pending: Progress | None = None
        self._task: asyncio.Task[None] | None = None

    def push(self, event: Progress) -> None:
        if self._show is None:
            return
        self._pending = event
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        assert self._show is not None
        while self._pending is not None:
            event, self._pending = self._pending, None
            try:
                await self._show(event)
            except Exception:
                log.warning("progress callback failed for job %d", self._job_id, exc_info=True)

    async def close(self) -> None:
        """Stop: what is not shown yet never will be (the job's end speaks next)."""
        self._pending = None
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
