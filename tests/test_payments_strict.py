"""The payment fakes hold the platforms' rules on the wire: a Stars invoice needs an empty
provider token and exactly one price, a pre-checkout answered after Telegram's 10 seconds fails
the payment, a charge is refunded once; Discord consumes only what exists and is consumable,
and a premium button names a SKU of the app and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram

ANN = FakeTelegram.user(11, "Ann")
PRICE = [{"label": "10 credits", "amount": 50}]
INVOICE = {"chat_id": 11, "title": "10 credits", "description": "10 credits", "payload": "10:50",
           "currency": "XTR", "prices": PRICE}


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{tg.root}/bot{tg.token}") as client:
        yield client


async def call(api: httpx.AsyncClient, method: str, **params: Any) -> dict[str, Any]:
    return dict((await api.post(f"/{method}", json=params)).json())


async def test_a_stars_invoice_has_no_provider_token_and_one_price(
        tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    tg.post(FakeTelegram.private(ANN), ANN, text="hi")
    token = await call(api, "sendInvoice", **{**INVOICE, "provider_token": "284685063:TEST"})
    assert token["ok"] is False and "PAYMENT_PROVIDER_INVALID" in token["description"]
    two = await call(api, "sendInvoice", **{**INVOICE, "prices": PRICE * 2})
    assert two["ok"] is False and "STARS_INVOICE_INVALID" in two["description"]
    card = await call(api, "sendInvoice", **{**INVOICE, "currency": "USD"})
    assert card["ok"] is False  # other currencies need a provider
    good = await call(api, "sendInvoice", **{**INVOICE, "provider_token": ""})
    assert good["ok"] is True and good["result"]["invoice"]["currency"] == "XTR"


async def test_a_late_pre_checkout_answer_fails_the_payment_and_refunds_happen_once(
        tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    invoice = (await call(api, "sendInvoice", **INVOICE))["result"]
    tg.precheckout_within_s = 0.2
    late = tg.checkout(ANN, invoice)
    await tg.never(lambda: False, within=0.4)  # the deadline passes unanswered
    answer = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=late.query_id,
                        ok=True)
    assert answer["ok"] is False and "too old" in answer["description"]
    assert not tg.charges
    tg.precheckout_within_s = 10.0
    query = tg.checkout(ANN, invoice)
    refusal = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=query.query_id,
                         ok=False)
    assert refusal["ok"] is False  # a refusal must say why
    assert (await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=query.query_id,
                       ok=True))["ok"] is True
    paid = tg.complete(query)["message"]["successful_payment"]
    charge = paid["telegram_payment_charge_id"]
    assert (await call(api, "refundStarPayment", user_id=11,
                       telegram_payment_charge_id=charge))["result"] is True
    again = await call(api, "refundStarPayment", user_id=11, telegram_payment_charge_id=charge)
    assert again["ok"] is False and "CHARGE_ALREADY_REFUNDED" in again["description"]
    [payment, refund] = (await call(api, "getStarTransactions"))["result"]["transactions"]
    assert payment["id"] == refund["id"] == charge
    assert payment["source"]["invoice_payload"] == "10:50" and "receiver" in refund


@pytest.fixture
async def http(dc: FakeDiscord) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=dc.root, headers={
            "Authorization": f"Bot {dc.token}"}) as client:
        yield client


async def test_discord_consumes_what_exists_and_premium_buttons_name_a_sku(
        dc: FakeDiscord, http: httpx.AsyncClient) -> None:
    dc.add_sku("111", "10 credits")
    dc.add_sku("222", "Forever", kind=2)  # durable: not consumable
    apps = f"/api/v10/applications/{dc.app_id}"
    assert [s["id"] for s in (await http.get(f"{apps}/skus")).json()] == ["111", "222"]
    mine = await dc.buy({"id": "11"}, "111", dispatch=False)
    kept = await dc.buy({"id": "11"}, "222", dispatch=False)
    assert (await http.post(f"{apps}/entitlements/{mine['id']}/consume")).status_code == 204
    assert (await http.post(f"{apps}/entitlements/{kept['id']}/consume")).status_code == 400
    assert (await http.post(f"{apps}/entitlements/12345/consume")).status_code == 404
    listed = (await http.get(f"{apps}/entitlements", params={"user_id": "11"})).json()
    assert {e["id"]: e["consumed"] for e in listed} == {mine["id"]: True, kept["id"]: False}
    button = {"type": 2, "style": 6, "sku_id": "111"}
    for bad in ({**button, "label": "Buy"}, {**button, "custom_id": "x"},
                {**button, "sku_id": "999"}):
        answer = await http.post("/api/v10/channels/7100/messages", json={
            "content": "x", "components": [{"type": 1, "components": [bad]}]})
        assert answer.status_code == 400
    good = await http.post("/api/v10/channels/7100/messages", json={
        "content": "x", "components": [{"type": 1, "components": [button]}]})
    assert good.status_code == 200
