"""What the bot says in a Telegram chat besides an edit's status and result: replies, refusals
(the same one said once per cooldown), and any other Bot API call."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Message
from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.render import packs_text
from adapters.telegram.flood import Priority, Turn
from adapters.telegram.status import reply_to
from bot.bootstrap import Core
from bot.domain import Actor
from bot.errors import EditbotError, QuotaExceeded
from bot.i18n import error_text, text

log = logging.getLogger(__name__)
T = TypeVar("T")


class TelegramTalk:
    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]]) -> None:
        self.core = core
        self._bot = bot

    @property
    def bot(self) -> ExtBot[Any]:
        return self._bot()

    async def call(self, fn: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
        """A Bot API call: waiting out flood control is FloodGate's job (flood.py)."""
        return await fn(**kwargs)

    async def say(self, chat_id: int, words: str, reply_to_id: int | None,
                  priority: Priority = Priority.ANSWER) -> Message | None:
        try:
            return await self.bot.send_message(
                chat_id=chat_id, text=words, reply_parameters=reply_to(reply_to_id),
                rate_limit_args=Turn(priority))
        except TelegramError:
            log.warning("could not send a message to chat %s", chat_id, exc_info=True)
            return None

    async def reply(self, message: Message, words: str) -> None:
        await self.say(message.chat_id, words, message.message_id)

    async def refuse(self, chat_id: int, reply_to: int, actor: Actor,
                     error: EditbotError) -> None:
        """Say why a request was refused; the same refusal to the same person in the same chat
        is said once per cooldown (someone sending it 400 times is told once)."""
        if self.core.service.may_refuse((actor.key, chat_id, error.code)):
            words = error_text(error, actor.language)
            if isinstance(error, QuotaExceeded) and self.core.payments.on:  # offer the packs
                words += "\n" + text("quota_buy", actor.language,
                                     packs=packs_text(self.core.payments.packs, actor.language))
            await self.say(chat_id, words, reply_to)
