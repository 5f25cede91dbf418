"""Discord mentions: ``@bot 9:16 add a llama`` on a message with images, or in a reply to one;
a reply (with a mention, or ``/edit``) to one of the bot's results continues that edit's
conversation (``new ...`` starts afresh). A word that only looks like an option is asked about
("did you mean 9:16?") with one button per reading, each with its cost; nothing runs or is
charged before the requester picks."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from adapters.discord.edits import DiscordEdits, DiscordPort
from adapters.discord.payments import premium_buttons
from adapters.discord.targets import MessageTarget
from adapters.discord.updates import actor_of, check_attachments, images_of, scope_of
from bot.bootstrap import Core
from bot.commands import COMMANDS, Guess, parse_arguments, split_command, split_fresh
from bot.domain import Actor
from bot.edits import Accepted, Blob, Order, Ticket
from bot.errors import CommandError, EditbotError, QuotaExceeded
from bot.i18n import credits, error_text, text

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@!?\d+>")


class DiscordMentions:
    def __init__(self, core: Core, edits: DiscordEdits, client: Callable[[], discord.Client],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self.edits = edits
        self._client = client
        self._spawn = spawn

    def request_words(self, message: discord.Message) -> str | None:
        """The words of an edit request, or None when the message is none: a request names
        the bot in its text, or replies to the bot with a command. A reply alone pings the
        bot too, but "thanks, love it!" is no request."""
        me = self._client().user
        if message.author.bot or me is None:
            return None
        words = _MENTION.sub(" ", message.content).strip()
        if f"<@{me.id}>" in message.content or f"<@!{me.id}>" in message.content:
            split = split_command(words)
            return split.args if split is not None and split.name in COMMANDS else words
        reference = message.reference.resolved if message.reference else None
        if isinstance(reference, discord.Message) and reference.author.id == me.id:
            split = split_command(words)
            if split is not None and split.name == "edit":
                return split.args
        return None

    async def on_message(self, message: discord.Message) -> None:
        words = self.request_words(message)
        if words is not None:
            await self.accept(message, words, "ask")

    async def accept(self, message: discord.Message, words: str, guess: Guess) -> None:
        received_at = time.monotonic()
        locale = message.guild.preferred_locale if message.guild else None
        actor = actor_of(message.author, locale)
        scope = scope_of(message.guild.id if message.guild else None, message.author.id)
        reference = message.reference.resolved if message.reference else None
        replied = reference if isinstance(reference, discord.Message) else None
        attachments = images_of(message) or images_of(replied)
        parent = None
        me = self._client().user
        if replied is not None and me is not None and replied.author.id == me.id:
            fresh, words = split_fresh(words)  # a reply to a result goes on, unless "new"
            parent = None if fresh else await self.core.turns.job_of(
                f"discord:{replied.id}")
        if parent is not None and not images_of(message):
            attachments = []  # the result is in the conversation already
        try:
            command = parse_arguments("edit", words, self.core.spec, guess=guess)
            if not attachments and parent is None:
                raise EditbotError("no_image_discord")
            check_attachments(attachments)
            ticket = await self.core.service.admit(actor, scope, command)
        except EditbotError as error:
            if isinstance(error, CommandError) and error.code == "did_you_mean":
                await message.reply(error_text(error, actor.language), mention_author=False,
                                    view=self._picks(message, words, error, actor.language))
            else:
                self.core.metrics.turned_away(actor.platform, error)
                await self._refuse(message, actor, error)
            return
        limit = self.core.spec.max_reference_images
        if len(attachments) > limit:
            await message.reply(text("images_trimmed", actor.language, limit=limit,
                                     count=len(attachments)), mention_author=False)
            attachments = attachments[:limit]
        accepted = self.core.service.accept(Order(  # its place in line, now
            actor, scope, command, received_at, key=f"discord:message:{message.id}",
            parent=parent))
        self._spawn(self._mentioned(message, accepted, ticket, attachments))

    async def _refuse(self, message: discord.Message, actor: Actor, error: EditbotError) -> None:
        """A refusal in the channel, said once per cooldown to the same person there."""
        if not self.core.service.may_refuse((actor.key, message.channel.id, error.code)):
            return
        offer = premium_buttons(self.core) if isinstance(error, QuotaExceeded) else None
        if offer is None:
            await message.reply(error_text(error, actor.language), mention_author=False)
        else:  # out of credits with SKUs on sale: a buy button for each
            await message.reply(error_text(error, actor.language) + "\n" + text(
                "quota_buy_discord", actor.language), mention_author=False, view=offer)

    async def _mentioned(self, message: discord.Message, accepted: Accepted, ticket: Ticket,
                         attachments: list[discord.Attachment]) -> None:
        lang = accepted.order.actor.language

        async def fetch() -> list[Blob]:
            return await self.edits.downloads.read(attachments)

        async def refuse(error: EditbotError) -> None:
            await message.reply(error_text(error, lang), mention_author=False)

        origin = {"key": accepted.order.key, "channel_id": message.channel.id,
                  "user_id": accepted.order.actor.user_id, "urls": [a.url for a in attachments]}
        with ticket:
            await accepted.run(DiscordPort(self.edits, MessageTarget(message), lang, fetch,
                                           origin, refuse))

    def _picks(self, message: discord.Message, words: str, error: CommandError,
               lang: str) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        guesses: tuple[Guess, ...] = ("accept", "literal")
        for guess, key in zip(guesses, ("button_yes", "button_as_typed"), strict=True):
            try:
                command = parse_arguments("edit", words, self.core.spec, guess=guess)
            except CommandError:
                continue
            label = text(key, lang, value=error.params["value"], token=error.params["token"],
                         credits=credits(self.core.service.credits_for(command), lang))
            view.add_item(discord.ui.Button(
                label=label, custom_id=f"pick:{guess}:{message.channel.id}:{message.id}"))
        return view

    async def on_pick(self, interaction: discord.Interaction, custom_id: str) -> None:
        """A button of a suggestion: run the mention again with the reading picked."""
        _, guess, channel_id, message_id = custom_id.split(":")
        lang = actor_of(interaction.user, interaction.locale).language
        channel = self._client().get_partial_messageable(int(channel_id))
        try:
            original = await channel.fetch_message(int(message_id))
        except discord.HTTPException:
            original = None
        words = self.request_words(original) if original is not None else None
        if original is None or words is None:
            await interaction.response.send_message(text("offer_gone", lang), ephemeral=True)
            return
        if original.author.id != interaction.user.id:
            await interaction.response.send_message(text("not_your_button", lang),
                                                    ephemeral=True)
            return
        await interaction.response.send_message(text("button_started", lang), ephemeral=True)
        await self.accept(original, words, "literal" if guess == "literal" else "accept")
