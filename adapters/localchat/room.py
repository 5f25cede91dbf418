"""What the local chat holds: its people and chats, the messages in them, the files, and the
updates waiting for the bot. The Bot API stand-in (botapi.py) and the page (page.py) both read
and change it; every change bumps a version the page waits on.

Two people and three chats: You (the group's creator, so a moderator) and Bo (a member), each
in a private chat with the bot, and one group with all three.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import time
from typing import Any

from PIL import Image

YOU, BO = 1001, 1002
GROUP = -1001001
PEOPLE = {YOU: "You", BO: "Bo"}
BOT_ID = 7000001
THUMB_PX = 90  # Telegram's smallest photo size


def thumbnail(data: bytes) -> tuple[bytes, int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((THUMB_PX, THUMB_PX))
        small = image.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue(), small.width, small.height


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:  # the header only
        return image.size


class Room:
    def __init__(self) -> None:
        self.me = {"id": BOT_ID, "is_bot": True, "first_name": "editbot",
                   "username": "editbot_local_bot", "can_join_groups": True,
                   "can_read_all_group_messages": True, "supports_inline_queries": False}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.versions: dict[tuple[int, int], int] = {}
        self.files: dict[str, bytes] = {}
        self.updates: list[dict[str, Any]] = []
        self.notices: list[tuple[int, int, str, str]] = []  # version, chat, kind, words
        self.pressed: dict[str, int] = {}  # a button press's query id -> its chat
        self.version = 0
        self.closing = False
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}

    # -- who and where -----------------------------------------------------------------------
    @staticmethod
    def user(user_id: int, language: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": PEOPLE[user_id],
                "language_code": language}

    @staticmethod
    def chat(chat_id: int) -> dict[str, Any]:
        if chat_id == GROUP:
            return {"id": GROUP, "type": "supergroup", "title": "Local group"}
        return {"id": chat_id, "type": "private", "first_name": PEOPLE[chat_id]}

    @staticmethod
    def known(chat_id: int) -> bool:
        return chat_id == GROUP or chat_id in PEOPLE

    @staticmethod
    def member(chat_id: int, user_id: int) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": PEOPLE.get(user_id, "Someone")}
        if chat_id == GROUP and user_id == YOU:
            return {"status": "creator", "user": user, "is_anonymous": False}
        return {"status": "member", "user": user}

    # -- files -------------------------------------------------------------------------------
    def store(self, data: bytes) -> dict[str, Any]:
        n = next(self._ids)
        file_id = f"LOCAL{n:06d}"
        self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": f"U{n:06d}", "file_size": len(data)}

    def photo(self, data: bytes) -> list[dict[str, Any]]:
        """A photo's sizes as Telegram gives them: a thumbnail first, the largest last."""
        small, width, height = thumbnail(data)
        full_width, full_height = image_size(data)
        return [{**self.store(small), "width": width, "height": height},
                {**self.store(data), "width": full_width, "height": full_height}]

    def document(self, data: bytes, name: str, mime: str) -> dict[str, Any]:
        return {**self.store(data), "file_name": name, "mime_type": mime}

    # -- messages and updates ----------------------------------------------------------------
    def post(self, chat_id: int, sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
        ids = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = {"message_id": next(ids), "date": int(time.time()),
                   "chat": self.chat(chat_id), "from": sender,
                   **{k: v for k, v in fields.items() if v is not None}}
        self.touch(message)
        return message

    def find(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        message = self.messages.get((chat_id, message_id))
        return None if message is None or message.get("deleted") else message

    def touch(self, message: dict[str, Any]) -> None:
        key = (message["chat"]["id"], message["message_id"])
        self.messages[key] = message
        self.version += 1
        self.versions[key] = self.version
        self._notify()

    def enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        self.updates.append({"update_id": next(self._update_ids), kind: payload})
        self._notify()

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: the updates before it were taken, and are forgotten."""
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def notice(self, chat_id: int, kind: str, words: str) -> None:
        self.version += 1
        self.notices.append((self.version, chat_id, kind, words))
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, ready: Any, timeout_s: float) -> None:
        """Until ``ready()`` holds, the room closes or ``timeout_s`` passes."""
        deadline = time.monotonic() + timeout_s
        while not ready() and not self.closing:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                return

    def close(self) -> None:
        self.closing = True
        self._notify()
