"""Credits people buy: the balance, and the reservation's clause that spends it.

A person's balance is not a counter: it is what their purchases and refunds add up to, less
the credits their live jobs took from it (``jobs.paid_credits``). A job refunded gives its
paid credits back by being refunded, the free ones likewise: each credit returns to where it
came from, with nothing to keep in step. The reservation takes the day's free allowance
first (the smallest of what the chat's limit, the chat's budget and the person's ceiling
leave), then the balance, in its one statement; a moderator's limit of 0 in that chat stops
paid credits too. On PostgreSQL the person's advisory lock (taken by the reservation and by a
refund) serialises everything that reads and moves one balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, case, func, insert, literal, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain import JobStatus
from .base import LedgerBase
from .tables import audit, jobs, limits, purchases

_LIVE = jobs.c.status != JobStatus.REFUNDED.value
_PERSON_LOCK = text("SELECT pg_advisory_xact_lock(7301, hashtext(:actor))")


def _least(a: Any, b: Any) -> Any:
    return case((a < b, a), else_=b)


def free_sum(*where: Any) -> Any:
    """The free (not bought) credits of today's live jobs matching ``where``."""
    return select(func.coalesce(func.sum(jobs.c.credits - jobs.c.paid_credits), 0)).where(
        jobs.c.day == bindparam("day"), _LIVE, *where).scalar_subquery()


def balance_of(actor: Any) -> Any:
    """Bought credits not yet spent (those held by an edit in flight count as spent)."""
    bought = select(func.coalesce(func.sum(purchases.c.credits), 0)).where(
        purchases.c.actor == actor).scalar_subquery()
    spent = select(func.coalesce(func.sum(jobs.c.paid_credits), 0)).where(
        jobs.c.actor == actor, jobs.c.paid_credits > 0, _LIVE).scalar_subquery()
    return bought - spent


def _row_limit(kind: str, member: Any) -> Any:
    return select(limits.c.per_day).where(
        limits.c.scope == bindparam("scope"), limits.c.kind == kind, limits.c.member == member,
    ).scalar_subquery()


def moderators_limit() -> Any:
    """The limit moderators set for the person in this chat (None: they set none)."""
    return func.coalesce(_row_limit("member", bindparam("actor")), _row_limit("default", ""))


def allowance(member_limit: Any) -> Any:
    """A one-row derived table: ``paid``, of ``:credits``, how many the balance must give
    (what the free allowance cannot), and ``stopped`` (1 when a moderator of this chat set a
    limit of 0, which stops paid credits too). Built in layers so that each value is
    computed once: written as one expression, each use of a value repeated its subqueries
    (``free`` is used three times, and is itself the least of values used twice), and the
    reservation's statement was over a hundred subqueries long."""
    actor: Any = bindparam("actor")
    scope: Any = bindparam("scope")
    credits = bindparam("credits", type_=Integer)
    total = _row_limit("total", "")
    parts = select(
        (member_limit - free_sum(jobs.c.scope == scope, jobs.c.actor == actor)).label("here"),
        (bindparam("ceiling", type_=Integer) - free_sum(jobs.c.actor == actor)).label("person"),
        total.label("total"), moderators_limit().label("moderated")).subquery("parts")
    chat = case((parts.c.total.is_(None), parts.c.here),
                else_=parts.c.total - free_sum(jobs.c.scope == scope))
    least = select(_least(parts.c.here, parts.c.person).label("mine"), chat.label("chat"),
                   parts.c.total, parts.c.moderated).subquery("least")
    free = select(_least(least.c.mine, least.c.chat).label("free"), least.c.total,
                  least.c.moderated).subquery("free")
    stopped = or_(func.coalesce(free.c.moderated, 1) <= 0, func.coalesce(free.c.total, 1) <= 0)
    paid = credits - case((free.c.free <= 0, 0), (free.c.free < credits, free.c.free),
                          else_=credits)
    return select(paid.label("paid"), case((stopped, 1), else_=0).label("stopped")
                  ).subquery("allowance")


@dataclass(frozen=True, slots=True)
class Refunded:
    """A refund recorded: the buyer, the credits taken back (those not yet used), whether it
    had been recorded before (the platform's redelivery, or a second /refund)."""

    actor: str
    credits: int
    again: bool
    stars: int = 0  # what the purchase had paid


