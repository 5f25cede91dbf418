"""The bot's HTTP side on LISTEN_PORT (aiohttp): health, readiness, Prometheus metrics, and any
route an adapter adds (the Telegram webhook) before it starts.

    GET /healthz  200 {"status": "ok"} while the process runs (the container's HEALTHCHECK)
    GET /readyz   200 when every probe passes (the ledger answers, each adapter is connected),
                  else 503 {"ready": false, "checks": {"telegram": "getUpdates answered ..."}}
    GET /metrics  the registry in Prometheus' text format (0.0.4: every Prometheus reads it)

To serve more (a webhook), add routes before ``start``::

    server.add_route("POST", "/telegram/webhook", handler)   # handler(request) -> Response

A probe is a name and a coroutine function that returns None when all is well and a short
reason otherwise (or raises: the exception's type is the reason). Probes run at once, each
within PROBE_TIMEOUT_S.

The port may face any client (adapters/connections.py): at most ``max_connections`` are kept,
a request's headers must come within IDLE_TIMEOUT_S of connecting or of the previous answer,
a body over MAX_BODY is answered 413, and asyncio's accept errors are logged once a minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from adapters.connections import ConnectionGuard, OncePerMinute

log = logging.getLogger(__name__)
Probe = Callable[[], Awaitable[str | None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PROBE_TIMEOUT_S = 3.0
IDLE_TIMEOUT_S = 5.0  # for a request's headers, and between a connection's requests
MAX_BODY = 1024 * 1024  # a Telegram update is a few kilobytes
MAX_CONNECTIONS = 200  # well under a 1,024 file-descriptor limit, with the clients' own
# connections asyncio accepts in one go before any is counted: what the cap may be passed by
BACKLOG = 32


class HttpServer:
    def __init__(self, *, port: int, host: str = "127.0.0.1",
                 registry: CollectorRegistry | None = None,
                 refresh: Callable[[], Awaitable[None]] | None = None,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.host = host
        self.port = port  # 0: any free port; the bound one once started
        self._registry = registry
        self._refresh = refresh  # figures read from elsewhere (the ledger) before each scrape
        self._probes: dict[str, Probe] = {}
        self.guard = ConnectionGuard(max_connections, MAX_BODY)
        self._quiet = OncePerMinute()
        self._app = web.Application(client_max_size=MAX_BODY,
                                    middlewares=[self.guard.middleware])
        self._app.router.add_get("/healthz", self._healthz)
        self._app.router.add_get("/readyz", self._readyz)
        if registry is not None:
            self._app.router.add_get("/metrics", self._metrics)
        self._runner: web.AppRunner | None = None
        self.stopping = False

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``handler`` at ``path`` too; only before ``start``."""
        if self._runner is not None:
            raise RuntimeError("add routes before the server starts")
        self._app.router.add_route(method, path, handler)

    def add_probe(self, name: str, probe: Probe) -> None:
        self._probes[name] = probe

    async def start(self) -> int:
        """Listen; returns the port. Raises OSError when the port cannot be had."""
        self._runner = web.AppRunner(self._app, access_log=None, handle_signals=False,
                                     keepalive_timeout=IDLE_TIMEOUT_S)
        await self._runner.setup()
        assert self._runner.server is not None
        self.guard.attach(self._runner.server)
        site = web.TCPSite(self._runner, self.host, self.port, backlog=BACKLOG)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        logging.getLogger("asyncio").addFilter(self._quiet)
        sockets = getattr(site._server, "sockets", None)  # aiohttp keeps the asyncio Server
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        # the operator's one line to find them: the real port, also when LISTEN_PORT=0 chose it
        served = "/healthz, /readyz and /metrics" if self._registry else "/healthz and /readyz"
        log.info("serving %s on %s:%d", served, self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logging.getLogger("asyncio").removeFilter(self._quiet)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    # -- endpoints -----------------------------------------------------------------------------
    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _: web.Request) -> web.Response:
        checks = await self.check()
        ready = not self.stopping and all(value == "ok" for value in checks.values())
        if self.stopping:
            checks["process"] = "stopping"
        return web.json_response({"ready": ready, "checks": checks},
                                 status=200 if ready else 503)

    async def check(self) -> dict[str, str]:
        """Each probe's answer: "ok" or why not."""
        names = list(self._probes)
        answers = await asyncio.gather(*(self._run(self._probes[n]) for n in names))
        return dict(zip(names, answers, strict=True))

    @staticmethod
    async def _run(probe: Probe) -> str:
        try:
            problem = await asyncio.wait_for(probe(), PROBE_TIMEOUT_S)
        except TimeoutError:
            return "no answer in time"
        except Exception as exc:
            return f"failed: {type(exc).__name__}"
        return "ok" if problem is None else problem

    async def _metrics(self, _: web.Request) -> web.Response:
        assert self._registry is not None
        if self._refresh is not None:
            try:
                await asyncio.wait_for(self._refresh(), PROBE_TIMEOUT_S)
            except Exception:  # the other figures are still worth serving
                log.warning("could not refresh the metrics read from the ledger", exc_info=True)
        return web.Response(body=generate_latest(self._registry),
                            headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})
