"""EditService: validate -> reserve -> queue -> generate -> deliver -> commit, or refund.

Credits are reserved when a request is accepted and committed only after the adapter's delivery
callback returned; any refusal, failure or exception refunds them. A job cancelled by a shutdown
stays reserved and is handed back to its adapter on the next start (``resume``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Literal

from .admission import Cooldown, InFlight, Ticket
from .books import Books
from .commands import MAX_PROMPT_CHARS, is_blank
from .decoding import MB, Decoder
from .domain import (
    Actor,
    DeliverFn,
    Delivery,
    EditCommand,
    EditOutcome,
    EditRequest,
    GeneratedImage,
    ImageInput,
    Job,
    Progress,
    ProgressFn,
    Scope,
    Stage,
)
from .errors import (
    CommandError,
    DuplicateRequest,
    EditbotError,
    ImageError,
    InputError,
    NotAllowed,
    Refusal,
    UpstreamError,
)
from .gemini import GeminiClient
from .images import REQUEST_LIMIT, ratio_mismatch, request_bytes
from .ledger import QuotaLedger
from .ledger_pending import LEDGER_FAULTS
from .models import ModelSpec
from .ports import Opening, ResumeHandler, prepare_images
from .progress import ProgressPump
from .scheduler import FairQueue, Place
from .serialize import request_from_json, request_to_json
from .takeover import Takeover
from .turns import TurnStore

__all__ = ["EditService", "Opening", "ResumeHandler", "prepare_images", "request_from_json",
           "request_to_json"]
log = logging.getLogger(__name__)
ReadyFn = Callable[[], Awaitable[None]]
RepeatAction = Literal["again", "4k"]
# Platforms whose requester is the operator: the shell's user runs the bot, so the CLI is not
# held to the daily quota (its jobs are still recorded, as cli:<user>).
OPERATOR_PLATFORMS = frozenset({"cli"})


class EditService:
    def __init__(
        self, *, ledger: QuotaLedger, gemini: GeminiClient, spec: ModelSpec, books: Books,
        max_concurrency: int, credits_for: Callable[[str | None], int],
        admins: frozenset[str] = frozenset(), max_in_flight_per_user: int = 2,
        refusal_cooldown_s: float = 30.0, decode_memory_mb: int = 512,
    ) -> None:
        self.ledger = ledger
        self.gemini = gemini
        self.spec = spec
        self.admins = admins
        self.queue = FairQueue(max_concurrency)
        self.in_flight = InFlight(max_in_flight_per_user)
        self.refusals = Cooldown(refusal_cooldown_s)
        self.decoder = Decoder(memory_bytes=decode_memory_mb * MB)
        self.books = books  # credits, spend, the daily budget and the metrics, in step
        self.turns = TurnStore(ledger)
        self._credits_for = credits_for
        self.takeover = Takeover(self)

    def credits_for(self, command: EditCommand) -> int:
        return self._credits_for(command.image_size)

    def is_admin(self, actor: Actor) -> bool:
        return actor.platform in OPERATOR_PLATFORMS or actor.key in self.admins

    async def seen(self, origin_key: str) -> bool:
        """Whether a job already came from this platform message (a replayed update)."""
        return await self.ledger.seen(origin_key)

    async def repeat(self, job_id: str, actor: Actor, action: RepeatAction, *,
                     needs: str) -> EditRequest:
        """The request of an earlier job, to run again as it was ("again") or at 4K ("4k").

        Only its requester may repeat it. ``needs`` is the origin field the adapter must find
        to fetch the inputs again (its file ids or links). Raises NotAllowed("not_your_button")
        or InputError("job_gone"); neither says anything about the job or its chat."""
        job = await self.ledger.job(int(job_id)) if job_id.isascii() and job_id.isdigit() and (
            int(job_id) < 2**63) else None
        if job is None or needs not in job.request.get("origin", {}):
            raise InputError("job_gone")
        if job.actor_key != actor.key:
            raise NotAllowed("not_your_button")
        request = request_from_json(job.request)
        old = request.command
        if action == "4k":
            if "4K" not in self.spec.image_sizes:
                raise InputError("job_gone")
            command = EditCommand(old.kind, old.prompt, old.aspect_ratio, "4K")
        else:
            command = old
        return EditRequest(actor=actor, scope=request.scope, command=command, images=(),
                           origin=request.origin, parent=request.parent)

    async def admit(self, actor: Actor, scope: Scope, command: EditCommand) -> Ticket:
        """The checks that come before any download or decode: the person has the credits
        this command costs (else QuotaExceeded), by a cheap read, and fewer than the allowed
        requests running (else Busy); the reservation itself stays the authority. The ticket
        is released when the request's work ends."""
        self.books.precheck(command)  # the daily budget (BudgetReached)
        if not self.is_admin(actor):
            credits = self.credits_for(command)
            status = await self.ledger.status(actor=actor.key, scope=scope.key)
            if status.left is not None and status.left < credits:
                raise status.exceeded(credits)
        return self.in_flight.hold(actor.key)

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
        progress = (Progress(Stage.QUEUED, place.position) if place.position
                    else Progress(Stage.WORKING))
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

    async def submit(
        self, request: EditRequest, *, deliver: DeliverFn, progress: ProgressFn | None = None,
        opening: Opening | None = None, ready: ReadyFn | None = None,
    ) -> EditOutcome:
        """Run one request to its end. Never raises for the user's or the model's reasons:
        the outcome says what happened. ``ready``, when given, is awaited just before the job
        is marked as being delivered: an adapter waits there for its turn to send."""
        try:
            outcome = await self._submit(request, deliver, progress, opening, ready)
        finally:
            self.drop(opening)  # a no-op once the job ran
        return outcome

    async def _submit(self, request: EditRequest, deliver: DeliverFn,
                      progress: ProgressFn | None, opening: Opening | None,
                      ready: ReadyFn | None) -> EditOutcome:
        try:
            self.validate(request)
        except EditbotError as error:
            return self.books.ended(request, EditOutcome("invalid", error=error))
        credits = self.credits_for(request.command)
        try:
            job_id = await self.books.reserve(request, credits, request_json=request_to_json(
                request), unlimited=self.is_admin(request.actor))
        except DuplicateRequest as error:
            return self.books.ended(request, EditOutcome("duplicate", error=error))
        except EditbotError as error:
            return self.books.ended(request, EditOutcome("rejected", error=error))
        except LEDGER_FAULTS:  # disk full, locked past the timeout, read-only: nothing taken
            log.exception("the ledger could not reserve; the request is declined")
            declined = EditOutcome("failed", error=EditbotError("ledger_unavailable"))
            return self.books.ended(request, declined)
        return await self.run(job_id, request, credits, deliver=deliver, progress=progress,
                              place=opening.place if opening else None, ready=ready)

    async def run(
        self, job_id: int, request: EditRequest, credits: int, *, deliver: DeliverFn,
        progress: ProgressFn | None = None, place: Place | None = None,
        kept: GeneratedImage | None = None,
        ready: ReadyFn | None = None,
    ) -> EditOutcome:
        """Work on an already reserved job until it is committed or refunded. The upstream
        slot is held only while Gemini is asked: progress goes out in the background.
        ``kept``: its result, generated (and paid for) before a restart, delivered as it is."""
        pump = ProgressPump(progress, job_id)
        try:
            outcome = await self._run(job_id, request, credits, self.books.timed(
                request, deliver), pump, place, kept, ready)
            return self.books.ended(request, outcome)
        finally:
            await pump.close()

    async def _run(self, job_id: int, request: EditRequest, credits: int, deliver: DeliverFn,
                   pump: ProgressPump, place: Place | None,
                   kept: GeneratedImage | None, ready: ReadyFn | None = None) -> EditOutcome:
        def tell(stage: Stage, position: int = 0) -> None:
            pump.push(Progress(stage, position))

        async def on_position(position: int) -> None:
            tell(Stage.QUEUED, position)

        command, books, platform = request.command, self.books, request.actor.platform
        spend = books.no_spend
        try:
            image = kept
            if image is None:
                history = (await self.turns.history(request.parent)
                           if request.parent is not None else [])
                queued = books.now()
                async with self.queue.slot(request.actor.key, on_position,
                                           order=request.received_at, ticket=place):
                    books.waited(request, queued)
                    tell(Stage.WORKING)
                    image = await self.gemini.generate(
                        command.prompt, request.images, aspect_ratio=command.aspect_ratio,
                        image_size=command.image_size, history=history)
                await self.ledger.keep_result(job_id, image)  # paid: never paid for twice
            spend = books.price(request, image.usage, produced=True)
            status = await self.ledger.status(
                actor=request.actor.key, scope=request.scope.key,
                unlimited=self.is_admin(request.actor))
            delivery = Delivery(
                job_id=job_id, request=request, image=image, credits=credits,
                credits_left=status.left,
                ratio_mismatch=ratio_mismatch(image.width, image.height, command.aspect_ratio),
                on_arrival=lambda: books.commit(job_id, request, credits, spend))
            if delivery.ratio_mismatch is not None:
                log.warning("job %d: asked %s, got %dx%d (the upstream ignored imageConfig?)",
                            job_id, command.aspect_ratio, image.width, image.height)
            tell(Stage.DELIVERING)
            if ready is not None:  # the adapter's turn to send (flood limits): until the job
                await ready()  # is marked below, a restart still redoes it
            if not await self.ledger.delivering(job_id, spend):  # from here it is never redone
                log.warning("job %d was taken over by another process; not delivering", job_id)
                return EditOutcome("duplicate", job_id=job_id, error=DuplicateRequest())
            self.turns.keep(job_id, request, image)  # beside the delivery, for a follow-up
            await deliver(delivery)
        except Refusal as error:  # a refusal still paid for its prompt (and thinking)
            spend = books.price(request, error.usage, produced=False)
            await books.refund(job_id, platform, credits, note=f"refused:{error.reason}",
                               spend=spend)
            return EditOutcome("refused", job_id=job_id, error=error)
        except UpstreamError as error:
            await books.refund(job_id, platform, credits,
                               note=f"upstream:{error.code}:{error.status}")
            return EditOutcome("failed", job_id=job_id, error=error)
        except asyncio.CancelledError:
            log.info("job %d interrupted; it stays reserved for the next start", job_id)
            with contextlib.suppress(Exception):
                await self.ledger.release(job_id)  # the next start takes it over at once
            raise
        except Exception as exc:
            log.exception("job %d failed while delivering", job_id)
            if not await books.refund(job_id, platform, credits,
                                      note=f"delivery:{type(exc).__name__}", spend=spend):
                # the result had reached the user (and was charged); only an extra failed
                return EditOutcome("delivered", job_id=job_id, delivery=delivery)
            failure = UpstreamError("delivery_failed", transient=True, detail=type(exc).__name__)
            return EditOutcome("failed", job_id=job_id, error=failure)
        await books.commit(job_id, request, credits, spend)
        return EditOutcome("delivered", job_id=job_id, delivery=delivery)

    async def resume(
        self, platform: str, handler: ResumeHandler,
    ) -> list[tuple[Job, asyncio.Task[EditOutcome]]]:
        """Hand each unfinished job of ``platform`` back to its adapter: finish it, or refund
        it and let the adapter tell the requester. Returns the jobs being finished."""
        tasks: list[tuple[Job, asyncio.Task[EditOutcome]]] = []
        for job in await self.ledger.claim(platform):
            if job.delivering:  # it may have reached the user: never send it twice
                if await self.books.refund(job.id, job.platform, job.credits,
                                           note="interrupted while delivering"):
                    await handler.abandoned(job)
                continue
            kept = await self.ledger.result(job.id) if job.has_result else None
            try:
                rebuilt = await handler.rebuild(job, images=kept is None)
            except Exception:
                log.warning("job %d could not be rebuilt", job.id, exc_info=True)
                rebuilt = None
            if rebuilt is None:
                if await self.books.refund(job.id, job.platform, job.credits,
                                           note="abandoned after restart"):
                    await handler.abandoned(job)
                continue
            request, deliver, progress = rebuilt
            log.info("resuming job %d after restart%s", job.id,
                     " with its kept result" if kept else "")
            tasks.append((job, asyncio.create_task(self.run(
                job.id, request, job.credits, deliver=deliver, progress=progress, kept=kept))))
        return tasks
