"""Jobs: finishing them (commit once, or refund), their kept results, reading them back.
Their leases (who holds a job, and taking over the jobs of a process that is gone) are in
leases.py.

Finishing a job, and noting its delivery, require this process's lease on it.

A result the model produced (and was paid for) is kept with its job before its delivery starts
(``keep_result``): a restart delivers the kept result instead of paying for the edit again. It
is deleted when the job is finished, and after ``RESULT_TTL`` at most. Beside a SQLite file it
is kept as a file (``kept.py``): one write of the bytes, where a row would write them twice
(the WAL, then the database) and free their pages again a moment later. On PostgreSQL it is a
row, where every replica can read it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Integer, String, bindparam, delete, exists, insert, select, update
from sqlalchemy.engine import Connection

from ..domain import GeneratedImage, Job, JobStatus
from ..pricing import Spend
from . import kept
from .pending import LEDGER_FAULTS, Pending
from .prepared import Prepared
from .tables import jobs, results

log = logging.getLogger(__name__)
T = TypeVar("T")
RESULT_TTL = timedelta(hours=24)
RESERVED = jobs.c.status == JobStatus.RESERVED.value
_MINE = (jobs.c.id == bindparam("mine_id", type_=Integer), RESERVED,
         jobs.c.owner == bindparam("mine_owner", type_=String))


@functools.cache
def update_mine(columns: tuple[str, ...]) -> Prepared:
    """UPDATE of ``columns`` on a job this process holds, built once per set of columns
    (building a statement cost more than running it); values as ``v_<column>``."""
    return Prepared(update(jobs).where(*_MINE).values(
        {name: bindparam(f"v_{name}", type_=jobs.c[name].type) for name in columns}))


class Jobs(Pending):
    def _mine(self, job_id: int) -> Any:
        """The job, if it is unfinished and this process holds its lease."""
        return (jobs.c.id == job_id, RESERVED, jobs.c.owner == self.owner)

    def _update(self, job_id: int, **values: Any) -> tuple[Prepared, dict[str, Any]]:
        """Setting ``values`` on the job if this process holds it: the statement and its
        parameters."""
        params = {f"v_{name}": value for name, value in values.items()}
        return update_mine(tuple(values)), {
            **params, "mine_id": job_id, "mine_owner": self.owner}

    async def _finish(self, job_id: int, status: JobStatus, note: str,
                      spend: Spend | None = None) -> bool:
        waiting = self._pending.get(job_id)
        if waiting is not None:  # refused by the database before: that finish stands
            return waiting[0] is status
        stmt, params = self._update(job_id, status=status.value, note=note[:500],
                                    updated_at=self._now(), **spend_values(spend))
        folder = self.kept_dir

        def finish(conn: Connection) -> bool:
            done = stmt.rowcount(conn, params) == 1
            if done and folder is None:
                conn.execute(delete(results).where(results.c.job_id == job_id))
            return done

        try:
            done = await self._writer.write(finish)
        except LEDGER_FAULTS:
            return self.finish_later(job_id, status, note, spend_values(spend))
        if done and folder is not None:
            kept.drop(folder, job_id)
        return done

    async def asking(self, job_id: int) -> bool:
        """Note that the job's request is about to go to the model. False if this process no
        longer holds the job (its lease expired and another took it over): then it must not
        ask, or the answer would be paid for twice."""
        return await self._mark(job_id, "that the model is asked", asked_at=self._now())

    async def delivering(self, job_id: int, spend: Spend | None = None) -> bool:
        """Note that the job's result is being uploaded: from here on it is never redone.
        False if this process no longer holds the job (then it must not deliver it).
        ``spend`` is what its answer cost (kept even if the process stops now)."""
        return await self._mark(job_id, "its delivery", delivering_at=self._now(),
                                **spend_values(spend))

    async def delivering_and(self, job_id: int, spend: Spend | None,
                             read: Callable[[Connection], T]) -> tuple[bool, T | None]:
        """``delivering``, with ``read`` run in the same write (a read the delivery needs,
        without a hop of its own); its answer is None when the database failed (the job goes
        on, as with ``delivering``)."""
        stmt, params = self._update(job_id, delivering_at=self._now(), **spend_values(spend))

        def mark(conn: Connection) -> tuple[bool, T | None]:
            return stmt.rowcount(conn, params) == 1, read(conn)

        try:
            return await self._writer.write(mark)
        except LEDGER_FAULTS:
            log.error("job %d: could not note its delivery; going on", job_id)
            return True, None

    async def _mark(self, job_id: int, what: str, **values: Any) -> bool:
        """Set ``values`` on a job this process holds; False if it holds it no more. When the
        database fails the job is still this process's as far as it knows, and a paid edit
        goes on (the reservation stands; the books are reconciled later)."""
        stmt, params = self._update(job_id, **values)
        try:
            return await self._writer.write(
                lambda conn: stmt.rowcount(conn, params) == 1)
        except LEDGER_FAULTS:
            log.error("job %d: could not note %s; going on", job_id, what)
            return True

    async def commit(self, job_id: int, note: str = "", spend: Spend | None = None) -> bool:
        """Charge a delivered job (recording what the upstream answer cost); False if it was
        already finished (never charged twice)."""
        return await self._finish(job_id, JobStatus.COMMITTED, note, spend)

    async def refund(self, job_id: int, note: str = "", spend: Spend | None = None) -> bool:
        """Give a job's credits back (the upstream may still have cost ``spend``); False if it
        was already finished."""
        return await self._finish(job_id, JobStatus.REFUNDED, note, spend)

    # -- kept results --------------------------------------------------------------------------
    async def keep_result(self, job_id: int, image: GeneratedImage) -> None:
        if self.kept_dir is not None:
            try:
                await asyncio.to_thread(kept.write, self.kept_dir, job_id, image,
                                        self._clock().timestamp())
            except OSError:
                log.error("job %d: could not keep its result; delivering it now", job_id)
            return
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
        if self.kept_dir is not None:
            found = await asyncio.to_thread(kept.read, self.kept_dir, job_id)
            if found is not None:
                return found  # else perhaps a row kept before results went to files
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(results).where(results.c.job_id == job_id))
                   ).mappings().first()
        if row is None:
            return None
        return GeneratedImage(data=bytes(row["data"]), mime_type=row["mime_type"],
                              width=row["width"], height=row["height"], text=row["text"])

    # -- reading -------------------------------------------------------------------------------
    async def job(self, job_id: int) -> Job | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(with_result().where(jobs.c.id == job_id))
                   ).mappings().first()
        return None if row is None else self._with_files([job_of(row)])[0]

    async def unfinished(self, platform: str | None = None) -> list[Job]:
        stmt = with_result().where(RESERVED).order_by(jobs.c.id)
        if platform is not None:
            stmt = stmt.where(jobs.c.platform == platform)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return self._with_files([job_of(row) for row in rows])

    def _with_files(self, found: list[Job]) -> list[Job]:
        """The jobs, those whose result is kept as a file marked as having one."""
        folder = self.kept_dir
        if folder is None:
            return found
        return [dataclasses.replace(job, has_result=True)
                if not job.has_result and kept.path(folder, job.id).exists() else job
                for job in found]


def with_result() -> Any:
    kept = exists().where(results.c.job_id == jobs.c.id).label("has_result")
    return select(jobs, kept)


def job_of(row: Any) -> Job:
    return Job(
        id=row["id"], platform=row["platform"], actor_key=row["actor"], scope_key=row["scope"],
        day=row["day"], credits=row["credits"], status=JobStatus(row["status"]),
        request=json.loads(row["request"]), created_at=datetime.fromisoformat(row["created_at"]),
        delivering=row["delivering_at"] is not None, has_result=bool(row["has_result"]),
        asked=row["asked_at"] is not None,
    )


def spend_values(spend: Spend | None) -> dict[str, Any]:
    """The jobs columns of what an upstream answer cost (nothing when unknown)."""
    if spend is None:
        return {}
    usage = spend.usage
    return {"model": spend.model, "prompt_tokens": usage.prompt, "output_tokens": usage.output,
            "thoughts_tokens": usage.thoughts, "total_tokens": usage.total,
            "cost_usd": spend.cost_usd}
