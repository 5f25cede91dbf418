"""Reaching a platform at start. A platform that cannot be reached (a network blip at boot) is
tried again with backoff, one log line per attempt, for STARTUP_RETRY_S seconds; then the start
fails with a ConfigError naming the setting to check. A refused token is not retried: the
adapter raises its own ConfigError at once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.errors import ConfigError, network_reason

log = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_WAIT_S = 1.0
MAX_WAIT_S = 30.0


async def until_reachable(
    attempt: Callable[[], Awaitable[T]], *, platform: str, setting: str,
    unreachable: tuple[type[BaseException], ...], within_s: float,
) -> T:
    """``attempt()`` until it returns; an ``unreachable`` failure waits 1, 2, 4 ... 30 s and
    tries again, until ``within_s`` seconds have passed."""
    deadline = time.monotonic() + within_s
    wait = FIRST_WAIT_S
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt()
        except unreachable as exc:
            left = deadline - time.monotonic()
            reason = network_reason(exc)
            if left <= 0:
                raise ConfigError.about(
                    f"{setting} could not be reached ({reason}, {tries} attempts in "
                    f"{within_s:.0f} s, STARTUP_RETRY_S): check it and the network",
                    setting) from None
            pause = min(wait, left)
            log.warning("%s: cannot reach %s (attempt %d: %s); trying again in %.0f s",
                        platform, setting, tries, reason, pause)
            await asyncio.sleep(pause)
            wait = min(wait * 2, MAX_WAIT_S)
