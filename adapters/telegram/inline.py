"""Inline mode: ``@bot 9:16 add a hat`` in any chat offers the person's recent images (their
results and the photos they sent the bot) as cached photos, by file_id; typing costs nothing.
Choosing one posts it with a status caption and an inline keyboard, and Telegram reports the
choice (``chosen_inline_result``, with the message's ``inline_message_id``): the edit runs
through the core's edit flow with an ``InlinePort`` (inline_port.py). Its origin key is the
inline message, so a choice reported twice is one job, charged once. The quota is the
person's own, wherever they typed."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import (
    ChosenInlineResult,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ChosenInlineResultHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
)

from adapters.telegram.asking import TelegramQuestions
from adapters.telegram.edits import TelegramEdits
from adapters.telegram.flood import Priority, Turn
from adapters.telegram.history import TelegramHistory
from adapters.telegram.inline_port import InlineJobs, InlinePort, inline_keyboard
from adapters.telegram.updates import PLATFORM, ImageRef, actor_of
from bot.bootstrap import Core
from bot.commands import parse_arguments
from bot.domain import Scope
from bot.edits import Order, RecentImage
from bot.errors import CommandError, EditbotError
from bot.i18n import credits, error_text, text

log = logging.getLogger(__name__)
RESULTS = 50  # Telegram shows at most 50 results per answer
CACHE_S = 0  # the offer changes with every result: Telegram must ask again
_RESULT_ID = re.compile(r"i(\d{1,18})")


class TelegramInline:
    def __init__(self, core: Core, edits: TelegramEdits,
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
                 questions: TelegramQuestions) -> None:
        self.core = core
        self.history = TelegramHistory(core, edits.talk, questions)  # /history, Edit again
        self.edits = edits
        self._spawn = spawn
        self._running: set[str] = set()  # inline messages being edited by this process
        edits.inline = InlineJobs(core, edits.bot, edits.delivery, spawn)  # restarts

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.history.register(app)
        app.add_handler(InlineQueryHandler(self.on_query))
        app.add_handler(ChosenInlineResultHandler(self.on_chosen))

    def _bot(self) -> ExtBot[Any]:
        return self.edits.bot()

    def _port(self, **kwargs: Any) -> InlinePort:
        return InlinePort(self.core, self.edits.bot, self.edits.delivery, self._spawn, **kwargs)

    # -- typing: the offer -----------------------------------------------------------------------
    async def on_query(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        actor = actor_of(query.from_user)
        lang = actor.language
        results: list[InlineQueryResultCachedPhoto] = []
        images = await self.core.recent.of(actor.key, limit=RESULTS)
        words = query.query.strip()
        if not images:
            hint = InlineQueryResultsButton(text("inline_none", lang), start_parameter="inline")
        elif not words:
            hint = InlineQueryResultsButton(text("inline_type", lang), start_parameter="help")
        else:
            try:
                command = parse_arguments("edit", words, self.core.spec, guess="accept")
            except CommandError:
                hint = InlineQueryResultsButton(text("inline_bad", lang),
                                                start_parameter="help")
            else:
                cost = credits(self.core.service.credits_for(command), lang)
                results = [_result(image, command.prompt, cost, lang) for image in images]
                hint = None
        try:
            await self._bot().answer_inline_query(
                query.id, results, cache_time=CACHE_S, is_personal=True, button=hint)
        except TelegramError:
            log.info("telegram: an inline query could not be answered", exc_info=True)

    # -- the choice: the edit ---------------------------------------------------------------------
    async def on_chosen(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chosen = update.chosen_inline_result
        if chosen is None or chosen.inline_message_id is None:
            return  # no inline keyboard on it: nothing the bot could edit
        message_id = chosen.inline_message_id
        if message_id in self._running:
            return  # the same choice reported again while it is being handled here
        self._running.add(message_id)  # at once: the checks below take a while
        started = False
        try:
            started = await self._start(chosen, message_id)
        finally:
            if not started:
                self._running.discard(message_id)

    async def _start(self, chosen: ChosenInlineResult, message_id: str) -> bool:
        """Check the choice and start its edit; False when it ends here (said in the caption,
        or nothing to say: a report of a choice handled before)."""
        key = f"{PLATFORM}:inline:{message_id}"
        service = self.core.service
        if await service.seen(key):
            return False  # handled before (a redelivered report, another replica)
        actor = actor_of(chosen.from_user)
        found = _RESULT_ID.fullmatch(chosen.result_id)
        image = await self.core.recent.get(int(found[1]), actor.key) if found else None
        parent = image.job_id if image is not None and image.continues else None
        refs = [] if image is None or parent else [ImageRef(image.ref, None, photo=True)]
        port = self._port(key=key, inline_message_id=message_id, user_id=chosen.from_user.id,
                          lang=actor.language, prompt=chosen.query, refs=refs)
        if image is None:
            await port.say(text("job_gone", actor.language))
            return False
        scope = Scope(PLATFORM, str(chosen.from_user.id), private=True)  # the person's own
        try:
            command = parse_arguments("edit", chosen.query, self.core.spec, guess="accept")
            ticket = await service.admit(actor, scope, command)
        except EditbotError as error:
            self.core.metrics.turned_away(actor.platform, error)
            await port.say(error_text(error, actor.language))
            return False
        if not await self._reachable(chosen.from_user.id):
            ticket.release()
            await port.say(text("inline_start_first", actor.language))
            return False
        port.prompt = command.prompt
        accepted = service.accept(Order(actor, scope, command, time.monotonic(), key=key,
                                        parent=parent))

        async def held() -> None:
            try:
                with ticket:
                    await accepted.run(port)
            finally:
                self._running.discard(message_id)

        self._spawn(held())
        return True

    async def _reachable(self, user_id: int) -> bool:
        """Whether the result can be uploaded to the person's private chat (they pressed Start
        there once): asked before anything is spent."""
        try:
            await self._bot().send_chat_action(  # waits its turn: a skipped one proves nothing
                chat_id=user_id, action=ChatAction.UPLOAD_PHOTO,
                rate_limit_args=Turn(Priority.ANSWER))
        except Forbidden:
            return False
        except TelegramError:
            log.info("telegram: could not check the private chat of %s", user_id, exc_info=True)
        return True


def _result(image: RecentImage, prompt: str, cost: str,
            lang: str) -> InlineQueryResultCachedPhoto:
    about = (text("inline_result", lang, credits=cost, prompt=image.prompt)
             if image.job_id is not None else text("inline_sent", lang, credits=cost))
    return InlineQueryResultCachedPhoto(
        id=f"i{image.id}", photo_file_id=image.ref,
        title=text("inline_title", lang, prompt=prompt), description=about,
        caption=text("inline_working", lang, prompt=prompt)[:1024],
        reply_markup=inline_keyboard(lang))
