"""One edit's status message in a Telegram chat, kept cheap.

The message is sent when the edit is accepted (at a status's priority: results go first); one
saying the job is with the model is dropped if the flood gate held it back 1.5 s (its result
is near by then).
Beyond it an edit makes at most PROGRESS_CALLS more calls before its result (so a private 1K
edit that did not wait in line is at most four: getFile, the status, one progress call, the
result): an edit of the status when the job's stage changes (queued <-> working), at most once
per STATUS_EDIT_INTERVAL_S and with the newest words (older ones are never sent), or else
"sending a photo…" once the model has worked for a second, only when Telegram's limits leave
room at once. A queued job's status also counts down as its place changes: low-priority
progress outside that budget, coalesced (the newest place wins, at most once per
STATUS_EDIT_INTERVAL_S) and sent only from the flood gate's spare capacity (a countdown the
gate has no room for is dropped, not queued), so a short line counts down step by step while
a crowd sees few such edits. At delivery the result takes the message over (``take``): its
edits stop, and if it was still waiting for its turn it is never sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.telegram.alarm import INF
from adapters.telegram.flood import FloodGate, Priority, Turn
from adapters.telegram.raw import call
from adapters.waiting import cancel_id, progress_words
from bot.domain import Progress, Stage
from bot.i18n import text

log = logging.getLogger(__name__)
STATUS_EDIT_INTERVAL_S = 3.0
PROGRESS_CALLS = 1
ACTION_AFTER_S = 1.0  # a quick edit needs no "sending a photo…": the status says it all
ACTION_EVERY_S = 5.0  # a chat action shows for five seconds
CALLBACK_DATA_LIMIT = 64  # bytes, Bot API's InlineKeyboardButton.callback_data
WORKING_FRESH_S = 1.5  # a "working" status the flood gate held back longer is not sent


def reply_to(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def first_turn(stage: Stage | None, now: float) -> Turn:
    """The first status's turn in the flood gate. One saying the job is with the model is
    dropped if the gate held it back past WORKING_FRESH_S: its result is near by then, and in a
    crowd it would take that result's place in Telegram's window (the result then comes as a
    new message). A queued job's status (its place, Cancel) waits as long as it must."""
    return Turn(Priority.STATUS, until=now + WORKING_FRESH_S if stage is Stage.WORKING
                else INF)


def cancel_markup(data: str | None, stage: Stage | None,
                  lang: str) -> InlineKeyboardMarkup | None:
    """Cancel while the job waits in line; none once it is with the model (an edit without a
    keyboard removes it)."""
    if data is None or stage is not Stage.QUEUED:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(text("cancel_button", lang),
                                                       callback_data=data)]])


