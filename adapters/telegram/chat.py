"""Telegram messages that carry no command. In a private chat every message is answered: a
photo (image file, album) is an edit with its caption as the prompt; a photo without caption is
asked "what should I change?" (the answer is the prompt); plain text is offered as a new image
behind a button that says its cost; an unknown command gets a one-line hint. In groups (privacy
mode) the commands stay, plus a reply to one of the bot's own messages.

A word that only looks like an option ("did you mean 9:16?") is asked about with buttons; the
request runs once the user picks, and nothing is charged before that."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from telegram import (
    Chat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.edits import TelegramEdits
from adapters.telegram.updates import (
    AlbumCollector,
    ImageRef,
    actor_of,
    command_of,
    images_in,
    scope_of,
    sender_of,
)
from bot.bootstrap import Core
from bot.commands import Guess, parse_arguments, split_command, split_fresh
from bot.domain import CommandKind
from bot.errors import CommandError, EditbotError
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


class TelegramChat:
    def __init__(self, core: Core, edits: TelegramEdits, albums: AlbumCollector,
                 me: Callable[[], tuple[int, str]]) -> None:
        self.core = core
        self.edits = edits
        self.albums = albums
        self._me = me
        self.pending: OrderedDict[tuple[int, int], Pending] = OrderedDict()

    def _keep(self, chat_id: int, message_id: int, pending: Pending) -> None:
        self.pending[(chat_id, message_id)] = pending
        while len(self.pending) > REMEMBER:
            self.pending.popitem(last=False)

    def _from_me(self, message: Message | None) -> bool:
        return bool(message and message.from_user and message.from_user.id == self._me()[0])

    def _replied_refs(self, message: Message) -> list[ImageRef]:
        replied = message.reply_to_message
        return self.albums.album_of(replied) or images_in(replied)

    # -- messages ------------------------------------------------------------------------------
    async def on_media(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        if message.media_group_id is not None:
            self.albums.add(message)
        else:
            await self.route(message, images_in(message))

    async def on_album(self, messages: list[Message]) -> None:
        first = messages[0]
        if len(messages) == 1 and first.chat.type != Chat.PRIVATE and (
                not first.get_bot().can_read_all_group_messages):
            # an album has two items or more: privacy mode kept the others from us; editing
            # the one we see is not what was asked, so explain instead (nothing is charged)
            if command_of(first, self._me()[1]) is not None:
                lang = actor_of(first.from_user).language if first.from_user else "en"
                await self.edits.talk.reply(first, text("album_privacy", lang))
            return
        refs = [r for m in messages for r in images_in(m)]
        with_words = [m for m in messages if command_of(m, self._me()[1]) is not None] or [
            m for m in messages if (m.caption or "").strip()]
        await self.route(with_words[0] if with_words else messages[0], refs)

    async def on_command(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await self.route(message, [])

    async def on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self.route(message, [])

    async def route(self, message: Message, own: list[ImageRef]) -> None:
        """Decide what a message asks for, then accept it (or ask, or leave it alone)."""
        if sender_of(message) is None:
            return
        private = message.chat.type == Chat.PRIVATE
        found = command_of(message, self._me()[1])
        words = (message.text or message.caption or "").strip()
        replied = message.reply_to_message
        asked = self.pending.get((message.chat_id, replied.message_id)) if replied else None
        if asked is not None and asked.question and not own and (found or words):
            kind, args = found or ("edit", words)  # the answer to "what should I change?"
            await self.accept(message, kind, args, list(asked.refs) if kind == "edit" else [])
        elif found is not None and found[0] == "edit" and not own and self._from_me(replied):
            args, parent = await self._continuing(message, found[1])
            await self.accept(message, "edit", args, [] if parent else
                              self._replied_refs(message), parent=parent)
        elif found is not None:
            kind, args = found
            refs = own or self._replied_refs(message) if kind == "edit" else []
            await self.accept(message, kind, args, refs)
        elif not own and words and self._from_me(replied) and self._replied_refs(message):
            args, parent = await self._continuing(message, words)
            await self.accept(message, "edit", args, [] if parent else
                              self._replied_refs(message), parent=parent)
        elif not private:
            return  # a group: commands only, or a reply to the bot
        elif own and words:
            await self.accept(message, "edit", words, own)
        elif own:
            await self.ask(message, own)
        elif words and self._replied_refs(message):
            await self.accept(message, "edit", words, self._replied_refs(message))
        elif words:
            await self.offer(message, words)

    async def _continuing(self, message: Message, args: str) -> tuple[str, int | None]:
        """A reply to one of the bot's results continues that conversation with the model
        (the job it came from), unless it starts with ``new``."""
        fresh, args = split_fresh(args)
        replied = message.reply_to_message
        if fresh or replied is None:
            return args, None
        key = f"telegram:{message.chat_id}:{replied.message_id}"
        return args, await self.core.service.turns.job_of(key)

    async def accept(self, message: Message, kind: CommandKind, args: str,
                     refs: list[ImageRef], *, guess: Guess = "ask",
                     parent: int | None = None) -> None:
        """Check the request at once, before anything is downloaded (bad input, a person with
        no credits left or too many requests running: a reply, at no cost), then start it."""
        actor = sender_of(message)
        if actor is None:
            return
        scope = scope_of(message.chat)
        try:
            command = parse_arguments(kind, args, self.core.spec, guess=guess)
            if kind == "edit" and not refs and parent is None:
                raise CommandError("no_image")
            ticket = await self.core.service.admit(actor, scope, command)
        except EditbotError as error:
            if isinstance(error, CommandError) and error.code == "did_you_mean":
                await self.suggest(message, kind, args, refs, error, parent)
            else:
                self.core.metrics.turned_away(actor.platform, error)
                await self.edits.talk.refuse(message.chat_id, message.message_id, actor, error)
            return
        limit = self.core.spec.max_reference_images
        if len(refs) > limit:
            await self.edits.talk.reply(message, text("images_trimmed", actor.language, limit=limit,
                                                 count=len(refs)))
            refs = refs[:limit]
        self.edits.start(key=f"telegram:{message.chat_id}:{message.message_id}",
                         chat_id=message.chat_id, reply_to=message.message_id, actor=actor,
                         scope=scope, command=command, refs=refs, ticket=ticket, parent=parent)

    async def _send(self, message: Message, words: str,
                    markup: InlineKeyboardMarkup | ForceReply) -> Message | None:
        try:
            return await self.edits.talk.call(
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
                await self.edits.talk.reply(message, error_text(error, lang))
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

    async def on_unknown(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        split = split_command(message.text or "")
        if split is None:
            return
        if split.bot is not None and split.bot.lower() != self._me()[1].lower():
            return  # for another bot
        if message.chat.type != Chat.PRIVATE and split.bot is None:
            return  # a group's command for anyone
        lang = actor_of(message.from_user).language
        await self.edits.talk.reply(message, text("unknown_command", lang, name=split.name))

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
            await self.edits.talk.call(with_markup.get_bot().edit_message_reply_markup,
                                  chat_id=with_markup.chat.id,
                                  message_id=with_markup.message_id, reply_markup=None)
        except TelegramError:
            pass
        await self.accept(pending.message, pending.kind, pending.args, list(pending.refs),
                          guess="literal" if guess == "literal" else "accept",
                          parent=pending.parent)
