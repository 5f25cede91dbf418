"""Telegram Stars end to end: the real python-telegram-bot Application against the fake Bot
API (tests/fakes/telegram_payments.py), which holds invoices, pre-checkouts, payments and
refunds to Telegram's documented rules. A pack bought is credited once, whatever Telegram
repeats; a refund takes back exactly the credits not yet used."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from prometheus_client import generate_latest

from adapters.telegram.payments import refund_from_shell
from bot.bootstrap import build
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.test_telegram_webhook import SECRET, start_replica

__all__ = ["start_replica"]  # the webhook tests' fixture: replicas behind the fake's balancer

ANN = FakeTelegram.user(11, "Ann")
OPERATOR = FakeTelegram.user(77, "Olga")
GROUP = FakeTelegram.group()
ME = FakeTelegram.private(ANN)
PACKS = "10:50,50:200"


async def balance(bot: Any, user: dict[str, Any] = ANN) -> int:
    return int(await bot.core.ledger.balance(f"telegram:{user['id']}"))


async def invoices(tg: FakeTelegram, count: int) -> list[dict[str, Any]]:
    await tg.wait_for(lambda: len(tg.sent("sendInvoice")) >= count)
    return [c.result for c in tg.sent("sendInvoice")]


async def buy(tg: FakeTelegram, bot: Any, pack: int = 0) -> dict[str, Any]:
    """Ann sends /buy and pays for one of the invoices; the successful_payment update, once
    the bot has said thanks for it."""
    before = len(tg.sent("sendInvoice"))
    tg.post(ME, ANN, text="/buy")
    offered = (await invoices(tg, before + 2))[before:]
    thanked = sum("Thank you" in t for t in tg.texts(ME["id"]))
    update = await tg.pay(ANN, offered[pack])
    assert update is not None, "the pre-checkout was not answered yes in time"
    await tg.wait_for(lambda: sum("Thank you" in t for t in tg.texts(ME["id"])) > thanked)
    return update


async def test_nothing_about_payments_appears_when_they_are_off(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    tg.post(ME, ANN, text="/buy")
    tg.post(ME, ANN, text="/help")
    tg.post(ME, ANN, text="/quota")
    await tg.wait_for(lambda: len(tg.texts(ME["id"])) >= 3)
    words = "\n".join(tg.texts(ME["id"]))
    assert words.startswith("I don't know /buy.")  # an unknown command, as any other
    assert "/buy" not in words.removeprefix("I don't know /buy.")
    assert "bought" not in words.lower()
    assert "Stars" not in words and not tg.sent("sendInvoice")
    menus = [c["command"] for call in tg.sent("setMyCommands") for c in call.params["commands"]]
    assert "buy" not in menus and "terms" not in menus
    assert "pre_checkout_query" not in tg.allowed_updates


async def test_buy_offers_each_pack_as_an_invoice_in_stars(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot(credit_packs=PACKS)
    tg.post(GROUP, ANN, text="/buy")
    await tg.wait_for(lambda: tg.texts(GROUP["id"]))
    assert "private chat" in tg.texts(GROUP["id"])[0] and not tg.sent("sendInvoice")
    tg.post(ME, ANN, text="/buy")
    first, second = await invoices(tg, 2)
    assert (first["invoice"]["currency"], first["invoice"]["total_amount"]) == ("XTR", 50)
    assert (second["invoice"]["title"], second["invoice"]["total_amount"]) == ("50 credits", 200)
    for call in tg.sent("sendInvoice"):  # Stars: no provider token, one price
        assert call.params.get("provider_token", "") == "" and len(call.params["prices"]) == 1
    menus = {c["command"] for call in tg.sent("setMyCommands") for c in call.params["commands"]}
    assert {"buy", "paysupport", "terms"} <= menus
    assert "pre_checkout_query" in tg.allowed_updates


async def test_a_payment_adds_its_credits_once_however_often_telegram_repeats_it(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(credit_packs=PACKS, default_daily_limit=2)
    update = await buy(tg, bot)
    await tg.wait_for(lambda: any("Thank you" in t for t in tg.texts(ME["id"])))
    assert "10 credits were added. You have 10 bought credits" in tg.texts(ME["id"])[-1]
    for _ in range(3):
        tg.redeliver(update)
    await tg.wait_for(lambda: tg._confirmed > max(u["update_id"] for u in tg.updates))
    assert await balance(bot) == 10
    assert sum("Thank you" in t for t in tg.texts(ME["id"])) == 1
    tg.post(ME, ANN, text="/quota")
    await tg.wait_for(lambda: "Bought credits: 10" in tg.texts(ME["id"])[-1])
    [row] = await bot.core.ledger.audit_log("payments:telegram")
    assert (row["action"], row["actor"], row["new_value"]) == ("purchase", "telegram:11", 10)


async def test_a_pack_taken_off_the_offer_is_refused_before_anyone_pays(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(credit_packs=PACKS)
    tg.post(ME, ANN, text="/buy")
    old, _ = await invoices(tg, 2)
    await bot.stop()
    bot = await start_bot(credit_packs="10:60")  # the operator changed the price
    assert await tg.pay(ANN, old) is None
    [answer] = tg.sent("answerPreCheckoutQuery")
    assert answer.params["ok"] is False
    assert "no longer on offer" in answer.params["error_message"]
    assert await balance(bot) == 0 and not tg.charges


async def test_a_payment_whose_update_was_lost_is_credited_at_the_next_start(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(credit_packs=PACKS)
    tg.post(ME, ANN, text="/buy")
    offered = await invoices(tg, 2)
    await bot.stop()
    # paid while the bot was down; its update taken by a poll that died before the credit
    payment = tg.complete(tg.checkout(ANN, offered[1]))
    tg.updates.remove(payment)
    bot = await start_bot(credit_packs=PACKS)
    assert await balance(bot) == 50
    tg.redeliver(payment)  # and should Telegram deliver it after all: still once
    await tg.wait_for(lambda: tg._confirmed > max(u["update_id"] for u in tg.updates))
    assert await balance(bot) == 50


async def test_a_refund_takes_back_exactly_the_unused_credits(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(credit_packs=PACKS, default_daily_limit=0,
                          bot_admins="telegram:77")
    update = await buy(tg, bot)
    charge = update["message"]["successful_payment"]["telegram_payment_charge_id"]
    for n in range(3):  # three edits, paid from the balance: no free credits here
        tg.post(ME, ANN, text=f"/imagine a llama {n}")
        await tg.wait_for(lambda n=n: len(tg.photos(ME["id"])) > n)
    assert await balance(bot) == 7
    tg.post(ME, ANN, text=f"/refund {charge}")  # not an operator
    await tg.wait_for(lambda: "Only the bot's operators" in tg.texts(ME["id"])[-1])
    desk = FakeTelegram.private(OPERATOR)
    tg.post(desk, OPERATOR, text=f"/refund {charge}")
    await tg.wait_for(lambda: tg.texts(desk["id"]))
    assert tg.texts(desk["id"])[-1] == "Refunded. 7 unused credits were taken back."
    [call] = tg.sent("refundStarPayment")
    assert call.params == {"user_id": 11, "telegram_payment_charge_id": charge}
    await tg.wait_for(lambda: any("refunded" in t for t in tg.texts(ME["id"])))
    assert "7 unused credits" in tg.texts(ME["id"])[-1]
    assert await balance(bot) == 0
    tg.post(desk, OPERATOR, text=f"/refund {charge}")  # again: Telegram says already
    await tg.wait_for(lambda: len(tg.texts(desk["id"])) == 2)
    assert tg.texts(desk["id"])[-1] == "Refunded. 7 unused credits were taken back."
    sales = await bot.core.ledger.sales()
    assert (sales["stars"], sales["refunds"], sales["stars_refunded"]) == (50, 1, 50)


async def test_out_of_credits_offers_the_packs_and_terms_are_the_operators(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    await start_bot(credit_packs=PACKS, default_daily_limit=0,
                    terms_text="Our terms: be kind.", paysupport_text="")
    tg.post(ME, ANN, text="/imagine a llama")
    await tg.wait_for(lambda: tg.texts(ME["id"]))
    said = tg.texts(ME["id"])[-1]
    assert "/buy (10 credits for 50 Stars, 50 credits for 200 Stars)" in said
    tg.post(ME, ANN, text="/terms")
    await tg.wait_for(lambda: tg.texts(ME["id"])[-1] == "Our terms: be kind.")
    tg.post(ME, ANN, text="/paysupport")
    await tg.wait_for(lambda: "write to the people who run this bot" in tg.texts(ME["id"])[-1])
    tg.post(ME, ANN, text="/help")
    await tg.wait_for(lambda: "/buy more in a private chat" in tg.texts(ME["id"])[-1])


async def test_by_webhook_the_precheckout_is_answered_and_redeliveries_credit_once(
        tg: FakeTelegram, start_replica: Callable[..., Any]) -> None:
    first = await start_replica(credit_packs=PACKS)
    second = await start_replica(credit_packs=PACKS)
    [call] = tg.sent("setWebhook")[-1:]
    assert "pre_checkout_query" in call.params["allowed_updates"]
    update = await buy(tg, first.adapter)  # the pre-checkout went through the webhook
    await tg.wait_for(lambda: update["update_id"] in tg.webhook.delivered)
    assert await balance(first.adapter) == 10
    # the balancer posts it again, to both replicas at once (an answer lost on the way)
    async with aiohttp.ClientSession() as session:
        async def post(replica: Any) -> int:
            async with session.post(replica.hook, json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
                return r.status

        statuses = await asyncio.gather(*(post(r) for r in (first, second) * 3))
    assert statuses == [200] * 6
    assert await balance(first.adapter) == 10 and await balance(second.adapter) == 10
    assert sum("Thank you" in t for t in tg.texts(ME["id"])) == 1


async def test_operators_see_stars_credits_refunds_and_revenue_beside_the_spend(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(credit_packs=PACKS, bot_admins="telegram:77", star_usd_rate=0.02)
    await buy(tg, bot, pack=1)  # 50 credits for 200 Stars
    desk = FakeTelegram.private(OPERATOR)
    tg.post(desk, OPERATOR, text="/stats")
    await tg.wait_for(lambda: tg.texts(desk["id"]))
    report = tg.texts(desk["id"])[-1]
    assert "Estimated spend: $0.00" in report
    assert ("Sales: 200 Stars for 50 credits (1 purchases), 0 refunds; estimated revenue $4.00"
            in report)
    scraped = generate_latest(bot.core.metrics.registry).decode()
    assert 'editbot_sales_total{platform="telegram",what="stars"} 200.0' in scraped
    assert 'editbot_sales_total{platform="telegram",what="credits_sold"} 50.0' in scraped
    assert "editbot_revenue_usd_total 4.0" in scraped
    report_json = (await bot.core.stats.report(None)).to_json()
    assert report_json["today"]["sales"]["revenue_usd"] == 4.0


async def test_the_operator_refunds_from_the_shell(
        tg: FakeTelegram, start_bot: Callable[..., Any], make_settings: Callable[..., Any],
        capsys: pytest.CaptureFixture[str]) -> None:
    bot = await start_bot(credit_packs=PACKS)
    update = await buy(tg, bot)
    charge = update["message"]["successful_payment"]["telegram_payment_charge_id"]
    shell = build(make_settings(telegram_bot_token=tg.token, telegram_api_base_url=tg.root))
    assert await refund_from_shell(shell, charge)
    assert capsys.readouterr().out == "Refunded. 10 unused credits were taken back.\n"
    assert tg.charges[charge]["refunded"] and await balance(bot) == 0
    shell = build(make_settings(telegram_bot_token=tg.token, telegram_api_base_url=tg.root))
    assert not await refund_from_shell(shell, "stxNOSUCHCHARGE")
    assert capsys.readouterr().out == "No payment has that id.\n"
