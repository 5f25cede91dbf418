"""/settings on Telegram: the group's settings as a message with an inline keyboard, edited in
place as moderators tap it; words, slow mode and the log channel by command. The rules, who
may change what and the audit are the core's (bot/community/settings.py); this module only
translates, and posts the community log's notes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from adapters.settings_panel import buttons, edit_of, panel_text
from adapters.telegram.moderation import TelegramModeration
from adapters.telegram.updates import PLATFORM, actor_of, scope_of
from bot.bootstrap import Core
from bot.community import LogNote, Rules, block, log_to, slow, split_words, unblock
from bot.errors import CommandError, EditbotError
from bot.i18n import credits, error_text, text
from bot.images import ImageBudget, fit_output

log = logging.getLogger(__name__)
PREFIX = "cfg:"
PATTERN = r"^cfg:(size:\w+|imagine|safety|spoiler|slow|logoff)$"
CAPTION_LIMIT = 1024
THUMBNAIL = ImageBudget(max_bytes=512 * 1024, max_side=640, max_ratio=20)


def keyboard(rules: Rules, core: Core, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=PREFIX + action)
                                  for label, action in row]
                                 for row in buttons(rules, core.spec, lang)])


def forwarded_from(message: Message | None) -> str:
    """The chat a message was forwarded from (a channel's post, or a group's message sent on
    behalf of the group), as its id; "" when there is none: ``/settings log`` in reply to a
    post forwarded from the log channel names that channel."""
    origin = message.forward_origin if message is not None else None
    if isinstance(origin, (MessageOriginChannel, MessageOriginChat)):
        chat = origin.chat if isinstance(origin, MessageOriginChannel) else origin.sender_chat
        return str(chat.id)
    return ""


class TelegramSettings:
    def __init__(self, core: Core, moderation: TelegramModeration,
                 bot: Callable[[], Bot]) -> None:
        self.core = core
        self.moderation = moderation
        self._bot = bot

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """/settings, the panel's taps, and the community log's notes."""
        app.add_handler(CommandHandler("settings", self.command,
                                       filters=filters.UpdateType.MESSAGE))
        app.add_handler(CallbackQueryHandler(self.on_press, pattern=PATTERN))
        self.core.logbook.connect(PLATFORM, self.post)

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/settings: the panel; /settings block|unblock words, slow N, log <chat>|off."""
        message = update.effective_message
        if message is None:
            return
        actor = self.moderation._actor(message)
        lang = self.moderation._lang(message)
        scope = scope_of(message.chat)
        community = self.core.community
        try:
            moderator = (message.chat.type != ChatType.PRIVATE
                         and await self.moderation.is_moderator(message))
            community.check_allowed(actor, scope, moderator=moderator)
            verb, rest = [*(message.text or "").split(maxsplit=2)[1:], "", ""][:2]
            verb, rest = verb.lower(), rest.strip()
            if not verb:
                rules = await community.rules(scope)
                await message.reply_text(
                    panel_text(rules, self.core.spec, lang) + "\n\n"
                    + text("settings_usage_telegram", lang),
                    reply_markup=keyboard(rules, self.core, lang))
                return
            if verb in ("block", "unblock"):
                change = block if verb == "block" else unblock
                rules = await community.change(actor, scope, "words",
                                               change(split_words(rest)), moderator=moderator)
                words = text("words_now", lang, total=len(rules.words))
            elif verb == "slow" and rest.isascii() and rest.isdigit():
                rules = await community.change(actor, scope, "slow", slow(int(rest)),
                                               moderator=moderator)
                words = text("slow_now", lang, value=text("seconds", lang, seconds=rules.slow_s)
                             if rules.slow_s else text("state_off", lang))
            elif verb == "log" and (rest or forwarded_from(message.reply_to_message)):
                words = await self._log(message, rest or forwarded_from(
                    message.reply_to_message), lang, moderator=moderator)
            else:
                words = text("settings_usage_telegram", lang)
        except EditbotError as error:
            words = error_text(error, lang)
        await self.moderation._reply(message, words)

    async def _log(self, message: Message, target: str, lang: str, *, moderator: bool) -> str:
        """Send the log to ``target`` (a chat id or @name) once a test message reaches it; or
        stop it (``off``)."""
        actor, scope = self.moderation._actor(message), scope_of(message.chat)
        if target.lower() == "off":
            await self.core.community.change(actor, scope, "log", log_to("", lang),
                                             moderator=moderator)
            return text("log_stopped", lang)
        chat_id: int | str = int(target) if target.lstrip("-").isdigit() else target
        try:  # the bot must be able to post there: said once, clearly, and nothing changes
            sent = await self._bot().send_message(
                chat_id, text("log_hello", lang, group=message.chat.title or message.chat.id))
        except TelegramError as exc:
            log.info("telegram: the log chat %s refused a post (%s)", target, exc)
            return text("log_cannot_post", lang, channel=target)
        await self.core.community.change(actor, scope, "log", log_to(str(sent.chat_id), lang),
                                         moderator=moderator)
        return text("log_now", lang, channel=target)

    async def on_press(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the panel: a moderator's change, saved and shown in place."""
        query = update.callback_query
        message = query.message if query is not None else None
        if query is None or not isinstance(message, Message) or query.data is None:
            return
        actor = actor_of(query.from_user)
        lang = actor.language
        found = edit_of(query.data.removeprefix(PREFIX), self.core.spec)
        try:
            if found is None:
                raise CommandError("settings_usage_telegram")
            moderator = await self.moderation.moderates(query.get_bot(), message.chat,
                                                        query.from_user)
            name, edit = found
            rules = await self.core.community.change(actor, scope_of(message.chat), name, edit,
                                                     moderator=moderator)
        except EditbotError as error:
            await query.answer(error_text(error, lang), show_alert=True)
            return
        try:  # redrawn first, then the tap is answered: the presser sees the change saved
            await query.edit_message_text(
                panel_text(rules, self.core.spec, lang) + "\n\n"
                + text("settings_usage_telegram", lang),
                reply_markup=keyboard(rules, self.core, lang))
        except TelegramError:  # the panel was deleted meanwhile: the change holds anyway
            log.info("telegram: the settings panel could not be redrawn", exc_info=True)
        await query.answer(text("settings_saved", lang))

    async def post(self, note: LogNote) -> None:
        """One edit in the community's log chat: the result's thumbnail with who asked, the
        prompt, the outcome and its cost (or the words alone when there is no result)."""
        lang = note.language
        words = text("log_note", lang, who=note.who, kind=note.kind, prompt=note.prompt,
                     outcome=text(f"log_{note.outcome}" if note.outcome in (
                         "delivered", "refused", "failed") else "log_other", lang),
                     cost=credits(note.credits, lang))
        chat_id = int(note.channel) if note.channel.lstrip("-").isdigit() else note.channel
        if note.image is None:
            await self._bot().send_message(chat_id, words[:4096])
            return
        thumb = await asyncio.to_thread(fit_output, note.image.data, THUMBNAIL)
        await self._bot().send_photo(chat_id, thumb.data, caption=words[:CAPTION_LIMIT],
                                     filename=f"log.{thumb.extension}")

