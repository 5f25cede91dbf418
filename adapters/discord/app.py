"""The Discord adapter's lifecycle and routing: a discord.py Client with an app-command tree in
the shared event loop; slash commands, the context menu, mentions and buttons go to the edit
flow (edits), limits and usage to moderation."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import EditModal, Translator, build
from adapters.discord.edits import DiscordEdits, InteractionTarget, MessageTarget
from adapters.discord.moderation import DiscordModeration
from adapters.discord.updates import actor_of, check_attachments, images_of, scope_of
from adapters.tasks import Background
from bot.admission import Ticket
from bot.bootstrap import Core
from bot.commands import COMMANDS, build_command, parse_arguments, split_command
from bot.domain import Actor, CommandKind, EditCommand, ImageInput, Scope
from bot.errors import EditbotError, ImageError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)
INTERACTION_TTL_S = 15 * 60 - 30  # Discord's tokens last 15 minutes; keep a margin
_MENTION = re.compile(r"<@!?\d+>")


def create(core: Core) -> DiscordAdapter:
    return DiscordAdapter(core)


class _Client(discord.Client):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
        # nobody is pinged unless a message names them on purpose (the requester): a prompt
        # that makes the model write @everyone pings nobody
        super().__init__(intents=discord.Intents.default(),
                         allowed_mentions=discord.AllowedMentions.none(), **options)
        self.adapter = adapter
        self.tree: app_commands.CommandTree[_Client] = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.adapter.setup(self)

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.adapter.on_component(interaction)


class DiscordAdapter:
    name = "discord"

    def __init__(self, core: Core, *, interaction_ttl_s: float = INTERACTION_TTL_S,
                 guild_ready_timeout: float = 2.0, grace_s: float = 10.0) -> None:
        self.core = core
        self.ttl_s = interaction_ttl_s
        self.grace_s = grace_s
        self.client = _Client(self, guild_ready_timeout=guild_ready_timeout)
        self.background = Background("Discord")
        self.spawn = self.background.spawn
        self.edits = DiscordEdits(core, lambda: self.client, self.spawn)
        self.moderation = DiscordModeration(core)
        self.quota = self.moderation.quota
        self.usage = self.moderation.usage
        self.limit = self.moderation.limit
        self._runner: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        settings = self.core.settings
        assert settings.discord_bot_token is not None
        if settings.discord_api_base_url:
            discord.http.Route.BASE = settings.discord_api_base_url
        if settings.discord_gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
        await self.client.login(settings.discord_bot_token.get_secret_value())
        self._runner = asyncio.get_running_loop().create_task(self.client.connect())
        ready = asyncio.ensure_future(self.client.wait_until_ready())
        await asyncio.wait({ready, self._runner}, timeout=60,
                           return_when=asyncio.FIRST_COMPLETED)
        if self._runner.done():
            self._runner.result()  # a failed connection says why
        await self.edits.resume()
        log.info("discord: connected as %s", self.client.user)

    async def setup(self, client: _Client) -> None:
        await client.tree.set_translator(Translator())
        build(client.tree, self.core.spec, self)
        guilds = self.core.settings.discord_guild_ids
        for guild_id in guilds:
            guild = discord.Object(id=guild_id)
            client.tree.copy_global_to(guild=guild)
            await client.tree.sync(guild=guild)
        if not guilds:
            await client.tree.sync()

    async def stop(self) -> None:
        await self.background.settle(self.grace_s)
        await self.client.close()
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)

    # -- slash commands and the context menu ---------------------------------------------------
    @staticmethod
    def _actor(interaction: discord.Interaction) -> Actor:
        return actor_of(interaction.user, interaction.locale)

    async def _ephemeral(self, interaction: discord.Interaction, words: str) -> None:
        if interaction.response.is_done():
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                pass
            await interaction.followup.send(words, ephemeral=True)
        else:
            await interaction.response.send_message(words, ephemeral=True)

    async def edit(self, interaction: discord.Interaction,
                   attachments: list[discord.Attachment], prompt: str, ratio: str | None,
                   size: str | None) -> None:
        await self._start(interaction, "edit", attachments, prompt, ratio, size)

    async def imagine(self, interaction: discord.Interaction, prompt: str, ratio: str | None,
                      size: str | None) -> None:
        await self._start(interaction, "imagine", [], prompt, ratio, size)

    async def edit_menu(self, interaction: discord.Interaction,
                        message: discord.Message) -> None:
        lang = self._actor(interaction).language
        attachments = images_of(message)
        if not attachments:
            await self._ephemeral(interaction, text("no_image_discord", lang))
            return

        async def submitted(modal_interaction: discord.Interaction, prompt: str, ratio: str,
                            size: str) -> None:
            await self._start(modal_interaction, "edit", attachments, prompt, ratio or None,
                              size or None)

        await interaction.response.send_modal(EditModal(lang, submitted))

    async def _start(self, interaction: discord.Interaction, kind: CommandKind,
                     attachments: list[discord.Attachment], prompt: str, ratio: str | None,
                     size: str | None, *, command: EditCommand | None = None,
                     urls: list[str] | None = None) -> None:
        actor = self._actor(interaction)
        scope = scope_of(interaction.guild_id, interaction.user.id)
        try:
            command = command or build_command(kind, prompt, ratio, size, self.core.spec)
            check_attachments(attachments)
            if len(attachments) > self.core.spec.max_reference_images:
                raise EditbotError("too_many_images", limit=self.core.spec.max_reference_images,
                                   count=len(attachments))
            ticket = await self.core.service.admit(actor, scope, command)
        except EditbotError as error:
            await self._ephemeral(interaction, error_text(error, actor.language))
            return
        received_at = time.monotonic()
        try:
            await interaction.response.defer(thinking=True)
        except BaseException:
            ticket.release()
            raise
        self.spawn(self._run(interaction, actor, scope, command, attachments, urls, received_at,
                             ticket))

    async def _run(self, interaction: discord.Interaction, actor: Actor, scope: Scope,
                   command: EditCommand, attachments: list[discord.Attachment],
                   urls: list[str] | None, received_at: float, ticket: Ticket) -> None:
        with ticket:
            try:
                if urls is not None:
                    images = await self.edits.fetch(urls)
                else:
                    urls = [a.url for a in attachments]
                    images = await self._prepare(attachments)
            except EditbotError as error:
                await self._ephemeral(interaction, error_text(error, actor.language))
                return
            await self.edits.run(
                key=f"discord:interaction:{interaction.id}",
                target=InteractionTarget(interaction, ttl_s=self.ttl_s), actor=actor,
                scope=scope, command=command, urls=urls, images=images,
                channel_id=interaction.channel_id or 0, received_at=received_at)

    async def _prepare(self, attachments: list[discord.Attachment]) -> tuple[ImageInput, ...]:
        """Download and ready attachments; one that is gone (deleted, its link expired) is
        an ImageError like any other unusable input."""
        try:
            blobs = [await a.read() for a in attachments]
        except discord.HTTPException:
            raise ImageError("fetch_failed") from None
        return await self.core.service.prepare_images(blobs)

    # -- buttons -------------------------------------------------------------------------------
    async def on_component(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        action, _, job_id = custom_id.partition(":")
        if action not in ("again", "4k") or not job_id.isdigit():
            return
        actor = self._actor(interaction)
        try:
            request = await self.core.service.repeat(
                job_id, actor, "4k" if action == "4k" else "again", needs="urls")
        except EditbotError as error:
            await interaction.response.send_message(error_text(error, actor.language),
                                                    ephemeral=True)
            return
        command = request.command
        await self._start(interaction, command.kind, [], command.prompt, None, None,
                          command=command, urls=list(request.origin["urls"]))

    # -- mentions ------------------------------------------------------------------------------
    def _request_words(self, message: discord.Message) -> str | None:
        """The words of an edit request, or None when the message is none: a request names
        the bot in its text, or replies to the bot with a command. A reply alone pings the
        bot too, but "thanks, love it!" is no request."""
        me = self.client.user
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
        words = self._request_words(message)
        if words is None:
            return
        received_at = time.monotonic()
        locale = message.guild.preferred_locale if message.guild else None
        actor = actor_of(message.author, locale)
        scope = scope_of(message.guild.id if message.guild else None, message.author.id)
        reference = message.reference.resolved if message.reference else None
        replied = reference if isinstance(reference, discord.Message) else None
        attachments = images_of(message) or images_of(replied)
        try:
            command = parse_arguments("edit", words, self.core.spec)
            if not attachments:
                raise EditbotError("no_image_discord")
            check_attachments(attachments)
            ticket = await self.core.service.admit(actor, scope, command)
        except EditbotError as error:
            await self._refuse(message, actor, error)
            return
        limit = self.core.spec.max_reference_images
        if len(attachments) > limit:
            await message.reply(text("images_trimmed", actor.language, limit=limit,
                                     count=len(attachments)), mention_author=False)
            attachments = attachments[:limit]
        self.spawn(self._mentioned(message, actor, scope, command, attachments, received_at,
                                   ticket))

    async def _refuse(self, message: discord.Message, actor: Actor, error: EditbotError) -> None:
        """A refusal in the channel, said once per cooldown to the same person there."""
        if self.core.service.refusals.allow((actor.key, message.channel.id, error.code)):
            await message.reply(error_text(error, actor.language), mention_author=False)

    async def _mentioned(self, message: discord.Message, actor: Actor, scope: Scope,
                         command: EditCommand, attachments: list[discord.Attachment],
                         received_at: float, ticket: Ticket) -> None:
        with ticket:
            try:
                images = await self._prepare(attachments)
            except EditbotError as error:
                await message.reply(error_text(error, actor.language), mention_author=False)
                return
            await self.edits.run(
                key=f"discord:message:{message.id}", target=MessageTarget(message),
                actor=actor, scope=scope, command=command, urls=[a.url for a in attachments],
                images=images, channel_id=message.channel.id, received_at=received_at)


__all__ = ["DiscordAdapter", "create"]
