"""Telegram updates -> the core's values: commands, image references, actor and scope."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Chat, Message, User

from bot.commands import COMMANDS, split_command
from bot.domain import Actor, CommandKind, Scope
from bot.i18n import language_of

PLATFORM = "telegram"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses larger files


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image in a message, not yet downloaded."""

    file_id: str
    size: int | None
    photo: bool = False  # a photo Telegram encoded itself (not a file the user sent as is)


def actor_of(user: User) -> Actor:
    return Actor(PLATFORM, str(user.id), user.full_name, language_of(user.language_code))


def sender_of(message: Message) -> Actor | None:
    """Who a message's request belongs to. A message sent on behalf of a chat (``sender_chat``:
    a channel, or an anonymous administrator posting as the group itself) is that chat's: its
    ``from`` is a shared placeholder account (Channel_Bot, GroupAnonymousBot) that every such
    chat on Telegram has in common. An anonymous administrator's edits thus count on the
    group's own line, ``telegram:chat:<id>``."""
    chat = message.sender_chat
    if chat is not None:
        name = chat.title or chat.full_name or chat.username or str(chat.id)
        language = message.from_user.language_code if message.from_user else None
        return Actor(PLATFORM, f"chat:{chat.id}", name, language_of(language))
    if message.from_user is None:
        return None
    return actor_of(message.from_user)


def scope_of(chat: Chat) -> Scope:
    return Scope(PLATFORM, str(chat.id), private=chat.type == Chat.PRIVATE)


def command_of(message: Message, bot_username: str) -> tuple[CommandKind, str] | None:
    """The edit command in a message's text or caption, if it is one for this bot."""
    split = split_command(message.text or message.caption or "")
    if split is None or split.name not in COMMANDS:
        return None
    if split.bot is not None and split.bot.lower() != bot_username.lower():
        return None  # /edit@OtherBot
    kind: CommandKind = "edit" if split.name == "edit" else "imagine"
    return kind, split.args


def images_in(message: Message | None) -> list[ImageRef]:
    """The largest photo size, or an image sent as a document."""
    if message is None:
        return []
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return [ImageRef(largest.file_id, largest.file_size, photo=True)]
    if message.document is not None:  # whether it is an image is decided by its bytes
        return [ImageRef(message.document.file_id, message.document.file_size)]
    return []


class AlbumCollector:
    """Album items arrive as separate updates sharing ``media_group_id``: gather them for a
    moment, then hand the whole album over. Albums stay remembered for a while, so a reply to
    one item can use them all."""

    def __init__(self, on_album: Callable[[list[Message]], Coroutine[Any, Any, None]], *,
                 wait_s: float = 1.0, remember: int = 500) -> None:
        self._on_album = on_album
        self._wait_s = wait_s
        self._remember = remember
        self._open: dict[str, list[Message]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self.done: dict[str, list[ImageRef]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add(self, message: Message) -> None:
        group = message.media_group_id
        assert group is not None
        self._open.setdefault(group, []).append(message)
        if group in self._timers:
            self._timers[group].cancel()
        self._timers[group] = asyncio.get_running_loop().call_later(
            self._wait_s, self._flush, group)

    def _flush(self, group: str) -> None:
        messages = sorted(self._open.pop(group, []), key=lambda m: m.message_id)
        self._timers.pop(group, None)
        self.done[group] = [ref for m in messages for ref in images_in(m)]
        while len(self.done) > self._remember:
            self.done.pop(next(iter(self.done)))
        task = asyncio.get_running_loop().create_task(self._on_album(messages))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def album_of(self, message: Message | None) -> list[ImageRef] | None:
        if message is None or message.media_group_id is None:
            return None
        return self.done.get(message.media_group_id)
