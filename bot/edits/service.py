"""EditService: validate -> reserve -> queue -> generate -> deliver -> commit, or refund.

The one service the adapters call for edits. It composes three parts and answers for them:
``Admission`` (bot/edits/admission.py: the checks before any work, the place in line, the inputs),
``JobRunner`` (bot/edits/runner.py: a job's run, from its reservation to its commit or refund) and
``Recovery`` (bot/edits/recovery.py: jobs resumed after a restart or taken over from a replica, and
earlier jobs repeated). The parts stay its own: an adapter gets a call, never a part; the
conversation's turns are the composition root's (bot/bootstrap.py), handed in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Sequence

from ..community import CommunityLog, CommunitySettings
from ..domain import (
    Actor,
    DeliverFn,
    EditCommand,
    EditOutcome,
    EditRequest,
    GeneratedImage,
    ImageInput,
    Job,
    ProgressFn,
    Scope,
)
from ..ledger import QuotaLedger
from ..models import ModelSpec
from ..upstream import FairQueue, GeminiClient, Place, UpstreamQueue
from .admission import Admission, Ticket
from .books import Books
from .cancels import Cancels, Verdict
from .flow import Accepted, EditFlow, EditPort, Order
from .ports import Opening, ResumeHandler, prepare_images
from .recovery import Adopt, Recovery, RepeatAction
from .runner import JobRunner, ReadyFn
from .serialize import request_from_json, request_to_json
from .turns import TurnStore

__all__ = ["EditService", "Opening", "ResumeHandler", "prepare_images", "request_from_json",
           "request_to_json"]


class EditService:
    """A thin front over the service's parts; what each call does is said where it is done."""

    def __init__(
        self, *, ledger: QuotaLedger, gemini: GeminiClient, spec: ModelSpec, books: Books,
        max_concurrency: int, credits_for: Callable[[str | None], int],
        admins: frozenset[str] = frozenset(), max_in_flight_per_user: int = 2,
        refusal_cooldown_s: float = 30.0, decode_memory_mb: int = 512,
        turns: TurnStore, queue: UpstreamQueue | None = None,
        community: CommunitySettings | None = None, logbook: CommunityLog | None = None,
    ) -> None:
        # the parts are this service's own: the adapters use the calls below, never a part
        self._queue = queue or FairQueue(max_concurrency)  # a SharedQueue: see bootstrap.build
        self._admission = Admission(
            ledger=ledger, spec=spec, books=books, queue=self._queue, credits_for=credits_for,
            admins=admins, max_in_flight_per_user=max_in_flight_per_user,
            refusal_cooldown_s=refusal_cooldown_s, decode_memory_mb=decode_memory_mb,
            community=community, logbook=logbook)
        self._cancels = Cancels(ledger, admins)
        self._runner = JobRunner(ledger=ledger, gemini=gemini, books=books, queue=self._queue,
                                 turns=turns, admission=self._admission, cancels=self._cancels)
        self._recovery = Recovery(ledger=ledger, spec=spec, books=books, runner=self._runner)
        self._flow = EditFlow(admission=self._admission, runner=self._runner, books=books)

    def close(self) -> None:
        """Let go of the decoding threads (at shutdown)."""
        self._admission.decoder.close()

    # -- a request's way in ---------------------------------------------------------------------
    def credits_for(self, command: EditCommand) -> int:
        return self._admission.credits_for(command)

    def is_admin(self, actor: Actor) -> bool:
        return self._admission.is_admin(actor)

    async def seen(self, origin_key: str) -> bool:
        return await self._admission.seen(origin_key)

    async def admit(self, actor: Actor, scope: Scope, command: EditCommand, *,
                    more: bool = False) -> Ticket:
        return await self._admission.admit(actor, scope, command, more=more)

    async def prepare_images(self, blobs: Iterable[bytes], platform_encoded: Sequence[bool] = (),
                             ) -> tuple[ImageInput, ...]:
        """Inputs readied for a request rebuilt after a restart (a live edit's are readied by
        its flow)."""
        return await self._admission.prepare_images(blobs, platform_encoded)

    def validate(self, request: EditRequest) -> None:
        self._admission.validate(request)

    def may_refuse(self, key: Hashable) -> bool:
        """Whether a refusal for ``key`` (who, where, why) may be said now: once per cooldown,
        so a person who keeps trying is not answered with the same refusal each time."""
        return self._admission.refusals.allow(key)

    async def cancel(self, key: str, actor: Actor, scope: Scope, *,
                     moderator: bool) -> Verdict:
        """Call off a queued job (bot/edits/cancels.py): its credits back, the model never
        asked; too late once it was."""
        return await self._cancels.cancel(key, actor, scope, moderator=moderator)

    # -- an edit, from its acceptance to its end ------------------------------------------------
    def accept(self, order: Order) -> Accepted:
        """Take the request's place in line now, in the order requests arrive; run it later
        with the adapter's port (bot/edits/flow.py), or drop it."""
        return self._flow.accept(order)

    async def edit(self, order: Order, port: EditPort) -> EditOutcome | None:
        """Accept and run at once (a request with nothing to do between the two)."""
        return await self._flow.accept(order).run(port)

    # -- a job's run --------------------------------------------------------------------------
    async def submit(
        self, request: EditRequest, *, deliver: DeliverFn, progress: ProgressFn | None = None,
        opening: Opening | None = None, ready: ReadyFn | None = None,
    ) -> EditOutcome:
        return await self._runner.submit(request, deliver=deliver, progress=progress,
                                        opening=opening, ready=ready)

    async def run(
        self, job_id: int, request: EditRequest, credits: int, *, deliver: DeliverFn,
        progress: ProgressFn | None = None, place: Place | None = None,
        kept: GeneratedImage | None = None, ready: ReadyFn | None = None,
    ) -> EditOutcome:
        return await self._runner.run(job_id, request, credits, deliver=deliver,
                                     progress=progress, place=place, kept=kept, ready=ready)

    # -- jobs taken up again ------------------------------------------------------------------
    async def resume(
        self, platform: str, handler: ResumeHandler,
    ) -> list[tuple[Job, asyncio.Task[EditOutcome]]]:
        return await self._recovery.resume(platform, handler)

    def adopt(self, platform: str, handler: ResumeHandler, adopt: Adopt) -> None:
        """Keep taking over ``platform``'s jobs from replicas that stopped (bot/edits/recovery.py
        Takeover); ``adopt`` gets each job and its task."""
        self._recovery.takeover.start(platform, handler, adopt)

    async def stop_adopting(self, platform: str) -> None:
        await self._recovery.takeover.stop(platform)

    async def repeat(self, job_id: str, actor: Actor, action: RepeatAction, *,
                     needs: str) -> EditRequest:
        return await self._recovery.repeat(job_id, actor, action, needs=needs)
