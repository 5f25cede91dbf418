"""/settings on Discord: the server's settings as an ephemeral panel of select menus and
buttons (sizes, safety, the log channel; /imagine, spoilers, slow mode), changed in place;
blocked words by the command's options. Manage Server, as for /limit. The rules, who may change
what and the audit are the core's (bot/community/settings.py); this module only translates,
and posts the community log's notes."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from adapters.discord.reach import reach_of
from adapters.discord.updates import actor_of
from adapters.settings_panel import buttons, edit_of, panel_text
from bot.bootstrap import Core
from bot.community import (
    SAFETY_LEVELS,
    LogNote,
    Rules,
    allow_sizes,
    block,
    log_to,
    safety,
    split_words,
    unblock,
)
from bot.community import Edit as Change
from bot.domain import Actor, Scope
from bot.errors import CommandError, EditbotError
from bot.i18n import credits, error_text, text
from bot.images import ImageBudget, fit_output

log = logging.getLogger(__name__)
PREFIX = "cfg:"
THUMBNAIL = ImageBudget(max_bytes=512 * 1024, max_side=640, max_ratio=20)
Handler = Callable[[discord.Interaction, str | None, str | None], Awaitable[None]]


class DiscordSettings:
    def __init__(self, core: Core, client: Callable[[], discord.Client]) -> None:
        self.core = core
        self._client = client

    def _where(self, interaction: discord.Interaction) -> tuple[Actor, Scope, bool]:
        actor = actor_of(interaction.user, interaction.locale)
        moderator = interaction.guild_id is not None and bool(
            interaction.permissions.manage_guild)
        return actor, reach_of(interaction).scope, moderator

    def view(self, rules: Rules, lang: str) -> discord.ui.View:
        spec, view = self.core.spec, discord.ui.View(timeout=None)
        if spec.takes_size:
            view.add_item(discord.ui.Select(
                custom_id=PREFIX + "sizes", min_values=1, max_values=len(spec.image_sizes),
                options=[discord.SelectOption(label=size, value=size,
                                              default=size not in rules.sizes_off)
                         for size in spec.image_sizes]))
        view.add_item(discord.ui.Select(custom_id=PREFIX + "safety", options=[
            discord.SelectOption(label=text("button_safety", lang,
                                            level=text(f"safety_{level}", lang)),
                                 value=level, default=level == rules.safety)
            for level in SAFETY_LEVELS]))
        view.add_item(discord.ui.ChannelSelect(
            custom_id=PREFIX + "log", placeholder=text("pick_log", lang),
            channel_types=[discord.ChannelType.text], min_values=1, max_values=1))
        for row in buttons(rules, spec, lang)[1:]:  # the sizes are the menu above
            for label, action in row:
                if action != "safety":
                    view.add_item(discord.ui.Button(label=label, custom_id=PREFIX + action))
        return view

    def _panel(self, rules: Rules, lang: str) -> str:
        log_name = f"<#{rules.log}>" if rules.log else ""
        return (panel_text(rules, self.core.spec, lang, log_name=log_name) + "\n\n"
                + text("settings_usage_discord", lang))[:2000]

    async def command(self, interaction: discord.Interaction, block_words: str | None,
                      unblock_words: str | None) -> None:
        """/settings: the panel (to the moderator alone); with block or unblock: the words."""
        actor, scope, moderator = self._where(interaction)
        lang, community = actor.language, self.core.community
        try:
            community.check_allowed(actor, scope, moderator=moderator)
            if block_words or unblock_words:
                rules = await community.rules(scope)
                if block_words:
                    rules = await community.change(actor, scope, "words", block(
                        split_words(block_words)), moderator=moderator)
                if unblock_words:
                    rules = await community.change(actor, scope, "words", unblock(
                        split_words(unblock_words)), moderator=moderator)
                await interaction.response.send_message(
                    text("words_now", lang, total=len(rules.words)), ephemeral=True)
                return
            rules = await community.rules(scope)
        except EditbotError as error:
            await interaction.response.send_message(error_text(error, lang), ephemeral=True)
            return
        await interaction.response.send_message(self._panel(rules, lang),
                                                view=self.view(rules, lang), ephemeral=True)

    async def on_component(self, interaction: discord.Interaction) -> None:
        """A pick or a press on the panel: the change saved, the panel redrawn in place."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(PREFIX):
            return
        action = custom_id.removeprefix(PREFIX)
        values = [str(v) for v in data.get("values") or []]
        actor, scope, moderator = self._where(interaction)
        lang = actor.language
        try:
            change = await self._change_of(action, values, lang)
            name, edit = change
            rules = await self.core.community.change(actor, scope, name, edit,
                                                     moderator=moderator)
        except EditbotError as error:
            await interaction.response.send_message(error_text(error, lang), ephemeral=True)
            return
        await interaction.response.edit_message(content=self._panel(rules, lang),
                                                view=self.view(rules, lang))

    async def _change_of(self, action: str, values: list[str], lang: str) -> tuple[str, Change]:
        if action == "sizes":
            return "sizes", allow_sizes(values, self.core.spec)
        if action == "safety" and values:
            return "safety", safety(values[0])
        if action == "log" and values:
            return "log", log_to(await self._reachable(values[0], lang), lang)
        found = edit_of(action, self.core.spec)
        if found is None:
            raise CommandError("settings_usage_discord")
        return found

    async def _reachable(self, channel_id: str, lang: str) -> str:
        """The channel, once a first message reached it; CommandError when the bot cannot
        post there (nothing changes)."""
        try:
            channel = await self._channel(channel_id)
            await channel.send(text("log_hello", lang, group=getattr(
                getattr(channel, "guild", None), "name", "") or channel_id))
        except (discord.HTTPException, ValueError) as exc:
            log.info("discord: the log channel %s refused a post (%s)", channel_id, exc)
            raise CommandError("log_cannot_post", channel=f"<#{channel_id}>") from None
        return channel_id

    async def _channel(self, channel_id: str) -> discord.abc.Messageable:
        client = self._client()
        channel = client.get_channel(int(channel_id)) or await client.fetch_channel(
            int(channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            raise ValueError("not a channel to post in")
        return channel

    async def post(self, note: LogNote) -> None:
        """One edit in the server's log channel: who asked, the prompt, the outcome and the
        cost, with the result's thumbnail."""
        lang = note.language
        words = text("log_note", lang, who=note.who, kind=note.kind, prompt=note.prompt,
                     outcome=text(f"log_{note.outcome}" if note.outcome in (
                         "delivered", "refused", "failed") else "log_other", lang),
                     cost=credits(note.credits, lang))[:2000]
        channel = await self._channel(note.channel)
        if note.image is None:
            await channel.send(words)
            return
        thumb = await asyncio.to_thread(fit_output, note.image.data, THUMBNAIL)
        await channel.send(words, file=discord.File(io.BytesIO(thumb.data),
                                                    filename=f"log.{thumb.extension}"))


def settings_command(handler: Handler) -> app_commands.Command[Any, ..., None]:
    """/settings [block] [unblock]: for a server that installed the app, Manage Server."""
    @app_commands.describe(block="Words or phrases to block, separated by commas",
                           unblock="Blocked words or phrases to allow again")
    async def settings(interaction: discord.Interaction, block: str | None = None,
                       unblock: str | None = None) -> None:
        await handler(interaction, block, unblock)

    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name="settings", callback=settings,
        description=locale_str(text("cmd_settings", "en"), key="cmd_settings"))
    command.guild_only = True
    command.default_permissions = discord.Permissions(manage_guild=True)
    command.allowed_installs = app_commands.AppInstallationType(guild=True)
    command.allowed_contexts = app_commands.AppCommandContext(guild=True)
    return command
