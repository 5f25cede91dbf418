"""The database side of SharedQueue (bot/upstream/shared_queue.py): the tables ``queue_waiters`` and
``queue_slots`` (migration 0008_queue) on one asyncpg connection of this replica's own, which
also LISTENs for the other replicas' changes.

``sync`` is the one write: in a transaction under a transaction-level advisory lock it deletes
expired rows, renews this replica's rows now and then, writes its new places and deletes the
ones given up or ended, then grants the free slots in arrival order (``allocate``) and NOTIFYs
the others when anything changed. It returns what it saw, for the queue to tell its places.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

log = logging.getLogger(__name__)
LOCK_KEY = 7301  # pg_advisory_xact_lock: one grant at a time in the deployment (7300: migrate)
CHANNEL = "editbot_queue"
TABLES = ("queue_slots", "queue_waiters")


class Entry(NamedTuple):
    arrival: float
    id: str
    owner: str
    replica: str


class Seen(NamedTuple):
    """After a sync: this replica's places that hold a slot, the line still waiting (in
    order), and the people running a call."""

    mine: set[str]
    line: list[Entry]
    running: list[str]


def allocate(free: int, running: Iterable[str], line: Iterable[Entry]) -> list[Entry]:
    """The waiters that get a slot now: in line order, up to ``free``, one per person, none for
    a person already ``running`` a call (FairQueue's rule, for the whole deployment)."""
    busy, granted = set(running), list[Entry]()
    for entry in line:
        if len(granted) >= free:
            break
        if entry.owner not in busy:
            busy.add(entry.owner)
            granted.append(entry)
    return granted


Changes = Callable[[], tuple[list[Entry], set[str]]]  # places to write, ids to delete
Synced = Callable[[list[Entry], set[str], Seen], None]  # those written and deleted, what was seen


class QueueTables:
    def __init__(self, url: str, *, replica: str, capacity: int, lease: float,
                 poll: float) -> None:
        self.replica, self.capacity, self.lease, self._poll = replica, capacity, lease, poll
        self._dsn = "postgresql://" + url.split("://", 1)[1]
        self.wake = asyncio.Event()  # something changed here or in another replica: sync
        self._conn: Any = None
        self._renewed = 0.0
        self._runner: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self, changes: Changes, synced: Synced) -> None:
        """Sync whenever woken, and at least every ``poll`` seconds, until ``close``."""
        if self._runner is None:
            await self.connect()
            self._runner = asyncio.get_running_loop().create_task(self._run(changes, synced))

    async def _run(self, changes: Changes, synced: Synced) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self._poll)
            self.wake.clear()
            if self._closing:
                return
            new, gone = changes()
            try:
                seen = await self.sync(new, gone)
            except Exception:
                log.warning("could not reach the shared upstream queue; trying again",
                            exc_info=True)
                await self.disconnect()
                await asyncio.sleep(self._poll)
                continue
            synced(new, gone, seen)

    async def close(self) -> None:
        """Stop syncing, and delete this replica's rows (the others go on at once)."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self.wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(runner), 5.0)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        try:
            await self.clear()
        except Exception:
            log.warning("could not clear this replica's queue places; they expire on their own",
                        exc_info=True)
        await self.disconnect()

    async def connect(self) -> None:
        import asyncpg

        if self._conn is not None and not self._conn.is_closed():
            return
        self._conn = await asyncpg.connect(self._dsn, command_timeout=max(self.lease / 3, 5.0))
        await self._conn.add_listener(CHANNEL, self._notified)

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload != self.replica:  # another replica changed the line
            self.wake.set()

    async def sync(self, new: list[Entry], gone: set[str]) -> Seen:
        await self.connect()
        renew = time.monotonic() - self._renewed > self.lease / 3
        lease = f"now() + make_interval(secs => {float(self.lease)})"
        conn = self._conn
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
            expired = [await conn.execute(f"DELETE FROM {table} WHERE expires_at < now()")
                       for table in TABLES]
            changed = any(status != "DELETE 0" for status in expired) or bool(new or gone)
            for table in TABLES if renew else ():
                await conn.execute(f"UPDATE {table} SET expires_at = {lease} "
                                   "WHERE replica = $1", self.replica)
            for table in TABLES if gone else ():
                await conn.execute(f"DELETE FROM {table} WHERE id = ANY($1::text[])", list(gone))
            if new:
                await conn.executemany(
                    "INSERT INTO queue_waiters (id, owner, replica, arrival, expires_at) "
                    f"VALUES ($1, $2, $3, $4, {lease})",
                    [(e.id, e.owner, e.replica, e.arrival) for e in new])
            slots = await conn.fetch("SELECT id, owner, replica FROM queue_slots")
            line = [Entry(r["arrival"], r["id"], r["owner"], r["replica"]) for r in
                    await conn.fetch("SELECT arrival, id, owner, replica FROM queue_waiters "
                                     "ORDER BY arrival, id")]
            granted = allocate(self.capacity - len(slots), [r["owner"] for r in slots], line)
            if granted:
                ids = [e.id for e in granted]
                await conn.execute(
                    "INSERT INTO queue_slots (id, owner, replica, arrival, expires_at) "
                    f"SELECT id, owner, replica, arrival, {lease} FROM queue_waiters "
                    "WHERE id = ANY($1::text[])", ids)
                await conn.execute("DELETE FROM queue_waiters WHERE id = ANY($1::text[])", ids)
            if changed or granted:
                await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, self.replica)
        if renew:
            self._renewed = time.monotonic()
        taken = {e.id for e in granted}
        mine = {r["id"] for r in slots if r["replica"] == self.replica} | {
            e.id for e in granted if e.replica == self.replica}
        return Seen(mine, [e for e in line if e.id not in taken],
                    [r["owner"] for r in slots] + [e.owner for e in granted])

    async def clear(self) -> None:
        """Delete this replica's places and slots, on a fresh connection (the old one may have
        been cut off in a transaction), and let the others know."""
        await self.disconnect()
        await self.connect()
        async with self._conn.transaction():
            for table in TABLES:
                await self._conn.execute(f"DELETE FROM {table} WHERE replica = $1", self.replica)
            await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, self.replica)

    async def disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)
