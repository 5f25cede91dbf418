"""The Discord application commands: /edit, /imagine, /quota, /limit ..., /usage and the
"Edit image" message context menu, with descriptions in the users' languages (LOCALES).
Editing and /quota are offered everywhere, to a server's install and to a person's own (a user
install: any server, group DM or DM); /usage and /limit belong to a server that installed
the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str

from adapters.discord.stats import stats_command
from bot.i18n import text
from bot.models import ModelSpec


class Handlers(Protocol):
    async def edit(self, interaction: discord.Interaction, attachments: list[discord.Attachment],
                   prompt: str, ratio: str | None, size: str | None) -> None: ...

    async def imagine(self, interaction: discord.Interaction, prompt: str, ratio: str | None,
                      size: str | None) -> None: ...

    async def edit_menu(self, interaction: discord.Interaction,
                        message: discord.Message) -> None: ...

    async def quota(self, interaction: discord.Interaction) -> None: ...

    async def usage(self, interaction: discord.Interaction) -> None: ...

    async def limit(self, interaction: discord.Interaction, kind: str,
                    member: discord.Member | None, per_day: str | None) -> None: ...

    async def stats(self, interaction: discord.Interaction) -> None: ...


# the Discord locales whose users get our own words (the English ones keep the default)
LOCALES = {
    discord.Locale.vietnamese: "vi", discord.Locale.spain_spanish: "es",
    discord.Locale.latin_american_spanish: "es", discord.Locale.brazil_portuguese: "pt",
    discord.Locale.russian: "ru", discord.Locale.indonesian: "id",
}


class Translator(app_commands.Translator):
    """Command descriptions from the message catalogs (keys in ``locale_str`` extras)."""

    async def translate(self, string: locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        key = string.extras.get("key")
        lang = LOCALES.get(locale)
        if key is None or lang is None:
            return None
        return text(key, lang)


def _t(key: str) -> locale_str:
    return locale_str(text(key, "en"), key=key)


C = TypeVar("C")


def anywhere(command: C) -> C:
    """Installable to a server or to a person, usable in servers, the bot's DM and every
    other DM or group DM."""
    command = app_commands.allowed_installs(guilds=True, users=True)(command)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(command)


def build(tree: app_commands.CommandTree[Any], spec: ModelSpec, handlers: Handlers) -> None:
    ratios = [Choice(name=r, value=r) for r in spec.aspect_ratios][:25]
    sizes = [Choice(name=s, value=s) for s in spec.image_sizes]

    @app_commands.command(name="edit", description=_t("cmd_edit"))
    @app_commands.describe(image="The image to edit", prompt="What to change",
                           aspect_ratio="Shape of the result (none keeps the image's)",
                           size="Resolution", image2="Another reference image",
                           image3="Another reference image", image4="Another reference image")
    @app_commands.choices(aspect_ratio=ratios, size=sizes)
    async def edit(interaction: discord.Interaction, image: discord.Attachment, prompt: str,
                   aspect_ratio: str | None = None, size: str | None = None,
                   image2: discord.Attachment | None = None,
                   image3: discord.Attachment | None = None,
                   image4: discord.Attachment | None = None) -> None:
        attachments = [a for a in (image, image2, image3, image4) if a is not None]
        await handlers.edit(interaction, attachments, prompt, aspect_ratio, size)

    @app_commands.command(name="imagine", description=_t("cmd_imagine"))
    @app_commands.describe(prompt="What to make", aspect_ratio="Shape", size="Resolution")
    @app_commands.choices(aspect_ratio=ratios, size=sizes)
    async def imagine(interaction: discord.Interaction, prompt: str,
                      aspect_ratio: str | None = None, size: str | None = None) -> None:
        await handlers.imagine(interaction, prompt, aspect_ratio, size)

    @app_commands.command(name="quota", description=_t("cmd_quota"))
    async def quota(interaction: discord.Interaction) -> None:
        await handlers.quota(interaction)

    @app_commands.command(name="usage", description=_t("cmd_usage"))
    @app_commands.guild_only()
    @app_commands.guild_install()
    @app_commands.default_permissions(manage_guild=True)
    async def usage(interaction: discord.Interaction) -> None:
        await handlers.usage(interaction)

    limit = app_commands.Group(name="limit", description=_t("cmd_limit"), guild_only=True,
                               default_permissions=discord.Permissions(manage_guild=True),
                               allowed_installs=app_commands.AppInstallationType(guild=True),
                               allowed_contexts=app_commands.AppCommandContext(guild=True))

    def sub(name: str, call: Any) -> None:
        limit.add_command(app_commands.Command(name=name, description=f"{name} limit",
                                               callback=call))

    @app_commands.describe(member="Whose limit", per_day="Credits a day, or reset")
    async def member(interaction: discord.Interaction, member: discord.Member,
                     per_day: str) -> None:
        await handlers.limit(interaction, "member", member, per_day)

    @app_commands.describe(per_day="Credits a day for everyone here, or reset")
    async def default(interaction: discord.Interaction, per_day: str) -> None:
        await handlers.limit(interaction, "default", None, per_day)

    @app_commands.describe(per_day="The server's daily budget, or reset")
    async def total(interaction: discord.Interaction, per_day: str) -> None:
        await handlers.limit(interaction, "total", None, per_day)

    async def show(interaction: discord.Interaction) -> None:
        await handlers.limit(interaction, "show", None, None)

    for name, call in (("member", member), ("default", default), ("total", total),
                       ("show", show)):
        sub(name, call)

    @app_commands.context_menu(name="Edit image")
    async def edit_menu(interaction: discord.Interaction, message: discord.Message) -> None:
        await handlers.edit_menu(interaction, message)

    command: Any
    for command in (anywhere(edit), anywhere(imagine), anywhere(quota), usage, limit,
                    anywhere(edit_menu), stats_command(handlers.stats)):
        tree.add_command(command)


class EditModal(discord.ui.Modal):
    """The context menu's questions: the prompt, and optionally ratio and size."""

    def __init__(self, lang: str, on_submit: Callable[[discord.Interaction, str, str, str],
                                                      Awaitable[None]]) -> None:
        super().__init__(title=text("modal_title", lang), timeout=600)
        self._on_submit = on_submit
        self.prompt: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label=text("modal_prompt", lang), style=discord.TextStyle.paragraph,
            max_length=4000, custom_id="prompt")
        self.ratio: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label=text("modal_ratio", lang), required=False, max_length=8, custom_id="ratio")
        self.size: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label=text("modal_size", lang), required=False, max_length=8, custom_id="size")
        for item in (self.prompt, self.ratio, self.size):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._on_submit(interaction, self.prompt.value, self.ratio.value.strip(),
                              self.size.value.strip())
