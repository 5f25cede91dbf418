"""Engines for the ledger, and its writers.

SQLite takes one writer at a time. Rather than letting every coroutine open its own write
transaction (each statement a hop to aiosqlite's thread, each commit its own), all writes queue
in ``BatchWriter`` and one thread applies whatever has gathered in one transaction. Reads go to
their own thread (reads.py), which WAL lets run beside the writer.

PostgreSQL takes many writers at once: ``PoolWriter`` runs each write in its own transaction on
a pooled asyncpg connection (the same write functions, through ``run_sync``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .reads import MAX_BATCH, BatchReader, PoolReader, Reader, settle

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteFn = Callable[[Connection], Any]
SOON_S = 0.05  # how long a write that can wait waits for another to go with
CONNECT_TIMEOUT_S = 10.0
POSTGRES_SCHEMES = ("postgresql://", "postgresql+asyncpg://", "postgres://")


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL ('' for memory or another database)."""
    if is_postgres(url) or ":///" not in url:
        return ""
    path = url.split(":///", 1)[1]
    return "" if path in ("", ":memory:") else path


def asyncpg_url(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


class Writer(Protocol):
    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a write transaction."""

    async def soon(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a write transaction that may wait a moment for another write to go
        with (a note no guarantee hangs on); the caller waits for it all the same."""

    async def settled(self) -> None:
        """Return once the writes already asked for are done (a read that follows sees
        them: a result's charge, written as it arrives, before the person's /quota)."""

    async def close(self) -> None: ...


def _pragmas(timeout_ms: int) -> Callable[[Any, Any], None]:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        cursor.close()

    return apply


def make_engines(database_url: str, *, lock_timeout_s: float = 10.0
                 ) -> tuple[AsyncEngine, Writer, Reader]:
    """The async engine (for the reads that stream or are rare), the writer and the reader,
    on one database. ``lock_timeout_s``: how long a write waits for another one's lock before
    it fails."""
    if is_postgres(database_url):
        engine = create_async_engine(
            asyncpg_url(database_url), pool_size=8, max_overflow=8, pool_recycle=1800,
            # a server that does not answer is named within CONNECT_TIMEOUT_S, not asyncpg's 60
            connect_args={"timeout": CONNECT_TIMEOUT_S,
                          "command_timeout": max(lock_timeout_s * 3, 30.0),
                          "server_settings": {"lock_timeout": f"{int(lock_timeout_s * 1000)}"}})
        return engine, PoolWriter(engine), PoolReader(engine)
    tail = database_url.split("://", 1)[1]
    path = sqlite_path(database_url)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    reader = create_async_engine("sqlite+aiosqlite://" + tail)
    writer = create_engine("sqlite://" + tail, pool_size=1, max_overflow=0)
    reads = create_engine("sqlite://" + tail, pool_size=1, max_overflow=0)
    pragmas = _pragmas(int(lock_timeout_s * 1000))
    for sync in (reader.sync_engine, writer, reads):
        event.listen(sync, "connect", pragmas)
    return reader, BatchWriter(writer), BatchReader(reads)


class PoolWriter:
    """Each write its own transaction on the async engine's pool (PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._busy: set[asyncio.Future[None]] = set()

    async def write(self, fn: Callable[[Connection], T]) -> T:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._busy.add(done)
        try:
            async with self.engine.begin() as conn:
                return await conn.run_sync(fn)
        finally:
            self._busy.discard(done)
            done.set_result(None)

    async def soon(self, fn: Callable[[Connection], T]) -> T:
        return await self.write(fn)  # transactions run side by side here: nothing to join

    async def settled(self) -> None:
        if self._busy:
            await asyncio.wait(set(self._busy))

    async def close(self) -> None:
        return None  # the engine is the reader's too: the ledger disposes of it


def _nothing(_conn: Connection) -> None:
    return None


class BatchWriter:
    """One thread, one write transaction at a time, group commit (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")
        self._conn: Connection | None = None  # used on the writer's thread only
        self._pending: list[tuple[WriteFn, asyncio.Future[Any]]] = []
        self._draining: asyncio.Task[None] | None = None
        self._waking: asyncio.TimerHandle | None = None

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a write transaction, together with whatever else is waiting."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((fn, future))
        self._start()
        return await asyncio.shield(future)

    async def soon(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` with the next write's transaction, or alone after ``SOON_S``: a commit
        (and a hop to the writer's thread) saved when another write follows, as on the edit
        path, where a delivery's or a request's note joins the job's own next write."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((fn, future))
        if self._waking is None:
            self._waking = loop.call_later(SOON_S, self._start)
        return await asyncio.shield(future)

    async def settled(self) -> None:
        if self._pending or (self._draining is not None and not self._draining.done()):
            await self.write(_nothing)  # applied after every write before it, on one thread

    def _start(self) -> None:
        if self._waking is not None:
            self._waking.cancel()
            self._waking = None
        if self._pending and (self._draining is None or self._draining.done()):
            self._draining = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            results = await loop.run_in_executor(self._thread, self._apply, [f for f, _ in batch])
            settle(batch, results)

    def _connection(self) -> Connection:
        """The writer thread's own connection, kept between transactions (a checkout from
        the pool and its reset on return cost as much as a small write's commit)."""
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            if conn is not None:
                conn.close()
            conn = self._conn = self.engine.connect()
        return conn

    def _apply(self, batch: list[WriteFn]) -> list[tuple[bool, Any]]:
        try:
            conn = self._connection()
            with conn.begin():
                return [(True, fn(conn)) for fn in batch]
        except Exception:
            if len(batch) == 1:
                return [self._apply_one(batch[0])]
            log.warning("a batched ledger write failed; applying the batch one by one")
            return [self._apply_one(fn) for fn in batch]

    def _apply_one(self, fn: WriteFn) -> tuple[bool, Any]:
        try:
            conn = self._connection()
            with conn.begin():
                return True, fn(conn)
        except Exception as exc:
            return False, exc

    def _release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        self._start()  # a write waiting for company goes now
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)
        if self._conn is not None:  # closed on its own thread, before the thread ends
            self._thread.submit(self._release)
        self._thread.shutdown(wait=True)
        self.engine.dispose()
