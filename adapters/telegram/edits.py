"""Telegram's part in an edit: its port (the images by getFile, a status message, the result
delivered by delivery.py, the reason it failed said by lines.py) handed to the core's edit flow,
which runs the rest; after a restart the jobs left are finished or refunded."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.telegram.delivery import TelegramDelivery
from adapters.telegram.downloads import download_all, fetch
from adapters.telegram.lines import StatusLines
from adapters.telegram.status import StatusLine
from adapters.telegram.talk import TelegramTalk
from adapters.telegram.updates import ImageRef
from adapters.waiting import progress_words
from bot.bootstrap import Core
from bot.domain import (
    Actor,
    DeliverFn,
    Delivery,
    EditCommand,
    EditOutcome,
    EditRequest,
    Job,
    Progress,
    ProgressFn,
    Scope,
)
from bot.edits import Blob, Order, Ticket, request_from_json
from bot.errors import EditbotError
from bot.i18n import error_text

log = logging.getLogger(__name__)
# a status message still on its way when the images are in gets this long to arrive (a moment;
# one the flood gate still holds back, in a busy group or a crowd, is not waited for)
STATUS_WAIT_S = 1.0


class TelegramPort:
    """One edit as Telegram shows it: a status message that replies to the request while its
    images download, moves with the job, and gives way to the result or the reason."""

    early = True  # a download may take a while: the status goes out meanwhile

    def __init__(self, edits: TelegramEdits, key: str, chat_id: int, reply_to: int, lang: str,
                 refs: list[ImageRef]) -> None:
        self._edits, self.key, self.lang, self.refs = edits, key, lang, refs
        self.chat_id, self.reply_to = chat_id, reply_to
        self.line: StatusLine | None = None

    async def images(self) -> list[Blob]:
        blobs = await download_all(self._edits.bot(), self.refs)
        if self.line is not None:  # noted with the job (origin), once it is sent
            await self.line.known(STATUS_WAIT_S)
        return blobs

    async def show(self, progress: Progress) -> None:
        if self.line is None:
            words = progress_words(progress, self.lang)
            self.line = self._edits.lines.open(self.key, self.chat_id, self.reply_to, self.lang,
                                               words, progress.stage)
        else:
            await self.line.progress(progress)

    def origin(self) -> dict[str, Any]:
        assert self.line is not None
        return {"key": self.key, "chat_id": self.chat_id, "message_id": self.reply_to,
                "file_ids": [r.file_id for r in self.refs], "status_id": self.line.message_id}

    async def ready(self) -> None:
        if self.line is not None:
            await self.line.ready()

    async def deliver(self, delivery: Delivery) -> None:
        await self._edits.delivery.deliver(delivery)

    async def refused(self, error: EditbotError) -> None:
        self._edits.lines.forget(self.key)
        assert self.line is not None
        await self._edits.lines.show(self.line, error_text(error, self.lang))

    async def ended(self, outcome: EditOutcome | None, request: EditRequest | None) -> None:
        if outcome is not None and request is not None:
            await self._edits.lines.finish(outcome, request)
            return
        self._edits.lines.forget(self.key)
        if self.line is not None:
            await self.line.take()


class TelegramEdits:
    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self.bot = bot
        self._spawn = self.spawn = spawn
        self.talk = TelegramTalk(core, bot)
        self.lines = StatusLines(bot, self.talk)  # each running edit's status, by origin key
        self.delivery = TelegramDelivery(core, bot, spawn, self.lines)
        self.inline: Any = None  # InlineJobs (inline_port.py): the jobs of inline messages

    def _inline(self, job: Job) -> Any:
        """The handler of a job started from an inline message, if it is one."""
        return self.inline if "inline_message_id" in job.request.get("origin", {}) else None

    def start(self, *, key: str, chat_id: int, reply_to: int, actor: Actor, scope: Scope,
              command: EditCommand, refs: list[ImageRef], ticket: Ticket,
              parent: int | None = None) -> None:
        """Run an admitted request in the background; its ticket is released at its end. Its
        place in line is taken now, in the order requests arrive."""
        accepted = self.core.service.accept(Order(actor, scope, command, time.monotonic(),
                                                  key=key, parent=parent))
        port = TelegramPort(self, key, chat_id, reply_to, actor.language, refs)

        async def held() -> None:
            with ticket:
                await accepted.run(port)

        self._spawn(held())

    # -- after a restart -----------------------------------------------------------------------
    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        if self._inline(job) is not None:
            rebuilt: tuple[EditRequest, DeliverFn, ProgressFn | None] | None = (
                await self._inline(job).rebuild(job, images=images))
            return rebuilt
        origin = job.request["origin"]
        try:
            files = origin["file_ids"] if images else []
            inputs = await fetch(self.core, self.bot(), [ImageRef(f, None) for f in files])
        except (TelegramError, EditbotError):
            log.info("job %d: its images can no longer be fetched", job.id)
            return None
        request = request_from_json(job.request, inputs)
        line = self.lines.of(origin, request.actor.language)
        return request, self.delivery.deliver, line.progress

    def redelivers(self, job: Job) -> bool:
        """The result goes into the edit's status message (editMessageMedia): delivering it
        again after a restart puts it into the same message, never a second one. Not so
        without a status message (a new photo), nor at 2K/4K (a document follows the photo)."""
        origin = job.request.get("origin") or {}
        if self._inline(job) is not None:
            return bool(self._inline(job).redelivers(job))
        size = request_from_json(job.request).command.image_size
        return origin.get("status_id") is not None and size not in ("2K", "4K")

    async def abandoned(self, job: Job) -> None:
        if self._inline(job) is not None:
            await self._inline(job).abandoned(job)
            return
        request = request_from_json(job.request)
        reason = "interrupted_delivery" if job.delivering else "abandoned"
        await self.lines.finish(EditOutcome("failed", job.id, error=EditbotError(reason)),
                                request)

    async def resume(self) -> None:
        for job, task in await self.core.service.resume("telegram", self):
            self._adopt(job, task)
        self.core.service.adopt("telegram", self, self._adopt)

    def _adopt(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        self._spawn(self._finish_resumed(job, task))

    async def _finish_resumed(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        inline = self._inline(job)
        finish = self.lines.finish if inline is None else inline.finished
        await finish(await task, request_from_json(job.request))
