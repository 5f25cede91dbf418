"""The Discord adapter's lifecycle and routing: a discord.py Client with an app-command tree in
the shared event loop; slash commands, the context menu, mentions and buttons go to the edit
flow (edits), limits and usage to moderation."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import EditModal, Translator, build
from adapters.discord.edits import DiscordEdits
from adapters.discord.health import direct_message, gateway_problem, rate_limit_trace
from adapters.discord.mentions import DiscordMentions
from adapters.discord.moderation import DiscordModeration
from adapters.discord.probe import UNREACHABLE, probe
from adapters.discord.shards import make_client, syncs_commands
from adapters.discord.stats import DiscordStats
from adapters.discord.targets import FollowupTarget, InteractionTarget, Target
from adapters.discord.updates import (
    PLATFORM,
    actor_of,
    check_attachments,
    images_of,
    scope_of,
)
from adapters.render import VARIATIONS
from adapters.startup import until_reachable
from adapters.tasks import Background
from bot.admission import Ticket
from bot.bootstrap import Core
from bot.commands import build_command, parse_arguments, split_fresh
from bot.domain import Actor, CommandKind, EditCommand, ImageInput, Scope
from bot.errors import ConfigError, EditbotError, ImageError
from bot.i18n import error_text, text
from bot.service import Opening

log = logging.getLogger(__name__)
INTERACTION_TTL_S = 15 * 60 - 30  # Discord's tokens last 15 minutes; keep a margin


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
                 guild_ready_timeout: float = 2.0, grace_s: float | None = None) -> None:
        self.core = core
        self.ttl_s = interaction_ttl_s
        self.grace_s = core.settings.shutdown_grace_s if grace_s is None else grace_s
        self.client = make_client(_Client, core.settings, self,  # sharded: adapters/.../shards
                                  guild_ready_timeout=guild_ready_timeout,
                                  http_trace=rate_limit_trace(
                                      lambda: core.metrics.rate_limited(PLATFORM)))
        self.background = Background("Discord")
        self.spawn = self.background.spawn
        self.edits = DiscordEdits(core, lambda: self.client, self.spawn)
        self.mentions = DiscordMentions(core, self.edits, lambda: self.client, self.spawn,
                                        self._prepare)
        self.moderation = DiscordModeration(core)
        self.quota = self.moderation.quota
        self.usage = self.moderation.usage
        self.limit = self.moderation.limit
        self.stats = DiscordStats(core).stats
        self._runner: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        settings = self.core.settings
        assert settings.discord_bot_token is not None
        if settings.discord_api_base_url:
            discord.http.Route.BASE = settings.discord_api_base_url
        if settings.discord_gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
        gateway = DiscordWebSocket.DEFAULT_GATEWAY.with_query(v=10, encoding="json")
        for setting, reach in (
                ("DISCORD_API_BASE_URL", lambda: probe(f"{discord.http.Route.BASE}/gateway")),
                ("DISCORD_GATEWAY_URL", lambda: probe(str(gateway), websocket=True))):
            await until_reachable(reach, platform="discord", setting=setting,
                                  unreachable=UNREACHABLE, within_s=settings.startup_retry_s)
        try:
            await self.client.login(settings.discord_bot_token.get_secret_value())
        except discord.LoginFailure:
            raise ConfigError.about(
                "DISCORD_BOT_TOKEN was rejected by Discord (401 Unauthorized): reset it in the "
                "developer portal (Bot -> Reset Token) and copy it again",
                "DISCORD_BOT_TOKEN") from None
        self._runner = asyncio.get_running_loop().create_task(self.client.connect())
        ready = asyncio.ensure_future(self.client.wait_until_ready())
        await asyncio.wait({ready, self._runner}, timeout=60,
                           return_when=asyncio.FIRST_COMPLETED)
        if self._runner.done():
            self._runner.result()  # a failed connection says why
        await self.edits.resume()
        self.core.alerts.connect(PLATFORM, self._tell_operator)
        servers = len(self.client.guilds)
        log.info("discord: logged in as %s, %d server%s", self.client.user, servers,
                 "" if servers == 1 else "s")

    def ready(self) -> str | None:
        """None when the gateway is connected and READY; else why not (for /readyz)."""
        return gateway_problem(self.client)

    async def _tell_operator(self, user_id: str, words: str) -> None:
        await direct_message(self.client, user_id, words)

    async def setup(self, client: _Client) -> None:
        await client.tree.set_translator(Translator())
        build(client.tree, self.core.spec, self)
        if not syncs_commands(self.core.settings):  # the replica running shard 0 does
            return
        guilds = self.core.settings.discord_guild_ids
        for guild_id in guilds:
            guild = discord.Object(id=guild_id)
            client.tree.copy_global_to(guild=guild)
            await client.tree.sync(guild=guild)
        if not guilds:
            await client.tree.sync()

    async def stop(self) -> None:
        await self.settle()
        await self.close()

    async def settle(self) -> None:
        """Give running edits SHUTDOWN_GRACE_S to finish; the rest stay reserved and are
        resumed at the next start."""
        await self.core.service.takeover.stop("discord")
        await self.background.settle(self.grace_s)

    async def close(self) -> None:
        """Close the gateway and REST connections (operator alerts included)."""
        self.core.alerts.disconnect(PLATFORM)
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
        me = self.client.user
        parent = (await self.core.service.turns.job_of(f"discord:{message.id}")
                  if me is not None and message.author.id == me.id else None)
        if not attachments and parent is None:
            await self._ephemeral(interaction, text("no_image_discord", lang))
            return

        async def submitted(modal_interaction: discord.Interaction, prompt: str, ratio: str,
                            size: str) -> None:
            fresh, prompt = split_fresh(prompt)  # on a result: go on, unless "new ..."
            going_on = None if fresh else parent
            await self._start(modal_interaction, "edit", [] if going_on else attachments,
                              prompt, ratio or None, size or None, parent=going_on)

        await interaction.response.send_modal(EditModal(lang, submitted))

    async def _start(self, interaction: discord.Interaction, kind: CommandKind,
                     attachments: list[discord.Attachment], prompt: str, ratio: str | None,
                     size: str | None, *, command: EditCommand | None = None,
                     urls: list[str] | None = None, takes: int = 1,
                     parent: int | None = None) -> None:
        actor = self._actor(interaction)
        scope = scope_of(interaction.guild_id, interaction.user.id)
        tickets: list[Ticket] = []
        try:
            # a prompt with no options may carry them itself ("... 9:16"); the unclear stay
            command = command or (
                parse_arguments(kind, prompt, self.core.spec, guess="literal")
                if ratio is None and size is None
                else build_command(kind, prompt, ratio, size, self.core.spec))
            check_attachments(attachments)
            if len(attachments) > self.core.spec.max_reference_images:
                raise EditbotError("too_many_images", limit=self.core.spec.max_reference_images,
                                   count=len(attachments))
            for _ in range(takes):  # Variations: one ticket per take
                tickets.append(await self.core.service.admit(actor, scope, command))
        except EditbotError as error:
            for ticket in tickets:
                ticket.release()
            self.core.metrics.turned_away(PLATFORM, error, size)
            await self._ephemeral(interaction, error_text(error, actor.language))
            return
        received_at = time.monotonic()
        # each take's place in line is taken now, in the order requests arrive
        openings = [self.core.service.opening(actor, received_at) for _ in tickets]
        try:
            await interaction.response.defer(thinking=True)
        except BaseException:
            for ticket, opening in zip(tickets, openings, strict=True):
                ticket.release()
                self.core.service.drop(opening)
            raise
        for take, (ticket, opening) in enumerate(zip(tickets, openings, strict=True)):
            self.spawn(self._run(interaction, actor, scope, command, attachments, urls,
                                 received_at, ticket, take, parent, opening))

    async def _run(self, interaction: discord.Interaction, actor: Actor, scope: Scope,
                   command: EditCommand, attachments: list[discord.Attachment],
                   urls: list[str] | None, received_at: float, ticket: Ticket, take: int,
                   parent: int | None, opening: Opening) -> None:
        with ticket:
            try:
                if urls is not None:
                    images = await self.edits.fetch(urls)
                else:
                    urls = [a.url for a in attachments]
                    images = await self._prepare(attachments)
            except BaseException as error:
                self.core.service.drop(opening)
                if not isinstance(error, EditbotError):
                    raise
                self.core.metrics.turned_away(PLATFORM, error, command.image_size)
                await self._ephemeral(interaction, error_text(error, actor.language))
                return
            # more takes than one (Variations) answer in follow-up messages of their own
            target: Target = (FollowupTarget(interaction, ttl_s=self.ttl_s) if take
                              else InteractionTarget(interaction, ttl_s=self.ttl_s))
            await self.edits.run(
                key=f"discord:interaction:{interaction.id}" + (f":{take}" if take else ""),
                target=target, actor=actor, scope=scope, command=command, urls=urls,
                images=images, channel_id=interaction.channel_id or 0, received_at=received_at,
                parent=parent, opening=opening)

    async def _prepare(self, attachments: Sequence[discord.Attachment]
                       ) -> tuple[ImageInput, ...]:
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
        if action == "pick":
            await self.mentions.on_pick(interaction, custom_id)
            return
        if action not in ("again", "4k", "vary") or not job_id.isdigit():
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
                          command=command, urls=list(request.origin["urls"]),
                          takes=VARIATIONS if action == "vary" else 1, parent=request.parent)

    # -- mentions ------------------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        await self.mentions.on_message(message)


__all__ = ["DiscordAdapter", "create"]
