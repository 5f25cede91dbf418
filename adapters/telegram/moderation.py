"""Telegram commands besides editing: /start, /help, /quota, and for moderators /setlimit
and /usage. Moderators: the group's creator and administrators (asked with getChatMember,
cached briefly), an anonymous admin posting as the group, and BOT_ADMINS."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping

from telegram import Bot, Chat, Message, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.render import TELEGRAM_TEXT_LIMIT, help_text, limits_text, quota_text, usage_text
from adapters.telegram.updates import PLATFORM, actor_of, scope_of, sender_of
from bot.bootstrap import Core
from bot.commands import parse_limit
from bot.community import LimitKind
from bot.domain import Actor
from bot.errors import EditbotError
from bot.i18n import error_text, text

log = logging.getLogger(__name__)
MODERATOR_CACHE_S = 60.0
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class TelegramModeration:
    def __init__(self, core: Core, names: MutableMapping[str, str],
                 reply: Callable[[Message, str], Awaitable[None]]) -> None:
        self.core = core
        self.names = names
        self._reply = reply
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}
        self._asking: dict[tuple[int, int], asyncio.Future[bool]] = {}

    async def is_moderator(self, message: Message) -> bool:
        chat, user = message.chat, message.from_user
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator posts as the group itself
        if user is None:
            return False
        return await self.moderates(message.get_bot(), chat, user)

    async def moderates(self, bot: Bot, chat: Chat, user: User) -> bool:
        """Whether ``user`` moderates ``chat`` (a button's presser, a command's sender)."""
        if self.core.moderation.is_operator(actor_of(user)):
            return True
        if chat.type == Chat.PRIVATE:
            return False
        key = (chat.id, user.id)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        asking = self._asking.get(key)
        if asking is None:  # one getChatMember per person and chat, however many commands
            asking = asyncio.ensure_future(self._ask(bot, *key))
            self._asking[key] = asking
            asking.add_done_callback(lambda _: self._asking.pop(key, None))
        return await asyncio.shield(asking)

    async def _ask(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """The platform's fact; an error means no (a failed check never grants anything)."""
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            log.warning("telegram: could not check a member's status", exc_info=True)
            return False
        allowed = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        self._cache[(chat_id, user_id)] = (time.monotonic() + MODERATOR_CACHE_S, allowed)
        return allowed

    @staticmethod
    def _lang(message: Message) -> str:
        user = message.from_user
        return actor_of(user).language if user else "en"

    async def start(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        name = message.from_user.first_name if message.from_user else ""
        await self._reply(message, text("start", self._lang(message), name=name))

    async def help(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        lang = self._lang(message)
        settings = self.core.settings
        words = help_text(self.core.spec, lang, cost=settings.credits_per_edit,
                          cost_4k=settings.credits_per_4k_edit)
        if self.core.payments.on:
            words += "\n\n" + text("help_buy", lang)
        if message.chat.type != Chat.PRIVATE and await self.is_moderator(message):
            words += "\n\n" + text("help_moderators", lang) + "\n" + text("help_settings", lang)
        await self._reply(message, words)

    async def quota(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        actor = self._actor(message)
        view = await self.core.moderation.quota(actor, scope_of(message.chat))
        await self._reply(message, quota_text(view.status, view.scope_usage, actor.language,
                                              payments=self.core.payments.on))

    async def usage(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        try:
            report = await self.core.moderation.usage(
                self._actor(message), scope_of(message.chat),
                moderator=await self.is_moderator(message))
        except EditbotError as error:
            await self._reply(message, error_text(error, self._lang(message)))
            return
        await self._reply(message, usage_text(report, self.names, self._lang(message)))

    async def setlimit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        lang = self._lang(message)
        try:
            words = await self._setlimit(message, [w.lower() for w in (context.args or [])])
        except EditbotError as error:
            words = error_text(error, lang)
            if error.code == "bad_limit":
                words = text("setlimit_usage", lang)
        await self._reply(message, words)

    async def _setlimit(self, message: Message, words: list[str]) -> str:
        """/setlimit all|total N|reset; N|reset in a reply to a member; nothing: show."""
        lang = self._lang(message)
        moderation, actor, scope = self.core.moderation, self._actor(message), scope_of(
            message.chat)
        moderator = False if message.chat.type == Chat.PRIVATE else await self.is_moderator(
            message)
        moderation.check_limits(actor, scope, moderator=moderator)
        target = _target(message.reply_to_message)
        if not words:
            limits = await moderation.limits(actor, scope, moderator=moderator)
            hint = "\n\n" + text("setlimit_usage", lang)
            return limits_text(limits, moderation.default_limit, self.names, lang,
                               max_chars=TELEGRAM_TEXT_LIMIT - len(hint)) + hint
        if len(words) == 2 and words[0] in ("all", "total"):
            kind: LimitKind = "default" if words[0] == "all" else "total"
            change = await moderation.set_limit(actor, scope, kind, parse_limit(words[1]),
                                                moderator=moderator, by=self._by(message))
            state = "set" if change.value is not None else "reset"
            return text(f"limit_{kind}_{state}", lang, value=change.applies)
        if len(words) == 1 and target is not None:
            change = await moderation.set_limit(actor, scope, "member", parse_limit(words[0]),
                                                moderator=moderator, member=target.key,
                                                by=self._by(message))
            self.names[target.key] = target.name
            key = "limit_member_set" if change.value is not None else "limit_member_reset"
            return text(key, lang, name=target.name, value=change.value)
        return text("setlimit_usage", lang)

    @staticmethod
    def _actor(message: Message) -> Actor:
        """Who acts: the sender, or the chat a message was sent on behalf of (the group itself
        for an anonymous administrator)."""
        sender = sender_of(message)
        if sender is not None:
            return sender
        return Actor(PLATFORM, f"chat:{message.chat.id}", message.chat.title or "", "en")

    def _by(self, message: Message) -> str:
        return self._actor(message).key


def _target(reply: Message | None) -> Actor | None:
    """Whose limit a reply sets: its sender's, or, for a message sent on behalf of a chat
    (a channel), that chat's, the line its edits count on (``sender_of``). Its ``from``
    is then Telegram's shared Channel_Bot account, a bot like any other bot: a reply to a
    bot's own message limits nobody."""
    if reply is None:
        return None
    if reply.sender_chat is None and (reply.from_user is None or reply.from_user.is_bot):
        return None
    return sender_of(reply)
