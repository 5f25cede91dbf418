"""Moderation: who may read and change a scope's limits, and what a change means, decided once.

The platform knows one fact the core cannot: whether a person moderates a group (Telegram: the
group's creator or an administrator, or an anonymous admin posting as the group; Discord: Manage
Server). Each adapter resolves that fact and passes it in as ``moderator``; this service adds
the rest, in a fixed order:

1. operators (BOT_ADMINS) are never locked out, wherever they are;
2. a private chat has no limits to set, and its owner may read its own usage;
3. in a group, reading usage and limits and changing limits need a moderator;
4. a limit is a whole number from 0 (blocks) to ``MAX_LIMIT``, or a reset;
5. every change is written to the audit table with who made it.

Adapters only translate: the platform's words into these calls, the outcomes and errors into
the platform's replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ..commands import MAX_LIMIT
from ..domain import Actor, QuotaStatus, Scope
from ..errors import CommandError, NotAllowed
from ..ledger import LimitKind, QuotaLedger, ScopeLimits, UsageReport

__all__ = ["LimitChange", "LimitKind", "Moderation", "QuotaView", "ScopeLimits", "Standing",
           "UsageReport"]


class Standing(IntEnum):
    """What a person may decide in a scope, from least to most.

    Do not reorder: the checks compare standings (``standing >= Standing.MODERATOR``)."""

    MEMBER = 0
    """May use the bot and read their own quota."""
    MODERATOR = 1
    """The platform says this person moderates the scope: may read usage and set limits."""
    OPERATOR = 2
    """Listed in BOT_ADMINS: unlimited credits, may do everything everywhere."""


@dataclass(frozen=True, slots=True)
class QuotaView:
    """What /quota shows: the person's own day, and the group's when it is a group."""

    status: QuotaStatus
    scope_usage: UsageReport | None


@dataclass(frozen=True, slots=True)
class LimitChange:
    """A limit that was set (``value``) or reset (``value`` None); ``applies`` is the number of
    credits a day that now holds for that kind (for a reset default: the bot's default)."""

    kind: LimitKind
    member: str
    value: int | None
    applies: int | None


class Moderation:
    def __init__(self, *, ledger: QuotaLedger, admins: frozenset[str],
                 default_limit: int) -> None:
        self._ledger = ledger
        self._admins = admins
        self.default_limit = default_limit

    def is_operator(self, actor: Actor) -> bool:
        return actor.key in self._admins

    def standing(self, actor: Actor, *, moderator: bool) -> Standing:
        """The actor's standing, from the platform's fact ``moderator``."""
        if self.is_operator(actor):
            return Standing.OPERATOR
        return Standing.MODERATOR if moderator else Standing.MEMBER

    def may_moderate(self, actor: Actor, scope: Scope, *, moderator: bool) -> bool:
        """Whether ``actor`` may read usage and change limits in ``scope``."""
        if scope.private:
            return (scope.platform == actor.platform and scope.scope_id == actor.user_id) or (
                self.is_operator(actor))
        return self.standing(actor, moderator=moderator) >= Standing.MODERATOR

    def _require(self, actor: Actor, scope: Scope, *, moderator: bool) -> None:
        if not self.may_moderate(actor, scope, moderator=moderator):
            raise NotAllowed("not_moderator")

    async def quota(self, actor: Actor, scope: Scope) -> QuotaView:
        """Anyone may read their own quota (the charges already under way included)."""
        await self._ledger.writer.settled()
        status = await self._ledger.status(actor=actor.key, scope=scope.key,
                                           unlimited=self.is_operator(actor))
        group = None if scope.private else await self._ledger.usage(scope.key)
        return QuotaView(status, group)

    async def usage(self, actor: Actor, scope: Scope, *, moderator: bool) -> UsageReport:
        """Today's usage by member; raises NotAllowed."""
        self._require(actor, scope, moderator=moderator)
        await self._ledger.writer.settled()
        return await self._ledger.usage(scope.key)

    def check_limits(self, actor: Actor, scope: Scope, *, moderator: bool) -> None:
        """Whether ``actor`` may read and set limits in ``scope``, before reading the rest of a
        command; raises CommandError("groups_only") or NotAllowed."""
        if scope.private:
            raise CommandError("groups_only")
        self._require(actor, scope, moderator=moderator)

    async def limits(self, actor: Actor, scope: Scope, *, moderator: bool) -> ScopeLimits:
        """The limits set in a group; raises as ``check_limits``."""
        self.check_limits(actor, scope, moderator=moderator)
        return await self._ledger.limits(scope.key)

    async def set_limit(self, actor: Actor, scope: Scope, kind: LimitKind, value: int | None,
                        *, moderator: bool, member: str = "", by: str | None = None,
                        ) -> LimitChange:
        """Set (or, with ``value`` None, reset) a group's limit and audit it.

        ``member`` is the member's key for ``kind`` "member"; ``by`` names the author in the
        audit when it is not the actor itself (an anonymous admin acts as the group). Raises
        CommandError ("groups_only", "bad_limit") or NotAllowed."""
        self.check_limits(actor, scope, moderator=moderator)
        if value is not None and not 0 <= value <= MAX_LIMIT:
            raise CommandError("bad_limit", limit=MAX_LIMIT)
        await self._ledger.set_limit(scope=scope.key, kind=kind, member=member, per_day=value,
                                     by=by or actor.key)
        applies = value if value is not None or kind != "default" else self.default_limit
        return LimitChange(kind, member, value, applies)
