"""The local chat's Bot API stand-in: the methods the Telegram adapter calls, on Telegram's wire.

``{root}/bot<token>/<method>`` with form-urlencoded (JSON-encoded values) or multipart bodies;
answers ``{"ok": true, "result": ...}``, or an error status with ``{"ok": false, "error_code",
"description"}`` as Telegram words it; getUpdates is long-polled; files come from
``{root}/file/bot<token>/<file_path>``. The adapter reaches it through TELEGRAM_API_BASE_URL
like any Bot API server: nothing in the adapter knows it is local.
"""

from __future__ import annotations

import hmac
import json
import mimetypes
import time
from typing import Any

from aiohttp import BodyPartReader, web

from .room import GROUP, YOU, Room

# parameters Telegram takes as strings: never read as JSON (a caption "42" stays a string)
_STRINGS = frozenset({"text", "caption", "action", "callback_query_id", "file_id",
                      "parse_mode", "language_code", "url", "title", "description"})
_MULTIPART = frozenset({"sendPhoto", "sendDocument", "editMessageMedia"})


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _answer(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description},
                             status=status)


async def parameters(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """The call's parameters (JSON-decoded where Telegram takes JSON) and its uploads by field:
    (file name, bytes)."""
    raw: dict[str, str] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.filename is not None:
                files[part.name or ""] = (part.filename, bytes(await part.read()))
            else:
                raw[part.name or ""] = await part.text()
    elif request.content_type == "application/json":
        return dict(await request.json()), files
    else:
        raw.update({k: str(v) for k, v in (await request.post()).items()})
    params: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            params[key] = value if key in _STRINGS else json.loads(value)
        except ValueError:
            params[key] = value
    return params, files


def command_entities(words: str) -> list[dict[str, Any]] | None:
    if not words.startswith("/"):
        return None
    return [{"type": "bot_command", "offset": 0, "length": len(words.split()[0])}]


def _caption(p: dict[str, Any]) -> str | None:
    words = p.get("caption")
    if words is not None and len(str(words)) > 1024:
        raise ApiError(400, "Bad Request: message caption is too long")
    return None if words is None else str(words)


class _Messages:
    """The text side of the API: messages sent, edited and deleted, chat actions, button
    answers and members."""

    def __init__(self, room: Room) -> None:
        self.room = room

    def _message(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self.room.find(int(p["chat_id"]), int(p["message_id"]))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _send(self, p: dict[str, Any], **fields: Any) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        if not self.room.known(chat_id):
            raise ApiError(400, "Bad Request: chat not found")
        target = (p.get("reply_parameters") or {}).get("message_id")
        replied = self.room.find(chat_id, int(target)) if target else None
        if replied is not None:
            fields["reply_to_message"] = {k: v for k, v in replied.items()
                                          if k != "reply_to_message"}
        markup = p.get("reply_markup") or {}
        if "inline_keyboard" in markup:  # a message keeps only an inline keyboard
            fields["reply_markup"] = markup
        return self.room.post(chat_id, self.room.me, **fields)

    def _edited(self, message: dict[str, Any]) -> dict[str, Any]:
        message["edit_date"] = int(time.time())
        message = {k: v for k, v in message.items() if v is not None}
        self.room.touch(message)
        return message

    async def _sendMessage(self, p: dict[str, Any]) -> Any:
        words = str(p.get("text") or "")
        if not words.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(words) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._send(p, text=words)

    async def _editMessageText(self, p: dict[str, Any]) -> Any:
        message = self._message(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = p.get("reply_markup")
        if message.get("text") == p["text"] and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        message.update(text=str(p["text"]), reply_markup=markup)
        return self._edited(message)

    async def _editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        message = self._message(p)
        message["reply_markup"] = p.get("reply_markup") or None
        return self._edited(message)

    async def _deleteMessage(self, p: dict[str, Any]) -> Any:
        message = self._message(p)
        self.room.touch({**message, "deleted": True})
        return True

    async def _sendChatAction(self, p: dict[str, Any]) -> Any:
        self.room.notice(int(p["chat_id"]), "action", str(p.get("action") or ""))
        return True

    async def _answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        if p.get("text"):
            kind = "alert" if p.get("show_alert") else "toast"
            chat_id = self.room.pressed.pop(str(p["callback_query_id"]), 0)
            self.room.notice(chat_id, kind, str(p["text"]))
        return True

    async def _getChatMember(self, p: dict[str, Any]) -> Any:
        return self.room.member(int(p["chat_id"]), int(p["user_id"]))

    async def _getChatAdministrators(self, p: dict[str, Any]) -> Any:
        return [self.room.member(GROUP, YOU)] if int(p["chat_id"]) == GROUP else []


class BotApi(_Messages):
    """The HTTP side of the API, updates and files."""

    def __init__(self, room: Room, token: str) -> None:
        super().__init__(room)
        self.token = token

    def routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/bot{token}/{method}", self.call),
                web.get("/file/bot{token}/{path:.+}", self.download)]

    def _authorised(self, request: web.Request) -> bool:
        return hmac.compare_digest(request.match_info["token"], self.token)

    async def call(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _answer(401, "Unauthorized")
        method = request.match_info["method"]
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _answer(404, "Not Found")
        try:
            params, files = await parameters(request)
            result = await handler(params, files) if method in _MULTIPART else await handler(
                params)
        except ApiError as error:
            return _answer(error.status, error.description)
        except (KeyError, TypeError, ValueError) as error:
            return _answer(400, f"Bad Request: {error}")
        return web.json_response({"ok": True, "result": result})

    async def download(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _answer(401, "Unauthorized")
        data = self.room.files.get(request.match_info["path"].rsplit("/", 1)[-1])
        if data is None:
            return _answer(404, "Not Found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _getMe(self, p: dict[str, Any]) -> Any:
        return self.room.me

    async def _deleteWebhook(self, p: dict[str, Any]) -> Any:
        return True

    async def _setMyCommands(self, p: dict[str, Any]) -> Any:
        return True

    async def _getUpdates(self, p: dict[str, Any]) -> Any:
        self.room.confirm(int(p.get("offset") or 0))

        def waiting() -> list[dict[str, Any]]:
            return self.room.updates

        await self.room.wait(waiting, float(p.get("timeout") or 0))
        return waiting()[: int(p.get("limit") or 100)]

    async def _sendPhoto(self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]) -> Any:
        if "photo" not in f:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        return self._send(p, photo=self.room.photo(f["photo"][1]), caption=_caption(p))

    async def _sendDocument(self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]) -> Any:
        if "document" not in f:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, data = f["document"]
        return self._send(p, document=self._document(name, data), caption=_caption(p))

    def _document(self, name: str, data: bytes) -> dict[str, Any]:
        return self.room.document(data, name, mimetypes.guess_type(name)[0] or
                                  "application/octet-stream")

    async def _editMessageMedia(self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]) -> Any:
        """A message (a text one too) becomes the photo or document in ``media``."""
        media = p.get("media") or {}
        upload = f.get(str(media.get("media", "")).removeprefix("attach://"))
        if media.get("type") not in ("photo", "document") or upload is None:
            raise ApiError(400, "Bad Request: there is no media in the request")
        message = self._message(p)
        for gone in ("text", "photo", "document", "caption"):
            message.pop(gone, None)
        name, data = upload
        if media["type"] == "photo":
            message["photo"] = self.room.photo(data)
        else:
            message["document"] = self._document(name, data)
        message.update(caption=_caption(media), reply_markup=p.get("reply_markup"))
        return self._edited(message)

    async def _getFile(self, p: dict[str, Any]) -> Any:
        file_id = str(p["file_id"])
        data = self.room.files.get(file_id)
        if data is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(data) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": "U" + file_id, "file_size": len(data),
                "file_path": f"photos/{file_id}"}
