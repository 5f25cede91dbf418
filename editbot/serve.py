"""Running the bot: start the core, the HTTP side on LISTEN_PORT (/healthz, /readyz, /metrics)
and the adapters in one event loop, stop them on SIGTERM or SIGINT within SHUTDOWN_GRACE_S plus
a little.

The stop must beat ``docker stop`` (SIGTERM, then SIGKILL 10 s later): adapters stop taking
new work, running edits get SHUTDOWN_GRACE_S (default 5 s) to finish together, then whatever is
still running is cancelled. A cancelled job stays reserved, its user sees no error, and the
next start resumes it. /readyz answers 503 from the moment the stop begins; the HTTP side
closes after the adapters.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from adapters.server import HttpServer
from bot.bootstrap import Core, build
from bot.config import Settings
from bot.errors import ConfigError
from bot.ops import loop_exception_handler

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

    def ready(self) -> str | None:
        """None while connected to its platform; else why not (for /readyz)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A core of its own (its settings, its ledger) with the adapters that use it, and the
    ``services`` they talk to (the local chat): started before them, closed after them."""

    settings: Settings
    modules: Sequence[str]
    services: Sequence[Adapter] = ()
    ledger_name: str = ""  # beside another unit: named in its edit lines (job ids are per ledger)


@dataclass(slots=True)
class _Running:
    core: Core
    adapters: list[Adapter]
    services: Sequence[Adapter]


async def serve(settings: Settings, modules: Sequence[str], *,
                services: Sequence[Adapter] = (), beside: Sequence[Unit] = ()) -> int:
    """Run until SIGTERM/SIGINT (exit code 0). A start that fails raises ConfigError after
    everything started so far was stopped. ``beside`` runs on cores of their own (the local
    chat beside a real platform): started first, stopped with the rest, not on /readyz (a
    testing window does not take the bot out of a load balancer)."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(loop_exception_handler)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    units = [*beside, Unit(settings, modules, services)]
    running = [_running(unit) for unit in units]
    main = running[-1]
    server = http_server(main.core, [*services, *main.adapters])
    starting = asyncio.create_task(_start(running, server))
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
        await _stop(running, server, settings.shutdown_grace_s)


def _running(unit: Unit) -> _Running:
    core = build(unit.settings, ledger_name=unit.ledger_name)
    return _Running(core, [importlib.import_module(m).create(core) for m in unit.modules],
                    unit.services)


def http_server(core: Core, adapters: Sequence[Adapter]) -> HttpServer | None:
    """The HTTP side on LISTEN_PORT (None when LISTEN_PORT=off): /healthz, /metrics, and
    /readyz with a probe for the ledger and one per adapter (its ``ready()``). An adapter that
    serves HTTP itself (a webhook) has ``add_routes(server)``, called here, before the start."""
    settings = core.settings
    if settings.listen_port is None:
        return None
    server = HttpServer(port=settings.listen_port, host=settings.listen_host,
                        registry=core.metrics.registry, refresh=core.metrics.refresh,
                        max_connections=settings.listen_max_connections)

    async def ledger() -> None:
        await core.ping()

    server.add_probe("ledger", ledger)
    for adapter in adapters:
        server.add_probe(adapter.name, _ready_probe(adapter))
        add_routes = getattr(adapter, "add_routes", None)
        if add_routes is not None:
            add_routes(server)
    return server


def _ready_probe(adapter: Adapter) -> Callable[[], Awaitable[str | None]]:
    async def probe() -> str | None:
        return adapter.ready()

    return probe


async def _start(running: Sequence[_Running], server: HttpServer | None) -> None:
    for unit in running:
        unit.core.hold()  # SQLite: this process alone, or it would redo the other's jobs
    for unit in running:
        for service in unit.services:
            await service.start()
    for unit in running:
        await unit.core.start()
    if server is not None:
        await _listen(server)
    for unit in running:
        await unit.core.check_upstream()
    for unit in running:
        for adapter in unit.adapters:
            await adapter.start()


async def _listen(server: HttpServer) -> None:
    """A port that cannot be had is a ConfigError naming LISTEN_PORT (before any platform)."""
    try:
        await server.start()
    except OSError as exc:
        raise ConfigError.about(
            f"LISTEN_PORT cannot be used: cannot listen on {server.host}:{server.port} "
            f"({exc.strerror or type(exc).__name__}); set LISTEN_PORT to a free port, or "
            "LISTEN_PORT=off", "LISTEN_PORT", "LISTEN_HOST") from None


async def _stop(running: Sequence[_Running], server: HttpServer | None,
                grace_s: float) -> None:
    if server is not None:
        server.stopping = True  # /readyz answers 503 from now on
    adapters = [adapter for unit in running for adapter in unit.adapters]

    async def stop_all() -> None:
        for stage in ("settle", "close"):
            results = await asyncio.gather(*(getattr(a, stage)() for a in adapters),
                                           return_exceptions=True)
            for adapter, result in zip(adapters, results, strict=True):
                if isinstance(result, Exception):
                    log.warning("%s: %s did not go cleanly", adapter.name, stage,
                                exc_info=result)
        for unit in running:
            for service in unit.services:
                await service.close()
        if server is not None:
            await server.stop()
        for unit in running:
            await unit.core.aclose()

    try:
        await asyncio.wait_for(stop_all(), grace_s + CLOSE_S)
    except TimeoutError:
        log.warning("stopping took longer than %.1f s; leaving the rest", grace_s + CLOSE_S)
