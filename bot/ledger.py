"""QuotaLedger: daily limits, atomic reserve / commit / refund, usage, jobs and audit.

A reservation is one INSERT ... SELECT ... WHERE <used + cost <= limit>: the database checks and
records it in a single statement, so concurrent requests can never overspend. Every write of
this process goes through one writer with group commit (ledger_writer.py); reads use the async
engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from .domain import Job, JobStatus, QuotaStatus
from .errors import DuplicateRequest, QuotaExceeded
from .ledger_schema import audit, jobs, limits
from .ledger_writer import Writer, make_engines

LimitKind = Literal["member", "default", "total"]
_LIVE = jobs.c.status != JobStatus.REFUNDED.value


def _member_used() -> Any:
    return select(func.coalesce(func.sum(jobs.c.credits), 0)).where(
        jobs.c.scope == bindparam("scope"), jobs.c.day == bindparam("day"),
        jobs.c.actor == bindparam("actor"), _LIVE).scalar_subquery()


def _scope_used() -> Any:
    return select(func.coalesce(func.sum(jobs.c.credits), 0)).where(
        jobs.c.scope == bindparam("scope"), jobs.c.day == bindparam("day"), _LIVE,
    ).scalar_subquery()


def _limit(kind: str, member: Any) -> Any:
    return select(limits.c.per_day).where(
        limits.c.scope == bindparam("scope"), limits.c.kind == kind, limits.c.member == member,
    ).scalar_subquery()


def reserve_statement(*, limited: bool) -> Any:
    """The single statement that checks the limits and records the job."""
    values: Any = select(
        bindparam("platform"), bindparam("actor"), bindparam("scope"), bindparam("day"),
        bindparam("credits"), literal(JobStatus.RESERVED.value), bindparam("request"),
        bindparam("now"), bindparam("now"), bindparam("origin_key"),
    ).where(~select(jobs.c.id).where(jobs.c.origin_key == bindparam("origin_key")).exists())
    if limited:
        member_limit = func.coalesce(
            _limit("member", bindparam("actor")), _limit("default", ""), bindparam("default"))
        total = _limit("total", "")
        values = values.where(
            _member_used() + bindparam("credits") <= member_limit,
            or_(total.is_(None), _scope_used() + bindparam("credits") <= total),
        )
    columns = ["platform", "actor", "scope", "day", "credits", "status", "request",
               "created_at", "updated_at", "origin_key"]
    return insert(jobs).from_select(columns, values).returning(jobs.c.id)


@dataclass(frozen=True, slots=True)
class ScopeLimits:
    default: int | None
    total: int | None
    members: dict[str, int]


@dataclass(frozen=True, slots=True)
class UsageReport:
    day: str
    members: dict[str, int]  # actor key -> credits used (reserved or committed)
    total: int
    budget: int | None


class QuotaLedger:
    def __init__(
        self, engine: AsyncEngine, writer: Writer, *, default_limit: int, timezone: ZoneInfo,
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self._writer = writer
        self._default = default_limit
        self._tz = timezone
        self._clock = clock
        self._reserve_limited = reserve_statement(limited=True)
        self._reserve_unlimited = reserve_statement(limited=False)

    @classmethod
    def open(
        cls, database_url: str, *, default_limit: int, timezone: ZoneInfo,
        clock: Callable[[], datetime],
    ) -> QuotaLedger:
        reader, writer = make_engines(database_url)
        return cls(reader, Writer(writer), default_limit=default_limit, timezone=timezone,
                   clock=clock)

    @property
    def writer(self) -> Writer:
        """The single writer, for stores that share the ledger's database."""
        return self._writer

    def now(self) -> datetime:
        return self._clock()

    async def migrate(self) -> None:
        await self._writer.write(_upgrade)

    async def close(self) -> None:
        await self._writer.close()
        await self.engine.dispose()

    # -- time ---------------------------------------------------------------------------------
    def today(self) -> str:
        return self._clock().astimezone(self._tz).date().isoformat()

    def resets_at(self) -> datetime:
        local_day = date.fromisoformat(self.today()) + timedelta(days=1)
        return datetime.combine(local_day, time(0), self._tz)

    def _now(self) -> str:
        return self._clock().isoformat()

    # -- reservations ----------------------------------------------------------------------------
    async def reserve(
        self, *, platform: str, actor: str, scope: str, credits: int,
        request: dict[str, Any], unlimited: bool = False, origin_key: str | None = None,
    ) -> int:
        """Record a job holding ``credits``; QuotaExceeded when that would pass a limit,
        DuplicateRequest when a job already came from ``origin_key``."""
        params = {
            "platform": platform, "actor": actor, "scope": scope, "day": self.today(),
            "credits": credits, "request": json.dumps(request, separators=(",", ":")),
            "now": self._now(), "default": self._default, "origin_key": origin_key,
        }
        stmt = self._reserve_unlimited if unlimited else self._reserve_limited
        job_id = await self._writer.write(lambda conn: conn.execute(stmt, params).scalar())
        if job_id is None:
            if origin_key is not None and await self.seen(origin_key):
                raise DuplicateRequest("duplicate", origin_key=origin_key)
            raise await self._why_not(actor, scope, credits)
        return int(job_id)

    async def seen(self, origin_key: str) -> bool:
        """Whether a job already came from this platform message or button press."""
        return await self._scalar(select(jobs.c.id).where(jobs.c.origin_key == origin_key)
                                  ) is not None

    async def _why_not(self, actor: str, scope: str, credits: int) -> QuotaExceeded:
        status = await self.status(actor=actor, scope=scope)
        scope_limits = await self.limits(scope)
        if scope_limits.total is not None and status.limit is not None and (
            status.used + credits <= status.limit
        ):
            report = await self.usage(scope)
            return QuotaExceeded("scope_budget_exceeded", used=report.total,
                                 limit=scope_limits.total, resets_at=status.resets_at)
        return QuotaExceeded("quota_exceeded", used=status.used, limit=status.limit or 0,
                             resets_at=status.resets_at, credits=credits)

    async def _finish(self, job_id: int, status: JobStatus, note: str) -> bool:
        stmt = (update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == JobStatus.RESERVED.value)
                .values(status=status.value, note=note[:500], updated_at=self._now()))
        return bool(await self._writer.write(lambda conn: conn.execute(stmt).rowcount == 1))

    async def delivering(self, job_id: int) -> None:
        """Note that the job's result is being uploaded: from here on it is never redone."""
        stmt = (update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == JobStatus.RESERVED.value)
                .values(delivering_at=self._now()))
        await self._writer.write(lambda conn: conn.execute(stmt))

    async def commit(self, job_id: int, note: str = "") -> bool:
        """Charge a delivered job; False if it was already finished (never charged twice)."""
        return await self._finish(job_id, JobStatus.COMMITTED, note)

    async def refund(self, job_id: int, note: str = "") -> bool:
        """Give a job's credits back; False if it was already finished."""
        return await self._finish(job_id, JobStatus.REFUNDED, note)

    # -- reading -----------------------------------------------------------------------------
    async def _scalar(self, stmt: Select[Any]) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(stmt)).scalar()

    async def status(self, *, actor: str, scope: str, unlimited: bool = False) -> QuotaStatus:
        day = self.today()
        params = {"actor": actor, "scope": scope, "day": day}
        async with self.engine.connect() as conn:
            used = (await conn.execute(select(_member_used()), params)).scalar() or 0
            limit = None if unlimited else (await conn.execute(select(func.coalesce(
                _limit("member", bindparam("actor")), _limit("default", ""),
                literal(self._default))), params)).scalar()
        return QuotaStatus(used=int(used), limit=limit, resets_at=self.resets_at())

    async def limits(self, scope: str) -> ScopeLimits:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(limits.c.kind, limits.c.member, limits.c.per_day)
                                       .where(limits.c.scope == scope))).all()
        by_kind = {(kind, member): per_day for kind, member, per_day in rows}
        return ScopeLimits(
            default=by_kind.get(("default", "")), total=by_kind.get(("total", "")),
            members={member: n for (kind, member), n in by_kind.items() if kind == "member"},
        )

    async def usage(self, scope: str, day: str | None = None) -> UsageReport:
        day = day or self.today()
        stmt = (select(jobs.c.actor, func.sum(jobs.c.credits))
                .where(jobs.c.scope == scope, jobs.c.day == day, _LIVE)
                .group_by(jobs.c.actor).order_by(func.sum(jobs.c.credits).desc()))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        members = {actor: int(used) for actor, used in rows}
        budget = (await self.limits(scope)).total
        return UsageReport(day=day, members=members, total=sum(members.values()), budget=budget)

    async def set_limit(
        self, *, scope: str, kind: LimitKind, per_day: int | None, by: str, member: str = "",
    ) -> int | None:
        """Set (or with None, remove) a limit and audit the change; returns the old value."""
        if per_day is not None and per_day < 0:
            raise ValueError("per_day must be >= 0")
        member = member if kind == "member" else ""
        key = and_(limits.c.scope == scope, limits.c.kind == kind, limits.c.member == member)
        now = self._now()

        def change(conn: Connection) -> Any:
            old = conn.execute(select(limits.c.per_day).where(key)).scalar()
            conn.execute(limits.delete().where(key))
            if per_day is not None:
                conn.execute(insert(limits).values(
                    scope=scope, kind=kind, member=member, per_day=per_day, updated_by=by,
                    updated_at=now))
            conn.execute(insert(audit).values(
                at=now, actor=by, scope=scope, action=f"limit_{kind}",
                target=member or scope, old_value=old, new_value=per_day))
            return old

        old = await self._writer.write(change)
        return None if old is None else int(old)

    async def audit_log(self, scope: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(audit).where(audit.c.scope == scope)
                                       .order_by(audit.c.id))).mappings().all()
        return [dict(row) for row in rows]

    # -- jobs ------------------------------------------------------------------------------------
    async def job(self, job_id: int) -> Job | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).mappings().first()
        return None if row is None else _job(row)

    async def unfinished(self, platform: str | None = None) -> list[Job]:
        stmt = select(jobs).where(jobs.c.status == JobStatus.RESERVED.value).order_by(jobs.c.id)
        if platform is not None:
            stmt = stmt.where(jobs.c.platform == platform)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [_job(row) for row in rows]


def _job(row: Any) -> Job:
    return Job(
        id=row["id"], platform=row["platform"], actor_key=row["actor"], scope_key=row["scope"],
        day=row["day"], credits=row["credits"], status=JobStatus(row["status"]),
        request=json.loads(row["request"]), created_at=datetime.fromisoformat(row["created_at"]),
        delivering=row["delivering_at"] is not None,
    )


def _upgrade(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
