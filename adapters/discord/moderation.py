"""Discord commands besides editing: /quota, and for moderators (Manage Server, or BOT_ADMINS)
/usage and /limit."""

from __future__ import annotations

import discord

from adapters.discord.reach import reach_of
from adapters.discord.updates import PLATFORM, actor_of
from adapters.render import DISCORD_TEXT_LIMIT, limits_text, quota_text, usage_text
from bot.bootstrap import Core
from bot.commands import parse_limit
from bot.community import LimitKind
from bot.domain import Actor
from bot.errors import EditbotError
from bot.i18n import error_text, text


class DiscordModeration:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def quota(self, interaction: discord.Interaction) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        view = await self.core.moderation.quota(
            actor, reach_of(interaction).scope)
        await interaction.response.send_message(
            quota_text(view.status, view.scope_usage, actor.language,
                       payments=bool(self.core.payments.skus)), ephemeral=True)

    async def usage(self, interaction: discord.Interaction) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        try:
            report = await self.core.moderation.usage(
                actor, reach_of(interaction).scope,
                moderator=_manages(interaction))
        except EditbotError as error:
            await interaction.response.send_message(error_text(error, actor.language),
                                                    ephemeral=True)
            return
        names = {f"{PLATFORM}:{m.id}": m.display_name
                 for m in (interaction.guild.members if interaction.guild else [])}
        await interaction.response.send_message(
            usage_text(report, names, actor.language, max_chars=DISCORD_TEXT_LIMIT),
            ephemeral=True)

    async def limit(self, interaction: discord.Interaction, kind: str,
                    member: discord.Member | None, per_day: str | None) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        lang = actor.language
        try:
            words, public = await self._limit(interaction, actor, kind, member, per_day)
        except EditbotError as error:
            words, public = error_text(error, lang), False
            if error.code == "bad_limit":
                words = text("limit_usage_discord", lang)
        await interaction.response.send_message(words, ephemeral=not public)

    async def _limit(self, interaction: discord.Interaction, actor: Actor, kind: str,
                     member: discord.Member | None, per_day: str | None) -> tuple[str, bool]:
        """The reply to /limit member|default|total|show, and whether the channel sees it."""
        moderation, lang = self.core.moderation, actor.language
        scope = reach_of(interaction).scope
        moderator = _manages(interaction)
        if kind == "show":
            limits = await moderation.limits(actor, scope, moderator=moderator)
            return limits_text(limits, moderation.default_limit, {}, lang,
                               max_chars=DISCORD_TEXT_LIMIT), False
        moderation.check_limits(actor, scope, moderator=moderator)
        limit_kind: LimitKind = "member" if kind == "member" else (
            "default" if kind == "default" else "total")
        change = await moderation.set_limit(
            actor, scope, limit_kind, parse_limit(per_day or ""), moderator=moderator,
            member=f"{PLATFORM}:{member.id}" if member is not None else "")
        if member is not None:
            key = "limit_member_set" if change.value is not None else "limit_member_reset"
            return text(key, lang, name=member.display_name, value=change.value), True
        state = "set" if change.value is not None else "reset"
        return text(f"limit_{limit_kind}_{state}", lang, value=change.applies), True


def _manages(interaction: discord.Interaction) -> bool:
    """The platform's fact: Manage Server in this server."""
    return interaction.guild_id is not None and bool(interaction.permissions.manage_guild)
