"""Engines for the ledger, and its single writer with group commit.

SQLite takes one writer at a time. Rather than letting every coroutine open its own write
transaction (each statement a hop to aiosqlite's thread, each commit its own), all writes queue
here and one thread applies whatever has gathered in one transaction. Reads stay on the async
engine (aiosqlite), which WAL lets run beside the writer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteFn = Callable[[Connection], Any]
MAX_BATCH = 256


def _sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1] if ":///" in url else ""


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engines(database_url: str) -> tuple[AsyncEngine, Engine]:
    """The async engine (aiosqlite) for reads and the writer's sync engine, on one database."""
    tail = database_url.split("://", 1)[1]
    path = _sqlite_path(database_url)
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    reader = create_async_engine("sqlite+aiosqlite://" + tail)
    writer = create_engine("sqlite://" + tail, pool_size=1, max_overflow=0)
    event.listen(reader.sync_engine, "connect", _pragmas)
    event.listen(writer, "connect", _pragmas)
    return reader, writer


class Writer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")
        self._pending: list[tuple[WriteFn, asyncio.Future[Any]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a write transaction, together with whatever else is waiting."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((fn, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            results = await loop.run_in_executor(self._thread, self._apply, [f for f, _ in batch])
            for (_, future), (ok, value) in zip(batch, results, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _apply(self, batch: list[WriteFn]) -> list[tuple[bool, Any]]:
        try:
            with self.engine.begin() as conn:
                return [(True, fn(conn)) for fn in batch]
        except Exception:
            if len(batch) == 1:
                return [self._apply_one(batch[0])]
            log.warning("a batched ledger write failed; applying the batch one by one")
            return [self._apply_one(fn) for fn in batch]

    def _apply_one(self, fn: WriteFn) -> tuple[bool, Any]:
        try:
            with self.engine.begin() as conn:
                return True, fn(conn)
        except Exception as exc:
            return False, exc

    async def close(self) -> None:
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)
        self._thread.shutdown(wait=True)
        self.engine.dispose()
