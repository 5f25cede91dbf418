"""One edit from an adapter's accepted request to its last word, written once for every
platform: the place in line taken as the request is accepted, the replay check, the images, the
run, the metrics and every way it can end early. An adapter hands over an ``Order`` and a small
``EditPort`` of its own (fetch the images, show a status, deliver, say a failure) and never
learns the order in which the core does these things."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain import (
    Actor,
    Delivery,
    EditCommand,
    EditOutcome,
    EditRequest,
    Progress,
    Scope,
)
from ..errors import EditbotError
from .admission import Admission
from .books import Books
from .ports import Blob, Opening
from .runner import JobRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Order:
    """What a person asked for, as accepted. ``key`` names the platform message it came from
    (a replayed one is dropped, and a job is made from it once); None where there is none."""

    actor: Actor
    scope: Scope
    command: EditCommand
    received_at: float
    key: str | None = None
    parent: int | None = None


class EditPort(Protocol):
    """What an adapter does for one edit; the core decides when."""

    early: bool
    """Whether the first status goes out while the images come in (a download that may take a
    while), or only once they are in (a request whose images are gone is answered alone)."""

    async def images(self) -> Sequence[Blob]:
        """Fetch the request's images (the core readies them); an EditbotError (ImageError)
        when one cannot be had."""

    async def show(self, progress: Progress) -> None:
        """Show the status: first the request's place in line, then each change."""

    def origin(self) -> dict[str, Any]:
        """Where the request came from and answers, kept with its job (asked once the first
        status is out and the images are in)."""

    async def ready(self) -> None:
        """Return when it is the result's turn to be sent (a platform's flood limits)."""

    async def deliver(self, delivery: Delivery) -> None:
        """Send the result."""

    async def refused(self, error: EditbotError) -> None:
        """Say why the request ended before its job (its images unusable); nothing spent."""

    async def ended(self, outcome: EditOutcome | None, request: EditRequest | None) -> None:
        """The last word on the job: say its failure, or tidy the status away after a result.
        ``outcome`` is None when the edit was cut short (a shutdown): only tidy up."""


class Accepted:
    """A request accepted, its place in the shared line taken in the order requests arrive.
    Run it once with its port, or drop it when it will not run."""

    def __init__(self, flow: EditFlow, order: Order, opening: Opening) -> None:
        self._flow = flow
        self.order = order
        self._opening = opening

    def drop(self) -> None:
        self._flow.admission.drop(self._opening)

    async def run(self, port: EditPort) -> EditOutcome | None:
        """The edit to its end; None when it ended before its job (a replay, unusable
        images). Never raises for the user's or the model's reasons."""
        return await self._flow.conduct(self.order, self._opening, port)


class EditFlow:
    def __init__(self, *, admission: Admission, runner: JobRunner, books: Books) -> None:
        self.admission = admission
        self.runner = runner
        self.books = books

    def accept(self, order: Order) -> Accepted:
        return Accepted(self, order, self.admission.opening(order.actor, order.received_at))

    async def conduct(self, order: Order, opening: Opening,
                      port: EditPort) -> EditOutcome | None:
        # the images come in while the ledger is asked whether this message was handled
        # before (a replay after a restart), and then while the first status goes out
        fetching = asyncio.ensure_future(port.images())
        try:
            replayed = order.key is not None and await self.admission.seen(order.key)
        except BaseException:
            await self._called_off(opening, fetching)
            raise
        if replayed:
            await self._called_off(opening, fetching)
            log.info("%s was handled before (a replayed update)", order.key)
            return None
        try:
            if port.early:
                await port.show(opening.progress)
            blobs = await fetching
            images = await self.admission.prepare_images(
                [blob.data for blob in blobs], [blob.platform_encoded for blob in blobs])
            if not port.early:
                await port.show(opening.progress)
        except EditbotError as error:
            self.admission.drop(opening)
            self.books.metrics.turned_away(order.actor.platform, error, order.command.image_size)
            await port.refused(error)
            return None
        except BaseException:
            await self._called_off(opening, fetching)
            await port.ended(None, None)
            raise
        request = EditRequest(
            actor=order.actor, scope=order.scope, command=order.command, images=images,
            origin=port.origin(), received_at=order.received_at, parent=order.parent)
        try:
            outcome = await self.runner.submit(request, deliver=port.deliver, progress=port.show,
                                               opening=opening, ready=port.ready)
        except BaseException:
            await port.ended(None, request)
            raise
        await port.ended(outcome, request)
        return outcome

    async def _called_off(self, opening: Opening, fetching: asyncio.Future[Any]) -> None:
        self.admission.drop(opening)
        fetching.cancel()
        await asyncio.gather(fetching, return_exceptions=True)
