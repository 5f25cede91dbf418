"""What the edit service hands the adapters and asks of them: a request's opening (its place
in line), an image as fetched (Blob), the resume port an adapter implements, and one-off input
preparation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..domain import DeliverFn, EditRequest, ImageInput, Job, Progress, ProgressFn
from ..images import fit_references, prepare_input
from ..upstream import Place


@dataclass(frozen=True, slots=True)
class Opening:
    """A request's place in line, taken when it was accepted, and what it is told first."""

    progress: Progress
    place: Place


@dataclass(frozen=True, slots=True)
class Blob:
    """An image as an adapter fetched it, before the core readies it. ``platform_encoded``: the
    platform encoded it itself (a Telegram photo), so it is taken on its header when it needs
    no work rather than decoded to prove it sound."""

    data: bytes
    platform_encoded: bool = False


class ResumeHandler(Protocol):
    """An adapter's way to finish, after a restart, the jobs it had accepted."""

    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        """The request again with its callbacks (its inputs fetched anew unless ``images`` is
        False: a kept result needs none); None if it cannot be."""

    async def abandoned(self, job: Job) -> None:
        """Tell the requester the job could not be finished and its credits were refunded."""


@runtime_checkable
class Redelivery(Protocol):
    """A resume port whose delivery of some jobs can simply be done again after a restart."""

    def redelivers(self, job: Job) -> bool:
        """True when delivering ``job`` again shows its result where an interrupted delivery
        may already have put it (a message edited into the result), never as a second copy:
        such a job is delivered again and charged, not refunded."""


async def prepare_images(blobs: Iterable[bytes]) -> tuple[ImageInput, ...]:
    """Validate and ready raw inputs off the event loop, shrunk to fit one model request
    together; raises ImageError. For one-off use: an edit's own are readied by its flow
    (bot/edits/flow.py), bounded in threads and memory."""
    prepared = [await asyncio.to_thread(prepare_input, blob) for blob in blobs]
    return await asyncio.to_thread(fit_references, prepared)