class StatusLine:
    def __init__(self, bot: Callable[[], ExtBot[Any]], chat_id: int, reply_to_id: int | None,
                 lang: str, *, message_id: int | None = None, showing: str | None = None,
                 key: str | None = None) -> None:
        self._bot = bot
        self.chat_id, self.reply_to_id, self.lang = chat_id, reply_to_id, lang
        self.message_id = message_id
        self.shown = self.wanted = showing
        self.consumed = self._closed = False  # consumed: the result took the message over
        self._sending: asyncio.Task[None] | None = None
        self._send_turn = Turn(Priority.STATUS)
        self._editor: asyncio.Task[None] | None = None
        self._actions: asyncio.Task[None] | None = None
        self._last_edit = 0.0
        self._calls_left = PROGRESS_CALLS
        self._stage: Stage | None = None
        self._countdown = False  # the words wanted are only a new place in line
        self._cancel = cancel_id(key, CALLBACK_DATA_LIMIT)  # a queued job's Cancel button

    def open(self, words: str, stage: Stage | None = None) -> None:
        """Send the status message (in the background)."""
        self._stage = stage
        expect(self, stage is Stage.WORKING)
        self.shown = self.wanted = words
        self._last_edit = asyncio.get_running_loop().time()
        self._send_turn = first_turn(stage, self._last_edit)
        self._sending = asyncio.ensure_future(self._send(words))

    async def _send(self, words: str) -> None:
        try:
            message = await call(
                self._bot(), "sendMessage", self._send_turn, chat_id=self.chat_id, text=words,
                reply_parameters=reply_to(self.reply_to_id),
                reply_markup=cancel_markup(self._cancel, self._stage, self.lang))
        except TelegramError:
            log.warning("could not send a status message to chat %s", self.chat_id,
                        exc_info=True)
            return
        self.message_id = message.message_id if message else None

    async def sent(self) -> int | None:
        """The status message's id once it is sent (None if it could not be)."""
        sending = self._sending
        if sending is not None and not sending.done():
            await asyncio.wait({sending})
        return self.message_id

    async def known(self, within_s: float) -> int | None:
        """The status message's id, given up to ``within_s`` to arrive once it left (one the
        flood gate holds back is not waited for): noted with the job, it lets a restart put the
        result into that message again (a delivery redone in place) instead of refunding it."""
        sending = self._sending
        if self.message_id is None and sending is not None and self._send_turn.dispatched:
            await asyncio.wait({sending}, timeout=within_s)
        return self.message_id

    async def progress(self, event: Progress) -> None:
        if event.stage is Stage.DELIVERING:
            self._stop_actions()
            return
        if event.stage is Stage.WORKING and self._actions is None and not self._closed:
            self._actions = asyncio.ensure_future(self._show_actions())
        words = progress_words(event, self.lang)
        if event.stage is not self._stage:
            self._stage = event.stage
            expect(self, event.stage is Stage.WORKING and not self._closed)
            self.show(words)
        elif event.stage is Stage.QUEUED:
            self.show(words, countdown=True)

    def show(self, words: str, *, countdown: bool = False) -> None:
        """Edit the status to ``words`` (the newest wins); ``countdown``: a mere move in the
        line, sent only from spare capacity and outside the call budget."""
        if self._closed or words == self.wanted:
            return
        self.wanted, self._countdown = words, countdown
        if self._editor is None or self._editor.done():
            self._editor = asyncio.ensure_future(self._edit())

    async def _edit(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closed and self.wanted != self.shown:
            if await self.sent() is None:
                return
            wait = self._last_edit + STATUS_EDIT_INTERVAL_S - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            words, countdown, before = self.wanted, self._countdown, self.shown
            if self._closed or words is None or words == before or (
                    not countdown and self._calls_left <= 0):
                return
            if not countdown:
                self._calls_left -= 1
            self.shown, last, self._last_edit = words, self._last_edit, loop.time()
            turn = Turn(Priority.COUNTDOWN if countdown else Priority.PROGRESS)
            if not countdown or spare(self):  # one the gate has no room for is not even built
                with suppress(TelegramError):
                    await call(self._bot(), "editMessageText", turn, chat_id=self.chat_id,
                               message_id=self.message_id, text=words,
                               reply_markup=cancel_markup(self._cancel, self._stage, self.lang))
            if countdown and not turn.dispatched:  # no spare room: dropped, not queued
                self.shown, self._last_edit = before, last
                if self.wanted == words:
                    self.wanted = before  # the next move tries again

    async def _show_actions(self) -> None:
        await asyncio.sleep(ACTION_AFTER_S)
        with suppress(TelegramError):
            while not self._closed and self._calls_left > 0 and (
                    self._editor is None or self._editor.done()):
                self._calls_left -= 1
                await self._bot().send_chat_action(
                    chat_id=self.chat_id, action=ChatAction.UPLOAD_PHOTO,
                    rate_limit_args=Turn(Priority.ACTION))
                await asyncio.sleep(ACTION_EVERY_S)

    def _stop_actions(self) -> None:
        if self._actions is not None:
            self._actions.cancel()

    async def ready(self) -> None:
        """Wait until the result could be sent at once under the flood limits: the job is
        marked as being delivered only then (EditService.submit's ``ready``)."""
        if isinstance(gate := self._bot().rate_limiter, FloodGate):
            await gate.room(self.chat_id)

    async def take(self) -> int | None:
        """Stop showing progress and hand over the message for the result or the final answer;
        None when there is none (a send still waiting for its turn is called off)."""
        self._closed = True
        self._stop_actions()
        expect(self, False)
        if self._editor is not None:
            self._editor.cancel()
        sending = self._sending
        if sending is not None and not sending.done() and not self._send_turn.dispatched:
            sending.cancel()
        return await self.sent()

    async def tidy(self) -> None:
        """The job is over and its result went elsewhere: remove the status message."""
        message_id = await self.take()
        if message_id is None or self.consumed:
            return
        self.consumed = True
        with suppress(TelegramError):
            await self._bot().delete_message(chat_id=self.chat_id, message_id=message_id,
                                             rate_limit_args=Turn(Priority.PROGRESS))


def expect(line: StatusLine, coming: bool) -> None:
    """Tell the flood gate whether the line's result may be ready at any moment (its job is
    with the model), so new statuses leave room for it (FloodGate.expect)."""
    if isinstance(gate := line._bot().rate_limiter, FloodGate):
        gate.expect(line, coming)


def spare(line: StatusLine) -> bool:
    """Whether the flood gate has room to spare for a countdown now (FloodGate.spare), asked
    before the call is built: in a crowd most countdowns find none and are dropped."""
    gate = line._bot().rate_limiter
    return not isinstance(gate, FloodGate) or gate.spare()
