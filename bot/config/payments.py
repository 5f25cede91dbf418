"""Credits people buy: the packs on offer (Telegram Stars), Discord's SKUs, the texts the
terms require. With CREDIT_PACKS and DISCORD_SKU_CREDITS unset there are no payments, and
nothing about them is shown anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode


@dataclass(frozen=True, slots=True)
class Pack:
    """A pack on offer: ``credits`` for ``price`` (Telegram Stars, or a Discord SKU's id)."""

    credits: int
    price: int

    @property
    def key(self) -> str:
        return f"{self.credits}:{self.price}"


@dataclass(frozen=True, slots=True)
class Sku:
    """A Discord SKU on offer (consumable) and the credits one purchase of it adds."""

    sku_id: int
    credits: int


def _pairs(value: str, what: str) -> tuple[Pack, ...]:
    packs: list[Pack] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        left, sep, right = item.partition(":")
        if not sep or not left.strip().isdigit() or not right.strip().isdigit():
            raise ValueError(f"must be a comma list like {what}")
        packs.append(Pack(int(left), int(right)))
    return tuple(packs)


class PaymentSettings(BaseSettings):
    """Payments: off unless CREDIT_PACKS (Telegram) or DISCORD_SKU_CREDITS (Discord) is set."""

    # credits:stars, for example 10:50,50:200
    credit_packs: Annotated[tuple[Pack, ...], NoDecode] = ()
    star_usd_rate: float = Field(0.013, ge=0)  # what a Star earns the operator, in USD
    # sku_id:credits, for example 1234567890123:10
    discord_sku_credits: Annotated[tuple[Sku, ...], NoDecode] = ()
    paysupport_text: str = ""  # /paysupport: how buyers reach the operator
    terms_text: str = ""  # /terms: the terms of sale

    @field_validator("credit_packs", mode="before")
    @classmethod
    def _packs(cls, value: object) -> object:
        if isinstance(value, str):
            packs = _pairs(value, "10:50,50:200 (credits:stars)")
            if any(p.credits < 1 or not 1 <= p.price <= 10000 for p in packs):
                raise ValueError("each pack needs at least 1 credit and 1 to 10000 stars")
            if len({p.credits for p in packs}) != len(packs):
                raise ValueError("two packs have the same number of credits")
            return packs
        return value

    @field_validator("discord_sku_credits", mode="before")
    @classmethod
    def _skus(cls, value: object) -> object:
        if isinstance(value, str):
            pairs = _pairs(value, "1234567890123:10 (sku_id:credits)")
            if any(p.price < 1 for p in pairs):  # read as (sku id, credits)
                raise ValueError("each SKU needs at least 1 credit")
            return tuple(Sku(sku_id=p.credits, credits=p.price) for p in pairs)
        return value

    @property
    def payments(self) -> bool:
        """Whether anything is on sale (on Telegram or on Discord)."""
        return bool(self.credit_packs or self.discord_sku_credits)

    def pack(self, key: str) -> Pack | None:
        """The Telegram pack an invoice's payload names, if it is still on offer."""
        return next((p for p in self.credit_packs if p.key == key), None)

    def sku_credits(self, sku_id: int | str) -> int | None:
        return next((s.credits for s in self.discord_sku_credits
                     if str(s.sku_id) == str(sku_id)), None)
