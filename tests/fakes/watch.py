"""What the fake servers share: serving on loopback, and waiting on what the bot has done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

SHUTDOWN_S = 0.5  # how long a stopping fake lets the answers in flight finish


class Watched:
    """A fake that records calls; ``wait_for`` wakes whenever one arrives (``_notify``)."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.root = ""

    async def _serve(self, app: web.Application) -> str:
        """Serve ``app`` on a free port of 127.0.0.1; returns (and keeps) its root URL."""
        # stopping ends answers still held back (answer_after, a delay) at once: aiohttp would
        # otherwise wait up to a minute for them to finish
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://127.0.0.1:{port}"
        return self.root

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

    async def never(self, predicate: Callable[[], Any], within: float = 1.5) -> None:
        """Assert that ``predicate()`` stays falsy for ``within`` seconds: a negative check
        that gives a wrong answer time to arrive (checked after every call the bot makes)."""
        deadline = time.monotonic() + within
        async with self._changed:
            while True:
                if value := predicate():
                    raise AssertionError(f"arrived although it should not: {value!r}; calls: "
                                         + self._seen())
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
                except TimeoutError:
                    pass
