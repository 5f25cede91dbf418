"""One inline edit as Telegram shows it: the message a person posted by choosing an inline result
(the photo to edit, its caption saying what is being done) moves with the job and becomes the
result. Telegram takes no new upload when editing an inline message, only a file it already
has: the result is first sent to the person's private chat with the bot (where it stays, with
Again, 4K and Variations, and a reply to it continues the edit), then put into the inline
message by that photo's file_id. The credit is taken once the inline message shows it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.render import caption
from adapters.telegram.delivery import CAPTION_LIMIT, PHOTO_BUDGET, TelegramDelivery
from adapters.telegram.downloads import download_all
from adapters.telegram.flood import Priority, Turn
from adapters.telegram.status import CALLBACK_DATA_LIMIT
from adapters.telegram.updates import ImageRef
from adapters.waiting import cancel_id, progress_words
from bot.bootstrap import Core
from bot.domain import (
    DeliverFn,
    Delivery,
    EditOutcome,
    EditRequest,
    Job,
    Progress,
    ProgressFn,
    Stage,
)
from bot.edits import Blob, request_from_json
from bot.errors import EditbotError
from bot.i18n import error_text, text
from bot.images import fit_output

log = logging.getLogger(__name__)


def inline_keyboard(lang: str, cancel: str | None = None) -> InlineKeyboardMarkup:
    """The inline message's button: an inline keyboard is what makes Telegram report the
    message's id with the chosen result, and this one lets anyone in the chat start their own
    (it types ``@bot`` into their input field). ``cancel``: a queued job's Cancel button data,
    shown until the model is asked."""
    rows = [[InlineKeyboardButton(text("inline_button", lang),
                                  switch_inline_query_current_chat="")]]
    if cancel is not None:
        rows.insert(0, [InlineKeyboardButton(text("cancel_button", lang), callback_data=cancel)])
    return InlineKeyboardMarkup(rows)


class InlinePort:
    """The edit port of an inline message (see the module's docstring)."""

    early = True  # a photo the person sent is downloaded first: the status goes out meanwhile

    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]], delivery: TelegramDelivery,
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]], *,
                 key: str, inline_message_id: str, user_id: int, lang: str, prompt: str,
                 refs: list[ImageRef]) -> None:
        self.core, self._bot, self._delivery, self._spawn = core, bot, delivery, spawn
        self.key, self.inline_message_id, self.user_id = key, inline_message_id, user_id
        self.lang, self.prompt, self.refs = lang, prompt, refs
        self._showing: tuple[str, str | None] = ("", None)

    @classmethod
    def of(cls, core: Core, bot: Callable[[], ExtBot[Any]], delivery: TelegramDelivery,
           spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
           request: EditRequest) -> InlinePort:
        """The port of a job from before a restart, from its origin."""
        origin = request.origin
        return cls(core, bot, delivery, spawn, key=origin["key"],
                   inline_message_id=origin["inline_message_id"], user_id=origin["chat_id"],
                   lang=request.actor.language, prompt=request.command.prompt,
                   refs=[ImageRef(f, None, photo=True) for f in origin.get("file_ids", [])])

    async def say(self, words: str, cancel: str | None = None) -> None:
        """Show ``words`` as the inline message's caption (a status, or the last word), with a
        Cancel button whose data is ``cancel``."""
        if (words, cancel) == self._showing:
            return  # Telegram refuses an edit that changes nothing
        self._showing = (words, cancel)
        try:
            await self._bot().edit_message_caption(
                inline_message_id=self.inline_message_id, caption=words[:CAPTION_LIMIT],
                reply_markup=inline_keyboard(self.lang, cancel),
                rate_limit_args=Turn(Priority.PROGRESS))
        except TelegramError:
            log.info("inline message %s could not be edited", self.inline_message_id,
                     exc_info=True)

    async def images(self) -> list[Blob]:
        return await download_all(self._bot(), self.refs) if self.refs else []

    async def show(self, progress: Progress) -> None:
        stage = progress_words(progress, self.lang)  # its place, and its likely wait
        queued = progress.stage is Stage.QUEUED  # Cancel, until the model is asked
        cancel = cancel_id(self.key, CALLBACK_DATA_LIMIT) if queued else None
        await self.say(text("inline_working", self.lang, prompt=self.prompt) + "\n" + stage,
                       cancel)

    def origin(self) -> dict[str, Any]:
        # chat_id and message_id: the private chat, where the result's own buttons answer
        return {"key": self.key, "inline_message_id": self.inline_message_id,
                "chat_id": self.user_id, "message_id": None,
                "file_ids": [r.file_id for r in self.refs]}

    async def ready(self) -> None:
        return None

    async def deliver(self, delivery: Delivery) -> None:
        """Upload the result to the private chat, then put it into the inline message by its
        file_id; raises (and the core refunds) when either fails."""
        bot, lang = self._bot(), self.lang
        photo = await asyncio.to_thread(fit_output, delivery.image.data, PHOTO_BUDGET)
        sent = await bot.send_photo(
            self.user_id, photo.data, caption=caption(
                delivery, lang, limit=CAPTION_LIMIT, demo=self.core.spec.demo),
            filename=f"edit.{photo.extension}", reply_markup=self._delivery.buttons(
                delivery, lang), rate_limit_args=Turn(Priority.RESULT))
        file_id = max(sent.photo, key=lambda p: p.width * p.height).file_id
        words = delivery.image.text.strip()  # the chat sees the model's words, not the quota
        if self.core.spec.demo:
            words = (words + "\n\n" + text("demo_model_note", lang)).strip()
        await bot.edit_message_media(
            media=InputMediaPhoto(file_id, caption=words[:CAPTION_LIMIT] or None),
            inline_message_id=self.inline_message_id, reply_markup=inline_keyboard(lang),
            rate_limit_args=Turn(Priority.RESULT))
        self._showing = (words, None)
        await delivery.arrived()
        self._spawn(self._note(delivery, file_id, f"telegram:{self.user_id}:{sent.message_id}"))

    async def _note(self, delivery: Delivery, file_id: str, message_key: str) -> None:
        """The result can be picked again (inline, /history), and a reply to its private
        copy continues the edit."""
        try:  # side by side: the note joins the turn's write
            for failed in await asyncio.gather(
                    self.core.turns.link(delivery.job_id, message_key),
                    self.core.recent.note(delivery.request.actor.key, file_id, delivery.job_id),
                    return_exceptions=True):
                if isinstance(failed, Exception):
                    raise failed
        except Exception:
            log.warning("job %d: its result could not be noted", delivery.job_id, exc_info=True)

    async def refused(self, error: EditbotError) -> None:
        await self.say(error_text(error, self.lang))

    async def ended(self, outcome: EditOutcome | None, request: EditRequest | None) -> None:
        if outcome is None or outcome.ok or outcome.status == "duplicate":
            return  # cut short (resumed later), delivered, or handled by its first report
        assert outcome.error is not None
        await self.say(error_text(outcome.error, self.lang))


