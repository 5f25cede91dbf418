"""Telegram's webhook mode: Telegram POSTs each update to TELEGRAM_WEBHOOK_URL, which the load
balancer passes to any replica's LISTEN_PORT at the URL's path; several replicas then share one
bot. Polling stays the default (one process).

At start every replica calls setWebhook with the same URL, secret and update kinds (the call is
idempotent). A request is processed only with the right ``X-Telegram-Bot-Api-Secret-Token``
(compared in constant time; else 403). It is fed to the same python-telegram-bot Application
polling feeds, so every handler behaves the same, and answered 200 only once the update is
safely taken: its handler has run and the edit it started is recorded in the ledger (or has
ended, answered). Telegram delivers an update again until it gets a 2xx, and the ledger's
origin key makes a second delivery of a recorded edit do nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken
from telegram.ext import Application

from adapters.server import HttpServer
from adapters.tasks import noting
from bot.bootstrap import Core
from bot.errors import ConfigError

log = logging.getLogger(__name__)
# the update kinds the bot handles; polling asks for the same
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "chosen_inline_result"]
PAYING_UPDATES = [*ALLOWED_UPDATES, "pre_checkout_query"]  # with CREDIT_PACKS set


def allowed_updates(core: Core) -> list[str]:
    return PAYING_UPDATES if core.payments.on else ALLOWED_UPDATES
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TAKE_WITHIN_S = 30.0  # the longest an answer waits for the edit it started to be recorded
LOOK_FIRST_S, LOOK_AT_MOST_S = 0.05, 0.5  # between looks at the ledger, doubling


def origin_keys(update: Update) -> list[str]:
    """The ledger origin keys an edit started by ``update`` may be recorded under."""
    keys = []
    message = update.message
    if message is not None:
        keys.append(f"telegram:{message.chat_id}:{message.message_id}")
    chosen = update.chosen_inline_result
    if chosen is not None and chosen.inline_message_id is not None:  # inline.py
        keys.append(f"telegram:inline:{chosen.inline_message_id}")
    query = update.callback_query
    if query is not None:
        keys.append(f"telegram:button:{query.id}")
        asked = query.message
        replied = getattr(asked, "reply_to_message", None)  # a question: the user's message
        if asked is not None and replied is not None:
            keys.append(f"telegram:{asked.chat.id}:{replied.message_id}")
    return keys


class Webhook:
    def __init__(self, core: Core, app: Callable[[], Application[Any, Any, Any, Any, Any, Any]],
                 call: Callable[..., Any]) -> None:
        settings = core.settings
        assert settings.telegram_webhook_url and settings.telegram_webhook_secret
        self.core = core
        self.url = settings.telegram_webhook_url
        self.path = settings.webhook_path
        self._secret = settings.telegram_webhook_secret.get_secret_value().encode()
        self._app = app
        self._call = call  # TelegramTalk.call: waits out flood control
        self.routed = False
        self.accepting = False  # from the Application's start to the stop's beginning
        self.is_set = False

    def add_routes(self, server: HttpServer) -> None:
        server.add_route("POST", self.path, self.handle)
        self.routed = True

    async def set(self) -> None:
        """setWebhook, with the URL, secret and update kinds every replica gives alike. A
        refusal is a ConfigError; a network failure is raised as it is (retried at start)."""
        if not self.routed:
            raise ConfigError.about(
                "TELEGRAM_WEBHOOK_URL needs the HTTP server: set LISTEN_PORT (not off) and have "
                "the load balancer pass the URL's path to it", "TELEGRAM_WEBHOOK_URL",
                "LISTEN_PORT")
        bot = self._app().bot
        try:
            await self._call(bot.set_webhook, url=self.url,
                             secret_token=self._secret.decode(),
                             allowed_updates=allowed_updates(self.core))
        except (BadRequest, Forbidden, InvalidToken) as exc:  # not a network failure
            raise ConfigError.about(
                f"TELEGRAM_WEBHOOK_URL was refused by the Bot API ({exc.message}): it must be a "
                "public https URL on port 443, 80, 88 or 8443", "TELEGRAM_WEBHOOK_URL") from None
        self.is_set = True

    def ready(self) -> str | None:
        return None if self.is_set else "webhook not set"

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        if not self.accepting:  # starting or stopping: the balancer tries another replica
            return web.Response(status=503, text="not taking updates")
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            app = self._app()
            update = Update.de_json(data, app.bot)
        except Exception as exc:  # whatever the body is, it is not an update
            log.warning("telegram: the webhook got a body that is not an update (%s)",
                        type(exc).__name__)
            return web.Response(status=400, text="not an update")
        with noting() as started:
            await app.process_update(update)
        await self._taken(started, origin_keys(update))
        return web.Response(text="ok")

    async def _taken(self, started: list[asyncio.Task[Any]], keys: list[str]) -> None:
        """Wait until the work ``update`` started has ended or its edit is in the ledger."""
        deadline = time.monotonic() + TAKE_WITHIN_S
        pause = LOOK_FIRST_S
        while running := [t for t in started if not t.done()]:
            if keys and await self._recorded(keys):
                return
            if time.monotonic() > deadline:
                log.warning("telegram: an update's edit was not recorded within %.0f s; "
                            "answering anyway", TAKE_WITHIN_S)
                return
            await asyncio.wait(running, timeout=pause)
            pause = min(pause * 2, LOOK_AT_MOST_S)

    async def _recorded(self, keys: list[str]) -> bool:
        for key in keys:
            if await self.core.service.seen(key):
                return True
        return False
