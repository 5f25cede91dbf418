"""FairQueue: at most N upstream calls in flight; one user's jobs run one at a time, and
never hold up other users. Jobs are served in the order they were received (``order``, not
the moment they reached the queue), and waiting jobs learn their position as the queue moves,
in steps (each place near the front, then every 5th, then every 10th), so a long line does not
turn into a flood of status edits.

A request takes its place in line the moment it is accepted (``hold``), before its images are
downloaded: its first status is then its true place, and requests accepted after it count
behind it. A place given up unused (``drop``) lets the line move on.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

# told a waiting place's new position: at once, or by the coroutine it returns (run as a task)
PositionFn = Callable[[int], Coroutine[Any, Any, None] | None]


@dataclass(eq=False, slots=True)
class Place:
    """A place in line. ``position`` is 0 once it may run, else its 1-based place."""

    owner: str
    order: float
    notify: PositionFn | None = None
    ready: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())
    shown: int = -1
    position: int = 0
    done: bool = False  # released or dropped


class UpstreamQueue(ABC):
    """What the service asks of a queue: FairQueue here, or SharedQueue
    for every replica on a PostgreSQL ledger. A slot is a held place's turn, waited for, then
    given back when the call ends (or the place given up if the wait is cancelled)."""

    capacity: int

    @property
    @abstractmethod
    def in_flight(self) -> int: ...

    @property
    @abstractmethod
    def waiting(self) -> int: ...

    @abstractmethod
    def hold(self, owner: str, *, order: float | None = None,
             notify: PositionFn | None = None) -> Place: ...

    @abstractmethod
    def drop(self, ticket: Place) -> None: ...

    @abstractmethod
    def _release(self, ticket: Place) -> None: ...

    @abstractmethod
    def _retell(self, ticket: Place) -> None:
        """Show a place held earlier (now given ``notify``) where it stands."""

    @asynccontextmanager
    async def slot(self, owner: str, notify: PositionFn | None = None, *,
                   order: float | None = None, ticket: Place | None = None
                   ) -> AsyncIterator[None]:
        if ticket is None or ticket.done:
            ticket = self.hold(owner, order=order, notify=notify)
        else:
            ticket.notify = notify
            self._retell(ticket)
        try:
            await ticket.ready
        except BaseException:
            self.drop(ticket)
            raise
        try:
            yield
        finally:
            self._release(ticket)


class FairQueue(UpstreamQueue):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._in_flight = 0
        self._running: Counter[str] = Counter()
        self._waiting: list[Place] = []  # sorted by order
        self._notes: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def hold(self, owner: str, *, order: float | None = None,
             notify: PositionFn | None = None) -> Place:
        """Take a place in line now; its ``position`` says where it stands (0: its turn).
        Without ``notify``, the caller shows that first position itself."""
        ticket = Place(owner, time.monotonic() if order is None else order, notify)
        bisect.insort_right(self._waiting, ticket, key=_order)
        self._dispatch()
        if notify is None:
            ticket.shown = ticket.position
        return ticket

    def drop(self, ticket: Place) -> None:
        """Give a held place up (the request failed before it ran)."""
        if ticket.done:
            return
        if ticket in self._waiting:
            ticket.done = True
            self._waiting.remove(ticket)
            self._dispatch()
        elif ticket.ready.done() and not ticket.ready.cancelled():
            self._release(ticket)

    def _retell(self, ticket: Place) -> None:
        self._dispatch()  # tells the place if it moved since it was held

    def _release(self, ticket: Place) -> None:
        if ticket.done:
            return
        ticket.done = True
        owner = ticket.owner
        self._in_flight -= 1
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]
        self._dispatch()

    def _dispatch(self) -> None:
        if self._in_flight < self.capacity and self._waiting:
            still: list[Place] = []
            for ticket in self._waiting:
                if ticket.ready.done():  # cancelled while waiting; its task removes it
                    continue
                if self._in_flight >= self.capacity or self._running[ticket.owner]:
                    still.append(ticket)
                    continue
                self._in_flight += 1
                self._running[ticket.owner] += 1
                ticket.position = 0
                ticket.ready.set_result(None)
            self._waiting = still
        for position, ticket in enumerate(self._waiting, start=1):
            ticket.position = position
            if (task := tell(ticket)) is not None:
                self._notes.add(task)
                task.add_done_callback(self._notes.discard)


def tell(ticket: Place) -> asyncio.Task[None] | None:
    """Tell a waiting place its position when it moved to another step (the task telling it)."""
    position = ticket.position
    if ticket.notify is None or position == 0 or ticket.shown == (step := _step(position)):
        return None
    ticket.shown = step
    telling = ticket.notify(position)
    return None if telling is None else asyncio.get_running_loop().create_task(telling)


def _step(position: int) -> int:
    """The step a position belongs to: a waiting job is told when its step changes."""
    if position <= 5:
        return position
    if position <= 20:
        return -(-position // 5) * 5
    return -(-position // 10) * 10


def _order(ticket: Place) -> float:
    return ticket.order
