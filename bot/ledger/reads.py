"""Readers for the ledger: how a read reaches the database.

A read through the async SQLite engine (aiosqlite) is a hop to that connection's thread for each
step: the connection taken from the pool, the cursor, the statement, the rows, the cursor closed,
the connection handed back. An edit reads a few times, and those hops cost more of its CPU than
SQLite's own work. ``BatchReader`` gives SQLite one reading thread on a plain connection: a read
is one hop, and reads that gather while one runs go together in the next (as the writer's
batches do). It is apart from the writer, so a read never waits behind writes; WAL lets it read
beside them, and each statement sees every transaction committed before it began (no snapshot
is held between reads).

PostgreSQL reads on the async engine's pool (``PoolReader``), one connection per read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")
ReadFn = Callable[[Connection], Any]
MAX_BATCH = 256


def settle(batch: list[tuple[Any, asyncio.Future[Any]]],
           results: list[tuple[bool, Any]]) -> None:
    """Hand each call of a batch (the reader's or the writer's) its result or its error;
    a caller that stopped waiting is skipped."""
    for (_, future), (ok, value) in zip(batch, results, strict=True):
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class Reader(Protocol):
    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` on a connection that sees every committed write."""

    async def close(self) -> None: ...


class PoolReader:
    """Each read on its own pooled connection of the async engine (PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def read(self, fn: Callable[[Connection], T]) -> T:
        async with self.engine.connect() as conn:
            return await conn.run_sync(fn)

    async def close(self) -> None:
        return None  # the engine is the ledger's: it disposes of it


class BatchReader:
    """One thread and one connection for reads; what gathers meanwhile goes in one hop
    (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-reader")
        self._conn: Connection | None = None  # used on the reader's thread only
        self._pending: list[tuple[ReadFn, asyncio.Future[Any]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def read(self, fn: Callable[[Connection], T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((fn, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                results = await loop.run_in_executor(self._thread, self._apply,
                                                     [f for f, _ in batch])
            except Exception as exc:  # the connection itself could not be had
                results = [(False, exc)] * len(batch)
            settle(batch, results)

    def _apply(self, batch: list[ReadFn]) -> list[tuple[bool, Any]]:
        done: list[tuple[bool, Any]] = []
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            if conn is not None:
                conn.close()
            conn = self._conn = self.engine.connect()  # kept: a checkout costs as much as a read
        try:
            for fn in batch:
                try:
                    done.append((True, fn(conn)))
                except Exception as exc:  # this read's failure alone
                    done.append((False, exc))
                    conn.rollback()
        finally:
            conn.rollback()  # the batch's snapshot ends with it: the next one sees newer writes
        return done

    def _release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)
        if self._conn is not None:  # closed on its own thread, before the thread ends
            self._thread.submit(self._release)
        self._thread.shutdown(wait=True)
        self.engine.dispose()
