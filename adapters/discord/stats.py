"""/stats on Discord: usage, spend and failures for BOT_ADMINS (an ephemeral answer); anyone
else is told no. Registered in every server and in DMs; the check is ours, not Discord's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from adapters.discord.updates import actor_of
from adapters.stats import stats_text
from bot.bootstrap import Core
from bot.errors import EditbotError
from bot.i18n import error_text, text

Handler = Callable[[discord.Interaction], Awaitable[None]]


class DiscordStats:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def stats(self, interaction: discord.Interaction) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        try:
            words = stats_text(await self.core.stats.report(actor), actor.language)
        except EditbotError as error:
            words = error_text(error, actor.language)
        await interaction.response.send_message(words[:2000], ephemeral=True)


def stats_command(handler: Handler) -> app_commands.Command[Any, ..., None]:
    async def stats(interaction: discord.Interaction) -> None:
        await handler(interaction)

    return app_commands.Command(
        name="stats", callback=stats,
        description=locale_str(text("cmd_stats", "en"), key="cmd_stats"))
