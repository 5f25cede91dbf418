"""Telegram Stars in the fake Bot API: invoices, the pre-checkout, payments and refunds, as the
Bot API documents them (Bot API 10.1, "Payments" and "Telegram Stars").

- ``sendInvoice`` in ``XTR`` needs an empty (or no) provider token and exactly one price; the
  title is 1-32 characters, the description 1-255, the payload 1-128 bytes.
- A buyer's ``pay`` sends a ``pre_checkout_query`` update; the bot must answer it with
  ``answerPreCheckoutQuery`` within 10 seconds (``precheckout_within_s``). Only an ``ok``
  answer in time completes the payment: a ``successful_payment`` message in the buyer's private
  chat, with a new ``telegram_payment_charge_id``. An answer after the deadline is refused and
  the payment fails.
- ``refundStarPayment`` refunds a charge once (CHARGE_ALREADY_REFUNDED after), and the buyer's
  chat gets a ``refunded_payment`` service message, as Telegram sends it.
- ``getStarTransactions`` lists the bot's Star transactions, payments and refunds, oldest first.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any

STARS = "XTR"


class ApiError(Exception):
    """A Bot API error answer: its HTTP status and description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass
class Checkout:
    query_id: str
    user: dict[str, Any]
    payload: str
    amount: int
    sent_at: float
    answer: dict[str, Any] | None = None
    late: bool = False


class TelegramPayments:
    """Mixed into FakeTelegram: its ``_enqueue``, ``_message``, ``_chat`` and ``_notify``."""

    precheckout_within_s = 10.0

    def _payments_init(self) -> None:
        self.checkouts: dict[str, Checkout] = {}
        self.payloads: dict[tuple[int, int], str] = {}  # an invoice's payload, never shown
        self.charges: dict[str, dict[str, Any]] = {}  # charge id -> user, amount, payload
        self.transactions: list[dict[str, Any]] = []
        self._charge_ids = itertools.count(1)

    # -- the API -------------------------------------------------------------------------------
    async def _m_sendInvoice(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        title, description = str(p.get("title", "")), str(p.get("description", ""))
        payload, currency = str(p.get("payload", "")), str(p.get("currency", ""))
        prices = p.get("prices")
        if not 1 <= len(title) <= 32:
            raise ApiError(400, "Bad Request: INVOICE_TITLE_INVALID")
        if not 1 <= len(description) <= 255:
            raise ApiError(400, "Bad Request: INVOICE_DESCRIPTION_INVALID")
        if not 1 <= len(payload.encode()) <= 128:
            raise ApiError(400, "Bad Request: INVOICE_PAYLOAD_INVALID")
        if not isinstance(prices, list) or not prices or not all(
                isinstance(x, dict) and isinstance(x.get("amount"), int) and x.get("label")
                for x in prices):
            raise ApiError(400, "Bad Request: can't parse prices JSON object")
        if currency == STARS:
            if p.get("provider_token"):
                raise ApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
            if len(prices) != 1:
                raise ApiError(400, "Bad Request: STARS_INVOICE_INVALID")
        elif not p.get("provider_token"):
            raise ApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
        total = sum(int(x["amount"]) for x in prices)
        if total <= 0:
            raise ApiError(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        message = self._message(self._chat(p["chat_id"]), self.me, invoice={
            "title": title, "description": description, "start_parameter": "",
            "currency": currency, "total_amount": total})
        self.payloads[(message["chat"]["id"], message["message_id"])] = payload
        return message

    async def _m_answerPreCheckoutQuery(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        checkout = self.checkouts.get(str(p.get("pre_checkout_query_id", "")))
        if checkout is None or checkout.answer is not None:
            raise ApiError(400, "Bad Request: QUERY_ID_INVALID")
        ok = p.get("ok")
        if ok is not True and ok is not False:
            raise ApiError(400, "Bad Request: ok must be a boolean")
        if ok is False and not str(p.get("error_message") or "").strip():
            raise ApiError(400, "Bad Request: ERROR_MESSAGE_EMPTY")
        if time.monotonic() - checkout.sent_at > self.precheckout_within_s:
            checkout.late = True
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid")
        checkout.answer = {"ok": ok, "error_message": p.get("error_message")}
        return True

    async def _m_refundStarPayment(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        charge = self.charges.get(str(p.get("telegram_payment_charge_id", "")))
        if charge is None or charge["user"]["id"] != p.get("user_id"):
            raise ApiError(400, "Bad Request: CHARGE_NOT_FOUND")
        if charge["refunded"]:
            raise ApiError(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
        charge["refunded"] = True
        self.transactions.append({
            "id": charge["id"], "amount": charge["amount"], "date": int(time.time()),
            "receiver": {"type": "user", "transaction_type": "invoice_payment",
                         "user": charge["user"]}})
        self._service(charge["user"], refunded_payment={
            "currency": STARS, "total_amount": charge["amount"],
            "invoice_payload": charge["payload"], "telegram_payment_charge_id": charge["id"]})
        return True

    async def _m_getStarTransactions(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        return {"transactions": self.transactions[offset:offset + max(1, min(limit, 100))]}

    # -- what buyers do ------------------------------------------------------------------------
    def checkout(self, user: dict[str, Any], invoice: dict[str, Any]) -> Checkout:
        """The buyer presses Pay on an invoice: a pre_checkout_query the bot must answer."""
        key = (invoice["chat"]["id"], invoice["message_id"])
        stored = self.messages[key]
        query = Checkout(f"pcq{next(self._charge_ids)}", user, self.payloads[key],
                         stored["invoice"]["total_amount"], time.monotonic())
        self.checkouts[query.query_id] = query
        self._enqueue("pre_checkout_query", {
            "id": query.query_id, "from": user, "currency": stored["invoice"]["currency"],
            "total_amount": query.amount, "invoice_payload": query.payload})
        return query

    async def pay(self, user: dict[str, Any], invoice: dict[str, Any]) -> dict[str, Any] | None:
        """Checkout, then Telegram's side: the payment is made only if the bot said ok within
        the deadline. Returns the successful_payment message's update, or None."""
        query = self.checkout(user, invoice)
        deadline = query.sent_at + self.precheckout_within_s
        while query.answer is None and not query.late and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if query.answer is None or query.answer["ok"] is not True:
            return None
        return self.complete(query)

    def complete(self, query: Checkout) -> dict[str, Any]:
        """The payment goes through: a new charge, and its successful_payment message."""
        charge_id = f"stxCHARGE{next(self._charge_ids):06d}"
        self.charges[charge_id] = {"id": charge_id, "user": query.user, "amount": query.amount,
                                   "payload": query.payload, "refunded": False}
        self.transactions.append({
            "id": charge_id, "amount": query.amount, "date": int(time.time()),
            "source": {"type": "user", "transaction_type": "invoice_payment",
                       "user": query.user, "invoice_payload": query.payload}})
        return self._service(query.user, successful_payment={
            "currency": STARS, "total_amount": query.amount, "invoice_payload": query.payload,
            "telegram_payment_charge_id": charge_id, "provider_payment_charge_id": ""})

    def _service(self, user: dict[str, Any], **fields: Any) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        message = self._message(chat, user, **fields)
        return self._enqueue("message", message)

    def redeliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Telegram sends an update again (a webhook answered late, a poll that lost it)."""
        again = {"update_id": 5000 + len(self.updates) + 1,
                 **{k: v for k, v in update.items() if k != "update_id"}}
        self.updates.append(again)
        if self.webhook.active and self._allowed(again):
            self.webhook.offer(again)
        asyncio.get_running_loop().create_task(self._notify())
        return again
