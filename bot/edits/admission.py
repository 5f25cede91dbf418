"""What is checked before any work is done for a request: whether the person has the credits,
what the community's moderators allow (bot/community/settings.py), how many of their requests
are already running, whether the request is well formed, its place in the shared line; and how
often a person may be told no in one chat."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from types import TracebackType

from ..commands import MAX_PROMPT_CHARS, is_blank
from ..community import CommunityLog, CommunitySettings, Rules
from ..domain import Actor, EditCommand, EditRequest, ImageInput, Progress, Scope, Stage
from ..errors import CommandError, ImageError, InputError
from ..images import REQUEST_LIMIT, request_bytes
from ..ledger import QuotaLedger
from ..models import ModelSpec
from ..upstream import UpstreamQueue
from .books import Books
from .decoding import MB, Decoder
from .ports import Opening
from .waits import Waits

log = logging.getLogger(__name__)
# Platforms whose requester is the operator: the shell's user runs the bot, so the CLI is not
# held to the daily quota (its jobs are still recorded, as cli:<user>).
OPERATOR_PLATFORMS = frozenset({"cli"})


class Busy(InputError):
    """The person already has as many requests running as they may."""

    code = "one_at_a_time"


class Ticket:
    """A request's place among its owner's running ones; released once, when its work ends."""

    def __init__(self, admission: InFlight, owner: str) -> None:
        self._admission = admission
        self.owner = owner
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._admission._release(self.owner)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


class InFlight:
    """At most ``per_owner`` requests of one person at once, from acceptance to the end."""

    def __init__(self, per_owner: int) -> None:
        self.per_owner = per_owner
        self._running: Counter[str] = Counter()

    def running(self, owner: str) -> int:
        return self._running[owner]

    def hold(self, owner: str) -> Ticket:
        """A ticket for one more request of ``owner``; Busy when they have enough running."""
        if self._running[owner] >= self.per_owner:
            raise Busy(running=self._running[owner])
        self._running[owner] += 1
        return Ticket(self, owner)

    def _release(self, owner: str) -> None:
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]


class Cooldown:
    """Says yes to a key at most once per ``seconds``: a person who sends the same refused
    request 400 times is told once, not 400 times."""

    MAX_KEYS = 100_000

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._until: dict[Hashable, float] = {}

    def allow(self, key: Hashable) -> bool:
        now = self._clock()
        if self._until.get(key, 0.0) > now:
            log.debug("a repeated refusal was dropped (%s)", key)
            return False
        if len(self._until) >= self.MAX_KEYS:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[key] = now + self.seconds
        return True


class Admission:
    """A request's way in, before its job is reserved: the cheap checks that cost nothing
    (credits, requests running, the operator's budget), its inputs readied, its shape validated,
    its place in the shared line taken (or given up)."""

    def __init__(
        self, *, ledger: QuotaLedger, spec: ModelSpec, books: Books, queue: UpstreamQueue,
        credits_for: Callable[[str | None], int], admins: frozenset[str],
        max_in_flight_per_user: int, refusal_cooldown_s: float, decode_memory_mb: int,
        community: CommunitySettings | None = None, logbook: CommunityLog | None = None,
    ) -> None:
        self.ledger = ledger
        self.spec = spec
        self.books = books
        self.queue = queue
        self.admins = admins
        self.in_flight = InFlight(max_in_flight_per_user)
        self.refusals = Cooldown(refusal_cooldown_s)
        self.decoder = Decoder(memory_bytes=decode_memory_mb * MB)
        self.waits = Waits(ledger, queue.capacity)
        self._credits_for = credits_for
        self.community = community  # None: no community rules (every default holds)
        self.logbook = logbook or CommunityLog()

    def credits_for(self, command: EditCommand) -> int:
        return self._credits_for(command.image_size)

    def is_admin(self, actor: Actor) -> bool:
        return actor.platform in OPERATOR_PLATFORMS or actor.key in self.admins

    async def seen(self, origin_key: str) -> bool:
        """Whether a job already came from this platform message (a replayed update)."""
        return await self.ledger.seen(origin_key)

    async def admit(self, actor: Actor, scope: Scope, command: EditCommand, *,
                    more: bool = False) -> Ticket:
        """The checks that come before any download or decode: the person has the credits
        this command costs (else QuotaExceeded), by a cheap read, and fewer than the allowed
        requests running (else Busy); the reservation itself stays the authority. The ticket
        is released when the request's work ends. ``more``: another take of the request just
        admitted (Variations), which slow mode counts as that one request."""
        await self.books.precheck(command)  # the operator's budget (BudgetReached)
        if not self.is_admin(actor):
            credits = self.credits_for(command)
            status = await self.ledger.status(actor=actor.key, scope=scope.key)
            if status.spendable is not None and status.spendable < credits:
                raise status.exceeded(credits)
        if self.community is not None:  # the community's moderators' rules (CommandError)
            rules = await self.community.rules(scope)
            await self.community.check(actor, scope, command, rules,
                                       slowed=not (more or self.is_admin(actor)))
        return self.in_flight.hold(actor.key)

    async def rules(self, scope: Scope) -> Rules:
        """The community's rules for a job's run (safety, spoilers, the log); the defaults when
        there are none or they cannot be read now (the job was admitted by them already)."""
        if self.community is None:
            return Rules()
        try:
            return await self.community.rules(scope)
        except Exception:
            log.warning("the settings of %s could not be read; the last known apply",
                        scope.key, exc_info=True)
            return self.community.last(scope)

    async def prepare_images(self, blobs: Iterable[bytes], platform_encoded: Sequence[bool] = (),
                             ) -> tuple[ImageInput, ...]:
        """Validate and ready downloaded inputs in the bounded decoding pool (ImageError). An
        input marked in ``platform_encoded`` was encoded by the platform itself (a Telegram
        photo): it is not decoded to prove it sound."""
        return await self.decoder.prepare(blobs, platform_encoded)

    def opening(self, actor: Actor, received_at: float) -> Opening:
        """Take the request's place in the shared line as it is accepted, and say what it is
        told first: working, or its true place. Pass the opening to ``submit``, or ``drop``
        it when the request ends before that."""
        place = self.queue.hold(actor.key, order=received_at)
        progress = (Progress(Stage.QUEUED, place.position, self.waits.estimate(place.position))
                    if place.position else Progress(Stage.WORKING))
        return Opening(progress, place)

    def drop(self, opening: Opening | None) -> None:
        if opening is not None:
            self.queue.drop(opening.place)

    def validate(self, request: EditRequest) -> None:
        command = request.command
        if command.kind == "edit" and not request.images and request.parent is None:
            raise CommandError("no_image")
        if len(request.images) > self.spec.max_reference_images:
            raise CommandError("too_many_images", limit=self.spec.max_reference_images,
                               count=len(request.images))
        if is_blank(command.prompt) or len(command.prompt) > MAX_PROMPT_CHARS:
            raise CommandError("no_prompt", kind=command.kind)
        if request_bytes(request.images) + len(command.prompt.encode()) > REQUEST_LIMIT:
            raise ImageError("references_too_large",
                             size_mb=request_bytes(request.images) >> 20,
                             limit_mb=REQUEST_LIMIT >> 20)
