"""Discord commands besides editing: /quota, and for moderators (Manage Server, or BOT_ADMINS)
/usage and /limit."""

from __future__ import annotations

import discord

from adapters.discord.updates import PLATFORM, actor_of, scope_of
from adapters.render import limits_text, parse_limit, quota_text, usage_text
from bot.bootstrap import Core
from bot.i18n import text
from bot.ledger import LimitKind


class DiscordModeration:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def quota(self, interaction: discord.Interaction) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        scope = scope_of(interaction.guild_id, interaction.user.id)
        status = await self.core.ledger.status(actor=actor.key, scope=scope.key,
                                               unlimited=self.core.service.is_admin(actor))
        report = None if scope.private else await self.core.ledger.usage(scope.key)
        await interaction.response.send_message(quota_text(status, report, actor.language),
                                                ephemeral=True)

    def _moderator(self, interaction: discord.Interaction) -> bool:
        return bool(interaction.permissions.manage_guild) or self.core.service.is_admin(
            actor_of(interaction.user, interaction.locale))

    async def usage(self, interaction: discord.Interaction) -> None:
        lang = actor_of(interaction.user, interaction.locale).language
        if not self._moderator(interaction):
            await interaction.response.send_message(text("not_moderator", lang), ephemeral=True)
            return
        report = await self.core.ledger.usage(scope_of(interaction.guild_id, 0).key)
        names = {f"{PLATFORM}:{m.id}": m.display_name
                 for m in (interaction.guild.members if interaction.guild else [])}
        await interaction.response.send_message(usage_text(report, names, lang), ephemeral=True)

    async def limit(self, interaction: discord.Interaction, kind: str,
                    member: discord.Member | None, per_day: str | None) -> None:
        actor = actor_of(interaction.user, interaction.locale)
        lang = actor.language
        if not self._moderator(interaction):
            await interaction.response.send_message(text("not_moderator", lang), ephemeral=True)
            return
        scope = scope_of(interaction.guild_id, 0).key
        ledger = self.core.ledger
        if kind == "show":
            limits = await ledger.limits(scope)
            await interaction.response.send_message(limits_text(
                limits, self.core.settings.default_daily_limit, {}, lang), ephemeral=True)
            return
        value = parse_limit((per_day or "").strip().lower())
        if value is False:
            await interaction.response.send_message(text("setlimit_usage", lang),
                                                    ephemeral=True)
            return
        limit_kind: LimitKind = "member" if kind == "member" else (
            "default" if kind == "default" else "total")
        target = f"{PLATFORM}:{member.id}" if member is not None else ""
        await ledger.set_limit(scope=scope, kind=limit_kind, member=target, per_day=value,
                               by=actor.key)
        if member is not None:
            key = "limit_member_set" if value is not None else "limit_member_reset"
            words = text(key, lang, name=member.display_name, value=value)
        else:
            shown = value if value is not None else self.core.settings.default_daily_limit
            words = text(f"limit_{limit_kind}_{'set' if value is not None else 'reset'}", lang,
                         value=shown)
        await interaction.response.send_message(words)
