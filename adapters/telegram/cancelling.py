"""The Cancel button under a queued Telegram edit's status: the core calls the job off if the
presser may (its requester, a moderator of the chat, an operator) and the model was not asked
yet; the status then says the credits are back. Any other press is answered on the button
alone (a callback answer) and changes nothing."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from adapters.telegram.edits import TelegramEdits
from adapters.telegram.moderation import TelegramModeration
from adapters.telegram.updates import actor_of, scope_of
from adapters.waiting import CANCEL_PREFIX, cancelled, verdict_words
from bot.bootstrap import Core
from bot.edits import Verdict

PATTERN = r"^cancel:"


class TelegramCancels:
    def __init__(self, core: Core, edits: TelegramEdits, moderation: TelegramModeration) -> None:
        self.core = core
        self.edits = edits
        self.moderation = moderation

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(CallbackQueryHandler(self.on_press, pattern=PATTERN))

    async def on_press(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        actor = actor_of(query.from_user)
        message = query.message
        key = query.data.removeprefix(CANCEL_PREFIX)
        if message is None or not key:
            verdict = Verdict("ended")
        else:
            chat = message.chat
            moderator = await self.moderation.moderates(query.get_bot(), chat, query.from_user)
            verdict = await self.core.service.cancel(key, actor, scope_of(chat),
                                                     moderator=moderator)
        lines = self.edits.lines
        if verdict.what == "not_yet" and not lines.running(key):
            verdict = Verdict("ended")  # names no request this process is receiving
        words = verdict_words(verdict, actor.language)
        if verdict.what != "cancelled" or message is None:  # the status stays as it is
            await query.answer(words, show_alert=not cancelled(verdict))
            return
        await query.answer(words)
        line = lines.of({"key": key, "chat_id": message.chat.id, "message_id": None,
                         "status_id": message.message_id}, actor.language)
        lines.forget(key)  # no more places: the status becomes the cancel's word
        await lines.show(line, words)
