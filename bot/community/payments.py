"""Payments: what a purchase adds, what a refund takes back, and who may refund, decided once.

The platforms carry the money (Telegram Stars, Discord's SKUs); this service turns what they
report into ledger rows. Each purchase is keyed by the platform's own id for it (Telegram's
``telegram_payment_charge_id``, Discord's entitlement id), so a repeated update, a redelivered
webhook or a restart between the payment and its credit ends with the credits added once.
A pack is named in the invoice's payload as ``credits:stars``: a pack taken off the offer
(CREDIT_PACKS changed) is refused at the pre-checkout, before anyone pays for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..config import Pack, Settings
from ..domain import Actor
from ..errors import NotAllowed
from ..ledger import QuotaLedger, Refunded
from ..ops import Metrics

log = logging.getLogger(__name__)
STARS = "XTR"  # Telegram's currency for digital goods


@dataclass(frozen=True, slots=True)
class Sale:
    """A pack's purchase as reported: added now (``new``) or added before."""

    credits: int
    new: bool


class Payments:
    def __init__(self, *, ledger: QuotaLedger, settings: Settings, metrics: Metrics) -> None:
        self.ledger = ledger
        self.settings = settings
        self.metrics = metrics

    @property
    def on(self) -> bool:
        """Whether anything is on sale on Telegram (CREDIT_PACKS)."""
        return bool(self.settings.credit_packs)

    @property
    def packs(self) -> tuple[Pack, ...]:
        return self.settings.credit_packs

    @property
    def skus(self) -> tuple[int, ...]:
        """Discord's SKUs on offer (DISCORD_SKU_CREDITS), in the order set."""
        return tuple(s.sku_id for s in self.settings.discord_sku_credits)

    def checkout(self, payload: str, currency: str, amount: int) -> str | None:
        """None when an invoice may be paid; else the refusal's message id: payments are off,
        or the pack is no longer on offer at that price."""
        if not self.on:
            return "pay_off"
        pack = self.settings.pack(payload)
        if pack is None or currency != STARS or amount != pack.price:
            return "pay_gone"
        return None

    async def credit_stars(self, actor: Actor, *, charge_id: str, payload: str, currency: str,
                           amount: int) -> Sale:
        """A Telegram payment arrived: add its pack's credits, once per charge id. A payment
        for a pack taken off the offer since its pre-checkout still gets what it paid for."""
        credits = payload.partition(":")[0]
        if currency != STARS or not credits.isdigit() or int(credits) < 1:
            log.error("payment %s: an invoice this bot did not send (%s %s); not credited",
                      charge_id, payload[:64], currency)
            return Sale(0, new=False)
        new = await self.ledger.credit(platform="telegram", charge_id=charge_id,
                                       actor=actor.key, pack=payload, credits=int(credits),
                                       stars=amount)
        if new:
            self.metrics.sale("telegram", credits=int(credits), stars=amount,
                              usd=amount * self.settings.star_usd_rate)
        return Sale(int(credits), new)

    async def credit_entitlement(self, actor_key: str, *, entitlement_id: str,
                                 sku_id: str) -> Sale | None:
        """A Discord entitlement: add its SKU's credits, once per entitlement id; None for an
        SKU that is not one of DISCORD_SKU_CREDITS (not ours to consume)."""
        credits = self.settings.sku_credits(sku_id)
        if credits is None:
            return None
        new = await self.ledger.credit(platform="discord", charge_id=entitlement_id,
                                       actor=actor_key, pack=str(sku_id), credits=credits)
        if new:  # Discord pays out in money the bot is not told of: no Stars, no revenue
            self.metrics.sale("discord", credits=credits, stars=0, usd=0.0)
        return Sale(credits, new)

    async def refundable(self, actor: Actor, charge_id: str) -> str:
        """Before the platform is asked to refund: the operator's right to, and the buyer's
        user id (NotAllowed, or LookupError when no purchase has that id)."""
        if actor.key not in self.settings.bot_admins and actor.platform != "cli":
            raise NotAllowed("not_operator")
        bought = await self.ledger.purchase("telegram", charge_id)
        if bought is None:
            raise LookupError(charge_id)
        return str(bought["actor"]).partition(":")[2]

    async def refunded(self, charge_id: str, by: str) -> Refunded | None:
        """The platform refunded a payment: take back the credits of it not yet used, once."""
        done = await self.ledger.take_back(platform="telegram", charge_id=charge_id, by=by)
        if done is not None and not done.again:
            self.metrics.sale("telegram", credits=done.credits, stars=done.stars, usd=0.0,
                              refund=True)
        return done

    async def balance(self, actor: Actor) -> int:
        return await self.ledger.balance(actor.key)
