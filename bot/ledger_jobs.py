"""Jobs: finishing them (commit once, or refund), their leases, and their kept results.

Each job carries a lease: the process that holds it (``owner``) and that process's last sign of
life (``heartbeat_at``, renewed by ``heartbeat``). A process takes over (``claim``) only jobs
whose lease expired, in one UPDATE over ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
two replicas never take the same job and a live replica's job is never touched. On SQLite one
process holds the database (see ``QuotaLedger.hold``), and it takes over every job of an earlier
run at once.

A result the model produced (and was paid for) is kept with its job before its delivery starts
(``keep_result``): a restart delivers the kept result instead of paying for the edit again. It
is deleted when the job is finished, and after ``RESULT_TTL`` at most.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.engine import Connection

from .domain import GeneratedImage, Job, JobStatus
from .ledger_pending import LEDGER_FAULTS, Pending
from .ledger_schema import jobs, results
from .pricing import Spend

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
RESULT_TTL = timedelta(hours=24)
_RESERVED = jobs.c.status == JobStatus.RESERVED.value


class Jobs(Pending):
    lease = LEASE
    exclusive = False  # this process alone uses the database (the SQLite instance lock)

    def _mine(self, job_id: int) -> Any:
        return (jobs.c.id == job_id, _RESERVED, jobs.c.owner == self.owner)

    async def _finish(self, job_id: int, status: JobStatus, note: str,
                      spend: Spend | None = None) -> bool:
        waiting = self._pending.get(job_id)
        if waiting is not None:  # refused by the database before: that finish stands
            return waiting[0] is status
        stmt = (update(jobs).where(*self._mine(job_id))
                .values(status=status.value, note=note[:500], updated_at=self._now(),
                        **spend_values(spend)))

        def finish(conn: Connection) -> bool:
            done = conn.execute(stmt).rowcount == 1
            if done:
                conn.execute(delete(results).where(results.c.job_id == job_id))
            return done

        try:
            return await self._writer.write(finish)
        except LEDGER_FAULTS:
            return self.finish_later(job_id, status, note)

    async def delivering(self, job_id: int, spend: Spend | None = None) -> bool:
        """Note that the job's result is being uploaded: from here on it is never redone.
        False if this process no longer holds the job (then it must not deliver it).
        ``spend`` is what its answer cost (kept even if the process stops now)."""
        stmt = (update(jobs).where(*self._mine(job_id))
                .values(delivering_at=self._now(), **spend_values(spend)))
        try:
            return await self._writer.write(lambda conn: conn.execute(stmt).rowcount == 1)
        except LEDGER_FAULTS:  # the result is paid for: deliver it, reconcile later
            log.error("job %d: could not note its delivery; delivering anyway", job_id)
            return True

    async def commit(self, job_id: int, note: str = "", spend: Spend | None = None) -> bool:
        """Charge a delivered job (recording what the upstream answer cost); False if it was
        already finished (never charged twice)."""
        return await self._finish(job_id, JobStatus.COMMITTED, note, spend)

    async def refund(self, job_id: int, note: str = "", spend: Spend | None = None) -> bool:
        """Give a job's credits back (the upstream may still have cost ``spend``); False if it
        was already finished."""
        return await self._finish(job_id, JobStatus.REFUNDED, note, spend)

    async def release(self, job_id: int) -> None:
        """Give up the lease of a job this process stops working on (a shutdown): the next
        process takes it over at once instead of after the lease expires."""
        stmt = update(jobs).where(*self._mine(job_id)).values(owner=None)
        await self._writer.write(lambda conn: conn.execute(stmt))

    # -- kept results --------------------------------------------------------------------------
    async def keep_result(self, job_id: int, image: GeneratedImage) -> None:
        row = {"job_id": job_id, "mime_type": image.mime_type, "width": image.width,
               "height": image.height, "text": image.text, "data": image.data,
               "created_at": self._now()}

        def keep(conn: Connection) -> None:
            conn.execute(delete(results).where(results.c.job_id == job_id))
            conn.execute(insert(results).values(**row))

        try:
            await self._writer.write(keep)
        except LEDGER_FAULTS:
            log.error("job %d: could not keep its result; delivering it now", job_id)

    async def result(self, job_id: int) -> GeneratedImage | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(results).where(results.c.job_id == job_id))
                   ).mappings().first()
        if row is None:
            return None
        return GeneratedImage(data=bytes(row["data"]), mime_type=row["mime_type"],
                              width=row["width"], height=row["height"], text=row["text"])

    # -- leases --------------------------------------------------------------------------------
    _beating: asyncio.Task[None] | None = None

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
        stmt = (update(jobs).where(_RESERVED, jobs.c.owner == self.owner).values(owner=None))
        try:
            await self._writer.write(lambda conn: conn.execute(stmt))
        except Exception:
            log.warning("could not release the jobs' leases; they expire on their own",
                        exc_info=True)

    async def heartbeat(self) -> None:
        """Renew the lease of every job this process holds; drop results past their time;
        write the finishes the database refused before."""
        await self.settle_pending()
        beat = (update(jobs).where(_RESERVED, jobs.c.owner == self.owner)
                .values(heartbeat_at=self._now()))
        old = delete(results).where(results.c.created_at < self._now(RESULT_TTL))

        def renew(conn: Connection) -> None:
            conn.execute(beat)
            conn.execute(old)

        await self._writer.write(renew)

    async def claim(self, platform: str) -> list[Job]:
        """Take over the unfinished jobs of ``platform`` whose owner is gone."""
        gone = (or_(jobs.c.owner.is_(None), jobs.c.owner != self.owner) if self.exclusive
                else or_(jobs.c.owner.is_(None), jobs.c.heartbeat_at < self._now(self.lease)))
        free = (select(jobs.c.id).where(_RESERVED, jobs.c.platform == platform, gone)
                .order_by(jobs.c.id).with_for_update(skip_locked=True))
        take = (update(jobs).where(jobs.c.id.in_(free.scalar_subquery()))
                .values(owner=self.owner, heartbeat_at=self._now()).returning(jobs.c.id))

        def claim(conn: Connection) -> list[Job]:
            ids = [row[0] for row in conn.execute(take)]
            if not ids:
                return []
            rows = conn.execute(_with_result().where(jobs.c.id.in_(ids)).order_by(jobs.c.id))
            return [_job(row) for row in rows.mappings()]

        return await self._writer.write(claim)

    # -- reading -------------------------------------------------------------------------------
    async def job(self, job_id: int) -> Job | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(_with_result().where(jobs.c.id == job_id))
                   ).mappings().first()
        return None if row is None else _job(row)

    async def unfinished(self, platform: str | None = None) -> list[Job]:
        stmt = _with_result().where(_RESERVED).order_by(jobs.c.id)
        if platform is not None:
            stmt = stmt.where(jobs.c.platform == platform)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [_job(row) for row in rows]


def _with_result() -> Any:
    kept = exists().where(results.c.job_id == jobs.c.id).label("has_result")
    return select(jobs, kept)


def _job(row: Any) -> Job:
    return Job(
        id=row["id"], platform=row["platform"], actor_key=row["actor"], scope_key=row["scope"],
        day=row["day"], credits=row["credits"], status=JobStatus(row["status"]),
        request=json.loads(row["request"]), created_at=datetime.fromisoformat(row["created_at"]),
        delivering=row["delivering_at"] is not None, has_result=bool(row["has_result"]),
    )


def spend_values(spend: Spend | None) -> dict[str, Any]:
    """The jobs columns of what an upstream answer cost (nothing when unknown)."""
    if spend is None:
        return {}
    usage = spend.usage
    return {"model": spend.model, "prompt_tokens": usage.prompt, "output_tokens": usage.output,
            "thoughts_tokens": usage.thoughts, "total_tokens": usage.total,
            "cost_usd": spend.cost_usd}
