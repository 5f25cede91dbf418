"""What is checked before any work is done for a request: how many of a person's requests are
already running, and (in the service) whether they have the credits; and how often a person may
be told no in one chat."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable
from types import TracebackType

from .errors import InputError

log = logging.getLogger(__name__)


class Busy(InputError):
    """The person already has as many requests running as they may."""

    code = "one_at_a_time"


class Ticket:
    """A request's place among its owner's running ones; released once, when its work ends."""

    def __init__(self, admission: InFlight, owner: str) -> None:
        self._admission = admission
        self.owner = owner
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._admission._release(self.owner)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


class InFlight:
    """At most ``per_owner`` requests of one person at once, from acceptance to the end."""

    def __init__(self, per_owner: int) -> None:
        self.per_owner = per_owner
        self._running: Counter[str] = Counter()

    def running(self, owner: str) -> int:
        return self._running[owner]

    def hold(self, owner: str) -> Ticket:
        """A ticket for one more request of ``owner``; Busy when they have enough running."""
        if self._running[owner] >= self.per_owner:
            raise Busy(running=self._running[owner])
        self._running[owner] += 1
        return Ticket(self, owner)

    def _release(self, owner: str) -> None:
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]


class Cooldown:
    """Says yes to a key at most once per ``seconds``: a person who sends the same refused
    request 400 times is told once, not 400 times."""

    MAX_KEYS = 100_000

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._until: dict[Hashable, float] = {}

    def allow(self, key: Hashable) -> bool:
        now = self._clock()
        if self._until.get(key, 0.0) > now:
            log.debug("a repeated refusal was dropped (%s)", key)
            return False
        if len(self._until) >= self.MAX_KEYS:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[key] = now + self.seconds
        return True
