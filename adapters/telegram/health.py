"""Whether the Telegram side is connected, for /readyz: the long poll's own request object
notes how each getUpdates call went."""

from __future__ import annotations

import time
from typing import Any

from adapters.telegram.transport import AiohttpRequest


class PollingRequest(AiohttpRequest):
    """The getUpdates request: remembers whether the last poll reached the Bot API."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last_ok = 0.0  # time.monotonic() of the last answered poll; 0: none yet
        # the adapter starts polling only after getMe answered: connected until a poll fails
        self.failure: str | None = None

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except Exception as exc:
            self.failure = f"getUpdates failed: {type(exc).__name__}"
            raise
        if code >= 400:
            self.failure = f"getUpdates answered HTTP {code}"
        else:
            self.failure, self.last_ok = None, time.monotonic()
        return code, payload
