"""The Cancel button under a queued Discord edit's status: the core calls the job off if the
presser may (its requester, a member with Manage Server there, an operator) and the model was
not asked yet; the status then says the credits are back. Any other press is answered to the
presser alone (an ephemeral message) and changes nothing."""

from __future__ import annotations

import discord

from adapters.discord.updates import actor_of, scope_of
from adapters.waiting import verdict_words
from bot.bootstrap import Core
from bot.edits import Verdict


class DiscordCancels:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def on_press(self, interaction: discord.Interaction, key: str) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        moderator = interaction.guild_id is not None and bool(
            interaction.permissions.manage_guild)
        verdict = (await self.core.service.cancel(
            key, actor, scope_of(interaction.guild_id, interaction.user.id),
            moderator=moderator) if key else Verdict("ended"))
        if verdict.what == "not_yet":  # a status is shown once its job is recorded
            verdict = Verdict("ended")
        words = verdict_words(verdict, actor.language)
        if verdict.what == "cancelled":  # the status becomes the word, its button gone
            await interaction.response.edit_message(content=words, view=None)
        else:
            await interaction.response.send_message(words, ephemeral=True)
