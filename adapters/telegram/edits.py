"""The Telegram edit flow, from an accepted request to its end: the images come in while the
status message goes out, the core runs the job, the result is delivered (delivery.py) or the
reason it failed is said (lines.py); after a restart the jobs left are finished or refunded."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.telegram.delivery import TelegramDelivery
from adapters.telegram.downloads import fetch
from adapters.telegram.lines import StatusLines
from adapters.telegram.talk import TelegramTalk
from adapters.telegram.updates import ImageRef
from bot.bootstrap import Core
from bot.domain import (
    Actor,
    DeliverFn,
    EditCommand,
    EditOutcome,
    EditRequest,
    Job,
    ProgressFn,
    Scope,
)
from bot.edits import Opening, Ticket, request_from_json
from bot.errors import EditbotError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)


class TelegramEdits:
    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self._bot = bot
        self._spawn = spawn
        self.talk = TelegramTalk(core, bot)
        self.lines = StatusLines(bot, self.talk)  # each running edit's status, by origin key
        self.delivery = TelegramDelivery(core, bot, spawn, self.lines)

    def start(self, *, key: str, chat_id: int, reply_to: int, actor: Actor, scope: Scope,
              command: EditCommand, refs: list[ImageRef], ticket: Ticket,
              parent: int | None = None) -> None:
        """Run an admitted request in the background; its ticket is released at its end. Its
        place in line is taken now, in the order requests arrive."""
        received_at = time.monotonic()
        opening = self.core.service.opening(actor, received_at)

        async def held() -> None:
            with ticket:
                await self.run(key=key, chat_id=chat_id, reply_to=reply_to, actor=actor,
                               scope=scope, command=command, refs=refs, received_at=received_at,
                               opening=opening, parent=parent)

        self._spawn(held())

    async def run(self, *, key: str, chat_id: int, reply_to: int, actor: Actor, scope: Scope,
                  command: EditCommand, refs: list[ImageRef], received_at: float,
                  opening: Opening | None = None,
                  parent: int | None = None) -> EditOutcome | None:
        opening = opening or self.core.service.opening(actor, received_at)
        # the images come in while the ledger is asked whether this update was seen before
        # (a replay after a restart), and then while the status message goes out
        fetching = asyncio.ensure_future(fetch(self.core, self._bot(), refs))
        try:
            replayed = await self.core.service.seen(key)
        except BaseException:
            self.core.service.drop(opening)
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
            raise
        if replayed:
            self.core.service.drop(opening)
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
            log.info("telegram: %s was handled before (a replayed update)", key)
            return None
        lang = actor.language
        first = opening.progress
        line = self.lines.open(key, chat_id, reply_to, lang,
                               text(first.stage.value, lang, position=first.position),
                               first.stage)
        try:
            images = await fetching
        except EditbotError as error:
            self.core.service.drop(opening)
            self.core.metrics.edit(actor.platform, "invalid", command.image_size)
            self.lines.forget(key)
            await self.lines.show(line, error_text(error, lang))
            return None
        except BaseException:
            self.core.service.drop(opening)
            self.lines.forget(key)
            fetching.cancel()
            await line.take()
            raise
        origin = {"key": key, "chat_id": chat_id, "message_id": reply_to,
                  "file_ids": [r.file_id for r in refs], "status_id": line.message_id}
        request = EditRequest(actor=actor, scope=scope, command=command, images=images,
                              origin=origin, received_at=received_at, parent=parent)
        outcome = await self.core.service.submit(
            request, deliver=self.delivery.deliver, opening=opening, progress=line.progress,
            ready=line.ready)
        await self.lines.finish(outcome, request)
        return outcome

    # -- after a restart -----------------------------------------------------------------------
    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        origin = job.request["origin"]
        try:
            files = origin["file_ids"] if images else []
            inputs = await fetch(self.core, self._bot(), [ImageRef(f, None) for f in files])
        except (TelegramError, EditbotError):
            log.info("job %d: its images can no longer be fetched", job.id)
            return None
        request = request_from_json(job.request, inputs)
        line = self.lines.of(origin, request.actor.language)
        return request, self.delivery.deliver, line.progress

    async def abandoned(self, job: Job) -> None:
        request = request_from_json(job.request)
        reason = "interrupted_delivery" if job.delivering else "abandoned"
        await self.lines.finish(EditOutcome("failed", job.id, error=EditbotError(reason)),
                                request)

    async def resume(self) -> None:
        for job, task in await self.core.service.resume("telegram", self):
            self._adopt(job, task)
        self.core.service.takeover.start("telegram", self, self._adopt)

    def _adopt(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        self._spawn(self._finish_resumed(job, task))

    async def _finish_resumed(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        await self.lines.finish(await task, request_from_json(job.request))
