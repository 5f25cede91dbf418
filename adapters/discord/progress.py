"""A Discord edit's status kept in step with its job: the newest words win; a move in the line
is shown at most once per QUEUE_EDIT_INTERVAL_S (a newer place waiting for its turn replaces an
older one, never dropped), a change of stage at once. Discord's own rate limits are waited out
by discord.py. Closed before the result or the final answer takes over."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import discord

from adapters.discord.targets import Target
from adapters.waiting import cancel_id, progress_words
from bot.domain import Progress, Stage
from bot.i18n import text

log = logging.getLogger(__name__)
QUEUE_EDIT_INTERVAL_S = 2.0
CUSTOM_ID_LIMIT = 100  # characters, a component's custom_id


def cancel_view(key: str | None, stage: Stage | None, lang: str) -> discord.ui.View | None:
    """A queued job's Cancel button; none once it is with the model (the edit that says so
    removes it)."""
    custom_id = cancel_id(key, CUSTOM_ID_LIMIT)
    if custom_id is None or stage is not Stage.QUEUED:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=text("cancel_button", lang), custom_id=custom_id))
    return view


class StatusKeeper:
    def __init__(self, target: Target, lang: str, showing: str | None = None, *,
                 key: str | None = None, stage: Stage | None = None) -> None:
        self.target, self.lang, self.key = target, lang, key
        self.shown = self.wanted = showing  # what the target says now, and should say
        self._stage = stage
        self._at = 0.0  # when the last words were shown
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._nudge = asyncio.Event()  # a change of stage cuts a wait short

    async def progress(self, event: Progress) -> None:
        if self._closed or event.stage is Stage.DELIVERING:
            return
        self.wanted = progress_words(event, self.lang)
        self._stage = event.stage
        if event.stage is not Stage.QUEUED:
            self._nudge.set()
        if self.wanted != self.shown and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self._show())

    async def _show(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closed and self.wanted is not None and self.wanted != self.shown:
            wait = self._at + QUEUE_EDIT_INTERVAL_S - loop.time()
            if self._stage is Stage.QUEUED and wait > 0:
                self._nudge.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._nudge.wait(), wait)
                continue
            self.shown, self._at = self.wanted, loop.time()
            try:
                await self.target.show(self.shown, cancel_view(self.key, self._stage, self.lang))
            except discord.HTTPException:
                log.info("discord: could not show progress", exc_info=True)

    async def close(self) -> None:
        """No more progress: the result or the final answer speaks next."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
