"""QuotaLedger: the bot's one database. Its parts: limits and the atomic reservation
(quota.py), the operator's spend budget in that reservation (spending.py), jobs and their
kept results (job_records.py), their leases (leases.py), finishes the database refused
(pending.py), engines and writers (writer.py), tables (tables.py, created by the migrations in
bot/ledger/migrations).

``DATABASE_URL`` picks the engine: SQLite (one process; the default) or PostgreSQL (several
replicas on one database).
"""

from __future__ import annotations

import fcntl
import functools
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from ..domain import QuotaStatus
from ..errors import ConfigError
from ..pricing import Spend as SpendOf
from .leases import Leases
from .quota import LimitKind, Quotas, ScopeLimits, UsageReport, reserve_statement
from .spending import Spending, SpendLimits
from .writer import Writer, make_engines, sqlite_path

__all__ = ["LimitKind", "QuotaLedger", "ScopeLimits", "SpendLimits", "Spending", "UsageReport",
           "reserve_statement"]


class QuotaLedger(Quotas, Leases):
    url = ""  # the DATABASE_URL it was opened with
    turns_dir: Path | None = None  # the images of conversations' turns, beside a SQLite file
    _held: IO[bytes] | None = None  # the SQLite instance lock, once taken

    @classmethod
    def open(
        cls, database_url: str, *, default_limit: int, timezone: ZoneInfo,
        clock: Callable[[], datetime], user_limit: int | None = None,
        owner: str | None = None, lock_timeout_s: float = 10.0,
        budget: SpendLimits | None = None,
    ) -> QuotaLedger:
        """``budget``: the operator's spend budget, checked by every reservation."""
        engine, writer, reader = make_engines(database_url, lock_timeout_s=lock_timeout_s)
        ledger = cls(engine, writer, default_limit=default_limit, timezone=timezone,
                     clock=clock, user_limit=user_limit, owner=owner, reader=reader)
        ledger.url = database_url
        ledger.budget = budget or SpendLimits()
        path = sqlite_path(database_url)
        ledger.journal = Path(path + ".pending") if path else None
        ledger.kept_dir = Path(path + ".results") if path else None
        ledger.turns_dir = Path(path + ".turns") if path else None
        return ledger

    @property
    def writer(self) -> Writer:
        """The single writer, for stores that share the ledger's database."""
        return self._writer

    async def delivering_with_status(self, job_id: int, spend: SpendOf | None, *, actor: str,
                                     scope: str, unlimited: bool) -> tuple[bool, QuotaStatus]:
        """``delivering``, and the person's ``status`` (shown with the result) read in the
        same write: one trip to the writer's thread, not a read's and then a write's. When the
        database fails that write the job goes on (as with ``delivering``) and the status is
        read alone."""
        read = self.status_read(actor=actor, scope=scope, unlimited=unlimited)
        marked, status = await self.delivering_and(job_id, spend, read)
        if status is None:
            status = await self.status(actor=actor, scope=scope, unlimited=unlimited)
        return marked, status

    def now(self) -> datetime:
        return self._clock()

    async def migrate(self) -> None:
        await self._writer.write(_upgrade)

    def hold(self) -> None:
        """Take this SQLite database for this process alone (the resuming process must be the
        only one); ConfigError naming DATABASE_URL when another process has it. PostgreSQL is
        shared by design: jobs' leases keep replicas apart."""
        path = sqlite_path(self.url)
        if self.postgres or not path:
            return
        handle = Path(path + ".lock").open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ConfigError.about(
                f"another process is running on the database {path}; SQLite serves one "
                "process: stop the other one, or set DATABASE_URL=postgresql://... to run "
                "several", "DATABASE_URL") from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._held, self.exclusive = handle, True

    async def close(self) -> None:
        await self._stop_beating()
        await self.settle_pending()
        await self._writer.close()
        await self._reader.close()
        await self.engine.dispose()
        if self._held is not None:
            self._held.close()  # closing the file releases the lock
            self._held = None


MIGRATIONS = Path(__file__).parent / "migrations"


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":  # replicas starting together migrate once
        connection.execute(text("SELECT pg_advisory_xact_lock(7300)"))
    if _schema(connection) == [schema_head()]:
        return  # current: alembic (its import, its scripts) costs a fifth of a second of CPU
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")




def _schema(connection: Connection) -> list[str]:
    """The revisions alembic recorded in the database (none in a new one)."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@functools.cache
def schema_head() -> str:
    """The newest migration's revision, the one no other follows, read from the scripts
    without alembic; "" when that is not one revision (a merge): alembic then decides."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision = "([^"]+)"$', source, re.MULTILINE))
        followed.update(re.findall(r'^down_revision = "([^"]+)"$', source, re.MULTILINE))
    heads = revisions - followed
    return heads.pop() if len(heads) == 1 else ""
