"""One timer for the flood gate: the soonest a waiting call may go."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

INF = float("inf")


class Alarm:
    """One timer for the soonest a waiting call may go, kept when that has not moved (a call
    and its answer each dispatch; most of them change nothing)."""

    __slots__ = ("_handle", "_wake")

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._handle: asyncio.TimerHandle | None = None

    def at(self, when: float) -> None:
        """Wake at ``when`` (inf: not at all) instead of when it was set for."""
        handle = self._handle
        if handle is not None:
            if handle.when() == when:
                return
            handle.cancel()
            self._handle = None
        if when < INF:
            self._handle = asyncio.get_running_loop().call_at(when, self._rung)

    def _rung(self) -> None:
        self._handle = None
        self._wake()
