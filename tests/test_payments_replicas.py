"""Buying while replicas die: three ``python -m bot run`` processes in webhook mode on one
PostgreSQL ledger, 24 people buying a pack at once, one replica SIGKILLed in the middle of it
and started again. Every payment Telegram completed is credited exactly once (the fake's
balancer posts an update again to another replica when one dies before answering)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

import asyncpg

from tests import pgserver
from tests.fakes.telegram_server import FakeTelegram

BUYERS = 24



async def purchase(tg: FakeTelegram, person: dict[str, Any]) -> str | None:
    """One person's /buy and payment for the first pack: the charge id, or None when the
    payment did not go through (its pre-checkout was not answered in time)."""
    chat = FakeTelegram.private(person)
    tg.post(chat, person, text="/buy")
    await tg.wait_for(lambda: len(tg.sent("sendInvoice", chat_id=chat["id"])) >= 2, within=60)
    invoice = tg.sent("sendInvoice", chat_id=chat["id"])[0].result
    update = await tg.pay(person, invoice)
    return None if update is None else str(
        update["message"]["successful_payment"]["telegram_payment_charge_id"])


async def credited(database_url: str) -> list[tuple[str, str, int]]:
    conn = await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    try:
        rows = await conn.fetch("SELECT charge_id, actor, credits FROM purchases "
                                "WHERE kind = 'purchase' ORDER BY charge_id")
    finally:
        await conn.close()
    return [(r["charge_id"], r["actor"], r["credits"]) for r in rows]


async def test_three_replicas_and_a_sigkill_credit_every_payment_once(
        tg: FakeTelegram, replicas: Callable[..., Any]) -> None:
    database = await pgserver.shared().database()
    group = await replicas(database, 3, CREDIT_PACKS="10:50,50:200",
                           TELEGRAM_FLOOD_WINDOW_SCALE="0.05")
    tg.route_webhook([r.backend for r in group], spread="turn")
    people = [FakeTelegram.user(8000 + i, f"B{i}") for i in range(BUYERS)]
    buying = [asyncio.ensure_future(purchase(tg, p)) for p in people]
    await tg.wait_for(lambda: len(tg.charges) >= BUYERS // 3, within=60)
    await group[1].stop(signal.SIGKILL)  # mid-purchase: some of its updates are never answered
    await group[1].start()
    charges = [c for c in await asyncio.gather(*buying) if c is not None]
    assert len(charges) >= BUYERS - 3  # a pre-checkout the kill took may time out
    await tg.wait_for(lambda: not tg.webhook.pending_update_count, within=60)
    rows = await credited(database)
    assert sorted(c for c, _, _ in rows) == sorted(tg.charges)  # each once, none missing
    assert {credits for _, _, credits in rows} == {10}
    print(f"payments {len(tg.charges)}, credited {len(rows)}")
