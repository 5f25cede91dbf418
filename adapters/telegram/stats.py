"""/stats on Telegram: usage, spend and failures for BOT_ADMINS; anyone else is told no.

The figures name other groups and their spend, so in a group they go to the operator's private
chat with the bot, and the group is told only that they were sent there. Telegram lets a bot
write to a person only once that person has started it (403 otherwise): the group then hears
how to do that."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from adapters.stats import stats_text
from adapters.telegram.talk import TelegramTalk
from adapters.telegram.updates import actor_of
from bot.bootstrap import Core
from bot.errors import EditbotError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)


class TelegramStats:
    def __init__(self, core: Core, talk: TelegramTalk) -> None:
        self.core = core
        self._talk = talk

    async def stats(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        actor = actor_of(message.from_user)
        try:
            report = await self.core.stats.report(actor)
        except EditbotError as error:
            await self._talk.reply(message, error_text(error, actor.language))
            return
        words = stats_text(report, actor.language)
        if message.chat.type == Chat.PRIVATE:
            await self._talk.reply(message, words)
            return
        try:
            await self._talk.call(self._talk.bot.send_message, chat_id=message.from_user.id,
                                  text=words)
        except Forbidden:  # never started the bot, or blocked it
            await self._talk.reply(message, text("stats_start_privately", actor.language,
                                                 bot=self._talk.bot.username))
            return
        except TelegramError:
            log.warning("telegram: /stats could not be sent privately", exc_info=True)
            await self._talk.reply(message, text("stats_not_sent", actor.language))
            return
        await self._talk.reply(message, text("stats_sent_privately", actor.language))
