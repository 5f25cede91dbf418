"""FairQueue: at most N upstream calls in flight; one user's jobs run one at a time, and
never hold up other users. Jobs are served in the order they were received (``order``, not
the moment they reached the queue), and waiting jobs learn their position as the queue moves."""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

PositionFn = Callable[[int], Coroutine[Any, Any, None]]


@dataclass(eq=False, slots=True)
class _Ticket:
    owner: str
    order: float
    notify: PositionFn | None
    ready: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())
    shown: int = -1


class FairQueue:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._in_flight = 0
        self._running: Counter[str] = Counter()
        self._waiting: list[_Ticket] = []  # sorted by order
        self._notes: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def slot(self, owner: str, notify: PositionFn | None = None, *,
                   order: float | None = None) -> AsyncIterator[None]:
        ticket = _Ticket(owner, time.monotonic() if order is None else order, notify)
        bisect.insort_right(self._waiting, ticket, key=_order)
        self._dispatch()
        try:
            await ticket.ready
        except BaseException:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                self._dispatch()
            elif ticket.ready.done() and not ticket.ready.cancelled():
                self._release(owner)
            raise
        try:
            yield
        finally:
            self._release(owner)

    def _release(self, owner: str) -> None:
        self._in_flight -= 1
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]
        self._dispatch()

    def _dispatch(self) -> None:
        if self._in_flight < self.capacity and self._waiting:
            still: list[_Ticket] = []
            for ticket in self._waiting:
                if ticket.ready.done():  # cancelled while waiting; its task removes it
                    continue
                if self._in_flight >= self.capacity or self._running[ticket.owner]:
                    still.append(ticket)
                    continue
                self._in_flight += 1
                self._running[ticket.owner] += 1
                ticket.ready.set_result(None)
            self._waiting = still
        for position, ticket in enumerate(self._waiting, start=1):
            if ticket.notify is not None and ticket.shown != position:
                ticket.shown = position
                task = asyncio.get_running_loop().create_task(ticket.notify(position))
                self._notes.add(task)
                task.add_done_callback(self._notes.discard)


def _order(ticket: _Ticket) -> float:
    return ticket.order
