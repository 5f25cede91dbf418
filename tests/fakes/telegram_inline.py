"""Inline mode in the fake Bot API, as the Bot API documents it (Bot API 10.1, "Inline mode").

- ``inline(user, query)`` is a person typing ``@bot query`` in any chat: an ``inline_query``
  update (the query at most 256 characters), sent only while inline mode is on
  (``me["supports_inline_queries"]``, BotFather's /setinline).
- ``answerInlineQuery`` answers it once, within ``inline_within_s`` (10 s): a second answer, or a
  late one, is "query is too old". At most 50 results; each result's id is 1-64 bytes and unique
  in the answer; ``cache_time`` an integer >= 0; a cached photo's ``photo_file_id`` must name a
  photo Telegram has; a ``button`` has a text and either a ``web_app`` or a ``start_parameter``
  of 1-64 characters out of ``A-Za-z0-9_-``.
- ``choose(user, query_id, result_id)`` is the person picking a result: the message is posted
  (``inline_messages``) and, inline feedback being on (BotFather's /setinlinefeedback), a
  ``chosen_inline_result`` update follows. It carries ``inline_message_id`` only when the
  result had an inline keyboard attached, as Telegram's does.
- ``sendPhoto`` with a photo's file_id sends that photo again, uploading nothing.
- ``editMessageMedia`` and ``editMessageCaption`` with ``inline_message_id`` edit such a
  message; a new file cannot be uploaded there (``attach://``): only a file_id (or a URL).
  Editing an inline message answers ``true``, not the message.
"""

from __future__ import annotations

import io
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .telegram_payments import ApiError

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_START = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class InlineQuery:
    query_id: str
    user: dict[str, Any]
    query: str
    sent_at: float
    answer: dict[str, Any] | None = None
    answers: int = 0


@dataclass
class InlineMessage:
    """A message posted by choosing an inline result, as the chat shows it."""

    inline_message_id: str
    user: dict[str, Any]
    photo: str | None  # the file_id shown
    caption: str
    reply_markup: dict[str, Any] | None
    edits: list[dict[str, Any]] = field(default_factory=list)


