"""A Telegram Bot API server on 127.0.0.1 (aiohttp) for the real python-telegram-bot.

Speaks the wire protocol: ``{root}/bot<token>/<method>`` with form-urlencoded (JSON-encoded
values) or multipart bodies, ``{"ok": true, "result": ...}`` answers, errors as non-2xx with
``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``, long-polled
getUpdates, and ``{root}/file/bot<token>/<path>`` downloads. It enforces Telegram's limits
(sendPhoto 10 MB, width + height <= 10000, ratio <= 20; documents 50 MB; getFile 20 MB).

Like Telegram, getUpdates honours ``allowed_updates`` (kept until a call names another list;
by default every kind but chat_member and the reactions), and groups keep the bot's privacy
mode: while ``me["can_read_all_group_messages"]`` is false and the bot is no administrator of
the group, only commands, replies to the bot's messages and mentions of it reach the bot
(so the uncaptioned photos of an album never do). See ``_privacy_hides``.

Tests act as users (``post``, ``press``) and read what the bot did (``calls``, ``wait_for``).

Webhooks as Telegram has them: setWebhook (an https URL only; its secret_token and
allowed_updates kept), deleteWebhook, getWebhookInfo; while a webhook is set getUpdates answers
409 and updates are POSTed to it instead (``telegram_webhook.py``; ``route_webhook`` names the
backends the public URL stands for).
"""

from __future__ import annotations

import asyncio
import functools
import io
import itertools
import json
import mimetypes
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image

from .flood import FloodControl, FloodLimits
from .telegram_inline import TelegramInline
from .telegram_payments import ApiError, TelegramPayments
from .telegram_webhook import WebhookDelivery
from .watch import Watched

MB = 1024 * 1024
_NAMED = {"sendDocument", "editMessageMedia"}  # their answers name the uploaded file
# what getUpdates delivers when a bot never named its allowed_updates
DEFAULT_UPDATES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_join_request",
    "chat_boost", "removed_chat_boost"})
