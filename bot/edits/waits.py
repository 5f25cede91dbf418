"""How long a queued job will likely wait: its place in line, the upstream calls allowed at
once, and the model's recent measured times.

The times are the deployment's: the latest answered jobs in the ledger (every replica's),
read again at most once per REFRESH_S in the background, with this process's own answers added
as they come so the first estimate needs no wait for a read. Until one answer was measured
there is no estimate (a guess would be no better than none).
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..ledger import LEDGER_FAULTS, QuotaLedger, model_times

log = logging.getLogger(__name__)
REFRESH_S = 15.0
KEPT = 20
T = TypeVar("T")
# the ledger's faults, and a ledger closed while the read was on its way (at a shutdown)
UNREAD: tuple[type[BaseException], ...] = (*LEDGER_FAULTS, RuntimeError)


class Waits:
    def __init__(self, ledger: QuotaLedger, capacity: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ledger = ledger
        self._capacity = max(1, capacity)
        self._clock = clock
        self._times: deque[float] = deque(maxlen=KEPT)
        self._read_at = -math.inf
        self._reading: asyncio.Task[None] | None = None

    def measured(self, seconds: float) -> None:
        """One of this process's answers took ``seconds`` from asking to its answer."""
        if seconds >= 0:
            self._times.append(seconds)

    async def timed(self, answer: Awaitable[T]) -> T:
        """The model's answer, its time measured (a refusal or a failure is not one)."""
        started = time.monotonic()
        result = await answer
        self.measured(time.monotonic() - started)
        return result

    def estimate(self, position: int) -> float | None:
        """Seconds until a job at ``position`` (1: next) is likely asked; None when nothing
        was measured yet. Every ``capacity`` places ahead take about one model time."""
        self._refresh()
        if position <= 0 or not self._times:
            return None
        return math.ceil(position / self._capacity) * statistics.median(self._times)

    def _refresh(self) -> None:
        now = self._clock()
        if now - self._read_at < REFRESH_S or (self._reading and not self._reading.done()):
            return
        self._read_at = now
        try:
            self._reading = asyncio.get_running_loop().create_task(self._read())
        except RuntimeError:  # no loop (a synchronous caller): the local figure stands
            return

    async def _read(self) -> None:
        try:
            times = await model_times(self._ledger, KEPT)
        except UNREAD:
            log.info("the model's recent times could not be read; keeping this process's")
            return
        if times:
            self._times = deque(reversed(times), maxlen=KEPT)