class Credits(LedgerBase):
    async def credit(self, *, platform: str, charge_id: str, actor: str, pack: str,
                     credits: int, stars: int = 0) -> bool:
        """Add a purchase's credits, once per ``charge_id``: True when this call added them,
        False when they had been added already (a repeated update, a redelivery)."""
        row = {"platform": platform, "kind": "purchase", "charge_id": charge_id,
               "actor": actor, "pack": pack, "credits": credits, "stars": stars,
               "at": self._now(), "by": actor}

        def record(conn: Connection) -> bool:
            if self._known(conn, platform, "purchase", charge_id) is not None:
                return False
            conn.execute(insert(purchases).values(**row))
            conn.execute(insert(audit).values(
                at=row["at"], actor=actor, scope=f"payments:{platform}", action="purchase",
                target=charge_id[:128], old_value=None, new_value=credits))
            return True

        try:
            return bool(await self._writer.write(record))
        except IntegrityError:  # the same charge, credited at the same moment by a replica
            return False

    async def take_back(self, *, platform: str, charge_id: str, by: str) -> Refunded | None:
        """Record a purchase's refund, once: take back the credits of it not yet used (at
        most the pack, never more than the balance). None when no such purchase is known."""

        def record(conn: Connection) -> Refunded | None:
            bought = self._known(conn, platform, "purchase", charge_id)
            if bought is None:
                return None
            earlier = self._known(conn, platform, "refund", charge_id)
            if earlier is not None:
                return Refunded(bought["actor"], -int(earlier["credits"]), again=True,
                                stars=int(bought["stars"]))
            if conn.dialect.name == "postgresql":
                conn.execute(_PERSON_LOCK, {"actor": bought["actor"]})
            left = int(conn.execute(select(balance_of(literal(bought["actor"])))).scalar() or 0)
            taken = max(0, min(int(bought["credits"]), left))
            now = self._now()
            conn.execute(insert(purchases).values(
                platform=platform, kind="refund", charge_id=charge_id, actor=bought["actor"],
                pack=bought["pack"], credits=-taken, stars=-int(bought["stars"]), at=now, by=by))
            conn.execute(insert(audit).values(
                at=now, actor=by, scope=f"payments:{platform}", action="refund",
                target=charge_id[:128], old_value=int(bought["credits"]), new_value=-taken))
            return Refunded(bought["actor"], taken, again=False, stars=int(bought["stars"]))

        try:
            return await self._writer.write(record)
        except IntegrityError:  # refunded at the same moment elsewhere: that one counts
            return await self.take_back(platform=platform, charge_id=charge_id, by=by)

    @staticmethod
    def _known(conn: Connection, platform: str, kind: str, charge_id: str) -> Any:
        return conn.execute(select(purchases).where(
            purchases.c.platform == platform, purchases.c.kind == kind,
            purchases.c.charge_id == charge_id)).mappings().first()

    async def purchase(self, platform: str, charge_id: str) -> dict[str, Any] | None:
        """The purchase recorded for this charge or entitlement id, if any."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(purchases).where(
                purchases.c.platform == platform, purchases.c.kind == "purchase",
                purchases.c.charge_id == charge_id))).mappings().first()
        return None if row is None else dict(row)

    async def balance(self, actor: str) -> int:
        return int(await self._scalar(select(balance_of(literal(actor)))) or 0)

    async def sales(self, since: str | None = None) -> dict[str, int]:
        """Stars received and credits sold (purchases), refunds and what they gave back,
        since ``since`` (an ISO time) or ever."""
        kind = purchases.c.kind
        stmt = select(
            func.coalesce(func.sum(case((kind == "purchase", purchases.c.stars), else_=0)), 0),
            func.coalesce(func.sum(case((kind == "purchase", purchases.c.credits), else_=0)), 0),
            func.coalesce(func.sum(case((kind == "purchase", 1), else_=0)), 0),
            func.coalesce(func.sum(case((kind == "refund", 1), else_=0)), 0),
            func.coalesce(func.sum(case((kind == "refund", -purchases.c.stars), else_=0)), 0),
        )
        if since is not None:
            stmt = stmt.where(purchases.c.at >= since)
        async with self.engine.connect() as conn:
            row = (await conn.execute(stmt)).one()
        names = ("stars", "credits_sold", "purchases", "refunds", "stars_refunded")
        return {name: int(value) for name, value in zip(names, row, strict=True)}
