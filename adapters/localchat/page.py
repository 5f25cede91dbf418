"""The local chat's web page and what it calls: a person's messages and button presses become
Bot API updates in the room; the page long-polls for what changed in the chat it shows.

    GET  /                        the page (index.html)
    GET  /chat/feed?chat=&after=  the chat's messages and notices newer than ``after``
    POST /chat/send               multipart: chat, user, lang, text, reply_to, photo, as_file
    POST /chat/press              JSON: chat, user, lang, message_id, data (a button)
    GET  /chat/file/{file_id}     a photo or document, to show or download
"""

from __future__ import annotations

import io
import itertools
from importlib.resources import files
from typing import Any

from aiohttp import web
from PIL import Image, ImageOps, UnidentifiedImageError

from .botapi import command_entities
from .room import GROUP, PEOPLE, Room

PHOTO_MAX_PX = 2560  # Telegram keeps a photo at most this large, as JPEG
LANGUAGES = ("en", "vi", "es", "pt", "ru", "id")
FEED_WAIT_S = 25.0


def as_telegram_photo(data: bytes) -> bytes:
    """A photo as Telegram stores one: JPEG, at most PHOTO_MAX_PX a side."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    image.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=87)
    return out.getvalue()


def shown(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the page draws it."""
    sender = message.get("from") or {}
    found: dict[str, Any] = {
        "id": message["message_id"], "bot": bool(sender.get("is_bot")),
        "name": sender.get("first_name", ""), "text": message.get("text") or
        message.get("caption") or "", "deleted": bool(message.get("deleted")),
        "reply_to": (message.get("reply_to_message") or {}).get("message_id")}
    if message.get("photo"):
        found["photo"] = f"/chat/file/{message['photo'][-1]['file_id']}"
    document = message.get("document")
    if document:
        found["document"] = {"url": f"/chat/file/{document['file_id']}",
                             "name": document.get("file_name", "file")}
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    found["buttons"] = [[{"text": b["text"], "data": b.get("callback_data", "")} for b in row]
                        for row in keyboard]
    return found


class Page:
    def __init__(self, room: Room) -> None:
        self.room = room
        self.html = files(__package__).joinpath("index.html").read_bytes()
        self._presses = itertools.count(1)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/", self.index), web.get("/chat/feed", self.feed),
                web.post("/chat/send", self.send), web.post("/chat/press", self.press),
                web.get("/chat/file/{file_id}", self.file)]

    async def index(self, request: web.Request) -> web.Response:
        return web.Response(body=self.html, content_type="text/html", charset="utf-8")

    @staticmethod
    def _who(fields: Any) -> tuple[int, int, str]:
        """The chat, the person and their language a request names (HTTPBadRequest if not)."""
        try:
            chat_id, user_id = int(fields.get("chat", "")), int(fields.get("user", ""))
        except ValueError:
            raise web.HTTPBadRequest(text="chat and user must be numbers") from None
        lang = str(fields.get("lang") or "en")
        if user_id not in PEOPLE or chat_id not in (GROUP, user_id) or lang not in LANGUAGES:
            raise web.HTTPBadRequest(text="no such chat, person or language")
        return chat_id, user_id, lang

    async def feed(self, request: web.Request) -> web.Response:
        room = self.room
        chat_id = int(request.query.get("chat", "0"))
        after = int(request.query.get("after", "0"))
        await room.wait(lambda: room.version > after, FEED_WAIT_S)
        messages = [shown(m) for key, m in sorted(room.messages.items())
                    if key[0] == chat_id and room.versions[key] > after]
        notices = [{"kind": kind, "text": words} for version, chat, kind, words in room.notices
                   if chat == chat_id and version > after]
        return web.json_response({"version": room.version, "messages": messages,
                                  "notices": notices})

    async def send(self, request: web.Request) -> web.Response:
        form = await request.post()
        chat_id, user_id, lang = self._who(form)
        words = str(form.get("text") or "").strip()
        upload = form.get("photo")
        fields: dict[str, Any] = {}
        if isinstance(upload, web.FileField):
            data = upload.file.read()
            try:
                if form.get("as_file"):
                    Image.open(io.BytesIO(data)).close()  # the bot reads what it is itself
                    fields["document"] = self.room.document(
                        data, upload.filename, upload.content_type)
                else:
                    fields["photo"] = self.room.photo(as_telegram_photo(data))
            except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
                if not form.get("as_file"):
                    raise web.HTTPBadRequest(text="not an image: send it as a file") from None
                fields["document"] = self.room.document(data, upload.filename,
                                                        upload.content_type)
            fields.update(caption=words or None, caption_entities=command_entities(words))
        elif words:
            fields.update(text=words, entities=command_entities(words))
        else:
            raise web.HTTPBadRequest(text="nothing to send")
        reply_to = form.get("reply_to")
        if reply_to:
            replied = self.room.find(chat_id, int(str(reply_to)))
            if replied is not None:
                fields["reply_to_message"] = {k: v for k, v in replied.items()
                                              if k != "reply_to_message"}
        message = self.room.post(chat_id, self.room.user(user_id, lang), **fields)
        self.room.enqueue("message", message)
        return web.json_response({"id": message["message_id"]})

    async def press(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat_id, user_id, lang = self._who(body)
        message = self.room.find(chat_id, int(body.get("message_id", 0)))
        if message is None:
            raise web.HTTPBadRequest(text="no such message")
        query_id = f"Q{next(self._presses)}"
        self.room.pressed[query_id] = chat_id
        self.room.enqueue("callback_query", {
            "id": query_id, "from": self.room.user(user_id, lang), "chat_instance": str(chat_id),
            "message": message, "data": str(body.get("data", ""))})
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        data = self.room.files.get(request.match_info["file_id"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type=_mime(data),
                            headers={"Cache-Control": "max-age=3600"})


def _mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
