"""What the fake servers share: tests wait on what the bot has done so far."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


class Watched:
    """A fake that records calls; ``wait_for`` wakes whenever one arrives (``_notify``)."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _seen(self) -> str:
        """The calls so far, for a timeout's message."""
        raise NotImplementedError

    async def wait_for(self, predicate: Callable[[], Any], within: float = 15.0) -> Any:
        """Wait until ``predicate()`` is truthy (it is checked after every call the bot makes,
        and at least twice a second); its value is returned."""
        deadline = time.monotonic() + within
        async with self._changed:
            while not (value := predicate()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting; calls: " + self._seen())
                try:
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
                except TimeoutError:
                    pass
        return value
