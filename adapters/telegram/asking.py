"""Telegram requests that wait for the user: a photo without words asks "what should I
change?" (the answer, a reply, is the prompt); plain text in a private chat is offered as a new
image behind a button that says its cost; a word that only looks like an option ("did you mean
9:16?") is asked about with one button per reading. Nothing runs or is charged before the
answer or the pick, and only the one who asked may pick."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.talk import TelegramTalk
from adapters.telegram.updates import ImageRef, actor_of
from bot.bootstrap import Core
from bot.commands import Guess, parse_arguments
from bot.domain import CommandKind
from bot.errors import CommandError
from bot.i18n import credits, error_text, text

log = logging.getLogger(__name__)
REMEMBER = 500  # open questions and suggestions kept per process


@dataclass(frozen=True, slots=True)
class Pending:
    """A request waiting for the user: an answer to "what should I change?", or a pick."""

    message: Message
    kind: CommandKind
    args: str
    refs: tuple[ImageRef, ...]
    parent: int | None = None

    @property
    def question(self) -> bool:
        """"What should I change?": the reply to it brings the words."""
        return self.kind == "edit" and not self.args


class Accept(Protocol):
    def __call__(self, message: Message, kind: CommandKind, args: str, refs: list[ImageRef],
                 *, guess: Guess = ..., parent: int | None = ...) -> Awaitable[None]: ...


class TelegramQuestions:
    def __init__(self, core: Core, talk: TelegramTalk, accept: Accept) -> None:
        self.core = core
        self.talk = talk
        self._accept = accept
        self.pending: OrderedDict[tuple[int, int], Pending] = OrderedDict()

    def asked(self, chat_id: int, message_id: int) -> Pending | None:
        return self.pending.get((chat_id, message_id))

    def keep(self, chat_id: int, message_id: int, pending: Pending) -> None:
        """Wait for the answer to ``message_id`` (a question asked elsewhere: Edit again)."""
        self._keep(chat_id, message_id, pending)

    def _keep(self, chat_id: int, message_id: int, pending: Pending) -> None:
        self.pending[(chat_id, message_id)] = pending
        while len(self.pending) > REMEMBER:
            self.pending.popitem(last=False)

    async def _send(self, message: Message, words: str,
                    markup: InlineKeyboardMarkup | ForceReply) -> Message | None:
        try:
            return await self.talk.call(
                message.get_bot().send_message, chat_id=message.chat_id, text=words,
                reply_markup=markup, reply_parameters=ReplyParameters(
                    message_id=message.message_id, allow_sending_without_reply=True))
        except TelegramError:
            log.warning("telegram: could not ask in chat %s", message.chat_id, exc_info=True)
            return None

    async def ask(self, message: Message, refs: list[ImageRef]) -> None:
        """A photo without words: ask what to change; the answer (a reply) is the prompt."""
        assert message.from_user is not None
        lang = actor_of(message.from_user).language
        question = await self._send(message, text("ask_prompt", lang), ForceReply(
            selective=True, input_field_placeholder=text("ask_placeholder", lang)))
        if question is not None:
            self._keep(message.chat_id, question.message_id,
                       Pending(message, "edit", "", tuple(refs)))

    def _cost(self, kind: CommandKind, args: str, guess: Guess) -> int:
        command = parse_arguments(kind, args, self.core.spec, guess=guess)
        return self.core.service.credits_for(command)

    async def offer(self, message: Message, words: str) -> None:
        """Plain text in a private chat: a new image, only once the button is pressed."""
        assert message.from_user is not None
        lang = actor_of(message.from_user).language
        try:
            cost = self._cost("imagine", words, "ask")
        except CommandError as error:
            if error.code == "did_you_mean":
                await self.suggest(message, "imagine", words, [], error)
            else:
                await self.talk.reply(message, error_text(error, lang))
            return
        button = InlineKeyboardButton(text("button_generate", lang, credits=credits(cost, lang)),
                                      callback_data="gen:ask")
        sent = await self._send(message, text("offer_generate", lang),
                                InlineKeyboardMarkup([[button]]))
        if sent is not None:
            self._keep(message.chat_id, sent.message_id, Pending(message, "imagine", words, ()))

    async def suggest(self, message: Message, kind: CommandKind, args: str,
                      refs: list[ImageRef], error: CommandError,
                      parent: int | None = None) -> None:
        """"Did you mean 9:16?" with one button per reading, each with its cost."""
        assert message.from_user is not None
        lang = actor_of(message.from_user).language
        rows = []
        for guess, key in (("accept", "button_yes"), ("literal", "button_as_typed")):
            try:
                cost = credits(self._cost(kind, args, guess), lang)  # type: ignore[arg-type]
            except CommandError:
                continue  # that reading is not a valid request
            rows.append([InlineKeyboardButton(
                text(key, lang, value=error.params["value"], token=error.params["token"],
                     credits=cost), callback_data=f"pick:{guess}")])
        sent = await self._send(message, error_text(error, lang), InlineKeyboardMarkup(rows))
        if sent is not None:
            self._keep(message.chat_id, sent.message_id,
                       Pending(message, kind, args, tuple(refs), parent))

    # -- the buttons of offers and suggestions -------------------------------------------------
    async def on_pick(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        guess = query.data.split(":", 1)[1]
        actor = actor_of(query.from_user)
        pending = self.pending.get((query.message.chat.id, query.message.message_id))
        if pending is None:
            await query.answer(text("offer_gone", actor.language), show_alert=True)
            return
        owner = pending.message.from_user
        if owner is None or owner.id != query.from_user.id:
            await query.answer(text("not_your_button", actor.language), show_alert=True)
            return
        await query.answer(text("button_started", actor.language))
        self.pending.pop((query.message.chat.id, query.message.message_id), None)
        with_markup = query.message
        try:  # the choice is made: its buttons go
            await self.talk.call(with_markup.get_bot().edit_message_reply_markup,
                                  chat_id=with_markup.chat.id,
                                  message_id=with_markup.message_id, reply_markup=None)
        except TelegramError:
            pass
        await self._accept(pending.message, pending.kind, pending.args, list(pending.refs),
                           guess="literal" if guess == "literal" else "accept",
                           parent=pending.parent)
