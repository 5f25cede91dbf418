"""The Cancel button under a queued Telegram edit's status: the core calls the job off if the
presser may (its requester, a moderator of the chat, an operator) and the model was not asked
yet; the status then says the credits are back. Any other press is answered on the button
alone (a callback answer) and changes nothing."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from adapters.telegram.edits import TelegramEdits
from adapters.telegram.inline_port import inline_keyboard
from adapters.telegram.moderation import TelegramModeration
from adapters.telegram.updates import PLATFORM, actor_of, scope_of
from adapters.waiting import CANCEL_PREFIX, cancelled, verdict_words
from bot.bootstrap import Core
from bot.domain import Scope
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
        if query.inline_message_id is not None and key:
            await self._inline(query, key)
            return
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

    async def _inline(self, query: CallbackQuery, key: str) -> None:
        """Cancel under an inline message: only its requester may press it (the job is on
        their own credits, so it is in their private scope)."""
        actor = actor_of(query.from_user)
        own = Scope(PLATFORM, str(query.from_user.id), private=True)
        verdict = await self.core.service.cancel(key, actor, own, moderator=False)
        words = verdict_words(verdict, actor.language)
        await query.answer(words, show_alert=not cancelled(verdict))
        if verdict.what == "cancelled" and query.inline_message_id is not None:
            with contextlib.suppress(TelegramError):  # the press was answered either way
                await query.get_bot().edit_message_caption(
                    inline_message_id=query.inline_message_id, caption=words,
                    reply_markup=inline_keyboard(actor.language))
