"""Daily limits: the atomic reservation, what a person has left, usage, moderators' limits.

A reservation is one INSERT ... SELECT ... WHERE <every limit holds>: the database checks and
records it in a single statement, so concurrent requests can never overspend. Three limits
hold at once: the person's limit in this chat (a member limit, else the chat's default, else
the bot's), the chat's total budget when it has one, and the person's ceiling across every chat
(USER_DAILY_LIMIT). They bound the day's free credits; what they leave short is taken from the
person's bought balance in the same statement (credits.py). SQLite runs one writer at a time,
so the statement alone is atomic; on PostgreSQL the statement first takes transaction-scoped
advisory locks on the person and, when the chat has a total budget, on the chat (always in that
order: no deadlock), so concurrent replicas are serialised exactly where their reservations
could collide. When the operator set a spend budget (DAILY_BUDGET_USD, MONTHLY_BUDGET_USD), the
same statement also checks it (``budget_clause``, spending.py), after one more lock that every
reservation shares.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from sqlalchemy import (
    Float,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain import JobStatus, QuotaStatus
from ..errors import DuplicateRequest, QuotaExceeded
from .credits import Credits, allowance, balance_of, free_sum, moderators_limit
from .prepared import Prepared
from .spending import BUDGET_LOCK, Spend, budget_clause
from .tables import audit, jobs, limits

LimitKind = Literal["member", "default", "total"]
_LIVE = jobs.c.status != JobStatus.REFUNDED.value
_HELD = jobs.c.status == JobStatus.RESERVED.value
# the person's lock, then the chat's (only when the chat has a total budget to guard)
_LOCKS = text("SELECT pg_advisory_xact_lock(7301, hashtext(:actor)), "
              "(SELECT pg_advisory_xact_lock(7302, hashtext(:scope)) FROM limits "
              "WHERE scope = :scope AND kind = 'total')")


def _p(name: str, kind: Any = String) -> Any:
    """A typed parameter (asyncpg wants to know what a bare parameter is)."""
    return bindparam(name, type_=kind)


def _limit(kind: str, member: Any) -> Any:
    return select(limits.c.per_day).where(
        limits.c.scope == bindparam("scope"), limits.c.kind == kind, limits.c.member == member,
    ).scalar_subquery()


def _member_limit() -> Any:
    return func.coalesce(_limit("member", bindparam("actor")), _limit("default", ""),
                         _p("default", Integer))


def reserve_statement(*, limited: bool, budgeted: bool = False) -> Any:
    """The single statement that checks the limits (and, ``budgeted``, the operator's spend
    budget) and records the job."""
    share = allowance(_member_limit()) if limited else None
    values: Any = select(
        _p("platform"), _p("actor"), _p("scope"), _p("day"), _p("credits", Integer),
        literal(JobStatus.RESERVED.value), _p("request", Text), _p("now"), _p("now"),
        _p("origin_key"), _p("owner"), _p("now"), _p("estimated_usd", Float),
        share.c.paid if share is not None else literal(0),
    ).where(~select(jobs.c.id).where(jobs.c.origin_key == bindparam("origin_key")).exists())
    if share is not None:  # the free allowance first, then the bought balance (credits.py)
        values = values.where(share.c.paid <= balance_of(bindparam("actor")),
                              or_(share.c.paid == 0, share.c.stopped == 0))
    if budgeted:
        values = values.where(budget_clause())
    columns = ["platform", "actor", "scope", "day", "credits", "status", "request",
               "created_at", "updated_at", "origin_key", "owner", "heartbeat_at",
               "estimated_usd", "paid_credits"]
    return insert(jobs).from_select(columns, values).returning(jobs.c.id)


_ASKED = Prepared(update(jobs).where(jobs.c.id == bindparam("job"))
                  .values(asked_at=bindparam("at")))


_SEEN = Prepared(select(jobs.c.id).where(jobs.c.origin_key == bindparam("origin_key")).limit(1))


def noted(conn: Connection, job_id: Any, asked_at: str | None) -> Any:
    """A job just reserved, noted as asked in the same transaction when ``asked_at`` is
    given (what ``asking`` notes when its turn comes later)."""
    if job_id is not None and asked_at is not None:
        _ASKED.execute(conn, {"job": job_id, "at": asked_at})
    return job_id


def status_statement() -> Any:
    """What a person has charged and holds of the day's free credits, here and in every chat,
    their limit here, their bought balance, and the limits moderators set here (0 stops)."""
    committed = jobs.c.status == JobStatus.COMMITTED.value
    here = jobs.c.scope == bindparam("scope"), jobs.c.actor == bindparam("actor")
    person = jobs.c.actor == bindparam("actor")
    return select(free_sum(*here, committed), free_sum(*here, _HELD),
                  free_sum(person, committed), free_sum(person, _HELD), _member_limit(),
                  balance_of(bindparam("actor")), moderators_limit(), _limit("total", ""))


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


class Quotas(Credits, Spend):
    _statements: ClassVar[dict[tuple[bool, bool], Prepared]] = {
        (limited, budgeted): Prepared(reserve_statement(limited=limited, budgeted=budgeted))
        for limited in (True, False) for budgeted in (True, False)}
    _status = Prepared(status_statement())  # built once: building it cost more than running it

    async def reserve(
        self, *, platform: str, actor: str, scope: str, credits: int,
        request: dict[str, Any], unlimited: bool = False, origin_key: str | None = None,
        estimated_usd: float | None = None, asked: bool = False,
    ) -> int:
        """Record a job holding ``credits`` (and ``estimated_usd`` of the spend budget);
        BudgetReached when that would pass the operator's budget, QuotaExceeded when it would
        pass a limit, DuplicateRequest when a job already came from ``origin_key``. ``asked``:
        noted as asked too (``asking``), its turn with the model having come."""
        day, budgeted, now = self.today(), self.budget.any, self._now()
        params = {
            "platform": platform, "actor": actor, "scope": scope, "day": day,
            "credits": credits, "request": json.dumps(request, separators=(",", ":")),
            "now": now, "default": self._default,
            "origin_key": origin_key, "ceiling": self._user_limit, "owner": self.owner,
            "estimated_usd": estimated_usd, **self.budget.params(day),
        }
        stmt = self._statements[(not unlimited, budgeted)]

        def record(conn: Connection) -> Any:
            if conn.dialect.name == "postgresql":
                if not unlimited:
                    conn.execute(_LOCKS, {"actor": actor, "scope": scope})
                if budgeted:  # last: every reservation takes it, after its own
                    conn.execute(BUDGET_LOCK)
            return noted(conn, stmt.scalar(conn, params), now if asked else None)

        for _ in range(2):  # once more only if the budget said no and has room now
            try:
                job_id = await self._writer.write(record)
            except IntegrityError:  # the same origin, reserved at the same moment by another
                job_id = None
            if job_id is not None:
                return int(job_id)
            if origin_key is not None and await self.seen(origin_key):
                raise DuplicateRequest("duplicate", origin_key=origin_key)
            over = await self.over_budget(estimated_usd)
            if over is not None:
                raise over
            if not budgeted:
                break
        raise await self.why_not(actor, scope, credits)

    async def seen(self, origin_key: str) -> bool:
        """Whether a job already came from this platform message or button press."""
        params, stmt = {"origin_key": origin_key}, _SEEN
        found = await self._reader.read(lambda conn: stmt.scalar(conn, params))
        return found is not None

    async def why_not(self, actor: str, scope: str, credits: int) -> QuotaExceeded:
        """Which limit ``credits`` more would pass: this chat's, its budget, or the person's
        ceiling across every chat."""
        status = await self.status(actor=actor, scope=scope)
        resets = status.resets_at
        here = (status.used + status.reserved, status.limit or 0)
        day = (status.day_used + status.day_reserved, status.day_limit or 0)
        if here[0] + credits <= here[1] and day[0] + credits > day[1]:
            return QuotaExceeded("daily_ceiling_exceeded", used=day[0], limit=day[1],
                                 resets_at=resets, credits=credits)
        scope_limits = await self.limits(scope)
        if scope_limits.total is not None and here[0] + credits <= here[1]:
            report = await self.usage(scope)
            return QuotaExceeded("scope_budget_exceeded", used=report.total,
                                 limit=scope_limits.total, resets_at=resets)
        return QuotaExceeded("quota_exceeded", used=here[0], limit=here[1], resets_at=resets,
                             credits=credits)

    async def status(self, *, actor: str, scope: str, unlimited: bool = False) -> QuotaStatus:
        """What the person has charged, has in flight and has left of the day's free
        allowance, here and in every chat, and their bought balance."""
        return await self._reader.read(self.status_read(actor=actor, scope=scope,
                                                        unlimited=unlimited))

    def status_read(self, *, actor: str, scope: str, unlimited: bool = False
                    ) -> Callable[[Connection], QuotaStatus]:
        """``status`` as a read on a connection, to run beside a write (no hop of its own)."""
        params = {"actor": actor, "scope": scope, "day": self.today(),
                  "default": self._default}
        stmt, ceiling, resets_at = self._status, self._user_limit, self.resets_at()

        def read(conn: Connection) -> QuotaStatus:
            row = stmt.first(conn, params)
            assert row is not None  # sums: one row whatever the jobs
            used, held, day_used, day_held, limit, balance = (int(v) for v in row[:6])
            stopped = any(v is not None and v <= 0 for v in row[6:])
            return QuotaStatus(
                used=used, reserved=held, limit=None if unlimited else limit,
                day_used=day_used, day_reserved=day_held,
                day_limit=None if unlimited else ceiling, resets_at=resets_at,
                balance=max(balance, 0), stopped=stopped and not unlimited)

        return read

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
