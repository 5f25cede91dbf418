"""/stats on Telegram: usage, spend and failures for BOT_ADMINS; anyone else is told no."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.ext import ContextTypes

from adapters.stats import stats_text
from adapters.telegram.updates import actor_of
from bot.bootstrap import Core
from bot.errors import EditbotError
from bot.i18n import error_text


class TelegramStats:
    def __init__(self, core: Core, reply: Callable[[Message, str], Awaitable[None]]) -> None:
        self.core = core
        self._reply = reply

    async def stats(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        actor = actor_of(message.from_user)
        try:
            report = await self.core.stats.report(actor)
        except EditbotError as error:
            await self._reply(message, error_text(error, actor.language))
            return
        await self._reply(message, stats_text(report, actor.language))
