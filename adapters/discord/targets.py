"""Where a Discord edit answers: the interaction (its first answer, or a follow-up of its own
for a second take), the message that mentioned the bot, or after a restart the request's
channel. A job that outlives its interaction token is posted in the channel instead, pinging
the requester and nobody else; where the bot is no member (a user install, reach.py) there is
no channel to fall back on, and the job is refunded."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, Protocol, TypeVar

import discord

from adapters.discord.reach import Reach, Unreachable
from bot.i18n import language_of, text

log = logging.getLogger(__name__)
CHANNEL_FILE_LIMIT = 10 * 1024 * 1024
T = TypeVar("T")


async def _give_way(status: discord.Message | discord.WebhookMessage | None) -> None:
    """The status message gives way to the result; one already gone is no matter."""
    if status is not None:
        with suppress(discord.HTTPException):
            await status.delete()


def _with(view: discord.ui.View | None) -> dict[str, Any]:
    """A new message's buttons, when it has any."""
    return {} if view is None else {"view": view}


class Target(Protocol):
    """Where an edit answers: an interaction, a message, or (after a restart) a channel."""

    file_limit: int

    async def show(self, words: str, view: discord.ui.View | None = None) -> None:
        """Show a status (``view``: its buttons; none removes any it had)."""

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        """Show the result; the id of the message that shows it."""


class InteractionTarget:
    def __init__(self, interaction: discord.Interaction, *, ttl_s: float,
                 reach: Reach | None = None) -> None:
        self.interaction = interaction
        self.reach = reach
        self.file_limit = interaction.filesize_limit
        self._deadline = time.monotonic() + ttl_s
        self._mention = interaction.user.mention
        self._pings = discord.AllowedMentions.none()
        self._pings.users = [interaction.user]  # the requester, and nobody else

    def _alive(self) -> bool:
        return time.monotonic() < self._deadline

    async def _in_channel(self, words: str, **extra: Any) -> discord.Message:
        """When the interaction's token is no more: the channel, pinging the requester only."""
        channel = self.interaction.channel
        if self.reach is not None and not self.reach.in_channel:
            raise Unreachable("the interaction expired where the bot is no member")
        assert isinstance(channel, discord.abc.Messageable)
        return await channel.send(words, allowed_mentions=self._pings, **extra)

    async def _by_interaction(self, send: Callable[[], Awaitable[T]],
                              file: discord.File | None = None) -> T | None:
        """``send`` through the interaction while its token lives; None once it is gone (the
        caller then answers in the channel, with ``file`` ready to be read again)."""
        if not self._alive():
            return None
        try:
            return await send()
        except discord.HTTPException:
            log.info("discord: interaction expired; answering in the channel")
            if file is not None:
                file.reset()
            return None

    async def _show(self, words: str, view: discord.ui.View | None) -> bool:
        await self.interaction.edit_original_response(content=words, view=view)
        return True

    async def show(self, words: str, view: discord.ui.View | None = None) -> None:
        if not await self._by_interaction(lambda: self._show(words, view)):
            try:
                await self._in_channel(f"{self._mention} {words}", **_with(view))
            except Unreachable:  # a status nobody can be shown; the result still refunds
                log.info("discord: a status could not be shown: no channel to post in")

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        shown = await self._by_interaction(lambda: self.interaction.edit_original_response(
            content=words, attachments=[file], view=view), file)
        return shown.id if shown is not None else await self._in_channel_result(
            words, file, view)

    async def _in_channel_result(self, words: str, file: discord.File,
                                 view: discord.ui.View) -> int:
        lang = language_of(str(self.interaction.locale))
        posted = await self._in_channel(
            text("late_result", lang, mention=self._mention) + "\n" + words, file=file,
            view=view)
        return posted.id


class FollowupTarget(InteractionTarget):
    """One more answer to an interaction already answered: a follow-up message of its own."""

    def __init__(self, interaction: discord.Interaction, *, ttl_s: float,
                 reach: Reach | None = None) -> None:
        super().__init__(interaction, ttl_s=ttl_s, reach=reach)
        self.status: discord.WebhookMessage | None = None
        self._hidden = reach is not None and reach.ephemeral

    async def _show(self, words: str, view: discord.ui.View | None) -> bool:
        if self.status is None:
            if self.reach is not None and not self.reach.followup():
                return True  # no follow-up left for a status: the result matters more
            self.status = await self.interaction.followup.send(
                words, wait=True, ephemeral=self._hidden, **_with(view))
        else:
            await self.status.edit(content=words, view=view)
        return True

    async def _followup(self, words: str, file: discord.File,
                        view: discord.ui.View) -> discord.WebhookMessage:
        status = self.status
        if status is not None and self.reach is not None and self.reach.capped:
            # follow-ups are counted: the status becomes the result rather than a new one
            self.status = None
            return await status.edit(content=words, attachments=[file], view=view)
        if self.reach is not None and not self.reach.followup():
            raise Unreachable("no follow-up left for this interaction")
        return await self.interaction.followup.send(words, file=file, view=view, wait=True,
                                                    ephemeral=self._hidden)

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        sent = await self._by_interaction(lambda: self._followup(words, file, view), file)
        if sent is None:
            return await self._in_channel_result(words, file, view)
        await _give_way(self.status)
        return sent.id


class MessageTarget:
    """A mention: the status is a reply, then the result replies to the same message."""

    def __init__(self, message: discord.Message) -> None:
        self.message = message
        self.file_limit = message.guild.filesize_limit if message.guild else CHANNEL_FILE_LIMIT
        self.status: discord.Message | None = None

    async def show(self, words: str, view: discord.ui.View | None = None) -> None:
        if self.status is None:
            self.status = await self.message.reply(words, mention_author=False, **_with(view))
        else:
            self.status = await self.status.edit(content=words, view=view)

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        sent = await self.message.reply(words, file=file, view=view, mention_author=False)
        await _give_way(self.status)
        return sent.id


class ChannelTarget:
    """After a restart: post in the request's channel, mentioning the requester."""

    def __init__(self, channel: discord.abc.Messageable, user_id: str) -> None:
        self.channel = channel
        self.mention = f"<@{user_id}>"
        self.file_limit = CHANNEL_FILE_LIMIT
        self._pings = discord.AllowedMentions.none()
        self._pings.users = [discord.Object(id=int(user_id))]  # the requester only

    async def show(self, words: str, view: discord.ui.View | None = None) -> None:
        await self.channel.send(f"{self.mention} {words}", allowed_mentions=self._pings,
                                **_with(view))

    async def result(self, words: str, file: discord.File, view: discord.ui.View) -> int:
        sent = await self.channel.send(f"{self.mention}\n{words}", file=file, view=view,
                                       allowed_mentions=self._pings)
        return sent.id
