"""LocalChat: one aiohttp server on 127.0.0.1 for the page, the Bot API stand-in and the demo
model. Its socket is bound before the bot is built, so the settings can name its real port;
it starts before the Telegram adapter and closes after it (editbot/serve.py)."""

from __future__ import annotations

import logging
import secrets
import socket

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.models import BESIDE_DEMO_MODEL, DEMO_MODEL

from .botapi import BotApi
from .model import NOTE, NOTE_BESIDE, DemoModel
from .page import Page
from .room import BOT_ID, Room

log = logging.getLogger(__name__)
HOST = "127.0.0.1"  # a person's own machine only: the page has no login
MODEL_PREFIX = "/demo-model"


class LocalChat:
    name = "localchat"

    def __init__(self, *, port: int, demo_model: bool, beside: bool = False) -> None:
        self.port = port
        self.demo_model = demo_model
        self.beside = beside  # a testing window beside the bot on a real platform
        self.token = f"{BOT_ID}:{secrets.token_urlsafe(32)}"
        self.model_key = secrets.token_urlsafe(32)
        self.room = Room()
        self.api = BotApi(self.room, self.token)
        self.model = DemoModel(self.model_key, BESIDE_DEMO_MODEL if beside else DEMO_MODEL,
                               banner=NOTE_BESIDE if beside else NOTE)
        self._socket: socket.socket | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def model_url(self) -> str:
        return self.url + MODEL_PREFIX

    def bind(self) -> None:
        """Take the port now (OSError when it is taken); with port 0, learn which it got."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self.port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self._socket = sock
        self.port = sock.getsockname()[1]

    async def start(self) -> None:
        if self._socket is None:
            self.bind()
        assert self._socket is not None
        app = web.Application(client_max_size=60 * 1024 * 1024, middlewares=[self._only_here])
        app.add_routes([*Page(self.room).routes(), *self.api.routes()])
        if self.demo_model:
            app.add_routes(self.model.routes(MODEL_PREFIX))
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket).start()
        note = f" ({self.model.banner.removeprefix('editbot ')})" if self.demo_model else ""
        log.info("local chat: open %s in a browser%s", self.url, note)

    @web.middleware
    async def _only_here(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Only this machine's own address, by name or number: a name that resolves here but
        is another site's (DNS rebinding) is refused, and so is a form another site's page
        posts here (its Origin), so no web page can use the chat or spend its credits."""
        here = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        origin = request.headers.get("Origin")
        if request.host not in here or (
                origin is not None and origin.removeprefix("http://") not in here):
            raise web.HTTPForbidden(text="the local chat answers only its own page")
        return await handler(request)

    async def settle(self) -> None:
        """Nothing to wind down: the page's requests end with the server."""

    async def close(self) -> None:
        self.room.close()  # long polls answer at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        elif self._socket is not None:
            self._socket.close()
        self._socket = None

    def ready(self) -> str | None:
        return None if self._runner is not None else "not serving"
