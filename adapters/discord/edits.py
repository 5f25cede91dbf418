"""The Discord edit flow for slash commands, the context menu, mentions and buttons: check the
request at once (bad input gets an ephemeral note), then show progress and deliver where the
request came from; a job outliving its interaction token is posted in the channel instead."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from contextlib import suppress
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import discord

from adapters.discord.updates import PLATFORM
from adapters.render import caption, result_buttons
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
    Progress,
    ProgressFn,
    Scope,
    Stage,
)
from bot.errors import EditbotError, ImageError
from bot.i18n import error_text, language_of, text
from bot.images import ImageBudget, fit_output
from bot.service import Opening, request_from_json

log = logging.getLogger(__name__)
CONTENT_LIMIT = 2000
CHANNEL_FILE_LIMIT = 10 * 1024 * 1024


def link_expired(url: str, now: float | None = None) -> bool:
    """Whether a signed CDN link is past its expiry (``ex``: a hex Unix time); the CDN answers
    404 then. Links without one do not expire."""
    expiry = parse_qs(urlsplit(url).query).get("ex", [""])[0]
    try:
        return int(expiry, 16) <= (time.time() if now is None else now)
    except ValueError:
        return False


class Target(Protocol):
    """Where an edit answers: an interaction, a message, or (after a restart) a channel."""

    file_limit: int

    async def show(self, words: str) -> None: ...

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        """Show the result; the id of the message that shows it."""


class InteractionTarget:
    def __init__(self, interaction: discord.Interaction, *, ttl_s: float) -> None:
        self.interaction = interaction
        self.file_limit = interaction.filesize_limit
        self._deadline = time.monotonic() + ttl_s
        self._mention = interaction.user.mention
        self._pings = discord.AllowedMentions.none()
        self._pings.users = [interaction.user]  # the requester, and nobody else

    def _alive(self) -> bool:
        return time.monotonic() < self._deadline

    async def show(self, words: str) -> None:
        if self._alive():
            try:
                await self.interaction.edit_original_response(content=words)
                return
            except discord.HTTPException:
                log.info("discord: interaction expired; answering in the channel")
        await self._channel().send(f"{self._mention} {words}", allowed_mentions=self._pings)

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        if self._alive():
            try:
                shown = await self.interaction.edit_original_response(
                    content=words, attachments=[file], view=view)
                return shown.id
            except discord.HTTPException:
                log.info("discord: interaction expired; posting the result in the channel")
                file.reset()
        lang = language_of(str(self.interaction.locale))
        posted = await self._channel().send(
            text("late_result", lang, mention=self._mention) + "\n" + words, file=file,
            view=view, allowed_mentions=self._pings)
        return posted.id

    def _channel(self) -> discord.abc.Messageable:
        channel = self.interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        return channel


class FollowupTarget(InteractionTarget):
    """One more answer to an interaction already answered: a follow-up message of its own."""

    def __init__(self, interaction: discord.Interaction, *, ttl_s: float) -> None:
        super().__init__(interaction, ttl_s=ttl_s)
        self.status: discord.WebhookMessage | None = None

    async def show(self, words: str) -> None:
        if self._alive():
            try:
                if self.status is None:
                    self.status = await self.interaction.followup.send(words, wait=True)
                else:
                    await self.status.edit(content=words)
                return
            except discord.HTTPException:
                log.info("discord: interaction expired; answering in the channel")
        await self._channel().send(f"{self._mention} {words}", allowed_mentions=self._pings)

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        if self._alive():
            try:
                sent = await self.interaction.followup.send(words, file=file, view=view,
                                                            wait=True)
            except discord.HTTPException:
                log.info("discord: interaction expired; posting the result in the channel")
                file.reset()
            else:
                if self.status is not None:
                    with suppress(discord.HTTPException):
                        await self.status.delete()
                return sent.id
        return await super().result(words, file, view)


class MessageTarget:
    """A mention: the status is a reply, then the result replies to the same message."""

    def __init__(self, message: discord.Message) -> None:
        self.message = message
        self.file_limit = message.guild.filesize_limit if message.guild else CHANNEL_FILE_LIMIT
        self.status: discord.Message | None = None

    async def show(self, words: str) -> None:
        if self.status is None:
            self.status = await self.message.reply(words, mention_author=False)
        else:
            self.status = await self.status.edit(content=words)

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        sent = await self.message.reply(words, file=file, view=view, mention_author=False)
        if self.status is not None:
            try:
                await self.status.delete()
            except discord.HTTPException:
                pass
        return sent.id


class ChannelTarget:
    """After a restart: post in the request's channel, mentioning the requester."""

    def __init__(self, channel: discord.abc.Messageable, user_id: str) -> None:
        self.channel = channel
        self.mention = f"<@{user_id}>"
        self.file_limit = CHANNEL_FILE_LIMIT
        self._pings = discord.AllowedMentions.none()
        self._pings.users = [discord.Object(id=int(user_id))]  # the requester only

    async def show(self, words: str) -> None:
        await self.channel.send(f"{self.mention} {words}", allowed_mentions=self._pings)

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        sent = await self.channel.send(f"{self.mention}\n{words}", file=file, view=view,
                                       allowed_mentions=self._pings)
        return sent.id


class DiscordEdits:
    def __init__(self, core: Core, client: Callable[[], discord.Client],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self._client = client
        self._spawn = spawn

    def buttons(self, delivery: Delivery, lang: str) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        for action, label in result_buttons(self.core, delivery, lang):
            view.add_item(discord.ui.Button(label=label, custom_id=f"{action}:{delivery.job_id}"))
        return view

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

        async def deliver(delivery: Delivery) -> None:
            await self.deliver(delivery, target)

        outcome = await self.core.service.submit(
            request, deliver=deliver, progress=self.progress_for(target, lang, showing),
            opening=opening)
        if not outcome.ok and outcome.status != "duplicate" and outcome.error is not None:
            await target.show(error_text(outcome.error, lang))
        return outcome

    def progress_for(self, target: Target, lang: str, showing: str | None = None) -> ProgressFn:
        """Keeps the reply in step with the job; ``showing`` is what it says now."""
        shown: dict[str, Any] = {"text": showing, "at": 0.0}

        async def progress(event: Progress) -> None:
            if event.stage is Stage.DELIVERING:
                return
            words = text(event.stage.value, lang, position=event.position)
            now = time.monotonic()
            if words == shown["text"] or (event.stage is Stage.QUEUED and now - shown["at"] < 2):
                return
            shown.update(text=words, at=now)
            try:
                await target.show(words)
            except discord.HTTPException:
                log.info("discord: could not show progress", exc_info=True)

        return progress

    async def deliver(self, delivery: Delivery, target: Target) -> None:
        lang = delivery.request.actor.language
        budget = ImageBudget(max_bytes=int(target.file_limit * 0.98))
        fitted = await asyncio.to_thread(fit_output, delivery.image.data, budget)
        file = discord.File(io.BytesIO(fitted.data),
                            filename=f"editbot-{delivery.job_id}.{fitted.extension}")
        words = caption(delivery, lang, limit=CONTENT_LIMIT - 100)
        shown = await target.result(words, file, self.buttons(delivery, lang))
        await delivery.arrived()
        try:  # a reply to that message continues the edit
            await self.core.service.turns.link(delivery.job_id, f"discord:{shown}")
        except Exception:
            log.warning("job %d: its result message could not be noted", delivery.job_id,
                        exc_info=True)

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
            await self.deliver(delivery, target)

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