_STRINGS = {"text", "caption", "action", "callback_query_id", "file_id", "parse_mode",
            "language_code", "url", "title", "description", "payload", "provider_token",
            "currency", "error_message", "pre_checkout_query_id", "telegram_payment_charge_id",
            "inline_query_id", "inline_message_id"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # an upload's file name, by its field
    at: float = field(default_factory=time.monotonic)
    result: Any = None


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


_ApiError = ApiError


def _check_keyboard(p: dict[str, Any]) -> None:
    """InlineKeyboardButton.callback_data: 1-64 bytes (Bot API)."""
    for row in (p.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


@functools.lru_cache(maxsize=64)
def _thumbnail(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (128, 128, 128)).save(buffer, "JPEG")
    return buffer.getvalue()


def _entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]


class FakeTelegram(TelegramPayments, TelegramInline, Watched):
    def __init__(self, token: str = "123456789:AAFakeTokenForTests-abcdefghijkl",
                 username: str = "EditTestBot") -> None:
        super().__init__()
        self.token = token
        self.me = {"id": 999000, "is_bot": True, "first_name": "Edit", "username": username,
                   "can_join_groups": True, "can_read_all_group_messages": False,
                   "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.polls = 0
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATES
        self._stopping = False
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.sizes: dict[str, int] = {}  # file_id -> the size it stands for, when not its own
        self.admins: dict[int, set[int]] = defaultdict(set)
        self.creators: dict[int, int] = {}
        self.faults: dict[str, deque[tuple[int, str, int | None]]] = defaultdict(deque)
        self.photo_limit = 10 * MB
        self.flood = FloodControl()
        self._chats: dict[int, dict[str, Any]] = {}
        self.down = False  # every call answers 502 while set
        self.answer_after: dict[str, float] = {}  # method -> seconds its answer is held back
        self._ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(100))
        self.webhook = WebhookDelivery(self._notify)
        self._confirmed = 0  # getUpdates' offset: the updates before it were taken
        self._payments_init()
        self.photo_ids: set[str] = set()  # the file ids of photos (not of documents)
        self._inline_init()  # telegram_inline.py

    # -- server -------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=80 * MB)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        return await self._serve(app)

    async def stop(self) -> None:
        self._stopping = True
        await self.webhook.close()
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    def _seen(self) -> str:
        return ", ".join(c.method for c in self.calls)

    def enforce_flood_limits(self, limits: FloodLimits | None = None) -> None:
        """Answer 429 to calls over Telegram's flood limits from now on (see flood.py)."""
        self.flood = FloodControl(limits or FloodLimits())

    @property
    def flood_429s(self) -> int:
        return self.flood.refused

    def route_webhook(self, backends: list[str], spread: str = "chat") -> None:
        """The load balancer behind the webhook's public URL: deliveries go to these URLs, by a
        hash of the chat (``spread="chat"``) or in turn (``"turn"``)."""
        assert spread in ("chat", "turn")
        self.webhook.route(backends, "chat" if spread == "chat" else "turn")

    def fail(self, method: str, status: int, description: str, *,
             retry_after: int | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.faults[method].append((status, description, retry_after))

    # -- what the bot did ----------------------------------------------------------------------
    def sent(self, *methods: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method in methods and (
            chat_id is None or c.params.get("chat_id") == chat_id)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """Every text the bot showed in a chat: messages, edits and captions, in order."""
        return [str(c.params.get("text") or c.params.get("caption") or "")
                for c in self.sent("sendMessage", "editMessageText", "sendPhoto",
                                   "sendDocument", "editMessageMedia", chat_id=chat_id)]

    def photos(self, chat_id: int | None = None) -> list[Call]:
        """The photos that reached a chat: sent anew, or put into a message by an edit."""
        return self._delivered("photo", chat_id)

    def documents(self, chat_id: int | None = None) -> list[Call]:
        return self._delivered("document", chat_id)

    def _delivered(self, kind: str, chat_id: int | None) -> list[Call]:
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        return [c for c in self.sent(method, "editMessageMedia", chat_id=chat_id)
                if c.result is not None and kind in c.files]

    # -- what users do -------------------------------------------------------------------------
    @staticmethod
    def user(user_id: int, name: str = "Ann", language: str = "en") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language,
                "username": f"{name.lower()}{user_id}"}

    @staticmethod
    def group(chat_id: int = -100123, title: str = "Llamas") -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup", "title": title}

    @staticmethod
    def private(user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def _store(self, data: bytes) -> tuple[str, str]:
        n = next(self._ids)
        file_id = f"FILE{n:06d}-{len(data)}"
        self.files[file_id] = data
        return file_id, f"U{n:06d}"

    def photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        """Like Telegram: a small thumbnail first, the largest size last."""
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
        scale = 90 / max(width, height)
        thumb = (max(1, round(width * scale)), max(1, round(height * scale)))
        sizes = []
        for blob, (w, h) in ((_thumbnail(thumb), thumb), (data, (width, height))):
            file_id, unique = self._store(blob)
            self.photo_ids.add(file_id)
            sizes.append({"file_id": file_id, "file_unique_id": unique, "width": w,
                          "height": h, "file_size": len(blob)})
        return sizes

    def document(self, data: bytes, name: str = "photo.png", mime: str = "image/png",
                 declared_size: int | None = None, *, size_shown: bool = True
                 ) -> dict[str, Any]:
        """A file as a message carries it. ``declared_size`` stands for a file that large
        (getFile answers for that size); ``size_shown=False`` leaves out ``file_size``, which
        Telegram may do."""
        file_id, unique = self._store(data)
        if declared_size is not None:
            self.sizes[file_id] = declared_size
        found = {"file_id": file_id, "file_unique_id": unique, "file_name": name,
                 "mime_type": mime, "file_size": declared_size or len(data)}
        if not size_shown:
            del found["file_size"]
        return found

    def _message(self, chat: dict[str, Any], sender: dict[str, Any] | None,
                 **fields: Any) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids[chat["id"]]), "date": int(time.time()),
                   "chat": chat, **{k: v for k, v in fields.items() if v is not None}}
        if sender is not None:
            message["from"] = sender
        self.messages[(chat["id"], message["message_id"])] = message
        self._chats.setdefault(chat["id"], chat)
        return message

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": 5000 + len(self.updates) + 1, kind: payload}
        self.updates.append(update)
        if self.webhook.active and self._allowed(update):
            self.webhook.offer(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    def post(self, chat: dict[str, Any], user: dict[str, Any] | None, *, text: str | None = None,
             caption: str | None = None, photo: bytes | None = None,
             document: dict[str, Any] | None = None, reply_to: dict[str, Any] | None = None,
             media_group_id: str | None = None, sender_chat: dict[str, Any] | None = None,
             ) -> dict[str, Any]:
        """A user (or, with ``sender_chat``, an anonymous admin) sends a message."""
        fields: dict[str, Any] = {"text": text, "caption": caption,
                                  "media_group_id": media_group_id, "sender_chat": sender_chat}
        if text is not None:
            fields["entities"] = _entities(text) or None
        if caption is not None:
            fields["caption_entities"] = _entities(caption) or None
        if photo is not None:
            fields["photo"] = self.photo_sizes(photo)
        if document is not None:
            fields["document"] = document
        if reply_to is not None:
            fields["reply_to_message"] = {k: v for k, v in reply_to.items()
                                          if k != "reply_to_message"}
        message = self._message(chat, user, **fields)
        if not self._privacy_hides(message):
            self._enqueue("message", message)
        return message

    def press(self, user: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
        query = {"id": str(next(self._ids)), "from": user, "chat_instance": "42",
                 "message": message, "data": data}
        return self._enqueue("callback_query", query)

    # -- the API -------------------------------------------------------------------------------
    async def _params(self, request: web.Request
                      ) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
        raw: dict[str, str] = {}
        files: dict[str, bytes] = {}
        names: dict[str, str] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if part.filename is not None:  # type: ignore[union-attr]
                    files[part.name or ""] = bytes(await part.read())  # type: ignore[union-attr]
                    names[part.name or ""] = part.filename  # type: ignore[union-attr]
                else:
                    raw[part.name or ""] = await part.text()  # type: ignore[union-attr]
        elif request.content_type == "application/json":
            return dict(await request.json()), files, names
        else:
            raw = {k: str(v) for k, v in (await request.post()).items()}
            raw.update(request.query)
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in _STRINGS:
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params, files, names

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        arrived = time.monotonic()  # flood limits count a call when it arrives
        try:
            params, files, names = await self._params(request)
        except ConnectionResetError:  # the bot went away mid-request (a kill, a shutdown)
            return _error(400, "Bad Request: connection lost")
        call = Call(method, params, files, names)
        if method != "getUpdates":
            self.calls.append(call)
        try:
            if self.down:  # like a proxy whose Bot API is gone
                return _error(502, "Bad Gateway")
            wait = self.flood.judge(method, params.get("chat_id"), arrived)
            if wait is not None:
                return _error(429, f"Too Many Requests: retry after {wait}", wait)
            if self.faults[method]:
                status, description, retry_after = self.faults[method].popleft()
                return _error(status, description, retry_after)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return _error(404, "Not Found")
            if method == "getUpdates":
                params["_transport"] = request.transport
            try:
                result = await (handler(params, files, names) if method in _NAMED
                                else handler(params, files))
            except _ApiError as error:
                return _error(error.status, error.description)
            if isinstance(result, web.Response):
                return result
            call.result = result
            if self.answer_after.get(method):  # done, but the answer is slow to come back
                await asyncio.sleep(self.answer_after[method])
            return web.json_response({"ok": True, "result": result})
        finally:
            if method != "getUpdates":
                await self._notify()

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        file_id = request.match_info["path"].split("/")[-1]
        if file_id not in self.files:
            return _error(404, "Not Found")
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    async def _m_getMe(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        return self.me

    async def _m_setWebhook(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        url = str(p.get("url") or "")
        if not url:
            return await self._m_deleteWebhook(p, f)
        if not url.startswith("https://"):
            return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for "
                               "webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            return _error(400, "Bad Request: secret token contains unallowed characters")
        await self.webhook.stop()
        self._note_allowed_updates(p)
        self.webhook.url, self.webhook.secret = url, None if secret is None else str(secret)
        for update in self._waiting(drop=bool(p.get("drop_pending_updates"))):
            self.webhook.offer(update)
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        await self.webhook.stop()
        self._waiting(drop=bool(p.get("drop_pending_updates")))
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        return self.webhook.info(sorted(self.allowed_updates))

    def _waiting(self, *, drop: bool) -> list[dict[str, Any]]:
        """The updates not yet taken (by getUpdates' offset or a webhook's 2xx); with
        ``drop``, they are dropped."""
        waiting = [u for u in self.updates if u["update_id"] >= self._confirmed
                   and u["update_id"] not in self.webhook.delivered and self._allowed(u)]
        if drop:
            self._confirmed = self.updates[-1]["update_id"] + 1 if self.updates else 0
            return []
        return waiting

    async def _m_setMyCommands(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        return True

    async def _m_sendChatAction(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        try:
            self._check_started(p["chat_id"])
        except _ApiError as error:
            return _error(error.status, error.description)
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        return True

    async def _m_getUpdates(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        if self.webhook.active:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                               "use deleteWebhook to delete the webhook first")
        self.polls += 1
        await self._notify()
        self._note_allowed_updates(p)
        offset = int(p.get("offset") or 0)
        self._confirmed = max(self._confirmed, offset)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        async with self._changed:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset
                           and self._allowed(u) and u["update_id"] not in self.webhook.delivered]
                left = deadline - time.monotonic()
                transport = p["_transport"]
                gone = self._stopping or transport is None or transport.is_closing()
                if pending or left <= 0 or gone:
                    return pending[: int(p.get("limit") or 100)]
                try:
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
                except TimeoutError:
                    pass

    def _chat(self, chat_id: int) -> dict[str, Any]:
        known = self._chats.get(chat_id)
        if known is not None:
            return dict(known)
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}

    def _reply_fields(self, p: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        reply = p.get("reply_parameters") or {}
        target = reply.get("message_id") or p.get("reply_to_message_id")
        if target and (p["chat_id"], target) in self.messages:
            fields["reply_to_message"] = self.messages[(p["chat_id"], target)]
        elif target and not reply.get("allow_sending_without_reply"):
            raise _ApiError(400, "Bad Request: message to be replied not found")
        _check_keyboard(p)
        if "inline_keyboard" in (p.get("reply_markup") or {}):  # a message keeps only these
            fields["reply_markup"] = p["reply_markup"]
        return fields

    def _check_started(self, chat_id: Any) -> None:
        """A bot may write to a person only once that person has written to it (Start); an
        @username names a public channel, and this fake knows none."""
        if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
            raise _ApiError(400, "Bad Request: chat not found")
        if int(chat_id) > 0 and int(chat_id) not in self._chats:
            raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")

    async def _m_sendMessage(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        self._check_started(p["chat_id"])
        text = str(p.get("text", ""))
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._message(self._chat(p["chat_id"]), self.me, text=text,
                             **self._reply_fields(p))

    async def _m_editMessageText(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        message = self.messages.get((p["chat_id"], p["message_id"]))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if message.get("text") == p["text"] and message.get("reply_markup") == p.get(
                "reply_markup"):
            return _error(400, "Bad Request: message is not modified: specified new message "
                               "content and reply markup are exactly the same")
        _check_keyboard(p)
        message["text"] = p["text"]
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)  # an edit without a keyboard removes the old one
        if "reply_markup" in p:
            message["reply_markup"] = p["reply_markup"]
        return message

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        message = self.messages.get((p["chat_id"], p["message_id"]))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        message["reply_markup"] = p.get("reply_markup") or None
        return message

    async def _m_deleteMessage(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        if self.messages.pop((p["chat_id"], p["message_id"]), None) is None:
            return _error(400, "Bad Request: message to delete not found")
        return True

    def _check_photo(self, data: bytes | None) -> None:
        """Telegram's answers to a photo it will not take: 400, never 413, for a photo."""
        if data is None:
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        if len(data) > self.photo_limit:
            raise _ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        if width + height > 10000 or max(width, height) / min(width, height) > 20:
            raise _ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")

    @staticmethod
    def _check_document(data: bytes | None) -> None:
        if data is None:
            raise _ApiError(400, "Bad Request: there is no document in the request")
        if len(data) > 50 * MB:
            raise _ApiError(413, "Request Entity Too Large")

    @staticmethod
    def _check_caption(caption: Any) -> None:
        if len(str(caption or "")) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")

    async def _m_sendPhoto(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        if "photo" not in f and p.get("photo") is not None:  # a photo Telegram has: its file_id
            return self._send_known_photo(p)
        data = f.get("photo")
        self._check_photo(data)
        self._check_caption(p.get("caption"))
        assert data is not None
        return self._message(self._chat(p["chat_id"]), self.me, photo=self.photo_sizes(data),
                             caption=p.get("caption"), **self._reply_fields(p),
                             has_media_spoiler=p.get("has_spoiler") is True or None)

    async def _m_sendDocument(self, p: dict[str, Any], f: dict[str, bytes],
                              names: dict[str, str]) -> Any:
        data = f.get("document")
        self._check_document(data)
        self._check_caption(p.get("caption"))
        assert data is not None
        return self._message(self._chat(p["chat_id"]), self.me,
                             document=self._uploaded(data, names.get("document")),
                             caption=p.get("caption"), **self._reply_fields(p))

    def _uploaded(self, data: bytes, name: str | None) -> dict[str, Any]:
        """A document as Telegram keeps an upload: under the name it was uploaded with."""
        name = name or "document"
        return self.document(data, name, mimetypes.guess_type(name)[0] or
                             "application/octet-stream")

    async def _m_editMessageMedia(self, p: dict[str, Any], f: dict[str, bytes],
                                  names: dict[str, str]) -> Any:
        """Turns a message (a text one too) into a photo or a document. The call is recorded
        as a send is: the media's caption in ``params["caption"]`` and its file in
        ``files["photo"]`` or ``files["document"]``."""
        if p.get("inline_message_id") is not None:  # telegram_inline.py
            return self.edit_inline_media(p, f)
        media = p.get("media") or {}
        kind = media.get("type")
        if kind not in ("photo", "document"):
            return _error(400, "Bad Request: unsupported media type")
        attached = str(media.get("media", ""))
        field_name = attached.removeprefix("attach://")
        data = f.get(field_name) if attached.startswith("attach://") else None
        if kind == "photo":
            self._check_photo(data)
        else:
            self._check_document(data)
        self._check_caption(media.get("caption"))
        message = self.messages.get((p["chat_id"], p["message_id"]))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        assert data is not None
        p["caption"] = media.get("caption")
        f[kind] = data
        for gone in ("text", "entities", "photo", "document", "caption"):
            message.pop(gone, None)
        message.pop("has_media_spoiler", None)
        if kind == "photo":
            message["photo"] = self.photo_sizes(data)
            if media.get("has_spoiler") is True:  # only a photo (or video) can be a spoiler
                message["has_media_spoiler"] = True
        else:
            message["document"] = self._uploaded(data, names.get(field_name))
        if media.get("caption"):
            message["caption"] = media["caption"]
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if "reply_markup" in p:
            message["reply_markup"] = p["reply_markup"]
        return message

    async def _m_getFile(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        file_id = str(p.get("file_id"))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = self.sizes.get(file_id, len(self.files[file_id]))
        if size > 20 * MB:
            return _error(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": "U" + file_id, "file_size": size,
                "file_path": f"photos/{file_id}"}

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if self.creators.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self.admins[chat_id]:
            rights = dict.fromkeys((
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories"), False)
            return {"status": "administrator", "user": user, **rights, "can_manage_chat": True}
        return {"status": "member", "user": user}

    async def _m_getChatMember(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        return self._member(int(p["chat_id"]), int(p["user_id"]))

    async def _m_getChatAdministrators(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        chat_id = int(p["chat_id"])
        ids = set(self.admins[chat_id]) | ({self.creators[chat_id]} if chat_id in self.creators
                                           else set())
        return [self._member(chat_id, user_id) for user_id in sorted(ids)]

    # -- what reaches the bot: allowed_updates and group privacy mode --------------------------
    def _note_allowed_updates(self, p: dict[str, Any]) -> None:
        """A getUpdates that names allowed_updates changes the setting (an empty list means
        the default); one that does not keeps the previous setting."""
        if "allowed_updates" in p:
            named = p["allowed_updates"]
            if isinstance(named, str):
                named = json.loads(named)
            self.allowed_updates = frozenset(named) if named else DEFAULT_UPDATES

    def _allowed(self, update: dict[str, Any]) -> bool:
        return any(kind in self.allowed_updates for kind in update if kind != "update_id")

    def _privacy_hides(self, message: dict[str, Any]) -> bool:
        """Whether Telegram's privacy mode keeps ``message`` from the bot."""
        chat = message["chat"]
        if chat["type"] not in ("group", "supergroup"):
            return False
        if self.me["can_read_all_group_messages"] or self.me["id"] in self.admins[chat["id"]]:
            return False
        words = str(message.get("text") or message.get("caption") or "")
        name = "@" + str(self.me["username"]).lower()
        if words.startswith("/"):
            command = words.split()[0].lower()
            if "@" not in command or command.endswith(name):
                return False
        if name in words.lower():
            return False
        replied = message.get("reply_to_message") or {}
        return (replied.get("from") or {}).get("id") != self.me["id"]
