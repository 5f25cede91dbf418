"""Telegram commands besides editing: /start, /help, /quota, and for moderators /setlimit
and /usage. Moderators: the group's creator and administrators (asked with getChatMember,
cached briefly), an anonymous admin posting as the group, and BOT_ADMINS."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.render import help_text, limits_text, parse_limit, quota_text, usage_text
from adapters.telegram.updates import actor_of, scope_of
from bot.bootstrap import Core
from bot.i18n import text
from bot.ledger import LimitKind

MODERATOR_CACHE_S = 60.0
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class TelegramModeration:
    def __init__(self, core: Core, names: MutableMapping[str, str],
                 reply: Callable[[Message, str], Awaitable[None]]) -> None:
        self.core = core
        self.names = names
        self._reply = reply
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_moderator(self, message: Message) -> bool:
        chat, user = message.chat, message.from_user
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator posts as the group itself
        if user is None:
            return False
        if self.core.service.is_admin(actor_of(user)):
            return True
        if chat.type == Chat.PRIVATE:
            return False
        key = (chat.id, user.id)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            member = await message.get_bot().get_chat_member(chat.id, user.id)
            allowed = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        except TelegramError:
            return False
        self._cache[key] = (time.monotonic() + MODERATOR_CACHE_S, allowed)
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
        if message.chat.type != Chat.PRIVATE and await self.is_moderator(message):
            words += "\n\n" + text("help_moderators", lang)
        await self._reply(message, words)

    async def quota(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        actor, scope = actor_of(message.from_user), scope_of(message.chat)
        ledger = self.core.ledger
        status = await ledger.status(actor=actor.key, scope=scope.key,
                                     unlimited=self.core.service.is_admin(actor))
        report = None if scope.private else await ledger.usage(scope.key)
        await self._reply(message, quota_text(status, report, actor.language))

    async def usage(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        lang = self._lang(message)
        if message.chat.type != Chat.PRIVATE and not await self.is_moderator(message):
            await self._reply(message, text("not_moderator", lang))
            return
        report = await self.core.ledger.usage(scope_of(message.chat).key)
        await self._reply(message, usage_text(report, self.names, lang))

    async def setlimit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        lang = self._lang(message)
        if message.chat.type == Chat.PRIVATE:
            await self._reply(message, text("groups_only", lang))
            return
        if not await self.is_moderator(message):
            await self._reply(message, text("not_moderator", lang))
            return
        words = [w.lower() for w in (context.args or [])]
        scope = scope_of(message.chat).key
        by = (actor_of(message.from_user).key if message.from_user and not message.sender_chat
              else f"telegram:chat:{message.chat.id}")
        ledger = self.core.ledger
        target = message.reply_to_message.from_user if message.reply_to_message else None
        if len(words) == 2 and words[0] in ("all", "total") and parse_limit(words[1]) is not False:
            kind: LimitKind = "default" if words[0] == "all" else "total"
            value = parse_limit(words[1])
            assert value is not False
            await ledger.set_limit(scope=scope, kind=kind, per_day=value, by=by)
            shown = value if value is not None else self.core.settings.default_daily_limit
            key = f"limit_{kind}_{'set' if value is not None else 'reset'}"
            await self._reply(message, text(key, lang, value=shown))
        elif len(words) == 1 and target is not None and not target.is_bot and (
                value := parse_limit(words[0])) is not False:
            member = actor_of(target)
            self.names[member.key] = target.full_name
            await ledger.set_limit(scope=scope, kind="member", member=member.key,
                                   per_day=value, by=by)
            key = "limit_member_set" if value is not None else "limit_member_reset"
            await self._reply(message, text(key, lang, name=target.full_name, value=value))
        elif not words:
            limits = await ledger.limits(scope)
            await self._reply(message, limits_text(
                limits, self.core.settings.default_daily_limit, self.names, lang) + "\n\n"
                + text("setlimit_usage", lang))
        else:
            await self._reply(message, text("setlimit_usage", lang))

