"""Calling off a queued job, and the model's recent times, read from the jobs table.

A queued job is called off by one conditional UPDATE: it becomes refunded (its credits, free
and bought, are back) only while it is reserved and the model was not asked for it. The runner
notes the asking (``asked_at``, job_records.py) by a conditional UPDATE on the same row, which
needs the job still reserved: whichever statement the database applies first wins, and the
other changes nothing. On PostgreSQL the second waits for the first's row lock and checks its
condition again on the row as the first left it, so the two never both succeed, whatever
replica runs them; on SQLite the single writer applies them one after the other.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update

from ..domain import Job, JobStatus
from .job_records import job_of, with_result
from .tables import jobs

CANCELLED_NOTE = "cancelled"
RECENT_JOBS = 20  # the model's time is the median of this many of the latest answers


class Calling(StrEnum):
    CANCELLED = "cancelled"  # this call won: the job is refunded and never asked
    ALREADY = "already"  # called off before (a second press, another replica)
    TOO_LATE = "too_late"  # the model was asked: its work is paid for
    ENDED = "ended"  # finished (or refunded) before it was asked, or never recorded


async def job_from(ledger: Any, origin_key: str) -> Job | None:
    """The job made from a platform message or button press, if one was."""
    async with ledger.engine.connect() as conn:
        row = (await conn.execute(with_result().where(jobs.c.origin_key == origin_key))
               ).mappings().first()
    return None if row is None else job_of(row)


async def call_off(ledger: Any, origin_key: str) -> Calling:
    """Refund a queued job unless the model was asked for it (see the module's docstring)."""
    stmt = update(jobs).where(
        jobs.c.origin_key == origin_key, jobs.c.status == JobStatus.RESERVED.value,
        jobs.c.asked_at.is_(None), jobs.c.delivering_at.is_(None),
    ).values(status=JobStatus.REFUNDED.value, note=CANCELLED_NOTE, updated_at=ledger._now())
    if await ledger.writer.write(lambda conn: conn.execute(stmt).rowcount == 1):
        return Calling.CANCELLED
    async with ledger.engine.connect() as conn:
        row = (await conn.execute(select(jobs.c.status, jobs.c.note, jobs.c.asked_at).where(
            jobs.c.origin_key == origin_key))).first()
    if row is None:
        return Calling.ENDED
    if row.status == JobStatus.REFUNDED.value and row.note == CANCELLED_NOTE:
        return Calling.ALREADY
    return Calling.TOO_LATE if row.asked_at is not None else Calling.ENDED


async def called_off(ledger: Any, origin_key: str) -> bool:
    """Whether the job was called off (by any replica): one small read by a unique key."""
    async with ledger.engine.connect() as conn:
        note = (await conn.execute(select(jobs.c.note).where(
            jobs.c.origin_key == origin_key, jobs.c.status == JobStatus.REFUNDED.value))
                ).scalar()
    return bool(note == CANCELLED_NOTE)


async def model_times(ledger: Any, count: int = RECENT_JOBS) -> list[float]:
    """Seconds from asking the model to the answer's delivery, of the deployment's latest
    answered jobs (every replica's: they are all in this table)."""
    stmt = (select(jobs.c.asked_at, jobs.c.delivering_at)
            .where(jobs.c.asked_at.is_not(None), jobs.c.delivering_at.is_not(None))
            .order_by(jobs.c.id.desc()).limit(count))
    async with ledger.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    times = [(datetime.fromisoformat(done) - datetime.fromisoformat(asked)).total_seconds()
             for asked, done in rows]
    return [t for t in times if t >= 0]
