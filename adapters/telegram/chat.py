"""Telegram messages, routed. In a private chat every message is answered: a photo (image
file, album) is an edit with its caption as the prompt; a photo without caption is asked "what
should I change?"; plain text is offered as a new image (both in asking.py); an unknown command
gets a one-line hint. In groups (privacy mode) the commands stay, plus a reply to one of the
bot's own messages. An accepted request is checked at once and handed to the edit flow."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Chat, Message, Update
from telegram.ext import ContextTypes

from adapters.telegram.asking import TelegramQuestions
from adapters.telegram.edits import TelegramEdits
from adapters.telegram.history import note_photos
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
from bot.i18n import text


class TelegramChat:
    def __init__(self, core: Core, edits: TelegramEdits, albums: AlbumCollector,
                 me: Callable[[], tuple[int, str]]) -> None:
        self.core = core
        self.edits = edits
        self.talk = edits.talk
        self.albums = albums
        self._me = me
        self.questions = TelegramQuestions(core, self.talk, self.accept)

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
                await self.talk.reply(first, text("album_privacy", lang))
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
        sender = sender_of(message)
        if sender is None:
            return
        private = message.chat.type == Chat.PRIVATE
        found = command_of(message, self._me()[1])
        if own and (private or found is not None):  # sent to the bot: offered inline later
            self.edits.spawn(note_photos(self.core, sender, own))
        words = (message.text or message.caption or "").strip()
        replied = message.reply_to_message
        asked = self.questions.asked(message.chat_id, replied.message_id) if replied else None
        if asked is not None and asked.question and not own and (found or words):
            kind, args = found or ("edit", words)  # the answer to "what should I change?"
            edit = kind == "edit"
            await self.accept(message, kind, args, list(asked.refs) if edit else [],
                              parent=asked.parent if edit else None)
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
            await self.questions.ask(message, own)
        elif words and self._replied_refs(message):
            await self.accept(message, "edit", words, self._replied_refs(message))
        elif words:
            await self.questions.offer(message, words)

    async def _continuing(self, message: Message, args: str) -> tuple[str, int | None]:
        """A reply to one of the bot's results continues that conversation with the model
        (the job it came from), unless it starts with ``new``."""
        fresh, args = split_fresh(args)
        replied = message.reply_to_message
        if fresh or replied is None:
            return args, None
        key = f"telegram:{message.chat_id}:{replied.message_id}"
        return args, await self.core.turns.job_of(key)

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
                await self.questions.suggest(message, kind, args, refs, error, parent)
            else:
                self.core.metrics.turned_away(actor.platform, error)
                await self.talk.refuse(message.chat_id, message.message_id, actor, error)
            return
        limit = self.core.spec.max_reference_images
        if len(refs) > limit:
            await self.talk.reply(message, text("images_trimmed", actor.language, limit=limit,
                                                 count=len(refs)))
            refs = refs[:limit]
        self.edits.start(key=f"telegram:{message.chat_id}:{message.message_id}",
                         chat_id=message.chat_id, reply_to=message.message_id, actor=actor,
                         scope=scope, command=command, refs=refs, ticket=ticket, parent=parent)

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
        await self.talk.reply(message, text("unknown_command", lang, name=split.name))
