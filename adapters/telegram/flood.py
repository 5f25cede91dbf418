"""Staying inside Telegram's flood limits by design, results first.

Telegram allows a bot about 30 calls a second, about one message a second in a chat (short
bursts are tolerated) and 20 messages a minute in a group; over them it answers 429 and the
user waits. FloodGate is python-telegram-bot's rate-limiter hook: every Bot API call waits for
a turn that keeps all three windows (with a margin) and turns go by priority, so in a busy
group a finished edit is never stuck behind status messages. The global window keeps a place
for each result that may be ready at any moment (up to half of it): status messages, their
edits and chat actions do not take it, else in a crowd the results would wait a window's span
behind statuses sent just before them; a status that says the job is with the model and was
held back past its ``Turn.until`` is dropped. A chat action is only sent when it can go at
once; a queued job's countdown only from spare capacity (nobody else waiting, the global window
at most half used), else it is dropped. A 429 that comes anyway pauses everything for its
retry_after and the call is made again.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.alarm import INF, Alarm

log = logging.getLogger(__name__)
MESSAGE_METHODS = ("send", "edit", "copyMessage", "forwardMessage")
SAFETY = 1.05  # our windows are this much longer than Telegram's...
SLACK_S = 0.02  # ...and this much more
RESERVE_SHARE = 0.5  # of the global window, kept from new statuses for the results coming


class Priority(IntEnum):
    RESULT = 0  # a finished edit, or the answer that ends a job
    ANSWER = 1  # what a user waits on: replies to commands, the files an edit needs
    STATUS = 2  # a new status message
    PROGRESS = 3  # a status message edited, or tidied away
    ACTION = 4  # "sending a photo…": only when it can go at once
    COUNTDOWN = 5  # a queued job's new place: only from spare capacity (nobody waits)


@dataclass(eq=False)
class Turn:
    """What a call passes as ``rate_limit_args``; ``dispatched`` tells whether it left."""

    priority: Priority
    dispatched: bool = False
    until: float = INF  # the loop's time past which it is not made (a status grown stale)


@dataclass(frozen=True)
class FloodLimits:
    global_calls: int = 30
    global_window_s: float = 1.0
    chat_messages: int = 3
    chat_window_s: float = 3.0
    group_messages: int = 20
    group_window_s: float = 60.0


class _Window:
    """A call holds its place from the moment it leaves until a window after its answer came:
    it reached Telegram somewhere in between, so Telegram never sees more than ``limit``
    within a window, however long a request took to travel."""

    __slots__ = ("in_flight", "limit", "span", "times")

    def __init__(self, limit: int, span: float) -> None:
        self.limit, self.span = limit, span * SAFETY + SLACK_S
        self.in_flight = 0
        self.times: deque[float] = deque()  # when the answers came

    def free_at(self, now: float, kept: int = 0) -> float:
        """When one more call may leave (``now`` if at once; inf: when an answer comes), with
        ``kept`` places still free after it."""
        times = self.times
        while times and times[0] <= now - self.span:
            times.popleft()
        limit = self.limit - kept
        if self.in_flight + len(times) < limit:
            return now
        keep = limit - self.in_flight
        if keep <= 0:
            return INF
        return times[len(times) - keep] + self.span

    def used(self, now: float) -> int:
        """The calls counted in the window now (in flight or answered within it)."""
        self.free_at(now)
        return self.in_flight + len(self.times)

    def done(self, now: float) -> None:
        self.in_flight -= 1
        self.times.append(now)


@dataclass(eq=False)
class _Waiter:
    priority: int
    seq: int
    windows: tuple[_Window, ...]
    until: float = INF
    ready: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())  # True: go; False: dropped


def _default_priority(endpoint: str) -> Priority:
    if endpoint == "sendChatAction":
        return Priority.ACTION
    if endpoint in ("sendPhoto", "sendDocument", "editMessageMedia"):
        return Priority.RESULT
    if endpoint in ("editMessageText", "deleteMessage"):
        return Priority.PROGRESS
    return Priority.ANSWER


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat = data.get("chat_id")
    if isinstance(chat, str):
        try:
            return int(chat)
        except ValueError:
            return chat
    return chat if isinstance(chat, int) else None


class FloodGate(BaseRateLimiter[Turn]):
    def __init__(self, limits: FloodLimits | None = None, *, max_retries: int = 3) -> None:
        self.limits, self.max_retries = limits or FloodLimits(), max_retries
        self._global = _Window(self.limits.global_calls, self.limits.global_window_s)
        self._chats: dict[int | str, _Window] = {}
        self._groups: dict[int | str, _Window] = {}
        self._waiting: list[_Waiter] = []  # by (priority, seq)
        self._seq = itertools.count()
        self._paused_until = 0.0
        self._alarm = Alarm(self._dispatch)
        self._coming: set[object] = set()  # the jobs with the model: their results are coming
        self.floods = 0  # 429s received anyway

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self._alarm.at(INF)

    def _windows(self, endpoint: str, chat: int | str | None) -> tuple[_Window, ...]:
        if chat is None:
            return ()
        if not endpoint.startswith(MESSAGE_METHODS) or endpoint == "sendChatAction":
            return (self._global,)
        limits = self.limits
        own = _window_of(self._chats, chat, limits.chat_messages, limits.chat_window_s)
        if isinstance(chat, int) and chat > 0:
            return self._global, own
        return self._global, own, _window_of(self._groups, chat, limits.group_messages,
                                             limits.group_window_s)

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any]
                                                | list[dict[str, Any]]]],
        args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: Turn | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        turn = rate_limit_args or Turn(_default_priority(endpoint))
        windows = self._windows(endpoint, _chat_of(data))
        attempt = 0
        while True:
            if windows and not await self._turn(turn.priority, windows, turn.until):
                return True  # a chat action that would have had to wait, a stale status
            turn.dispatched = True
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as flood:
                attempt += 1
                if attempt > self.max_retries:
                    raise
                self.floods += 1
                wait = _seconds(flood)
                log.warning("telegram: flood control on %s; waiting %.0f s", endpoint, wait)
                loop = asyncio.get_running_loop()
                self._paused_until = max(self._paused_until, loop.time() + wait)
                turn.dispatched = False
                if not windows:
                    await asyncio.sleep(wait)
            finally:
                self._release(windows)

    async def room(self, chat_id: int | str) -> None:
        """Wait until a result could be sent to ``chat_id`` at once (nothing is sent). Delivery
        is marked as begun only then, so a restart meanwhile can still redo the job."""
        windows = self._windows("sendPhoto", chat_id)
        await self._turn(Priority.RESULT, windows)
        for window in windows:
            window.in_flight -= 1
        self._dispatch()

    def expect(self, job: object, coming: bool) -> None:
        """Whether ``job``'s result may be ready at any moment (the model is at work on it)."""
        if coming:
            self._coming.add(job)
        elif job in self._coming:
            self._coming.discard(job)
            self._dispatch()

    def spare(self) -> bool:
        """Whether a call nobody waits on may go: none waits, half the global window is free."""
        now = asyncio.get_running_loop().time()
        return (now >= self._paused_until
                and not any(not w.ready.done() for w in self._waiting)
                and self._global.used(now) * 2 <= self._global.limit)

    async def _turn(self, priority: int, windows: tuple[_Window, ...], until: float = INF) -> bool:
        if priority >= Priority.COUNTDOWN and not self.spare():
            return False
        waiter = _Waiter(priority, next(self._seq), windows, until)
        bisect.insort_right(self._waiting, waiter, key=_rank)
        self._dispatch()
        if waiter.ready.done():
            return waiter.ready.result()
        if priority >= Priority.ACTION:
            self._waiting.remove(waiter)
            return False
        try:
            return await waiter.ready
        except BaseException:
            if waiter.ready.done() and not waiter.ready.cancelled() and waiter.ready.result():
                self._release(windows)  # its turn came as it was called off
            elif waiter in self._waiting:
                self._waiting.remove(waiter)
            raise

    def _release(self, windows: tuple[_Window, ...]) -> None:
        if windows:
            now = asyncio.get_running_loop().time()
            for window in windows:
                window.done(now)
            self._dispatch()

    def _dispatch(self) -> None:
        now = asyncio.get_running_loop().time()
        if now < self._paused_until:
            self._alarm.at(self._paused_until)
            return
        waiting = self._waiting
        if not waiting:
            self._alarm.at(INF)
            return
        still: list[_Waiter] = []
        soonest = INF
        glob = self._global
        # a place in the global window for each result coming, which statuses, their edits
        # and chat actions may not take: else the results wait a window's span behind them
        kept = min(len(self._coming), int(glob.limit * RESERVE_SHARE))
        for index, waiter in enumerate(waiting):
            if waiter.ready.done():
                continue
            if now > waiter.until:  # a status held back until its result is near: not sent
                waiter.ready.set_result(False)
                continue
            # past the first status the places kept for results count: every call behind is
            # as low, in the global window, so stays (one called off goes at a later pass)
            free = glob.free_at(now, kept if waiter.priority >= Priority.STATUS else 0)
            if free > now:
                still += waiting[index:]
                soonest = min(soonest, free)
                break
            at = max(w.free_at(now) for w in waiter.windows)
            if at > now:
                still.append(waiter)
                soonest = min(soonest, at)
                continue
            for window in waiter.windows:
                window.in_flight += 1
            waiter.ready.set_result(True)
        self._waiting = still
        self._alarm.at(soonest if still else INF)


def _window_of(table: dict[int | str, _Window], chat: int | str, limit: int,
               span: float) -> _Window:
    window = table.get(chat)
    if window is None:
        window = table[chat] = _Window(limit, span)
    return window


def _rank(waiter: _Waiter) -> tuple[int, int]:
    return waiter.priority, waiter.seq


def _seconds(flood: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = flood.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
