"""Discord SKUs end to end: the real discord.py client against the fake Discord
(tests/fakes/discord_payments.py). An entitlement to one of DISCORD_SKU_CREDITS adds its
credits once, however it arrives (the gateway, an interaction, the list read at start) and
however often, and is consumed; out of credits, the answer carries a premium button per SKU."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adapters.discord.app import DiscordAdapter
from bot.ledger import QuotaLedger
from tests import pgserver
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.test_discord import results
from tests.test_discord_process import environment, launch

ANN = FakeDiscord.user(11, "ann")
SMALL, LARGE = "1300000000000000001", "1300000000000000002"
SKUS = f"{SMALL}:3,{LARGE}:20"


async def balance(bot: Any, user: dict[str, Any] = ANN) -> int:
    return int(await bot.core.ledger.balance(f"discord:{user['id']}"))


def consumed(dc: FakeDiscord) -> list[str]:
    return [c.path.split("/")[-2] for c in dc.sent("POST", "/consume")
            if getattr(c.result, "status", None) == 204]


async def test_without_skus_nothing_is_offered_or_consumed(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    dc.add_sku(SMALL)
    await start_discord(default_daily_limit=0)
    await dc.buy(ANN, SMALL)  # someone else's SKU, or payments off: left alone
    await dc.slash(ANN, "imagine", {"prompt": "a llama"})
    [answer] = await dc.wait_for(lambda: dc.sent("POST", "/callback"))
    assert "components" not in answer.body["data"] or not answer.body["data"]["components"]
    assert "buy" not in answer.body["data"]["content"].lower()
    assert not dc.sent("POST", "/consume") and not dc.sent("GET", "/entitlements")


async def test_an_entitlement_adds_its_credits_once_and_is_consumed(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    dc.add_sku(SMALL, "3 credits")
    dc.add_sku(LARGE, "20 credits")
    bot = await start_discord(discord_sku_credits=SKUS, default_daily_limit=0)
    await dc.slash(ANN, "imagine", {"prompt": "a llama"})
    [answer] = await dc.wait_for(lambda: dc.sent("POST", "/callback"))
    assert "buy credits with a button below" in answer.body["data"]["content"]
    [row] = answer.body["data"]["components"]
    assert [(b["type"], b["style"], b["sku_id"]) for b in row["components"]] == [
        (2, 6, SMALL), (2, 6, LARGE)]
    entitlement = await dc.buy(ANN, SMALL)  # ENTITLEMENT_CREATE on the gateway
    await dc.wait_for(lambda: entitlement["id"] in consumed(dc))
    assert await balance(bot) == 3
    await dc.dispatch("ENTITLEMENT_CREATE", entitlement)  # delivered again: still once
    await dc.slash(ANN, "imagine", {"prompt": "a llama"})
    await dc.wait_for(lambda: results(dc))
    assert await balance(bot) == 2  # the edit took one bought credit
    rows = await bot.core.ledger.audit_log("payments:discord")
    assert [(r["action"], r["target"], r["new_value"]) for r in rows] == [
        ("purchase", entitlement["id"], 3)]


async def test_an_entitlement_on_an_interaction_counts_for_that_request(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    dc.add_sku(SMALL)
    bot = await start_discord(discord_sku_credits=SKUS, default_daily_limit=0)
    entitlement = await dc.buy(ANN, SMALL, dispatch=False)  # the event never came
    await dc.slash(ANN, "imagine", {"prompt": "a llama"})  # it rides on the interaction
    await dc.wait_for(lambda: results(dc))
    assert await balance(bot) == 2 and entitlement["id"] in consumed(dc)


async def test_a_stop_between_purchase_and_credit_loses_nothing(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    dc.add_sku(SMALL)
    dc.add_sku(LARGE)
    bot = await start_discord(discord_sku_credits=SKUS)
    await bot.stop()
    bought = [await dc.buy(ANN, LARGE, dispatch=False) for _ in range(2)]  # while down
    bot = await start_discord(discord_sku_credits=SKUS)
    assert await balance(bot) == 40
    assert sorted(consumed(dc)) == sorted(e["id"] for e in bought)
    for entitlement in bought:  # the events arrive late after all: nothing more
        await dc.dispatch("ENTITLEMENT_CREATE", entitlement)
    await dc.slash(ANN, "quota", {})
    [answer] = await dc.wait_for(lambda: dc.sent("POST", "/callback"))
    assert "Bought credits: 40" in answer.body["data"]["content"]
    assert await balance(bot) == 40


async def test_a_mention_out_of_credits_gets_the_buy_buttons_too(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    dc.add_sku(SMALL)
    await start_discord(discord_sku_credits=f"{SMALL}:3", default_daily_limit=0)
    photo = dc.attachment(make_image(64, 64, "PNG"))
    await dc.say(ANN, f"<@{dc.app_id}> add a hat", attachments=[photo], mentions_bot=True)
    [reply] = await dc.wait_for(lambda: dc.sent("POST", "/messages"))
    assert "buy credits with a button below" in reply.body["content"]
    [row] = reply.body["components"]
    assert [(b["style"], b["sku_id"]) for b in row["components"]] == [(6, SMALL)]


async def test_a_sigkill_between_purchase_and_credit_credits_once_after_the_restart(
        dc: FakeDiscord, gemini: FakeGemini, tmp_path: Path) -> None:
    dc.add_sku(SMALL)
    env = {**environment(dc, gemini, tmp_path), "DISCORD_SKU_CREDITS": SKUS}
    crashed = await launch(env, tmp_path)
    try:
        await dc.wait_for(lambda: dc.identified and "7000" in dc.commands, within=30)
        first = await dc.buy(ANN, SMALL)  # credited and consumed while it runs
        await dc.wait_for(lambda: first["id"] in consumed(dc), within=30)
        second = await dc.buy(ANN, SMALL, dispatch=False)  # its event dies with the process
    finally:
        crashed.kill()  # SIGKILL: no shutdown code runs
        await asyncio.wait_for(crashed.communicate(), 30)
    restarted = await launch(env, tmp_path)
    try:
        await dc.wait_for(lambda: second["id"] in consumed(dc), within=60)
        await dc.dispatch("ENTITLEMENT_CREATE", second)  # and the event after all
        await dc.dispatch("ENTITLEMENT_CREATE", first)
        await dc.slash(ANN, "quota", {})
        await dc.wait_for(lambda: any("Bought credits" in str(c.body)
                                      for c in dc.sent("POST", "/callback")), within=30)
    finally:
        restarted.send_signal(signal.SIGTERM)
        await asyncio.wait_for(restarted.communicate(), 30)
    ledger = QuotaLedger.open(env["DATABASE_URL"], default_limit=10, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    try:
        assert await ledger.balance("discord:11") == 6  # two purchases of 3, each once
    finally:
        await ledger.close()


async def test_three_replicas_given_the_same_entitlement_credit_it_once(
        dc: FakeDiscord, make_core: Callable[..., Any]) -> None:
    dc.add_sku(SMALL)
    url = await pgserver.shared().database()
    replicas = []
    for _ in range(3):
        core = await make_core(discord_bot_token=dc.token, discord_api_base_url=dc.api,
                               discord_gateway_url=dc.gateway, database_url=url,
                               discord_sku_credits=SKUS)
        replica = DiscordAdapter(core, guild_ready_timeout=0.1, grace_s=1)
        await replica.start()
        replicas.append(replica)
    try:
        bought = [await dc.buy(ANN, SMALL) for _ in range(4)]  # each event to all three
        for entitlement in bought:
            await dc.dispatch("ENTITLEMENT_CREATE", entitlement)  # and once more
        await dc.wait_for(lambda: {e["id"] for e in bought} <= set(consumed(dc)), within=30)
        assert await replicas[0].core.ledger.balance("discord:11") == 12
        rows = await replicas[0].core.ledger.audit_log("payments:discord")
        assert sorted(r["target"] for r in rows) == sorted(e["id"] for e in bought)
    finally:
        for replica in replicas:
            await replica.stop()