class InlineJobs:
    """The jobs of inline messages left by a restart, handed over by ``TelegramEdits``: each is
    rebuilt with its port from its origin, or refunded and said in its caption."""

    def __init__(self, core: Core, bot: Callable[[], ExtBot[Any]], delivery: TelegramDelivery,
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.core, self._bot, self._delivery, self._spawn = core, bot, delivery, spawn

    def port(self, request: EditRequest) -> InlinePort:
        return InlinePort.of(self.core, self._bot, self._delivery, self._spawn, request)

    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        port = self.port(request_from_json(job.request))
        if not images:  # its result was kept: nothing to fetch
            port.refs = []
        try:
            blobs = await port.images()
            inputs = await self.core.service.prepare_images(
                [b.data for b in blobs], [b.platform_encoded for b in blobs])
        except (TelegramError, EditbotError):
            log.info("job %d: its images can no longer be fetched", job.id)
            return None
        return request_from_json(job.request, inputs), port.deliver, port.show

    @staticmethod
    def redelivers(job: Job) -> bool:
        """Never: delivering again would send a second private copy; refunded instead."""
        return False

    async def abandoned(self, job: Job) -> None:
        reason = "interrupted_delivery" if job.delivering else "abandoned"
        request = request_from_json(job.request)
        await self.finished(EditOutcome("failed", job.id, error=EditbotError(reason)), request)

    async def finished(self, outcome: EditOutcome, request: EditRequest) -> None:
        await self.port(request).ended(outcome, request)
