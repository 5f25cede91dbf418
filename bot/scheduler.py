"""FairQueue: at most N upstream calls in flight; one user's jobs run one at a time, in order,
and never hold up other users. Waiting jobs learn their position as the queue moves."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

PositionFn = Callable[[int], Coroutine[Any, Any, None]]


@dataclass(eq=False, slots=True)
class _Ticket:
    owner: str
    notify: PositionFn | None
    ready: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())
    shown: int = -1


class FairQueue:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._running: Counter[str] = Counter()
        self._waiting: list[_Ticket] = []
        self._notes: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        return sum(self._running.values())

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def slot(self, owner: str, notify: PositionFn | None = None) -> AsyncIterator[None]:
        ticket = _Ticket(owner, notify)
        self._waiting.append(ticket)
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
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]
        self._dispatch()

    def _dispatch(self) -> None:
        for ticket in list(self._waiting):
            if self.in_flight >= self.capacity:
                break
            if self._running[ticket.owner]:
                continue
            self._waiting.remove(ticket)
            self._running[ticket.owner] += 1
            ticket.ready.set_result(None)
        for position, ticket in enumerate(self._waiting, start=1):
            if ticket.notify is not None and ticket.shown != position:
                ticket.shown = position
                task = asyncio.get_running_loop().create_task(ticket.notify(position))
                self._notes.add(task)
                task.add_done_callback(self._notes.discard)
