"""The values that cross the core's boundary. All frozen; identities are namespaced by platform."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from .errors import EditbotError, QuotaExceeded

CommandKind = Literal["edit", "imagine"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked: ``telegram:123`` and ``discord:123`` never collide."""

    platform: str
    user_id: str
    name: str = ""
    language: str = "en"

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where usage counts: a group, a server, or one user's private chat."""

    platform: str
    scope_id: str
    private: bool = False

    @property
    def key(self) -> str:
        kind = "private" if self.private else "group"
        return f"{self.platform}:{kind}:{self.scope_id}"


@dataclass(frozen=True, slots=True)
class EditCommand:
    kind: CommandKind
    prompt: str
    aspect_ratio: str | None = None
    image_size: str | None = None


@dataclass(frozen=True, slots=True)
class ImageInput:
    data: bytes = field(repr=False)
    mime_type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class TokenUsage:
    prompt: int = 0
    output: int = 0
    thoughts: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    data: bytes = field(repr=False)
    mime_type: str
    width: int
    height: int
    text: str = ""
    usage: TokenUsage = TokenUsage()
    # the model's parts exactly as received (thoughtSignature included): a follow-up edit
    # sends them back as the model's turn
    parts: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One accepted command with its images. ``origin`` is the adapter's own JSON-able note of
    where the request came from (chat and message ids, file ids), kept with the job so the
    adapter can finish or answer it after a restart; ``origin["key"]``, when set, names the
    platform message or button press, and a second job from the same key is refused."""

    actor: Actor
    scope: Scope
    command: EditCommand
    images: tuple[ImageInput, ...] = ()
    origin: dict[str, Any] = field(default_factory=dict)
    # the job whose result this continues (a reply to it): its conversation is sent along
    parent: int | None = None
    # when the platform handed the request over (time.monotonic); the queue serves in this
    # order, so a slow download does not cost anyone their place in line
    received_at: float = field(default_factory=time.monotonic, compare=False)


class JobStatus(StrEnum):
    RESERVED = "reserved"
    COMMITTED = "committed"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class Job:
    """A row of the ``jobs`` table: every accepted edit, before its work starts."""

    id: int
    platform: str
    actor_key: str
    scope_key: str
    day: str
    credits: int
    status: JobStatus
    request: dict[str, Any]
    created_at: datetime
    delivering: bool = False  # its result's upload began: it may have reached the user
    asked: bool = False  # sent to the model, which bills its answer even if it never arrives
    has_result: bool = False  # its generated result is kept: finishing it costs no new call


@dataclass(frozen=True, slots=True)
class QuotaStatus:
    """A person's credits today: ``used`` were charged, ``reserved`` are held by edits in
    flight; here (this chat's limit) and across every chat (the person's daily ceiling)."""

    used: int
    limit: int | None  # this chat's limit for the person; None: unlimited
    resets_at: datetime
    reserved: int = 0
    day_used: int = 0
    day_reserved: int = 0
    day_limit: int | None = None  # the ceiling across every chat; None: none
    balance: int = 0  # bought credits not yet spent (they do not reset daily)
    stopped: bool = False  # a moderator set 0 here: not even bought credits may be spent

    @property
    def spendable(self) -> int | None:
        """The free credits left here, then the bought balance (unless stopped here)."""
        if self.left is None:
            return None
        return self.left + (0 if self.stopped else self.balance)

    @property
    def day_left(self) -> int | None:
        if self.day_limit is None:
            return None
        return max(self.day_limit - self.day_used - self.day_reserved, 0)

    @property
    def left(self) -> int | None:
        """What can still be spent here: never below 0, and never above ``day_left``."""
        if self.limit is None:
            return None
        here = max(self.limit - self.used - self.reserved, 0)
        return here if self.day_left is None else min(here, self.day_left)

    def exceeded(self, credits: int) -> QuotaExceeded:
        """The refusal for ``credits`` more: this chat's limit, or the person's daily ceiling
        when only that one binds."""
        here = self.used + self.reserved
        if self.limit is not None and here + credits <= self.limit and self.day_limit is not None:
            return QuotaExceeded("daily_ceiling_exceeded", used=self.day_used + self.day_reserved,
                                 limit=self.day_limit, resets_at=self.resets_at, credits=credits)
        return QuotaExceeded("quota_exceeded", used=here, limit=self.limit or 0,
                             resets_at=self.resets_at, credits=credits)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the adapter is asked to deliver; credits are committed only once it returns."""

    job_id: int
    request: EditRequest
    image: GeneratedImage
    credits: int
    credits_left: int | None
    ratio_mismatch: float | None = None
    spoiler: bool = False  # the community shows results hidden until tapped
    sizes_off: frozenset[str] = frozenset()  # sizes the community turned off (no 4K button)
    on_arrival: Callable[[], Awaitable[Any]] | None = field(default=None, compare=False,
                                                            repr=False)

    async def arrived(self) -> None:
        """The adapter calls this the moment the user has the result (more may follow, like a
        full-resolution file): the job is charged at once, so a crash after this point can
        neither deliver it again nor leave it unpaid."""
        if self.on_arrival is not None:
            await self.on_arrival()


class Stage(StrEnum):
    QUEUED = "queued"
    WORKING = "working"
    DELIVERING = "delivering"


@dataclass(frozen=True, slots=True)
class Progress:
    stage: Stage
    position: int = 0  # jobs ahead in the queue, when queued
    wait_s: float | None = None  # when queued: the likely wait, once the model was timed


OutcomeStatus = Literal["delivered", "invalid", "rejected", "duplicate", "refused", "failed"]


@dataclass(frozen=True, slots=True)
class EditOutcome:
    status: OutcomeStatus
    job_id: int | None = None
    error: EditbotError | None = None
    delivery: Delivery | None = None

    @property
    def ok(self) -> bool:
        return self.status == "delivered"


DeliverFn = Callable[[Delivery], Awaitable[None]]
ProgressFn = Callable[[Progress], Awaitable[None]]
