"""EditService: validate -> reserve -> queue -> generate -> deliver -> commit, or refund.

The one service the adapters call for edits. It composes three parts and answers for them:
``Admission`` (bot/edits/admission.py: the checks before any work, the place in line, the inputs),
``JobRunner`` (bot/edits/runner.py: a job's run, from its reservation to its commit or refund) and
``Recovery`` (bot/edits/recovery.py: jobs resumed after a restart or taken over from a replica, and
earlier jobs repeated).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

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
from .recent import RecentImages
from .recovery import Recovery, RepeatAction
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
        queue: UpstreamQueue | None = None, community: CommunitySettings | None = None,
        logbook: CommunityLog | None = None,
    ) -> None:
        self.ledger = ledger
        self.gemini = gemini
        self.spec = spec
        self.books = books  # credits, spend, the daily budget and the metrics, in step
        self.queue = queue or FairQueue(max_concurrency)  # a SharedQueue: see bootstrap.build
        self.turns = TurnStore(ledger)
        self.recent = RecentImages(ledger)  # what a person may pick again (inline, /history)
        self.admission = Admission(
            ledger=ledger, spec=spec, books=books, queue=self.queue, credits_for=credits_for,
            admins=admins, max_in_flight_per_user=max_in_flight_per_user,
            refusal_cooldown_s=refusal_cooldown_s, decode_memory_mb=decode_memory_mb,
            community=community, logbook=logbook)
        self.cancels = Cancels(ledger, admins)
        self.runner = JobRunner(ledger=ledger, gemini=gemini, books=books, queue=self.queue,
                                turns=self.turns, admission=self.admission,
                                cancels=self.cancels)
        self.recovery = Recovery(ledger=ledger, spec=spec, books=books, runner=self.runner)
        self.flow = EditFlow(admission=self.admission, runner=self.runner, books=books)
        self.in_flight = self.admission.in_flight
        self.refusals = self.admission.refusals
        self.decoder = self.admission.decoder
        self.takeover = self.recovery.takeover

    # -- a request's way in ---------------------------------------------------------------------
    def credits_for(self, command: EditCommand) -> int:
        return self.admission.credits_for(command)

    def is_admin(self, actor: Actor) -> bool:
        return self.admission.is_admin(actor)

    async def seen(self, origin_key: str) -> bool:
        return await self.admission.seen(origin_key)

    async def admit(self, actor: Actor, scope: Scope, command: EditCommand, *,
                    more: bool = False) -> Ticket:
        return await self.admission.admit(actor, scope, command, more=more)

    async def prepare_images(self, blobs: Iterable[bytes], platform_encoded: Sequence[bool] = (),
                             ) -> tuple[ImageInput, ...]:
        """Inputs readied for a request rebuilt after a restart (a live edit's are readied by
        its flow)."""
        return await self.admission.prepare_images(blobs, platform_encoded)

    def validate(self, request: EditRequest) -> None:
        self.admission.validate(request)

    async def cancel(self, key: str, actor: Actor, scope: Scope, *,
                     moderator: bool) -> Verdict:
        """Call off a queued job (bot/edits/cancels.py): its credits back, the model never
        asked; too late once it was."""
        return await self.cancels.cancel(key, actor, scope, moderator=moderator)

    # -- an edit, from its acceptance to its end ------------------------------------------------
    def accept(self, order: Order) -> Accepted:
        """Take the request's place in line now, in the order requests arrive; run it later
        with the adapter's port (bot/edits/flow.py), or drop it."""
        return self.flow.accept(order)

    async def edit(self, order: Order, port: EditPort) -> EditOutcome | None:
        """Accept and run at once (a request with nothing to do between the two)."""
        return await self.flow.accept(order).run(port)

    # -- a job's run --------------------------------------------------------------------------
    async def submit(
        self, request: EditRequest, *, deliver: DeliverFn, progress: ProgressFn | None = None,
        opening: Opening | None = None, ready: ReadyFn | None = None,
    ) -> EditOutcome:
        return await self.runner.submit(request, deliver=deliver, progress=progress,
                                        opening=opening, ready=ready)

    async def run(
        self, job_id: int, request: EditRequest, credits: int, *, deliver: DeliverFn,
        progress: ProgressFn | None = None, place: Place | None = None,
        kept: GeneratedImage | None = None, ready: ReadyFn | None = None,
    ) -> EditOutcome:
        return await self.runner.run(job_id, request, credits, deliver=deliver,
                                     progress=progress, place=place, kept=kept, ready=ready)

    # -- jobs taken up again ------------------------------------------------------------------
    async def resume(
        self, platform: str, handler: ResumeHandler,
    ) -> list[tuple[Job, asyncio.Task[EditOutcome]]]:
        return await self.recovery.resume(platform, handler)

    async def repeat(self, job_id: str, actor: Actor, action: RepeatAction, *,
                     needs: str) -> EditRequest:
        return await self.recovery.repeat(job_id, actor, action, needs=needs)
