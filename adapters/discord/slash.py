"""Discord's slash commands and the "Edit image" context menu: check the request at once
(bad input gets an ephemeral note, at no cost), take its place in line, then run it in the
edit flow; the Variations button comes here too, with one ticket per take."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from adapters.discord.commands import EditModal
from adapters.discord.edits import DiscordEdits, DiscordPort
from adapters.discord.moderation import DiscordModeration
from adapters.discord.payments import DiscordPayments
from adapters.discord.reach import Reach, reach_of
from adapters.discord.stats import DiscordStats
from adapters.discord.targets import FollowupTarget, InteractionTarget, Target
from adapters.discord.updates import PLATFORM, actor_of, check_attachments, images_of
from bot.bootstrap import Core
from bot.commands import build_command, parse_arguments, split_fresh
from bot.domain import Actor, CommandKind, EditCommand
from bot.edits import Accepted, Blob, Order, Ticket
from bot.errors import EditbotError, QuotaExceeded
from bot.i18n import error_text, text


class DiscordSlash:
    """The handlers of the app-command tree (commands.Handlers)."""

    def __init__(self, core: Core, edits: DiscordEdits, client: Callable[[], discord.Client],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]], *,
                 ttl_s: float, payments: DiscordPayments) -> None:
        self.core = core
        self.payments = payments
        self.edits = edits
        self._client = client
        self.spawn = spawn
        self.ttl_s = ttl_s
        moderation = DiscordModeration(core)
        self.quota = moderation.quota
        self.usage = moderation.usage
        self.limit = moderation.limit
        self.stats = DiscordStats(core).stats

    @staticmethod
    def _actor(interaction: discord.Interaction) -> Actor:
        return actor_of(interaction.user, interaction.locale)

    async def _ephemeral(self, interaction: discord.Interaction, words: str,
                         reach: Reach | None = None, view: discord.ui.View | None = None,
                         ) -> None:
        if interaction.response.is_done():
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                pass
            if reach is not None and not reach.followup():
                return
            if view is None:
                await interaction.followup.send(words, ephemeral=True)
            else:
                await interaction.followup.send(words, ephemeral=True, view=view)
        elif view is None:
            await interaction.response.send_message(words, ephemeral=True)
        else:
            await interaction.response.send_message(words, ephemeral=True, view=view)

    async def _refuse(self, interaction: discord.Interaction, actor: Actor,
                      error: EditbotError) -> None:
        """Say why not; out of credits with SKUs on sale, a premium button for each."""
        words = error_text(error, actor.language)
        offer = self.payments.offer() if isinstance(error, QuotaExceeded) else None
        if offer is not None:
            words += "\n" + text("quota_buy_discord", actor.language)
        await self._ephemeral(interaction, words, view=offer)

    async def edit(self, interaction: discord.Interaction,
                   attachments: list[discord.Attachment], prompt: str, ratio: str | None,
                   size: str | None) -> None:
        await self.start(interaction, "edit", attachments, prompt, ratio, size)

    async def imagine(self, interaction: discord.Interaction, prompt: str, ratio: str | None,
                      size: str | None) -> None:
        await self.start(interaction, "imagine", [], prompt, ratio, size)

    async def edit_menu(self, interaction: discord.Interaction,
                        message: discord.Message) -> None:
        lang = self._actor(interaction).language
        attachments = images_of(message)
        me = self._client().user
        parent = (await self.core.turns.job_of(f"discord:{message.id}")
                  if me is not None and message.author.id == me.id else None)
        if not attachments and parent is None:
            await self._ephemeral(interaction, text("no_image_discord", lang))
            return

        async def submitted(modal_interaction: discord.Interaction, prompt: str, ratio: str,
                            size: str) -> None:
            fresh, prompt = split_fresh(prompt)  # on a result: go on, unless "new ..."
            going_on = None if fresh else parent
            await self.start(modal_interaction, "edit", [] if going_on else attachments,
                             prompt, ratio or None, size or None, parent=going_on)

        await interaction.response.send_modal(EditModal(lang, submitted))

    async def start(self, interaction: discord.Interaction, kind: CommandKind,
                    attachments: list[discord.Attachment], prompt: str, ratio: str | None,
                    size: str | None, *, command: EditCommand | None = None,
                    urls: list[str] | None = None, takes: int = 1,
                    parent: int | None = None) -> None:
        actor = self._actor(interaction)
        reach = reach_of(interaction, self._client())  # the person's own, or the server's
        scope = reach.scope
        tickets: list[Ticket] = []
        await self.payments.from_interaction(interaction)  # bought just now: counts already
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
            for take in range(takes):  # Variations: one ticket per take
                tickets.append(await self.core.service.admit(actor, scope, command,
                                                             more=take > 0))
        except EditbotError as error:
            for ticket in tickets:
                ticket.release()
            self.core.metrics.turned_away(PLATFORM, error, size)
            await self._refuse(interaction, actor, error)
            return
        received_at = time.monotonic()
        # each take's place in line is taken now, in the order requests arrive
        key = f"discord:interaction:{interaction.id}"
        accepted = [self.core.service.accept(Order(
            actor, scope, command, received_at, key=key + (f":{take}" if take else ""),
            parent=parent)) for take in range(len(tickets))]
        try:
            await interaction.response.defer(thinking=True, ephemeral=reach.ephemeral)
        except BaseException:
            for ticket, one in zip(tickets, accepted, strict=True):
                ticket.release()
                one.drop()
            raise
        for take, (ticket, one) in enumerate(zip(tickets, accepted, strict=True)):
            self.spawn(self._run(interaction, one, ticket, take, attachments, urls, reach))

    async def _run(self, interaction: discord.Interaction, accepted: Accepted, ticket: Ticket,
                   take: int, attachments: list[discord.Attachment],
                   urls: list[str] | None, reach: Reach) -> None:
        lang = accepted.order.actor.language
        downloads = self.edits.downloads

        async def fetch() -> list[Blob]:
            if urls is not None:
                return await downloads.from_links(urls)
            return await downloads.read(attachments)

        async def refuse(error: EditbotError) -> None:
            await self._ephemeral(interaction, error_text(error, lang), reach)

        # more takes than one (Variations) answer in follow-up messages of their own
        target: Target = (FollowupTarget(interaction, ttl_s=self.ttl_s, reach=reach) if take
                          else InteractionTarget(interaction, ttl_s=self.ttl_s, reach=reach))
        # after a restart the job answers in its channel: none where the bot is no member
        origin = {"key": accepted.order.key,
                  "channel_id": (interaction.channel_id or 0) if reach.in_channel else 0,
                  "user_id": accepted.order.actor.user_id,
                  "urls": urls if urls is not None else [a.url for a in attachments]}
        with ticket:
            await accepted.run(DiscordPort(self.edits, target, lang, fetch, origin, refuse))
