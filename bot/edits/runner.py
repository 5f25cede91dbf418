"""The run of one job: validate -> reserve -> queue -> generate -> deliver -> commit, or refund.

Credits are reserved when a request is accepted and committed only after the adapter's delivery
callback returned; any refusal, failure or exception refunds them. A job cancelled by a shutdown
stays reserved and is handed back to its adapter on the next start (``Recovery.resume``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from ..community import Rules
from ..domain import (
    DeliverFn,
    Delivery,
    EditOutcome,
    EditRequest,
    GeneratedImage,
    Progress,
    ProgressFn,
    Stage,
)
from ..errors import DuplicateRequest, EditbotError, Refusal, UpstreamError
from ..images import ratio_mismatch
from ..ledger import LEDGER_FAULTS, QuotaLedger
from ..upstream import GeminiClient, Place, UpstreamQueue
from .admission import Admission
from .books import Books
from .cancels import CalledOff, Cancels
from .ports import Opening
from .progress import ProgressPump
from .serialize import request_to_json
from .turns import TurnStore

log = logging.getLogger(__name__)
ReadyFn = Callable[[], Awaitable[None]]


class JobRunner:
    """Takes an admitted request through reservation, the shared line, the model and its
    delivery, and keeps the books: every job ends committed, refunded, or (cancelled by a
    shutdown) reserved for the next start."""

    def __init__(self, *, ledger: QuotaLedger, gemini: GeminiClient, books: Books,
                 queue: UpstreamQueue, turns: TurnStore, admission: Admission,
                 cancels: Cancels) -> None:
        self.ledger, self.gemini, self.books = ledger, gemini, books
        self.queue, self.turns = queue, turns
        self.admission, self.cancels = admission, cancels  # cancels: a queued job called off

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
            self.admission.drop(opening)  # a no-op once the job ran
        return outcome

    async def _submit(self, request: EditRequest, deliver: DeliverFn,
                      progress: ProgressFn | None, opening: Opening | None,
                      ready: ReadyFn | None) -> EditOutcome:
        try:
            self.admission.validate(request)
        except EditbotError as error:
            return self.books.ended(request, EditOutcome("invalid", error=error))
        credits = self.admission.credits_for(request.command)
        place = opening.place if opening else None
        asked = its_turn(place)  # then noted as asked with its reservation: one write saved
        try:
            job_id = await self.books.reserve(request, credits, request_json=request_to_json(
                request), unlimited=self.admission.is_admin(request.actor), asked=asked)
        except DuplicateRequest as error:
            return self.books.ended(request, EditOutcome("duplicate", error=error))
        except EditbotError as error:
            return self.books.ended(request, EditOutcome("rejected", error=error))
        except LEDGER_FAULTS:  # disk full, locked past the timeout, read-only: nothing taken
            log.exception("the ledger could not reserve; the request is declined")
            declined = EditOutcome("failed", error=EditbotError("ledger_unavailable"))
            return self.books.ended(request, declined)
        return await self.run(job_id, request, credits, deliver=deliver, progress=progress,
                              place=place, ready=ready, asked=asked)

    async def run(
        self, job_id: int, request: EditRequest, credits: int, *, deliver: DeliverFn,
        progress: ProgressFn | None = None, place: Place | None = None,
        kept: GeneratedImage | None = None, ready: ReadyFn | None = None, asked: bool = False,
    ) -> EditOutcome:
        """Work on an already reserved job until it is committed or refunded. The upstream
        slot is held only while Gemini is asked: progress goes out in the background.
        ``kept``: its result, generated (and paid for) before a restart, delivered as it is.
        ``asked``: noted as asked by its reservation (its turn had come)."""
        pump = ProgressPump(progress, job_id)
        rules = await self.admission.rules(request.scope)  # read once for the whole run
        try:
            outcome = await self._run(job_id, request, credits, self.books.timed(
                request, deliver), pump, place, rules, kept, ready, asked)
            ended = self.books.ended(request, outcome)
            self.admission.logbook.note(request, ended, rules.log, rules.log_language)
            return ended
        finally:
            self.turns.written(job_id)  # its message was noted by now, if it was shown
            await pump.close()

    async def _run(self, job_id: int, request: EditRequest, credits: int, deliver: DeliverFn,
                   pump: ProgressPump, place: Place | None, rules: Rules,
                   kept: GeneratedImage | None, ready: ReadyFn | None, asked: bool) -> EditOutcome:
        key, waits = request.origin.get("key"), self.admission.waits
        on_position = self.cancels.places(key, pump.push, waits)  # with the likely wait

        command, books, platform = request.command, self.books, request.actor.platform
        spend, delivery = books.no_spend, None
        keeping: asyncio.Future[None] | None = None
        try:
            image = kept
            if image is None:
                history = (await self.turns.history(request.parent)
                           if request.parent is not None else [])
                queued = books.now()
                async with self.cancels.line(key, self.queue.slot(
                        request.actor.key, on_position, order=request.received_at,
                        ticket=place)):
                    books.waited(request, queued)
                    if not (asked or await self.ledger.asking(job_id)):  # never twice, nor
                        return _lost(job_id, "asking")  # once called off
                    pump.push(Progress(Stage.WORKING))
                    image = await waits.timed(self.gemini.generate(  # timed for the line
                        command.prompt, request.images, aspect_ratio=command.aspect_ratio,
                        image_size=command.image_size, history=history,
                        safety=rules.safety_settings()))
                # paid: kept (never paid for twice) while its turn and its mark are awaited
                keeping = asyncio.ensure_future(self.ledger.keep_result(job_id, image))
            spend = books.price(request, image.usage, produced=True)
            charge = books.charge(job_id, request, credits, spend)
            mismatch = ratio_mismatch(image.width, image.height, command.aspect_ratio)
            if mismatch is not None:
                log.warning("job %d: asked %s, got %dx%d (the upstream ignored imageConfig?)",
                            job_id, command.aspect_ratio, image.width, image.height)
            pump.push(Progress(Stage.DELIVERING))
            if ready is not None:  # the adapter's turn to send (flood limits): until the job
                await ready()  # is marked below, a restart still redoes it
            marked, status = await self.ledger.delivering_with_status(  # never redone from
                job_id, spend, actor=request.actor.key, scope=request.scope.key,  # here on
                unlimited=self.admission.is_admin(request.actor))
            if keeping is not None:  # kept before it is sent: a restart can send it again
                await asyncio.shield(keeping)
            if not marked:
                return _lost(job_id, "delivering")
            delivery = Delivery(job_id=job_id, request=request, image=image, credits=credits,
                                credits_left=status.spendable, ratio_mismatch=mismatch,
                                on_arrival=charge, spoiler=rules.spoiler,
                                sizes_off=rules.sizes_off)
            self.turns.keep(job_id, request, image)  # beside the delivery, for a follow-up
            await deliver(delivery)
        except CalledOff:  # refunded by the ledger's call_off; the presser was told
            return _lost(job_id, "asking")
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
            if keeping is not None:  # its result, for that start
                await asyncio.gather(keeping, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.ledger.release(job_id)  # the next start takes it over at once
            raise
        except Exception as exc:
            log.exception("job %d failed while delivering", job_id)
            if not await books.refund(job_id, platform, credits,
                                      note=f"delivery:{type(exc).__name__}", spend=spend):
                if delivery is None:  # finished or taken over elsewhere before anything was sent
                    return _lost(job_id, "delivering")
                # the result had reached the user (and was charged); only an extra failed
                return EditOutcome("delivered", job_id=job_id, delivery=delivery)
            failure = UpstreamError("delivery_failed", transient=True, detail=type(exc).__name__)
            return EditOutcome("failed", job_id=job_id, error=failure)
        await charge()  # asked once: at the result's arrival, else now
        return EditOutcome("delivered", job_id=job_id, delivery=delivery)


def its_turn(place: Place | None) -> bool:
    """Whether a request's turn with the model came as it was accepted (nobody ahead of it):
    nothing is left to call off, and it can be noted as asked with its reservation."""
    return place is not None and place.ready.done() and not place.ready.cancelled()


def _lost(job_id: int, doing: str) -> EditOutcome:
    """The job went on in another process (its lease expired here), or was called off: this
    one lets it go, its status included, and neither asks for it nor delivers it."""
    log.warning("job %d was taken over or called off; not %s", job_id, doing)
    return EditOutcome("duplicate", job_id=job_id, error=DuplicateRequest())
