"""Jobs' leases: who holds each unfinished job, and taking over those of a process that is gone.

Each job carries a lease: the process that holds it (``owner``) and that process's last sign of
life (``heartbeat_at``, renewed by ``heartbeat``). A process takes over (``claim``) only jobs
whose lease expired, in one UPDATE over ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
two replicas never take the same job and a live replica's job is never touched. On SQLite one
process holds the database (see ``QuotaLedger.hold``), and it takes over every job of an earlier
run at once. The heartbeat also drops kept results past their time and retries the finishes
the database refused.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection

from ..domain import Job
from . import kept
from .job_records import RESERVED, RESULT_TTL, Jobs, job_of, with_result
from .tables import jobs, results

log = logging.getLogger(__name__)
# How long a job outlives its holder's last heartbeat before another replica takes it over.
# EDITBOT_JOB_LEASE_S shortens it for drills that kill replicas on purpose (bench/crash_drill.py
# --quick): a shorter lease means more heartbeats, and a live replica stalled past it would
# see its jobs taken over, so production keeps the default.
# Read when the lease is used, not when this module is imported; a process may set its own
# (``ledger.lease = ...``).
class _Lease:
    def __get__(self, ledger: object, owner: type | None = None) -> timedelta:
        return timedelta(seconds=float(os.environ.get("EDITBOT_JOB_LEASE_S") or 30))


class Leases(Jobs):
    lease: timedelta = _Lease()  # type: ignore[assignment]
    exclusive = False  # this process alone uses the database (the SQLite instance lock)
    _beating: asyncio.Task[None] | None = None

    async def release(self, job_id: int) -> None:
        """Give up the lease of a job this process stops working on (a shutdown): the next
        process takes it over at once instead of after the lease expires."""
        stmt = update(jobs).where(*self._mine(job_id)).values(owner=None)
        await self._writer.write(lambda conn: conn.execute(stmt))

    def keep_alive(self) -> None:
        """Renew this process's leases in the background until ``close``."""
        if self._beating is None:
            self._beating = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.heartbeat()
            except Exception:  # a database fault now is not a reason to stop beating
                log.warning("could not renew the jobs' leases", exc_info=True)

    async def _stop_beating(self) -> None:
        """Stop renewing, and hand every job still held to whoever starts next."""
        if self._beating is None:
            return
        self._beating.cancel()
        await asyncio.gather(self._beating, return_exceptions=True)
        self._beating = None
        stmt = (update(jobs).where(RESERVED, jobs.c.owner == self.owner).values(owner=None))
        try:
            await self._writer.write(lambda conn: conn.execute(stmt))
        except Exception:
            log.warning("could not release the jobs' leases; they expire on their own",
                        exc_info=True)

    async def heartbeat(self) -> None:
        """Renew the lease of every job this process holds; drop results past their time;
        write the finishes the database refused before."""
        await self.settle_pending()
        beat = (update(jobs).where(RESERVED, jobs.c.owner == self.owner)
                .values(heartbeat_at=self._now()))
        old = delete(results).where(results.c.created_at < self._now(RESULT_TTL))

        def renew(conn: Connection) -> None:
            conn.execute(beat)
            conn.execute(old)

        await self._writer.write(renew)
        if self.kept_dir is not None:
            before = (self._clock() - RESULT_TTL).timestamp()
            await asyncio.to_thread(kept.drop_older, self.kept_dir, before)

    async def claim(self, platform: str) -> list[Job]:
        """Take over the unfinished jobs of ``platform`` whose owner is gone."""
        gone = (or_(jobs.c.owner.is_(None), jobs.c.owner != self.owner) if self.exclusive
                else or_(jobs.c.owner.is_(None), jobs.c.heartbeat_at < self._now(self.lease)))
        free = (select(jobs.c.id).where(RESERVED, jobs.c.platform == platform, gone)
                .order_by(jobs.c.id).with_for_update(skip_locked=True))
        take = (update(jobs).where(jobs.c.id.in_(free.scalar_subquery()))
                .values(owner=self.owner, heartbeat_at=self._now()).returning(jobs.c.id))

        def claim(conn: Connection) -> list[Job]:
            ids = [row[0] for row in conn.execute(take)]
            if not ids:
                return []
            rows = conn.execute(with_result().where(jobs.c.id.in_(ids)).order_by(jobs.c.id))
            return [job_of(row) for row in rows.mappings()]

        return self._with_files(await self._writer.write(claim))
