"""Telegram's flood limits, as the fake Bot API enforces them.

Telegram publishes them loosely: about 30 calls a second per bot, about one message a second in
a chat (short bursts are tolerated), at most 20 messages a minute in a group. Here each is a
sliding window counted when a request arrives: a call made in a chat (one with a ``chat_id``)
counts against the bot's global window; a message sent or edited counts against its chat's
window and, in a group, the group's. A call over any of them is refused with 429 and the
``retry_after`` (whole seconds, at least 1) after which it would have fitted. Refused calls
do not count.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

MESSAGE_METHODS = ("send", "edit", "copyMessage", "forwardMessage")


def is_message(method: str) -> bool:
    return method.startswith(MESSAGE_METHODS) and method != "sendChatAction"


@dataclass(frozen=True)
class FloodLimits:
    global_calls: int = 30
    global_window_s: float = 1.0
    chat_messages: int = 3  # about one a second, with a short burst allowed
    chat_window_s: float = 3.0
    group_messages: int = 20
    group_window_s: float = 60.0

    def scaled(self, factor: float) -> FloodLimits:
        """The same counts over windows ``factor`` times as long (tests run time faster)."""
        return replace(self, global_window_s=self.global_window_s * factor,
                       chat_window_s=self.chat_window_s * factor,
                       group_window_s=self.group_window_s * factor)


class _Window:
    __slots__ = ("limit", "span", "times")

    def __init__(self, limit: int, span: float) -> None:
        self.limit, self.span = limit, span
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more fits (0: it fits now)."""
        times = self.times
        while times and times[0] <= now - self.span:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[len(times) - self.limit] + self.span - now


class FloodControl:
    """Off (``limits`` None) unless a test or bench turns it on."""

    def __init__(self, limits: FloodLimits | None = None) -> None:
        self.limits = limits
        self.refused = 0  # 429s answered for flood
        self._global: _Window | None = None
        self._chats: dict[Any, _Window] = {}
        self._groups: dict[Any, _Window] = {}

    def judge(self, method: str, chat_id: Any, now: float) -> int | None:
        """None if the call may go (and it is counted); else the retry_after to answer."""
        limits = self.limits
        if limits is None or chat_id is None or method == "getUpdates":
            return None
        if self._global is None:
            self._global = _Window(limits.global_calls, limits.global_window_s)
        windows = [self._global]
        if is_message(method):
            windows.append(self._window(self._chats, chat_id, limits.chat_messages,
                                        limits.chat_window_s))
            if _is_group(chat_id):
                windows.append(self._window(self._groups, chat_id, limits.group_messages,
                                            limits.group_window_s))
        wait = max(w.wait(now) for w in windows)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        for window in windows:
            window.times.append(now)
        return None

    @staticmethod
    def _window(table: dict[Any, _Window], key: Any, limit: int, span: float) -> _Window:
        window = table.get(key)
        if window is None or window.limit != limit:
            window = table[key] = _Window(limit, span)
        return window


def _is_group(chat_id: Any) -> bool:
    try:
        return int(chat_id) < 0
    except (TypeError, ValueError):
        return True  # "@channelname"
