"""Telegram Stars: /buy (a private chat's invoices, one per pack, in XTR), the pre-checkout
answered at once, the payment credited once per charge id, refunds, and /paysupport and
/terms, which Telegram requires of a bot that sells. Registered only when CREDIT_PACKS is set.

A payment's credit is written before its update is taken: in webhook mode the 200 waits for
it (Telegram delivers again until then), and at every start the bot reads its Star
transactions (``getStarTransactions``) and credits any payment whose update it never
processed (polling confirms an update with the next poll, before its handler ends).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Chat, LabeledPrice, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from adapters.telegram.updates import actor_of
from bot.bootstrap import Core
from bot.domain import Actor
from bot.errors import ConfigError, EditbotError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)
ALREADY = "CHARGE_ALREADY_REFUNDED"
PAGE = 100  # getStarTransactions returns at most 100 a call


class TelegramPayments:
    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]],
                 reply: Callable[[Message, str], Awaitable[None]]) -> None:
        self.core = core
        self.payments = core.payments
        self._bot = bot
        self._reply = reply

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """CREDIT_PACKS set: /buy, the pre-checkout, payments, refunds, /paysupport, /terms."""
        if not self.payments.on:
            return
        app.add_handler(PreCheckoutQueryHandler(self.precheckout))
        app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, self.paid))
        app.add_handler(MessageHandler(filters.StatusUpdate.REFUNDED_PAYMENT, self.refunded))
        for name, handler in (("buy", self.buy), ("refund", self.refund),
                              ("paysupport", self.support), ("terms", self.terms)):
            app.add_handler(CommandHandler(name, handler,
                                           filters=filters.UpdateType.MESSAGE))

    async def buy(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        lang = actor_of(message.from_user).language
        if message.chat.type != Chat.PRIVATE:
            await self._reply(message, text("pay_private", lang))
            return
        await self._reply(message, text("pay_packs", lang))
        for pack in self.payments.packs:
            label = text("pay_title", lang, credits=pack.credits)
            await self._bot().send_invoice(
                chat_id=message.chat_id, title=label, payload=pack.key, currency="XTR",
                description=text("pay_description", lang, credits=pack.credits,
                                 stars=pack.price),
                provider_token="", prices=[LabeledPrice(label, pack.price)])

    async def precheckout(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Answered at once (Telegram waits 10 s): yes, or why not."""
        query = update.pre_checkout_query
        if query is None:
            return
        refusal = self.payments.checkout(query.invoice_payload, query.currency,
                                         query.total_amount)
        lang = actor_of(query.from_user).language
        await query.answer(ok=refusal is None,
                           error_message=None if refusal is None else text(refusal, lang))

    async def paid(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        paid = message.successful_payment if message is not None else None
        if message is None or paid is None or message.from_user is None:
            return
        actor = actor_of(message.from_user)
        sale = await self.payments.credit_stars(
            actor, charge_id=paid.telegram_payment_charge_id, payload=paid.invoice_payload,
            currency=paid.currency, amount=paid.total_amount)
        if sale.new:
            balance = await self.payments.balance(actor)
            await self._reply(message, text("pay_thanks", actor.language,
                                            credits=sale.credits, balance=balance))

    async def refunded(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram says a payment was refunded (by /refund, or by Telegram itself)."""
        message = update.effective_message
        refund = message.refunded_payment if message is not None else None
        if message is None or refund is None or message.from_user is None:
            return
        done = await self.payments.refunded(refund.telegram_payment_charge_id, by="telegram")
        if done is not None:  # the buyer hears of it here, whoever refunded it first
            await self._reply(message, text("pay_refunded", actor_of(message.from_user).language,
                                            credits=done.credits))

    async def refund(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/refund CHARGE_ID, for BOT_ADMINS: refundStarPayment, then the credits back."""
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        actor = actor_of(message.from_user)
        args = context.args or []
        if len(args) != 1:
            await self._reply(message, text("refund_usage", actor.language))
            return
        await self._reply(message, (await self.refund_charge(actor, args[0]))[1])

    async def refund_charge(self, actor: Actor, charge_id: str) -> tuple[bool, str]:
        """Refund one payment: whether it is refunded, and what to say, in ``actor``'s
        language. Telegram first (refundStarPayment), then the credits back; a payment
        Telegram had refunded already still gets its credits taken back."""
        lang = actor.language
        try:
            user_id = await self.payments.refundable(actor, charge_id)
        except EditbotError as error:
            return False, error_text(error, lang)
        except LookupError:
            return False, text("refund_unknown", lang)
        try:
            await self._bot().refund_star_payment(user_id=int(user_id),
                                                  telegram_payment_charge_id=charge_id)
        except BadRequest as exc:
            if ALREADY not in exc.message.upper():
                return False, text("refund_failed", lang, reason=exc.message)
        except TelegramError as exc:
            return False, text("refund_failed", lang, reason=exc.message)
        done = await self.payments.refunded(charge_id, by=actor.key)
        return True, text("refund_done", lang, credits=done.credits if done else 0)

    async def support(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say_setting(update, self.core.settings.paysupport_text, "paysupport")

    async def terms(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say_setting(update, self.core.settings.terms_text, "terms")

    async def _say_setting(self, update: Update, words: str, fallback: str) -> None:
        message = update.effective_message
        if message is None:
            return
        lang = actor_of(message.from_user).language if message.from_user else "en"
        await self._reply(message, words.strip() or text(fallback, lang))

    async def catch_up(self) -> int:
        """Credit the payments whose updates were never processed (a stop between the
        payment and its credit): every Star transaction from a user for one of our invoices.
        Returns how many were credited now."""
        added, offset = 0, 0
        if not self.payments.on:
            return 0
        while True:
            try:
                page = await self._bot().get_star_transactions(offset=offset, limit=PAGE)
            except TelegramError:
                log.warning("telegram: could not read the Star transactions", exc_info=True)
                return added
            for done in page.transactions:
                if getattr(done.receiver, "user", None) is not None:  # a refund we gave
                    await self.payments.refunded(done.id, by="telegram")
                    continue
                source = done.source
                payload = getattr(source, "invoice_payload", None)
                user = getattr(source, "user", None)
                if payload is None or user is None:
                    continue
                sale = await self.payments.credit_stars(
                    actor_of(user), charge_id=done.id, payload=payload, currency="XTR",
                    amount=done.amount)
                added += sale.new
            if len(page.transactions) < PAGE:
                return added
            offset += PAGE


async def refund_from_shell(core: Core, charge_id: str) -> bool:
    """``python -m bot refund CHARGE_ID``: the operator's /refund, from the shell."""
    settings = core.settings
    if settings.telegram_bot_token is None:
        raise ConfigError.about("refund needs TELEGRAM_BOT_TOKEN: Stars are refunded by the "
                                "bot that was paid", "TELEGRAM_BOT_TOKEN")
    root = settings.telegram_api_base_url
    bot: ExtBot[Any] = ExtBot(settings.telegram_bot_token.get_secret_value(),
                              base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    user = getpass.getuser()
    await core.start()
    try:
        async with bot:
            done, words = await TelegramPayments(core, lambda: bot, _silent).refund_charge(
                Actor("cli", user, user), charge_id)
    finally:
        await core.aclose()
    print(words)
    return done


async def _silent(message: Message, words: str) -> None:
    """The shell has no chat to reply in: refund_from_shell prints instead."""
