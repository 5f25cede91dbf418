"""Delivering a Telegram result: the status message becomes the photo (or a new photo is sent
when there is none); 2K/4K also come as a document, so Telegram's recompression does not eat
the resolution; a photo Telegram refuses comes as a document instead. A delivery that sent
nothing raises, and the core refunds the job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
)
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ExtBot

from adapters.render import caption, result_buttons
from adapters.telegram.flood import Priority, Turn
from adapters.telegram.lines import StatusLines
from adapters.telegram.raw import Sent, call
from adapters.telegram.refusals import message_gone, too_large
from adapters.telegram.status import StatusLine, reply_to
from bot.bootstrap import Core
from bot.domain import Delivery
from bot.errors import ImageError
from bot.i18n import text
from bot.images import FittedImage, ImageBudget, as_is, fit_output

log = logging.getLogger(__name__)
MB = 1024 * 1024
PHOTO_BUDGET = ImageBudget(max_bytes=10 * MB, max_side_sum=10000, max_ratio=20, max_side=2560)
DOCUMENT_BUDGET = ImageBudget(max_bytes=50 * MB)
CAPTION_LIMIT = 1024


class TelegramDelivery:
    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
                 lines: StatusLines) -> None:
        self.core = core
        self._bot = bot
        self._spawn = spawn
        self._lines = lines

    @property
    def bot(self) -> ExtBot[Any]:
        return self._bot()

    def buttons(self, delivery: Delivery, lang: str) -> InlineKeyboardMarkup:
        row = [InlineKeyboardButton(label, callback_data=f"{action}:{delivery.job_id}")
               for action, label in result_buttons(self.core, delivery, lang)]
        return InlineKeyboardMarkup([row])

    async def deliver(self, delivery: Delivery) -> None:
        """The status message becomes the photo (or a new photo is sent when there is none);
        2K/4K also come as a document, so Telegram's recompression does not eat the resolution;
        a photo Telegram refuses (any 400) comes as a document instead. Raises if nothing was
        sent."""
        request = delivery.request
        origin, lang = request.origin, request.actor.language
        line = self._lines.of(origin, lang)
        words = caption(delivery, lang, limit=CAPTION_LIMIT, demo=self.core.spec.demo)
        markup = self.buttons(delivery, lang)
        photo_sent = False
        try:
            photo = await fitted(delivery, PHOTO_BUDGET)
            sent = await self._put(line, "photo", photo.data, f"edit.{photo.extension}",
                                   words, markup, spoiler=delivery.spoiler)
            photo_sent = True
            await delivery.arrived()
            if sent is not None:  # noted with its turn now, linked once the turn is kept
                self._spawn(self._link(delivery, sent))  # before the job ends: see _link
                self.core.turns.note(delivery.job_id, sent.key)
        except (BadRequest, NetworkError, ImageError) as exc:
            if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest) and (
                    not too_large(exc)):
                raise
            log.info("job %d: photo refused (%s); sending a document", delivery.job_id, exc)
        if photo_sent and request.command.image_size not in ("2K", "4K"):
            return
        document = await fitted(delivery, DOCUMENT_BUDGET)
        note = text("full_resolution", lang, width=document.width, height=document.height)
        name = f"editbot-{delivery.job_id}.{document.extension}"
        try:
            if photo_sent:
                sent = await call(self.bot, "sendDocument", Turn(Priority.RESULT),
                                  chat_id=line.chat_id, caption=note,
                                  document=InputFile(document.data, filename=name),
                                  reply_parameters=reply_to(line.reply_to_id))
            else:
                sent = await self._put(line, "document", document.data, name, words, markup)
            await delivery.arrived()
            if sent is not None:
                self.core.turns.note(delivery.job_id, sent.key)
                self._spawn(self._link(delivery, sent))
        except TelegramError:
            if not photo_sent:
                raise
            log.warning("job %d: the full-resolution file could not be sent", delivery.job_id)

    async def _link(self, delivery: Delivery, sent: Sent) -> None:
        """Remember which message shows the result (a reply to it continues the edit) and the
        photo itself (inline mode and /history show it again). Started before the job ends,
        so the photo's note is queued before the turn's write and goes in its transaction."""
        try:
            noting = []
            if sent.photo_id:  # offered again by inline mode and /history, by its file_id
                noting.append(self.core.recent.note(delivery.request.actor.key,
                                                    sent.photo_id, delivery.job_id))
            noting.append(self.core.turns.link(delivery.job_id, sent.key))
            for failed in await asyncio.gather(*noting, return_exceptions=True):
                if isinstance(failed, Exception):
                    raise failed
        except Exception:
            log.warning("job %d: its result message could not be noted", delivery.job_id,
                        exc_info=True)

    async def _put(self, line: StatusLine, kind: str, data: bytes, name: str, words: str,
                   markup: InlineKeyboardMarkup, *, spoiler: bool = False) -> Sent | None:
        """Put the result into the status message, or send it anew when there is none; a
        photo is hidden until tapped when the community wants spoilers (a document cannot
        be)."""
        status_id = await line.take()
        if status_id is not None and not line.consumed:
            media = (InputMediaPhoto(data, caption=words, filename=name,
                                     has_spoiler=spoiler or None)
                     if kind == "photo"
                     else InputMediaDocument(data, caption=words, filename=name))
            try:
                edited = await call(self.bot, "editMessageMedia", Turn(Priority.RESULT),
                                    media=media,
                                    chat_id=line.chat_id, message_id=status_id,
                                    reply_markup=markup)
                line.consumed = True
                return edited
            except BadRequest as exc:
                if not message_gone(exc):
                    raise
                line.consumed = True
                log.info("status message %s is gone; sending the result anew", status_id)
        return await call(self.bot, "sendPhoto" if kind == "photo" else "sendDocument",
                          Turn(Priority.RESULT), chat_id=line.chat_id, caption=words,
                          reply_markup=markup, reply_parameters=reply_to(line.reply_to_id),
                          has_spoiler=(kind == "photo" and spoiler) or None,
                          **{kind: InputFile(data, filename=name)})


async def fitted(delivery: Delivery, budget: ImageBudget) -> FittedImage:
    """The result fitted to ``budget`` in a worker thread; as it came, with no hop to the
    thread, when what its header said on arrival shows it fits (a 1K result, most often)."""
    image = delivery.image
    kept = as_is(image.data, image.mime_type, image.width, image.height, budget)
    return kept if kept is not None else await asyncio.to_thread(fit_output, image.data, budget)
