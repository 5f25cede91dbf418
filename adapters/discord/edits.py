"""The Discord edit flow for slash commands, the context menu, mentions and buttons, once a
request is accepted: show progress where it came from (targets.py), let the core run the job,
deliver (delivery.py) or say why it failed; after a restart, finish or refund what was left."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import discord

from adapters.discord.delivery import DiscordDelivery
from adapters.discord.progress import StatusKeeper
from adapters.discord.targets import ChannelTarget, Target
from adapters.discord.updates import PLATFORM
from bot.bootstrap import Core
from bot.domain import (
    Actor,
    DeliverFn,
    Delivery,
    EditCommand,
    EditOutcome,
    EditRequest,
    ImageInput,
    Job,
    ProgressFn,
    Scope,
)
from bot.edits import Opening, request_from_json
from bot.errors import EditbotError, ImageError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)


def link_expired(url: str, now: float | None = None) -> bool:
    """Whether a signed CDN link is past its expiry (``ex``: a hex Unix time); the CDN answers
    404 then. Links without one do not expire."""
    expiry = parse_qs(urlsplit(url).query).get("ex", [""])[0]
    try:
        return int(expiry, 16) <= (time.time() if now is None else now)
    except ValueError:
        return False


class DiscordEdits:
    def __init__(self, core: Core, client: Callable[[], discord.Client],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self._client = client
        self._spawn = spawn
        self.delivery = DiscordDelivery(core)

    async def fetch(self, urls: Sequence[str]) -> tuple[ImageInput, ...]:
        """The images again, from their links; ImageError when one is gone: "image_expired"
        when its signed link is past its expiry, else "fetch_failed" (its message deleted)."""
        http = self._client().http
        try:
            blobs = [await http.get_from_cdn(url) for url in urls]
        except discord.HTTPException:
            expired = any(link_expired(url) for url in urls)
            raise ImageError("image_expired" if expired else "fetch_failed") from None
        return await self.core.service.prepare_images(blobs)

    async def prepare(self, attachments: Sequence[discord.Attachment]
                       ) -> tuple[ImageInput, ...]:
        """Download and ready attachments; one that is gone (deleted, its link expired) is
        an ImageError like any other unusable input."""
        try:
            blobs = [await a.read() for a in attachments]
        except discord.HTTPException:
            raise ImageError("fetch_failed") from None
        return await self.core.service.prepare_images(blobs)


    async def run(self, *, key: str, target: Target, actor: Actor, scope: Scope,
                  command: EditCommand, urls: list[str], images: tuple[ImageInput, ...],
                  channel_id: int, received_at: float, parent: int | None = None,
                  opening: Opening | None = None) -> EditOutcome:
        lang = actor.language
        opening = opening or self.core.service.opening(actor, received_at)
        first = text(opening.progress.stage.value, lang, position=opening.progress.position)
        try:
            await target.show(first)
        except BaseException:
            self.core.service.drop(opening)
            raise
        origin = {"key": key, "channel_id": channel_id, "user_id": actor.user_id, "urls": urls}
        request = EditRequest(actor=actor, scope=scope, command=command, images=images,
                              origin=origin, received_at=received_at, parent=parent)
        return await self._submit(request, target, opening, showing=first)

    async def _submit(self, request: EditRequest, target: Target, opening: Opening,
                      showing: str | None = None) -> EditOutcome:
        lang = request.actor.language
        status = StatusKeeper(target, lang, showing)

        async def deliver(delivery: Delivery) -> None:
            await status.close()  # the result takes the status over
            await self.delivery.deliver(delivery, target)

        try:
            outcome = await self.core.service.submit(
                request, deliver=deliver, progress=status.progress, opening=opening)
        finally:
            await status.close()
        if not outcome.ok and outcome.status != "duplicate" and outcome.error is not None:
            await target.show(error_text(outcome.error, lang))
        return outcome

    # -- after a restart -----------------------------------------------------------------------
    def _channel_target(self, job: Job) -> ChannelTarget:
        origin = job.request["origin"]
        channel = self._client().get_partial_messageable(int(origin["channel_id"]))
        return ChannelTarget(channel, origin["user_id"])

    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        origin = job.request["origin"]
        try:
            inputs = await self.fetch(origin.get("urls") or []) if images else ()
        except (discord.HTTPException, EditbotError):
            return None
        request = request_from_json(job.request, inputs)
        target = self._channel_target(job)

        async def deliver(delivery: Delivery) -> None:
            await self.delivery.deliver(delivery, target)

        return request, deliver, None

    async def abandoned(self, job: Job) -> None:
        request = request_from_json(job.request)
        reason = "interrupted_delivery" if job.delivering else "abandoned"
        await self._channel_target(job).show(text(reason, request.actor.language))

    async def resume(self) -> None:
        for job, task in await self.core.service.resume(PLATFORM, self):
            self._adopt(job, task)
        self.core.service.takeover.start(PLATFORM, self, self._adopt)

    def _adopt(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        self._spawn(self._report(job, task))

    async def _report(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        outcome = await task
        if not outcome.ok and outcome.error is not None:
            request = request_from_json(job.request)
            await self._channel_target(job).show(error_text(outcome.error,
                                                            request.actor.language))
