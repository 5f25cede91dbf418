"""Jobs taken up again: resumed after a restart (or, on PostgreSQL, after a replica's death:
``Takeover``), and earlier requests repeated from their result's buttons."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal

from ..domain import Actor, EditCommand, EditOutcome, EditRequest, Job
from ..errors import InputError, NotAllowed
from ..ledger import QuotaLedger
from ..models import ModelSpec
from .books import Books
from .ports import Redelivery, ResumeHandler
from .runner import JobRunner
from .serialize import request_from_json

log = logging.getLogger(__name__)
RepeatAction = Literal["again", "4k"]


class Recovery:
    """Finishes (or refunds) the unfinished jobs a platform hands back, and rebuilds an earlier
    job's request for its requester to run again."""

    def __init__(self, *, ledger: QuotaLedger, spec: ModelSpec, books: Books,
                 runner: JobRunner) -> None:
        self.ledger = ledger
        self.spec = spec
        self.books = books
        self.runner = runner
        self.takeover = Takeover(self)

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

    async def resume(
        self, platform: str, handler: ResumeHandler,
    ) -> list[tuple[Job, asyncio.Task[EditOutcome]]]:
        """Hand each unfinished job of ``platform`` back to its adapter: finish it, or refund
        it and let the adapter tell the requester. Returns the jobs being finished."""
        tasks: list[tuple[Job, asyncio.Task[EditOutcome]]] = []
        for job in await self.ledger.claim(platform):
            if job.delivering and not (isinstance(handler, Redelivery)
                                       and handler.redelivers(job)):
                # it may have reached the user, and sending it again would send a second
                # copy: refunded instead (a delivery that is redone in place goes on below)
                if await self.books.abandon(job, note="interrupted while delivering"):
                    await handler.abandoned(job)
                continue
            kept = await self.ledger.result(job.id) if job.has_result else None
            try:
                rebuilt = await handler.rebuild(job, images=kept is None)
            except Exception:
                log.warning("job %d could not be rebuilt", job.id, exc_info=True)
                rebuilt = None
            if rebuilt is None:
                if await self.books.abandon(job, note="abandoned after restart"):
                    await handler.abandoned(job)
                continue
            request, deliver, progress = rebuilt
            if kept is None and job.asked:  # the model had it: its answer was lost with it
                log.warning("job %d: asking the model again after a restart; its first answer, "
                            "if it was finished, was paid for and never arrived", job.id)
            log.info("resuming job %d after restart%s%s", job.id,
                     " with its kept result" if kept else "",
                     ", delivering it again in place" if job.delivering else "")
            tasks.append((job, asyncio.create_task(self.runner.run(
                job.id, request, job.credits, deliver=deliver, progress=progress, kept=kept))))
        return tasks


Adopt = Callable[[Job, "asyncio.Task[EditOutcome]"], object]


class Takeover:
    """Taking over, while running, the jobs of replicas that stopped (PostgreSQL only).

    At its start each process resumes the jobs whose owner is gone (``Recovery.resume``). On a
    database shared by replicas a replica may die while the others run on: this looks again a few
    times per lease, so a crashed replica's work is picked up within about one lease (30 s). A
    live replica's jobs are never touched: their leases do not expire."""

    def __init__(self, recovery: Recovery) -> None:
        self._recovery = recovery
        self._watchers: dict[str, asyncio.Task[None]] = {}

    def start(self, platform: str, handler: ResumeHandler, adopt: Adopt) -> None:
        """Keep resuming ``platform``'s orphaned jobs; ``adopt`` gets each job and its task.
        Nothing to do on SQLite (one process: everything was resumed at start)."""
        if not self._recovery.ledger.postgres or platform in self._watchers:
            return
        self._watchers[platform] = asyncio.get_running_loop().create_task(
            self._watch(platform, handler, adopt))

    async def _watch(self, platform: str, handler: ResumeHandler, adopt: Adopt) -> None:
        ledger = self._recovery.ledger
        while True:
            await asyncio.sleep(ledger.lease.total_seconds() / 3)
            try:
                for job, task in await self._recovery.resume(platform, handler):
                    adopt(job, task)
            except Exception:
                log.warning("could not look for %s jobs to take over", platform, exc_info=True)

    async def stop(self, platform: str) -> None:
        watcher = self._watchers.pop(platform, None)
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
