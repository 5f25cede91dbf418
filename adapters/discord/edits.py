"""Discord's part in an edit, for slash commands, the context menu, mentions and buttons: its
port (the images, the status where the request came from, the result delivered by delivery.py,
the reason it failed) handed to the core's edit flow, which runs the rest; after a restart,
finish or refund what was left."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord

from adapters.discord.delivery import DiscordDelivery
from adapters.discord.downloads import Downloads
from adapters.discord.downloads import link_expired as link_expired
from adapters.discord.progress import StatusKeeper, cancel_view
from adapters.discord.targets import ChannelTarget, Target
from adapters.discord.updates import PLATFORM
from adapters.waiting import progress_words
from bot.bootstrap import Core
from bot.domain import (
    DeliverFn,
    Delivery,
    EditOutcome,
    EditRequest,
    Job,
    Progress,
    ProgressFn,
)
from bot.edits import Blob, request_from_json
from bot.errors import EditbotError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)


class DiscordPort:
    """One edit as Discord shows it, where it came from (targets.py): the status once its
    images are in, kept in step (progress.py), then the result or the reason it failed."""

    early = False  # images that are gone are answered alone, with no status before them

    def __init__(self, edits: DiscordEdits, target: Target, lang: str,
                 fetch: Callable[[], Awaitable[list[Blob]]], origin: dict[str, Any],
                 refuse: Callable[[EditbotError], Awaitable[None]]) -> None:
        self._edits, self.target, self.lang = edits, target, lang
        self._fetch, self._origin, self._refuse = fetch, origin, refuse
        self.status: StatusKeeper | None = None

    async def images(self) -> list[Blob]:
        return await self._fetch()

    async def show(self, progress: Progress) -> None:
        if self.status is not None:
            await self.status.progress(progress)
            return
        words, key = progress_words(progress, self.lang), self._origin.get("key")
        await self.target.show(words, cancel_view(key, progress.stage, self.lang))
        self.status = StatusKeeper(self.target, self.lang, words, key=key, stage=progress.stage)

    def origin(self) -> dict[str, Any]:
        return self._origin

    async def ready(self) -> None:
        return None  # discord.py waits out Discord's rate limits itself

    async def deliver(self, delivery: Delivery) -> None:
        await self._close()  # the result takes the status over
        await self._edits.delivery.deliver(delivery, self.target)

    async def refused(self, error: EditbotError) -> None:
        await self._refuse(error)

    async def ended(self, outcome: EditOutcome | None, request: EditRequest | None) -> None:
        await self._close()
        if (outcome is not None and not outcome.ok and outcome.status != "duplicate"
                and outcome.error is not None):
            await self.target.show(error_text(outcome.error, self.lang))

    async def _close(self) -> None:
        if self.status is not None:
            await self.status.close()


class DiscordEdits:
    def __init__(self, core: Core, client: Callable[[], discord.Client],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self._client = client
        self._spawn = spawn
        self.delivery = DiscordDelivery(core)
        self.downloads = Downloads(core, client)

    # -- after a restart -----------------------------------------------------------------------
    def _channel_target(self, job: Job) -> ChannelTarget | None:
        """The request's channel; None where the bot is no member (a user install's DM or
        server): only the interaction could answer there, and it is gone with the restart."""
        origin = job.request["origin"]
        if not int(origin.get("channel_id") or 0):
            return None
        channel = self._client().get_partial_messageable(int(origin["channel_id"]))
        return ChannelTarget(channel, origin["user_id"])

    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        origin = job.request["origin"]
        try:
            inputs = await self.downloads.rebuilt(origin.get("urls") or []) if images else ()
        except (discord.HTTPException, EditbotError):
            return None
        request = request_from_json(job.request, inputs)
        target = self._channel_target(job)
        if target is None:  # refunded: nowhere to deliver
            return None

        async def deliver(delivery: Delivery) -> None:
            await self.delivery.deliver(delivery, target)

        return request, deliver, None

    async def abandoned(self, job: Job) -> None:
        request = request_from_json(job.request)
        reason = "interrupted_delivery" if job.delivering else "abandoned"
        target = self._channel_target(job)
        if target is not None:
            await target.show(text(reason, request.actor.language))

    async def resume(self) -> None:
        for job, task in await self.core.service.resume(PLATFORM, self):
            self._adopt(job, task)
        self.core.service.adopt(PLATFORM, self, self._adopt)

    def _adopt(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        self._spawn(self._report(job, task))

    async def _report(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        outcome = await task
        if not outcome.ok and outcome.error is not None:
            request = request_from_json(job.request)
            target = self._channel_target(job)
            if target is not None:
                await target.show(error_text(outcome.error, request.actor.language))
