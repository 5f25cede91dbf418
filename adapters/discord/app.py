"""The Discord adapter's lifecycle: a discord.py Client with an app-command tree in the shared
event loop. Slash commands and the context menu go to slash.py, mentions to mentions.py,
buttons to buttons.py; all of them run their edits in the edit flow (edits.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.buttons import DiscordButtons
from adapters.discord.commands import Translator, build
from adapters.discord.edits import DiscordEdits
from adapters.discord.health import direct_message, gateway_problem, rate_limit_trace
from adapters.discord.mentions import DiscordMentions
from adapters.discord.payments import DiscordPayments
from adapters.discord.probe import UNREACHABLE, probe
from adapters.discord.settings import DiscordSettings, settings_command
from adapters.discord.shards import make_client, syncs_commands
from adapters.discord.slash import DiscordSlash
from adapters.discord.updates import PLATFORM
from adapters.startup import until_reachable
from adapters.tasks import Background
from bot.bootstrap import Core
from bot.errors import ConfigError

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
        await self.adapter.mentions.on_message(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.adapter.buttons.on_component(interaction)
        await self.adapter.settings.on_component(interaction)

    async def on_entitlement_create(self, entitlement: discord.Entitlement) -> None:
        await self.adapter.payments.on_entitlement(entitlement)


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
        self.payments = DiscordPayments(core, lambda: self.client)
        self.mentions = DiscordMentions(core, self.edits, lambda: self.client, self.spawn)
        self.slash = DiscordSlash(core, self.edits, lambda: self.client, self.spawn,
                                  ttl_s=interaction_ttl_s, payments=self.payments)
        self.buttons = DiscordButtons(core, self.slash, self.mentions)
        self.settings = DiscordSettings(core, lambda: self.client)
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
        await self.payments.catch_up()
        await self.edits.resume()
        self.core.alerts.connect(PLATFORM, self._tell_operator)
        self.core.logbook.connect(PLATFORM, self.settings.post)
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
        build(client.tree, self.core.spec, self.slash)
        client.tree.add_command(settings_command(self.settings.command))
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
        await self.core.service.stop_adopting("discord")
        await self.background.settle(self.grace_s)

    async def close(self) -> None:
        """Close the gateway and REST connections (operator alerts included)."""
        self.core.alerts.disconnect(PLATFORM)
        await self.client.close()
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)


__all__ = ["DiscordAdapter", "create"]
