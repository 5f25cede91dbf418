"""A queued job called off by its requester (or a moderator of its chat) before the model is
asked: its credits come back and the model never sees it.

The ledger decides (``call_off``: one conditional UPDATE racing the runner's own note that it
asks, bot/ledger/cancelling.py), so a press works on any replica and after a restart. This
process then lets the job's place in line go at once, if the job waits here; a job waiting on
another replica learns it at its next move in the line (on PostgreSQL), or at its turn, when
the runner's note that it asks finds the job refunded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from ..domain import Actor, Progress, Scope, Stage
from ..ledger import LEDGER_FAULTS, Calling, QuotaLedger, call_off, called_off, job_from
from ..upstream import PositionFn
from .waits import Waits

log = logging.getLogger(__name__)


class CalledOff(Exception):
    """The job was called off while it waited for its turn."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a press of Cancel did: ``calling`` (or ``not_yours``, ``not_yet``, ``unavailable``)
    and the credits given back."""

    what: str
    credits: int = 0


class Cancels:
    def __init__(self, ledger: QuotaLedger, admins: frozenset[str]) -> None:
        self._ledger = ledger
        self._admins = admins
        self._waiting: dict[str, asyncio.Event] = {}  # this process's queued jobs, by key

    async def cancel(self, key: str, actor: Actor, scope: Scope, *,
                     moderator: bool) -> Verdict:
        """Call off the job made from the platform message ``key``, pressed by ``actor`` in
        ``scope``. ``moderator``: the platform says the presser moderates ``scope``. A key
        naming a job of another chat is refused like another person's job."""
        try:
            job = await job_from(self._ledger, key)
            if job is None:  # its images still arriving, or a key that names nothing
                return Verdict("not_yet")
            allowed = actor.key == job.actor_key or actor.key in self._admins or (
                moderator and not scope.private)
            if job.scope_key != scope.key or not allowed:
                return Verdict("not_yours")
            calling = await call_off(self._ledger, key)
        except LEDGER_FAULTS:
            log.warning("a cancel could not reach the ledger", exc_info=True)
            return Verdict("unavailable")
        if calling is Calling.CANCELLED:
            log.info("job %d called off by %s before the model was asked", job.id, actor.key)
            self._stop(key)
        return Verdict(calling.value, job.credits)

    def _stop(self, key: str) -> None:
        event = self._waiting.get(key)
        if event is not None:
            event.set()

    async def queued(self, key: str | None) -> bool:
        """Whether a job still waiting here was not called off: on PostgreSQL another replica
        may have done it (then its place goes at once, as if done here)."""
        if key is None:
            return True
        if self._stopped(key):
            return False
        if self._ledger.postgres:
            try:
                gone = await called_off(self._ledger, key)
            except LEDGER_FAULTS:
                return True
            if gone:
                self._stop(key)
                return False
        return True

    def places(self, key: str | None, push: Callable[[Progress], None],
               waits: Waits) -> PositionFn:
        """What a waiting job is told as the line moves: its place and likely wait, until it
        is called off. Where a job can only be called off here (SQLite: one process) that is
        known at once, and the place is told without a task of its own."""
        def tell(position: int) -> None:
            push(Progress(Stage.QUEUED, position, waits.estimate(position)))

        def moved_here(position: int) -> None:
            if key is None or not self._stopped(key):
                tell(position)

        async def moved(position: int) -> None:
            if await self.queued(key):
                tell(position)
        return moved if self._ledger.postgres else moved_here

    def _stopped(self, key: str) -> bool:
        event = self._waiting.get(key)
        return event is not None and event.is_set()

    @contextlib.asynccontextmanager
    async def line(self, key: str | None,
                   slot: AbstractAsyncContextManager[None]) -> AsyncIterator[None]:
        """Wait for ``slot`` (the job's turn) unless the job is called off first: then its
        place is given up and CalledOff raised."""
        if key is None:
            async with slot:
                yield
            return
        event = self._waiting.setdefault(key, asyncio.Event())
        try:
            entering = asyncio.ensure_future(slot.__aenter__())
            stopping = asyncio.ensure_future(event.wait())
            try:
                await asyncio.wait({entering, stopping}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopping.cancel()
                if not entering.done():
                    entering.cancel()  # the slot gives the place up
                    await asyncio.gather(entering, return_exceptions=True)
            if entering.cancelled() or not entering.done():
                raise CalledOff(key)
            entering.result()
        finally:
            if self._waiting.get(key) is event:
                del self._waiting[key]
        try:
            yield
        except BaseException as error:
            if not await slot.__aexit__(type(error), error, error.__traceback__):
                raise
        else:
            await slot.__aexit__(None, None, None)
