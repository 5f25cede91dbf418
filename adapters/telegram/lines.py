"""The status line of each running Telegram edit, by the request's origin key, and the last
word on a job: a failure's reason takes the status message over (or is said anew), a result
sent elsewhere removes it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.telegram.flood import Priority, Turn
from adapters.telegram.status import StatusLine, expect
from adapters.telegram.talk import TelegramTalk
from bot.domain import EditOutcome, EditRequest, Stage
from bot.i18n import error_text

log = logging.getLogger(__name__)


class StatusLines:
    def __init__(self, bot: Callable[[], ExtBot[Any]], talk: TelegramTalk) -> None:
        self._bot = bot
        self._talk = talk
        self._lines: dict[str, StatusLine] = {}

    def open(self, key: str, chat_id: int, reply_to: int, lang: str, words: str,
             stage: Stage) -> StatusLine:
        """A new edit's status line; its message is sent in the background."""
        line = self._lines[key] = StatusLine(self._bot, chat_id, reply_to, lang, key=key)
        line.open(words, stage)
        return line

    def running(self, key: str) -> bool:
        return key in self._lines

    def forget(self, key: str) -> None:
        line = self._lines.pop(key, None)
        if line is not None:  # whatever path the job's end took, its result is no longer coming
            expect(line, False)

    def of(self, origin: dict[str, Any], lang: str) -> StatusLine:
        """The status line of a request by its origin (rebuilt for a job from before a
        restart)."""
        line = self._lines.get(origin.get("key") or "")
        if line is None:  # a job from before a restart
            line = StatusLine(self._bot, origin["chat_id"], origin["message_id"], lang,
                              message_id=origin.get("status_id"), key=origin.get("key"))
            if origin.get("key"):
                self._lines[origin["key"]] = line
        elif line.message_id is None and origin.get("status_id") is not None:
            line.message_id = origin["status_id"]  # a line rebuilt before its message was known
        return line

    async def finish(self, outcome: EditOutcome, request: EditRequest) -> None:
        origin = request.origin
        line = self.of(origin, request.actor.language)
        self.forget(origin.get("key") or "")
        if outcome.status == "duplicate" and outcome.job_id is not None:
            return  # its job went on in another process, which shows it in this status
        if outcome.ok or outcome.status == "duplicate":  # a duplicate: the first one answers
            await line.tidy()
            return
        assert outcome.error is not None
        await self.show(line, error_text(outcome.error, request.actor.language))

    async def show(self, line: StatusLine, words: str) -> None:
        """The last word on a job: the status message becomes it (or it is said anew)."""
        status_id = await line.take()
        if status_id is not None and not line.consumed:
            line.consumed = True
            try:
                await self._bot().edit_message_text(
                    chat_id=line.chat_id, message_id=status_id, text=words,
                    rate_limit_args=Turn(Priority.RESULT))
                return
            except TelegramError:
                log.info("status message %s is gone; answering anew", status_id)
        await self._talk.say(line.chat_id, words, line.reply_to_id, Priority.RESULT)
