"""Discord's message components: the buttons under a result (Again, 4K and Variations start
the same edit anew, the core deciding whether the presser may), the picks of a "did you
mean" question (mentions.py) and a queued edit's Cancel (cancelling.py)."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.cancelling import DiscordCancels
from adapters.discord.mentions import DiscordMentions
from adapters.discord.slash import DiscordSlash
from adapters.discord.updates import actor_of
from adapters.render import VARIATIONS
from bot.bootstrap import Core
from bot.errors import EditbotError
from bot.i18n import error_text


class DiscordButtons:
    def __init__(self, core: Core, slash: DiscordSlash, mentions: DiscordMentions) -> None:
        self.core = core
        self._slash = slash
        self._mentions = mentions
        self._cancels = DiscordCancels(core)  # a queued edit's status

    async def on_component(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        action, _, job_id = custom_id.partition(":")
        if action == "pick":
            await self._mentions.on_pick(interaction, custom_id)
            return
        if action == "cancel":
            await self._cancels.on_press(interaction, job_id)
            return
        if action not in ("again", "4k", "vary") or not job_id.isdigit():
            return
        actor = actor_of(interaction.user, interaction.locale)
        try:
            request = await self.core.service.repeat(
                job_id, actor, "4k" if action == "4k" else "again", needs="urls")
        except EditbotError as error:
            await interaction.response.send_message(error_text(error, actor.language),
                                                    ephemeral=True)
            return
        command = request.command
        await self._slash.start(interaction, command.kind, [], command.prompt, None, None,
                                command=command, urls=list(request.origin["urls"]),
                                takes=VARIATIONS if action == "vary" else 1,
                                parent=request.parent)

