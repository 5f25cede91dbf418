"""What every part of the ledger shares: the engines, the clock, the quota day, this process's
owner id (for job leases)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ..domain import JobStatus
from .reads import PoolReader, Reader
from .writer import Writer


def new_owner() -> str:
    """An id for this process: its jobs' leases carry it."""
    return uuid.uuid4().hex[:16]


class LedgerBase:
    def __init__(
        self, engine: AsyncEngine, writer: Writer, *, default_limit: int, timezone: ZoneInfo,
        clock: Callable[[], datetime], user_limit: int | None = None, owner: str | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.engine = engine
        self._writer = writer
        self._reader = reader or PoolReader(engine)  # the reads of the edit path
        self._default = default_limit
        self._user_limit = default_limit if user_limit is None else user_limit
        self._tz = timezone
        self._clock = clock
        self.owner = owner or new_owner()
        # finishes (job id -> status, note, what the answer cost as jobs columns) the database
        # refused, see pending.py
        self._pending: dict[int, tuple[JobStatus, str, dict[str, Any]]] = {}

    @functools.cached_property
    def postgres(self) -> bool:  # asked on every move in a queue: the engine's answer kept
        return self.engine.dialect.name == "postgresql"

    # -- time ---------------------------------------------------------------------------------
    def today(self) -> str:
        return self._clock().astimezone(self._tz).date().isoformat()

    def resets_at(self) -> datetime:
        local_day = date.fromisoformat(self.today()) + timedelta(days=1)
        return datetime.combine(local_day, time(0), self._tz)

    def _now(self, ago: timedelta = timedelta(0)) -> str:
        """Now (or ``ago`` before), in UTC with a fixed width: these strings compare in order."""
        return (self._clock() - ago).astimezone(UTC).isoformat(timespec="microseconds")

    async def _scalar(self, stmt: Select[Any]) -> Any:
        return await self._reader.read(lambda conn: conn.execute(stmt).scalar())

    async def ping(self) -> None:
        """Raises if the database does not answer (for /readyz)."""
        await self._scalar(select(literal(1)))
