"""The Telegram edit flow: answer bad input at once, show progress, deliver, offer buttons,
and finish or refund after a restart."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from adapters.render import caption, result_buttons
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
    Job,
    Progress,
    ProgressFn,
    Scope,
    Stage,
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
STATUS_EDIT_INTERVAL_S = 2.0


def _wait_of(flood: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = flood.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramEdits:
    def __init__(self, core: Core, bot: Callable[[], Bot],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core = core
        self._bot = bot
        self._spawn = spawn

    @property
    def bot(self) -> Bot:
        return self._bot()

    # -- talking to Telegram -------------------------------------------------------------------
    async def call(self, fn: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
        """A Bot API call that waits out flood control (429 with retry_after)."""
        for _ in range(4):
            try:
                return await fn(**kwargs)
            except RetryAfter as flood:
                await asyncio.sleep(_wait_of(flood) + 0.05)
        return await fn(**kwargs)

    async def say(self, chat_id: int, words: str, reply_to: int | None) -> Message | None:
        try:
            return await self.call(
                self.bot.send_message, chat_id=chat_id, text=words,
                reply_parameters=_reply(reply_to))
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
            file = await self.call(self.bot.get_file, file_id=ref.file_id)
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
        try:
            seen = await self.core.service.seen(key)
        except BaseException:
            self.core.service.drop(opening)
            raise
        if seen:
            self.core.service.drop(opening)
            log.info("telegram: %s was handled before (a replayed update)", key)
            return None
        lang = actor.language
        first = text(opening.progress.stage.value, lang, position=opening.progress.position)
        saying = asyncio.ensure_future(self.say(chat_id, first, reply_to))
        try:  # the status message goes out while the images come in
            images = await self.core.service.prepare_images(
                [await self.download(ref) for ref in refs])
        except EditbotError as error:
            self.core.service.drop(opening)
            status = await saying
            await self._show(chat_id, status.message_id if status else None, reply_to,
                             error_text(error, lang))
            return None
        except BaseException:
            self.core.service.drop(opening)
            saying.cancel()
            raise
        status = await saying
        status_id = status.message_id if status else None
        origin = {"key": key, "chat_id": chat_id, "message_id": reply_to,
                  "file_ids": [r.file_id for r in refs], "status_id": status_id}
        request = EditRequest(actor=actor, scope=scope, command=command, images=images,
                              origin=origin, received_at=received_at, parent=parent)
        typing = self._spawn(self._upload_action(chat_id))
        try:
            outcome = await self.core.service.submit(
                request, deliver=self.deliver, opening=opening,
                progress=self.progress_for(chat_id, status_id, lang, showing=first))
        finally:
            typing.cancel()
        await self.finish(outcome, request)
        return outcome

    async def finish(self, outcome: EditOutcome, request: EditRequest) -> None:
        origin = request.origin
        chat_id, status_id = origin["chat_id"], origin.get("status_id")
        if outcome.ok or outcome.status == "duplicate":  # a duplicate: the first one answers
            if status_id is not None:
                with suppress(TelegramError):
                    await self.call(self.bot.delete_message, chat_id=chat_id,
                                    message_id=status_id)
            return
        assert outcome.error is not None
        await self._show(chat_id, status_id, origin["message_id"],
                         error_text(outcome.error, request.actor.language))

    async def _show(self, chat_id: int, status_id: int | None, reply_to: int, words: str) -> None:
        if status_id is not None:
            try:
                await self.call(self.bot.edit_message_text, chat_id=chat_id,
                                message_id=status_id, text=words)
                return
            except TelegramError:
                log.info("status message %s is gone; answering anew", status_id)
        await self.say(chat_id, words, reply_to)

    async def _upload_action(self, chat_id: int) -> None:
        with suppress(TelegramError):
            while True:
                await self.bot.send_chat_action(chat_id=chat_id, action=ChatAction.UPLOAD_PHOTO)
                await asyncio.sleep(4.5)  # an action shows for five seconds

    def progress_for(self, chat_id: int, status_id: int | None, lang: str,
                     showing: str | None = None) -> ProgressFn:
        """Keeps the status message in step with the job; ``showing`` is what it says now."""
        shown: dict[str, Any] = {"text": showing, "at": 0.0, "stage": None}

        async def progress(event: Progress) -> None:
            words = text(event.stage.value, lang, position=event.position)
            now = asyncio.get_running_loop().time()
            same_stage = shown["stage"] == event.stage
            if status_id is None or words == shown["text"] or (
                    same_stage and now - shown["at"] < STATUS_EDIT_INTERVAL_S):
                return
            if event.stage is Stage.DELIVERING:
                return  # the result itself follows at once
            shown.update(text=words, at=now, stage=event.stage)
            with suppress(BadRequest):
                await self.call(self.bot.edit_message_text, chat_id=chat_id,
                                message_id=status_id, text=words)

        return progress

    # -- delivery ------------------------------------------------------------------------------
    def buttons(self, delivery: Delivery, lang: str) -> InlineKeyboardMarkup:
        row = [InlineKeyboardButton(label, callback_data=f"{action}:{delivery.job_id}")
               for action, label in result_buttons(self.core, delivery, lang)]
        return InlineKeyboardMarkup([row])

    async def deliver(self, delivery: Delivery) -> None:
        """Photo when it fits; 2K/4K (or a photo Telegram refuses) also as a document, so
        Telegram's recompression does not eat the resolution. Raises if nothing was sent."""
        request = delivery.request
        origin, lang = request.origin, request.actor.language
        chat_id, reply_to = origin["chat_id"], origin["message_id"]
        words = caption(delivery, lang, limit=CAPTION_LIMIT)
        markup = self.buttons(delivery, lang)
        data = delivery.image.data
        photo_sent = False
        try:
            photo = await asyncio.to_thread(fit_output, data, PHOTO_BUDGET)
            sent = await self.call(self.bot.send_photo, chat_id=chat_id, photo=photo.data,
                                   filename=f"edit.{photo.extension}", caption=words,
                                   reply_parameters=_reply(reply_to), reply_markup=markup)
            photo_sent = True
            await delivery.arrived()
            self._spawn(self._link(delivery, sent))  # once its turn is kept
        except (BadRequest, NetworkError, ImageError) as exc:
            if isinstance(exc, TelegramError) and not _photo_refused(exc):
                raise
            log.info("job %d: photo refused (%s); sending a document", delivery.job_id, exc)
        if photo_sent and request.command.image_size not in ("2K", "4K"):
            return
        document = await asyncio.to_thread(fit_output, data, DOCUMENT_BUDGET)
        note = text("full_resolution", lang, width=document.width, height=document.height)
        try:
            sent = await self.call(
                self.bot.send_document, chat_id=chat_id, document=document.data,
                filename=f"editbot-{delivery.job_id}.{document.extension}",
                caption=note if photo_sent else words, reply_parameters=_reply(reply_to),
                reply_markup=None if photo_sent else markup)
            await delivery.arrived()
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
        return request, self.deliver, self.progress_for(
            origin["chat_id"], origin.get("status_id"), request.actor.language)

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


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def _photo_refused(exc: TelegramError) -> bool:
    words = exc.message.upper()
    return "PHOTO_INVALID_DIMENSIONS" in words or "413" in words or "TOO LARGE" in words or (
        "PHOTO_SAVE_FILE_INVALID" in words)
