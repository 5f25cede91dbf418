"""What keeps LISTEN_PORT serving when clients are slow or many (adapters/server.py).

- At most ``cap`` connections are kept. Past it the oldest connection with no request being
  handled is closed for the new one (a slow client that never finishes its headers is the
  oldest soon enough); when every kept connection is busy, the new one is closed. File
  descriptors thus stay near the cap, the process never runs out of them, and a prober's or
  Telegram's new connection, which sends its request at once, gets in.
- A connection must send its request's headers within the idle timeout of connecting (or of
  its previous answer), and a body within ``BODY_TIMEOUT_S``.
- asyncio's own error log (the accept loop logs one record with a traceback per failed
  accept) is cut to one record per kind a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)
BODY_TIMEOUT_S = 10.0
LOG_EVERY_S = 60.0


class ConnectionGuard:
    """Counts the server's connections and the ones with a request under way."""

    def __init__(self, cap: int, max_body: int) -> None:
        self.cap = cap
        self.max_body = max_body
        self.shed = 0  # connections closed to stay under the cap
        self._open: OrderedDict[RequestHandler, asyncio.Transport] = OrderedDict()
        self._busy: set[RequestHandler] = set()

    @property
    def open(self) -> int:
        return len(self._open)

    def attach(self, server: web.Server) -> None:
        """Watch ``server``'s connections (its two hooks every connection calls)."""
        made, lost = server.connection_made, server.connection_lost

        def connection_made(handler: RequestHandler, transport: asyncio.Transport) -> None:
            made(handler, transport)
            self._made(handler, transport)

        def connection_lost(handler: RequestHandler, exc: BaseException | None = None) -> None:
            self._open.pop(handler, None)
            self._busy.discard(handler)
            lost(handler, exc)

        server.connection_made = connection_made  # type: ignore[method-assign]
        server.connection_lost = connection_lost  # type: ignore[method-assign]

    def _made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        self._open[handler] = transport
        while len(self._open) > self.cap:
            idle = next((h for h in self._open if h not in self._busy), None)
            victim = handler if idle is None else idle
            self._open.pop(victim).abort()
            self.shed += 1
            if victim is handler:
                return

    @web.middleware
    async def middleware(self, request: web.Request,
                         handler: Any) -> web.StreamResponse:
        """A request under way keeps its connection; its body is read here, within the
        limits, before any handler sees it."""
        protocol = request.protocol
        self._busy.add(protocol)
        try:
            if request.content_length is not None and request.content_length > self.max_body:
                raise web.HTTPRequestEntityTooLarge(max_size=self.max_body,
                                                    actual_size=request.content_length)
            if request.body_exists:
                try:
                    async with asyncio.timeout(BODY_TIMEOUT_S):
                        await request.read()  # 413 past client_max_size, chunked too
                except TimeoutError:
                    raise web.HTTPRequestTimeout() from None
            response: web.StreamResponse = await handler(request)
            return response
        finally:
            self._busy.discard(protocol)
            # a connection answered and idle is the oldest no longer: it is put last
            if protocol in self._open:
                self._open.move_to_end(protocol)


class OncePerMinute(logging.Filter):
    """Lets one record of each kind (message and exception type) through a minute, and says
    how many of that kind were held back since."""

    def __init__(self, every_s: float = LOG_EVERY_S) -> None:
        super().__init__()
        self.every_s = every_s
        self._last: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (str(record.msg)[:200],
                record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else "")
        now = time.monotonic()
        last, held = self._last.get(kind, (float("-inf"), 0))
        if now - last < self.every_s:
            self._last[kind] = (last, held + 1)
            return False
        self._last[kind] = (now, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it in the last minute)"
        return True
