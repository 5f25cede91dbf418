"""The Telegram edit flow: answer bad input at once, show progress, deliver, offer buttons,
and finish or refund after a restart."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
)
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ExtBot

from adapters.render import caption, result_buttons
from adapters.telegram.flood import Priority, Turn
from adapters.telegram.refusals import message_gone, too_large
from adapters.telegram.status import StatusLine, reply_to
from adapters.telegram.updates import DOWNLOAD_LIMIT, ImageRef
from bot.admission import Ticket
from bot.bootstrap import Core
from bot.domain import (
    Actor,
    DeliverFn,
    Delivery,
    EditCommand,
    EditOutcome,
    EditRequest,
    ImageInput,
    Job,
    ProgressFn,
    Scope,
)
from bot.errors import EditbotError, ImageError
from bot.i18n import error_text, text
from bot.images import ImageBudget, fit_output
from bot.service import Opening, request_from_json

log = logging.getLogger(__name__)
T = TypeVar("T")
MB = 1024 * 1024
PHOTO_BUDGET = ImageBudget(max_bytes=10 * MB, max_side_sum=10000, max_ratio=20, max_side=2560)
DOCUMENT_BUDGET = ImageBudget(max_bytes=50 * MB)
CAPTION_LIMIT = 1024


class TelegramEdits:
    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self._bot = bot
        self._spawn = spawn
        self._lines: dict[str, StatusLine] = {}  # each running edit's status, by origin key

    @property
    def bot(self) -> ExtBot[Any]:
        return self._bot()

    # -- talking to Telegram -------------------------------------------------------------------
    async def call(self, fn: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
        """A Bot API call: waiting out flood control is FloodGate's job (flood.py)."""
        return await fn(**kwargs)

    async def say(self, chat_id: int, words: str, reply_to_id: int | None,
                  priority: Priority = Priority.ANSWER) -> Message | None:
        try:
            return await self.bot.send_message(
                chat_id=chat_id, text=words, reply_parameters=reply_to(reply_to_id),
                rate_limit_args=Turn(priority))
        except TelegramError:
            log.warning("could not send a message to chat %s", chat_id, exc_info=True)
            return None

    async def reply(self, message: Message, words: str) -> None:
        await self.say(message.chat_id, words, message.message_id)

    async def refuse(self, chat_id: int, reply_to: int, actor: Actor,
                     error: EditbotError) -> None:
        """Say why a request was refused; the same refusal to the same person in the same chat
        is said once per cooldown (someone sending it 400 times is told once)."""
        if self.core.service.refusals.allow((actor.key, chat_id, error.code)):
            await self.say(chat_id, error_text(error, actor.language), reply_to)

    async def download(self, ref: ImageRef) -> bytes:
        if ref.size is not None and ref.size > DOWNLOAD_LIMIT:
            raise ImageError("image_too_large", size=ref.size, limit=DOWNLOAD_LIMIT)
        try:
            file = await self.bot.get_file(file_id=ref.file_id,
                                           rate_limit_args=Turn(Priority.ANSWER))
            return bytes(await file.download_as_bytearray())
        except BadRequest as exc:
            if "too big" in exc.message:
                raise ImageError("image_too_large", size=ref.size or DOWNLOAD_LIMIT + 1,
                                 limit=DOWNLOAD_LIMIT) from None
            raise ImageError("fetch_failed") from None
        except TelegramError:
            raise ImageError("fetch_failed") from None

    # -- an edit, from acceptance to its end ---------------------------------------------------
    def start(self, *, key: str, chat_id: int, reply_to: int, actor: Actor, scope: Scope,
              command: EditCommand, refs: list[ImageRef], ticket: Ticket,
              parent: int | None = None) -> None:
        """Run an admitted request in the background; its ticket is released at its end. Its
        place in line is taken now, in the order requests arrive."""
        received_at = time.monotonic()
        opening = self.core.service.opening(actor, received_at)

        async def held() -> None:
            with ticket:
                await self.run(key=key, chat_id=chat_id, reply_to=reply_to, actor=actor,
                               scope=scope, command=command, refs=refs, received_at=received_at,
                               opening=opening, parent=parent)

        self._spawn(held())

    async def run(self, *, key: str, chat_id: int, reply_to: int, actor: Actor, scope: Scope,
                  command: EditCommand, refs: list[ImageRef], received_at: float,
                  opening: Opening | None = None,
                  parent: int | None = None) -> EditOutcome | None:
        opening = opening or self.core.service.opening(actor, received_at)
        # the images come in while the ledger is asked whether this update was seen before
        # (a replay after a restart), and then while the status message goes out
        fetching = asyncio.ensure_future(self._fetch(refs))
        try:
            replayed = await self.core.service.seen(key)
        except BaseException:
            self.core.service.drop(opening)
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
            raise
        if replayed:
            self.core.service.drop(opening)
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
            log.info("telegram: %s was handled before (a replayed update)", key)
            return None
        lang = actor.language
        first = opening.progress
        line = self._lines[key] = StatusLine(self._bot, chat_id, reply_to, lang)
        line.open(text(first.stage.value, lang, position=first.position), first.stage)
        try:
            images = await fetching
        except EditbotError as error:
            self.core.service.drop(opening)
            self.core.metrics.edit(actor.platform, "invalid", command.image_size)
            self._lines.pop(key, None)
            await self._show(line, error_text(error, lang))
            return None
        except BaseException:
            self.core.service.drop(opening)
            self._lines.pop(key, None)
            fetching.cancel()
            await line.take()
            raise
        origin = {"key": key, "chat_id": chat_id, "message_id": reply_to,
                  "file_ids": [r.file_id for r in refs], "status_id": line.message_id}
        request = EditRequest(actor=actor, scope=scope, command=command, images=images,
                              origin=origin, received_at=received_at, parent=parent)
        outcome = await self.core.service.submit(request, deliver=self.deliver, opening=opening,
                                                 progress=line.progress, ready=line.ready)
        await self.finish(outcome, request)
        return outcome

    async def _fetch(self, refs: list[ImageRef]) -> tuple[ImageInput, ...]:
        return await self.core.service.prepare_images(
            [await self.download(ref) for ref in refs], [ref.photo for ref in refs])

    def _line(self, origin: dict[str, Any], lang: str) -> StatusLine:
        line = self._lines.get(origin.get("key") or "")
        if line is None:  # a job from before a restart
            line = StatusLine(self._bot, origin["chat_id"], origin["message_id"], lang,
                              message_id=origin.get("status_id"))
            if origin.get("key"):
                self._lines[origin["key"]] = line
        return line

    async def finish(self, outcome: EditOutcome, request: EditRequest) -> None:
        origin = request.origin
        line = self._line(origin, request.actor.language)
        self._lines.pop(origin.get("key") or "", None)
        if outcome.ok or outcome.status == "duplicate":  # a duplicate: the first one answers
            await line.tidy()
            return
        assert outcome.error is not None
        await self._show(line, error_text(outcome.error, request.actor.language))

    async def _show(self, line: StatusLine, words: str) -> None:
        """The last word on a job: the status message becomes it (or it is said anew)."""
        status_id = await line.take()
        if status_id is not None and not line.consumed:
            line.consumed = True
            try:
                await self.bot.edit_message_text(
                    chat_id=line.chat_id, message_id=status_id, text=words,
                    rate_limit_args=Turn(Priority.RESULT))
                return
            except TelegramError:
                log.info("status message %s is gone; answering anew", status_id)
        await self.say(line.chat_id, words, line.reply_to_id, Priority.RESULT)

    # -- delivery ------------------------------------------------------------------------------
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
        line = self._line(origin, lang)
        words = caption(delivery, lang, limit=CAPTION_LIMIT)
        markup = self.buttons(delivery, lang)
        data = delivery.image.data
        photo_sent = False
        try:
            photo = await asyncio.to_thread(fit_output, data, PHOTO_BUDGET)
            sent = await self._put(line, "photo", photo.data, f"edit.{photo.extension}",
                                   words, markup)
            photo_sent = True
            await delivery.arrived()
            if sent is not None:
                self._spawn(self._link(delivery, sent))  # once its turn is kept
        except (BadRequest, NetworkError, ImageError) as exc:
            if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest) and (
                    not too_large(exc)):
                raise
            log.info("job %d: photo refused (%s); sending a document", delivery.job_id, exc)
        if photo_sent and request.command.image_size not in ("2K", "4K"):
            return
        document = await asyncio.to_thread(fit_output, data, DOCUMENT_BUDGET)
        note = text("full_resolution", lang, width=document.width, height=document.height)
        name = f"editbot-{delivery.job_id}.{document.extension}"
        try:
            if photo_sent:
                sent = await self.bot.send_document(
                    chat_id=line.chat_id, document=document.data, filename=name, caption=note,
                    reply_parameters=reply_to(line.reply_to_id),
                    rate_limit_args=Turn(Priority.RESULT))
            else:
                sent = await self._put(line, "document", document.data, name, words, markup)
            await delivery.arrived()
            if sent is not None:
                self._spawn(self._link(delivery, sent))
        except TelegramError:
            if not photo_sent:
                raise
            log.warning("job %d: the full-resolution file could not be sent", delivery.job_id)

    async def _link(self, delivery: Delivery, sent: Message) -> None:
        """Remember which message shows the result: a reply to it continues the edit."""
        try:
            await self.core.service.turns.link(delivery.job_id,
                                               f"telegram:{sent.chat_id}:{sent.message_id}")
        except Exception:
            log.warning("job %d: its result message could not be noted", delivery.job_id,
                        exc_info=True)

    async def _put(self, line: StatusLine, kind: str, data: bytes, name: str, words: str,
                   markup: InlineKeyboardMarkup) -> Message | None:
        """Put the result into the status message, or send it anew when there is none."""
        status_id = await line.take()
        turn = Turn(Priority.RESULT)
        if status_id is not None and not line.consumed:
            media = (InputMediaPhoto(data, caption=words, filename=name) if kind == "photo"
                     else InputMediaDocument(data, caption=words, filename=name))
            try:
                edited = await self.bot.edit_message_media(
                    media=media, chat_id=line.chat_id, message_id=status_id,
                    reply_markup=markup, rate_limit_args=turn)
                line.consumed = True
                return edited if isinstance(edited, Message) else None
            except BadRequest as exc:
                if not message_gone(exc):
                    raise
                line.consumed = True
                log.info("status message %s is gone; sending the result anew", status_id)
        send = self.bot.send_photo if kind == "photo" else self.bot.send_document
        return await send(line.chat_id, data, caption=words, filename=name,
                   reply_parameters=reply_to(line.reply_to_id), reply_markup=markup,
                   rate_limit_args=Turn(Priority.RESULT))

    # -- after a restart -----------------------------------------------------------------------
    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        origin = job.request["origin"]
        try:
            files = origin["file_ids"] if images else []
            inputs = await self.core.service.prepare_images(
                [await self.download(ImageRef(f, None)) for f in files])
        except (TelegramError, EditbotError):
            log.info("job %d: its images can no longer be fetched", job.id)
            return None
        request = request_from_json(job.request, inputs)
        return request, self.deliver, self._line(origin, request.actor.language).progress

    async def abandoned(self, job: Job) -> None:
        request = request_from_json(job.request)
        reason = "interrupted_delivery" if job.delivering else "abandoned"
        await self.finish(EditOutcome("failed", job.id, error=EditbotError(reason)), request)

    async def resume(self) -> None:
        for job, task in await self.core.service.resume("telegram", self):
            self._adopt(job, task)
        self.core.service.takeover.start("telegram", self, self._adopt)

    def _adopt(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        self._spawn(self._finish_resumed(job, task))

    async def _finish_resumed(self, job: Job, task: asyncio.Task[EditOutcome]) -> None:
        await self.finish(await task, request_from_json(job.request))