class TelegramInline:
    """Mixed into FakeTelegram: its ``_enqueue``, ``_message``, ``_chat``, ``files`` and
    ``photo_ids``."""

    inline_within_s = 10.0

    def _inline_init(self) -> None:
        self.inline_queries: dict[str, InlineQuery] = {}
        self.inline_messages: dict[str, InlineMessage] = {}
        self._inline_ids = itertools.count(1)

    # -- what users do -------------------------------------------------------------------------
    def inline(self, user: dict[str, Any], query: str, chat_type: str = "supergroup") -> str:
        """``user`` types ``@bot query`` in a chat; returns the inline query's id."""
        assert self.me["supports_inline_queries"], "inline mode is off (BotFather's /setinline)"
        assert len(query) <= 256, "Telegram sends at most 256 characters of a query"
        query_id = f"IQ{next(self._inline_ids)}"
        self.inline_queries[query_id] = InlineQuery(query_id, user, query, time.monotonic())
        self._enqueue("inline_query", {"id": query_id, "from": user, "query": query,
                                       "offset": "", "chat_type": chat_type})
        return query_id

    def answered(self, query_id: str) -> dict[str, Any] | None:
        return self.inline_queries[query_id].answer

    def choose(self, user: dict[str, Any], query_id: str, result_id: str) -> InlineMessage:
        """``user`` picks a result of the answer to ``query_id``: it is posted in the chat, and
        the bot hears of it (with the message's id when the result has an inline keyboard)."""
        asked = self.inline_queries[query_id]
        assert asked.answer is not None, "nothing to choose: the query was never answered"
        result = next(r for r in asked.answer["results"] if r["id"] == result_id)
        markup = result.get("reply_markup")
        message = InlineMessage(f"IM{next(self._inline_ids)}AAE", user,
                                result.get("photo_file_id"), str(result.get("caption") or ""),
                                markup)
        self.inline_messages[message.inline_message_id] = message
        self.report_chosen(message, result_id, asked.query)
        return message

    def report_chosen(self, message: InlineMessage, result_id: str, query: str) -> None:
        """The ``chosen_inline_result`` update for ``message`` (again: a repeated report)."""
        chosen: dict[str, Any] = {"result_id": result_id, "from": message.user, "query": query}
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            chosen["inline_message_id"] = message.inline_message_id
        self._enqueue("chosen_inline_result", chosen)

    def press_inline(self, user: dict[str, Any], message: InlineMessage, data: str
                     ) -> dict[str, Any]:
        """``user`` presses the callback button ``data`` under an inline message: the query
        names the inline message, not a message of a chat."""
        buttons = [b.get("callback_data") for row in (message.reply_markup or {}).get(
            "inline_keyboard", []) for b in row]
        assert data in buttons, f"no button {data!r} under the inline message"
        query = {"id": f"CQ{next(self._inline_ids)}", "from": user, "chat_instance": "42",
                 "inline_message_id": message.inline_message_id, "data": data}
        return self._enqueue("callback_query", query)

    # -- the API -------------------------------------------------------------------------------
    async def _m_answerInlineQuery(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        asked = self.inline_queries.get(str(p.get("inline_query_id")))
        if asked is None or asked.answers or (
                time.monotonic() - asked.sent_at > self.inline_within_s):
            raise ApiError(400, TOO_OLD)
        results = p.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        cache_time = p.get("cache_time")
        if cache_time is not None and (not isinstance(cache_time, int) or cache_time < 0):
            raise ApiError(400, "Bad Request: can't parse cache_time")
        ids = [str(r.get("id", "")) for r in results]
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            self._check_result(result)
        self._check_button(p.get("button"))
        asked.answers += 1
        asked.answer = p
        return True

    def _check_result(self, result: dict[str, Any]) -> None:
        if result.get("type") != "photo" or "photo_file_id" not in result:
            raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
        if result["photo_file_id"] not in self.photo_ids:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if len(str(result.get("caption") or "")) > 1024:
            raise ApiError(400, "Bad Request: MEDIA_CAPTION_TOO_LONG")
        markup = result.get("reply_markup")
        if markup is not None and not isinstance(markup.get("inline_keyboard"), list):
            raise ApiError(400, "Bad Request: REPLY_MARKUP_INVALID")

    @staticmethod
    def _check_button(button: dict[str, Any] | None) -> None:
        if button is None:
            return
        if not str(button.get("text") or "").strip():
            raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
        start, web_app = button.get("start_parameter"), button.get("web_app")
        if (start is None) == (web_app is None):
            raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
        if start is not None and not _START.fullmatch(str(start)):
            raise ApiError(400, "Bad Request: START_PARAM_INVALID")

    def _send_known_photo(self, p: dict[str, Any]) -> Any:
        """sendPhoto by file_id: the photo Telegram already has, sent again (no upload)."""
        self._check_started(p["chat_id"])
        file_id = str(p["photo"])
        if file_id not in self.photo_ids:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        self._check_caption(p.get("caption"))
        with Image.open(io.BytesIO(self.files[file_id])) as image:
            width, height = image.size
        size = {"file_id": file_id, "file_unique_id": "U" + file_id, "width": width,
                "height": height, "file_size": len(self.files[file_id])}
        return self._message(self._chat(p["chat_id"]), self.me, photo=[size],
                             caption=p.get("caption"), **self._reply_fields(p))

    def _inline_message(self, p: dict[str, Any]) -> InlineMessage:
        message = self.inline_messages.get(str(p.get("inline_message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        return message

    def edit_inline_media(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        """editMessageMedia with ``inline_message_id``: a file_id only, no upload."""
        message = self._inline_message(p)
        media = p.get("media") or {}
        if media.get("type") != "photo":
            raise ApiError(400, "Bad Request: unsupported media type")
        given = str(media.get("media", ""))
        if given.startswith("attach://") or f:
            raise ApiError(400, "Bad Request: can't upload a new file when editing an inline "
                                "message; use a file_id or an HTTP URL")
        if given not in self.photo_ids:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if len(str(media.get("caption") or "")) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        message.photo, message.caption = given, str(media.get("caption") or "")
        message.reply_markup = p.get("reply_markup")
        message.edits.append({"method": "editMessageMedia", "photo": given,
                              "caption": message.caption})
        return True

    async def _m_editMessageCaption(self, p: dict[str, Any], f: dict[str, bytes]) -> Any:
        message = self._inline_message(p)
        caption = str(p.get("caption") or "")
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        if caption == message.caption and p.get("reply_markup") == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        message.caption = caption
        message.reply_markup = p.get("reply_markup")
        message.edits.append({"method": "editMessageCaption", "caption": caption})
        return True
