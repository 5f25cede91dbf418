"""SharedQueue: FairQueue's line for the whole deployment, kept in PostgreSQL.

Several replicas on one database share one upstream budget: at most ``GEMINI_MAX_CONCURRENCY``
calls at once across all of them, served in the order requests arrived, one call at a time per
person, and every position a user is shown counts the waiters ahead in the whole deployment.

Two tables (migration 0008_queue, queue_tables.py): ``queue_waiters`` (a place per request,
its arrival time) and ``queue_slots`` (the calls granted). Every change (a place taken, given
up, a call ended) is written in one transaction under a transaction-level advisory lock, which
then grants the free slots in arrival order, skipping people who already have a call running;
so the tables always say who may call, and no two replicas ever grant the same slot. A sync
that changed anything NOTIFYs the others, which sync in turn to learn their grants and
positions; a short poll covers a lost notification and expiry. Each row carries
``expires_at``, renewed by its replica a few times per ``lease``: the slots and places of a
replica that crashed free themselves, and one that stops cleanly (``close``) deletes its own at
once.

``hold`` stays synchronous, like FairQueue's: the first position it gives is worked out from the
line as last read (kept current by the notifications) and corrected as soon as the place is
written. Arrival is wall-clock time (a request's ``received_at`` is monotonic, converted here):
replicas' clocks are kept by NTP.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from .queue_tables import Entry, QueueTables, Seen, allocate
from .scheduler import Place, PositionFn, UpstreamQueue, tell

__all__ = ["Entry", "SharedQueue", "allocate"]


class SharedQueue(UpstreamQueue):
    def __init__(self, capacity: int, *, url: str, replica: str, lease: float = 15.0,
                 poll: float = 1.0) -> None:
        self.capacity, self.replica = capacity, replica
        self._tables = QueueTables(url, replica=replica, capacity=capacity, lease=lease,
                                   poll=poll)
        self._wake = self._tables.wake
        self._places: dict[str, Place] = {}  # this replica's live places, by row id
        self._new: dict[str, Place] = {}  # held, not written yet
        self._gone: set[str] = set()  # given up or ended, not deleted yet
        self._granted: set[str] = set()
        self._seen = Seen(set(), [], [])  # the deployment's line, as last read
        self._notes: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        """This replica's calls running."""
        return len(self._granted)

    @property
    def waiting(self) -> int:
        """This replica's places waiting."""
        return len(self._places) - len(self._granted)

    # -- FairQueue's interface ---------------------------------------------------------------
    def hold(self, owner: str, *, order: float | None = None,
             notify: PositionFn | None = None) -> Place:
        now = time.time()
        arrival = now if order is None else now - (time.monotonic() - order)
        ticket = Place(owner, arrival, notify)
        key = uuid.uuid4().hex
        self._places[key] = self._new[key] = ticket
        ticket.position = self._estimate(key)
        if notify is None:
            ticket.shown = ticket.position
        self._wake.set()
        return ticket

    def drop(self, ticket: Place) -> None:
        if ticket.done:
            return
        if ticket.ready.done() and not ticket.ready.cancelled():
            self._release(ticket)
            return
        ticket.done = True
        key = self._key(ticket)
        if self._new.pop(key, None) is None:
            self._gone.add(key)  # written: delete it (or the slot it may just have got)
            self._wake.set()
        self._places.pop(key, None)

    def _retell(self, ticket: Place) -> None:
        self._tell(ticket)

    def _release(self, ticket: Place) -> None:
        if ticket.done:
            return
        ticket.done = True
        key = self._key(ticket)
        self._places.pop(key, None)
        self._granted.discard(key)
        self._gone.add(key)
        self._wake.set()

    def _key(self, ticket: Place) -> str:
        return next(key for key, place in self._places.items() if place is ticket)

    def _tell(self, ticket: Place) -> None:
        task = tell(ticket)
        if task is not None:
            self._notes.add(task)
            task.add_done_callback(self._notes.discard)

    def _estimate(self, key: str) -> int:
        """A new place's position from the line as last read: 0 if it would be granted now."""
        unwritten = [Entry(p.order, k, p.owner, self.replica) for k, p in self._new.items()]
        line = sorted([*self._seen.line, *unwritten])
        running = self._seen.running
        granted = {e.id for e in allocate(self.capacity - len(running), running, line)}
        if key in granted:
            return 0
        return next(i for i, e in enumerate((e for e in line if e.id not in granted), 1)
                    if e.id == key)

    # -- keeping in step with the tables -----------------------------------------------------
    async def start(self) -> None:
        """Connect, listen, and keep the line in step until ``close``."""
        await self._tables.start(self._changes, self._synced)

    async def close(self) -> None:
        """Stop, deleting this replica's places and slots (the others go on at once)."""
        await self._tables.close()

    def _changes(self) -> tuple[list[Entry], set[str]]:
        return [Entry(p.order, k, p.owner, self.replica) for k, p in self._new.items()], set(
            self._gone)

    def _synced(self, new: list[Entry], gone: set[str], seen: Seen) -> None:
        for entry in new:
            self._new.pop(entry.id, None)
        self._gone -= gone
        self._apply(seen)

    def _apply(self, seen: Seen) -> None:
        self._seen = seen
        for key in seen.mine:
            ticket = self._places.get(key)
            if ticket is None:  # given up meanwhile: hand its slot back
                self._gone.add(key)
                self._wake.set()
            elif key not in self._granted:
                self._granted.add(key)
                ticket.position = 0
                if not ticket.ready.done():
                    ticket.ready.set_result(None)
        placed = set(seen.mine)
        for position, entry in enumerate(seen.line, start=1):
            if entry.replica != self.replica:
                continue
            ticket = self._places.get(entry.id)
            if ticket is None:  # given up while it was being written
                self._gone.add(entry.id)
                self._wake.set()
            else:
                placed.add(entry.id)
                ticket.position = position
                self._tell(ticket)
        for key, ticket in self._places.items():  # a place whose row expired: write it again
            if key not in placed and key not in self._new and key not in self._granted:
                self._new[key] = ticket
                self._wake.set()
