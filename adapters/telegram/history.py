"""A person's recent images on Telegram: the photos they send the bot are noted (by file_id,
so inline mode can offer them again without an upload), and ``/history`` in a private chat
lists their last results, each with **Edit again**. Pressing it shows that result again (by
file_id) and asks "what should I change?"; the reply runs the edit, continuing the
conversation with the model while the result's turn is kept. Nothing is charged before the
reply."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    Chat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from adapters.telegram.asking import Pending, TelegramQuestions
from adapters.telegram.talk import TelegramTalk
from adapters.telegram.updates import ImageRef, actor_of
from bot.bootstrap import Core
from bot.domain import Actor
from bot.i18n import text

log = logging.getLogger(__name__)
SHOWN = 10  # results /history lists
PROMPT_SHOWN = 60  # characters of each result's prompt in the list
PATTERN = r"^redo:\d{1,18}$"  # the Edit again buttons' callback data


async def note_photos(core: Core, actor: Actor, refs: list[ImageRef]) -> None:
    """Remember the photos a person sent the bot (documents cannot be offered as photos)."""
    for ref in refs:
        if ref.photo:
            try:
                await core.recent.note(actor.key, ref.file_id)
            except Exception:
                log.warning("a photo sent could not be noted", exc_info=True)


class TelegramHistory:
    def __init__(self, core: Core, talk: TelegramTalk, questions: TelegramQuestions) -> None:
        self.core = core
        self.talk = talk
        self.questions = questions

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(CommandHandler("history", self.history,
                                       filters=filters.UpdateType.MESSAGE))
        app.add_handler(CallbackQueryHandler(self.on_edit_again, pattern=PATTERN))

    async def history(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None or message.chat.type != Chat.PRIVATE:
            return
        actor = actor_of(message.from_user)
        lang = actor.language
        shown = await self.core.recent.of(actor.key, limit=SHOWN, results_only=True)
        if not shown:
            await self.talk.reply(message, text("history_empty", lang))
            return
        lines = [text("history_title", lang)]
        rows = []
        for n, image in enumerate(shown, 1):
            prompt = image.prompt if len(image.prompt) <= PROMPT_SHOWN else (
                image.prompt[:PROMPT_SHOWN - 1].rstrip() + "…")
            lines.append(f"{n}. {prompt}")
            rows.append([InlineKeyboardButton(text("button_edit_again", lang, n=n),
                                              callback_data=f"redo:{image.id}")])
        try:
            await self.talk.call(message.get_bot().send_message, chat_id=message.chat_id,
                                 text="\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
        except TelegramError:
            log.warning("telegram: could not send the history", exc_info=True)

    async def on_edit_again(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or not isinstance(query.message, Message):
            return
        actor = actor_of(query.from_user)
        lang = actor.language
        image = await self.core.recent.get(int(query.data.split(":", 1)[1]), actor.key)
        if image is None or image.job_id is None:
            await query.answer(text("job_gone", lang), show_alert=True)
            return
        await query.answer()
        chat_id = query.message.chat.id
        try:
            shown = await self.talk.call(
                query.get_bot().send_photo, chat_id=chat_id, photo=image.ref,
                caption=text("ask_prompt", lang), reply_markup=ForceReply(
                    selective=True, input_field_placeholder=text("ask_placeholder", lang)))
        except TelegramError:
            log.warning("telegram: could not show a result again", exc_info=True)
            return
        parent = image.job_id if image.continues else None
        refs = () if parent else (ImageRef(image.ref, None, photo=True),)
        self.questions.keep(chat_id, shown.message_id,
                            Pending(query.message, "edit", "", refs, parent))
