"""Discord's SKUs: an entitlement to one of DISCORD_SKU_CREDITS adds its credits once (keyed
by the entitlement's id) and is then consumed, so the member can buy the pack again. It
arrives on the gateway (ENTITLEMENT_CREATE) and rides on the member's interactions
(``entitlements``) until consumed; at every start the app's unconsumed entitlements are read
too, so a stop between a purchase and its credit (or its consumption) loses nothing: the
credit is keyed, the consumption repeated. Out of credits, a reply carries a premium button
for each SKU. Nothing here runs unless DISCORD_SKU_CREDITS is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import discord

from adapters.discord.updates import PLATFORM
from bot.bootstrap import Core

log = logging.getLogger(__name__)


class DiscordPayments:
    def __init__(self, core: Core, client: Callable[[], discord.Client]) -> None:
        self.core = core
        self.payments = core.payments
        self._client = client

    @property
    def on(self) -> bool:
        return bool(self.payments.skus)

    async def take(self, entitlements: Iterable[discord.Entitlement]) -> int:
        """Credit and consume each of ours not yet consumed; the credits added now."""
        added = 0
        for entitlement in entitlements:
            if entitlement.consumed or entitlement.deleted or entitlement.user_id is None:
                continue
            sale = await self.payments.credit_entitlement(
                f"{PLATFORM}:{entitlement.user_id}", entitlement_id=str(entitlement.id),
                sku_id=str(entitlement.sku_id))
            if sale is None:
                continue  # not one of DISCORD_SKU_CREDITS: not ours to consume
            added += sale.credits if sale.new else 0
            try:
                await entitlement.consume()
            except discord.HTTPException:  # credited already: the next start consumes it
                log.warning("discord: could not consume entitlement %s", entitlement.id,
                            exc_info=True)
        return added

    async def on_entitlement(self, entitlement: discord.Entitlement) -> None:
        if self.on:
            await self.take([entitlement])

    async def from_interaction(self, interaction: discord.Interaction) -> None:
        """Before an interaction is answered: what it says the member bought."""
        if self.on and interaction.entitlements:
            await self.take(interaction.entitlements)

    async def catch_up(self) -> int:
        """At start: every unconsumed entitlement to one of our SKUs."""
        if not self.on:
            return 0
        skus = [discord.Object(id=sku) for sku in self.payments.skus]
        try:
            found = [e async for e in self._client().entitlements(
                skus=skus, exclude_ended=True, limit=None)]
        except discord.HTTPException:
            log.warning("discord: could not read the entitlements", exc_info=True)
            return 0
        return await self.take(found)

    def offer(self) -> discord.ui.View | None:
        return premium_buttons(self.core)


def premium_buttons(core: Core) -> discord.ui.View | None:
    """A premium button for each SKU on sale (Discord shows its name and price), or None."""
    if not core.payments.skus:
        return None
    view = discord.ui.View(timeout=None)
    for sku in core.payments.skus:
        view.add_item(discord.ui.Button(style=discord.ButtonStyle.premium, sku_id=sku))
    return view
