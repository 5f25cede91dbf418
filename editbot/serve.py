"""Running the bot: start the core and the adapters in one event loop, stop them on SIGTERM or
SIGINT within SHUTDOWN_GRACE_S plus a little.

The stop must beat ``docker stop`` (SIGTERM, then SIGKILL 10 s later): adapters stop taking
new work, running edits get SHUTDOWN_GRACE_S (default 5 s) to finish together, then whatever is
still running is cancelled. A cancelled job stays reserved, its user sees no error, and the
next start resumes it.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
from collections.abc import Sequence
from typing import Protocol

from bot.bootstrap import Core, build
from bot.config import Settings
from bot.logs import loop_exception_handler

log = logging.getLogger("editbot")

CLOSE_S = 2.5  # after the grace: closing connections and the ledger


class Adapter(Protocol):
    name: str

    async def start(self) -> None:
        """Connect, resume unfinished jobs, start taking requests; ConfigError if it cannot."""

    async def settle(self) -> None:
        """Stop taking requests; let running edits finish within the grace."""

    async def close(self) -> None:
        """Close the connections (also after a start that failed half-way)."""


async def serve(settings: Settings, modules: Sequence[str]) -> int:
    """Run until SIGTERM/SIGINT (exit code 0). A start that fails raises ConfigError after
    everything started so far was stopped."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(loop_exception_handler)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    core = build(settings)
    adapters: list[Adapter] = [importlib.import_module(m).create(core) for m in modules]
    starting = asyncio.create_task(_start(core, adapters))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()
            await stopping
        else:  # stopped while still starting (a platform being retried)
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
        log.debug("stopping")
        return 0
    finally:
        stopping.cancel()
        await _stop(core, adapters, settings.shutdown_grace_s)


async def _start(core: Core, adapters: Sequence[Adapter]) -> None:
    core.hold()  # SQLite: this process alone, or it would redo the other's jobs
    await core.start()
    await core.check_upstream()
    for adapter in adapters:
        await adapter.start()


async def _stop(core: Core, adapters: Sequence[Adapter], grace_s: float) -> None:
    async def stop_all() -> None:
        for stage in ("settle", "close"):
            results = await asyncio.gather(*(getattr(a, stage)() for a in adapters),
                                           return_exceptions=True)
            for adapter, result in zip(adapters, results, strict=True):
                if isinstance(result, Exception):
                    log.warning("%s: %s did not go cleanly", adapter.name, stage,
                                exc_info=result)
        await core.aclose()

    try:
        await asyncio.wait_for(stop_all(), grace_s + CLOSE_S)
    except TimeoutError:
        log.warning("stopping took longer than %.1f s; leaving the rest", grace_s + CLOSE_S)
