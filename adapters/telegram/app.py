"""The Telegram adapter's lifecycle: the python-telegram-bot Application, started and stopped
by hand so it shares one event loop with the other adapters; handlers route to the edit flow
(edits) and the other commands (moderation)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    Message,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from adapters.server import HttpServer
from adapters.startup import until_reachable
from adapters.tasks import Background
from adapters.telegram.buttons import TelegramButtons
from adapters.telegram.cancelling import TelegramCancels
from adapters.telegram.chat import TelegramChat
from adapters.telegram.edits import TelegramEdits
from adapters.telegram.flood import FloodGate, FloodLimits
from adapters.telegram.health import PollingRequest
from adapters.telegram.inline import TelegramInline
from adapters.telegram.moderation import TelegramModeration
from adapters.telegram.payments import TelegramPayments
from adapters.telegram.settings import TelegramSettings
from adapters.telegram.stats import TelegramStats
from adapters.telegram.transport import AiohttpRequest
from adapters.telegram.updates import (
    PLATFORM,
    AlbumCollector,
    sender_of,
)
from adapters.telegram.webhook import Webhook, allowed_updates
from bot.bootstrap import Core
from bot.errors import ConfigError
from bot.i18n import LANGUAGES, text

log = logging.getLogger(__name__)
RESULT_BUTTONS = r"^(again|4k|vary):\d+$"  # the buttons under a result (buttons.py)
NEW = filters.UpdateType.MESSAGE
# Bot API calls at once: Telegram's flood limits (about 30 a second) make more pointless, and
# httpcore checks every pooled connection on each request and answer
CONNECTIONS = 8


class _WithoutTraceback(logging.Filter):
    """python-telegram-bot logs an answer that is not JSON (a wrong TELEGRAM_API_BASE_URL) with
    the traceback of json.loads; its one line says enough, and the start fails with our own."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("telegram.request.BaseRequest").addFilter(_WithoutTraceback())


def _limits(scale: float) -> FloodLimits:
    base = FloodLimits()
    return FloodLimits(base.global_calls, base.global_window_s * scale, base.chat_messages,
                       base.chat_window_s * scale, base.group_messages,
                       base.group_window_s * scale)


class CountingRequest(AiohttpRequest):
    """The Bot API transport, counting flood-control answers (429) for /metrics; the caller
    waits them out (FloodGate, flood.py)."""

    def __init__(self, on_429: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_429 = on_429

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 429:
            self._on_429()
        return code, payload


async def register_commands(bot: ExtBot[Any], *, payments: bool = False) -> None:
    """The command menus, in each language: every user's, the administrators', and the
    private chats' (with /history)."""
    names = ("edit", "imagine", "quota", "help") + (
        ("buy", "paysupport", "terms") if payments else ())
    for lang in LANGUAGES:
        code = None if lang == "en" else lang
        users = [BotCommand(name, text(f"cmd_{name}", lang)) for name in names]
        moderators = [*users, *(BotCommand(name, text(f"cmd_{name}", lang))
                                for name in ("setlimit", "usage", "settings"))]
        try:
            await bot.set_my_commands(users, scope=BotCommandScopeDefault(),
                                      language_code=code)
            await bot.set_my_commands(moderators, scope=BotCommandScopeAllChatAdministrators(),
                                      language_code=code)
            await bot.set_my_commands(  # /history answers in a private chat only
                [*users, BotCommand("history", text("cmd_history", lang))],
                scope=BotCommandScopeAllPrivateChats(), language_code=code)
        except TelegramError:
            log.warning("telegram: could not register the command menus", exc_info=True)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("telegram: an update failed", exc_info=context.error)


def create(core: Core) -> TelegramAdapter:
    return TelegramAdapter(core)


def _application(core: Core, polling: PollingRequest, *,
                 webhook: bool) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = core.settings
    assert settings.telegram_bot_token is not None
    root = settings.telegram_api_base_url
    builder = (
        ApplicationBuilder().token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
        .concurrent_updates(True)
        .rate_limiter(FloodGate(_limits(settings.telegram_flood_window_scale)))
        .request(CountingRequest(lambda: core.metrics.rate_limited(PLATFORM),
                                 connections=CONNECTIONS, read_timeout=30,
                                 write_timeout=120, media_write_timeout=120, pool_timeout=30))
        .get_updates_request(polling))
    # webhook mode: no Updater, so no getUpdates
    return (builder.updater(None) if webhook else builder).build()


class TelegramAdapter:
    name = "telegram"

    def __init__(self, core: Core, *, poll_timeout_s: int = 30, album_wait_s: float = 1.0,
                 grace_s: float | None = None) -> None:
        self.core = core
        self.poll_timeout_s = poll_timeout_s
        self.grace_s = core.settings.shutdown_grace_s if grace_s is None else grace_s
        self.names: dict[str, str] = {}
        self.background = Background("Telegram")
        self.spawn = self.background.spawn
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.username = ""
        self.edits = TelegramEdits(core, lambda: self._app.bot, self.spawn)
        self.moderation = TelegramModeration(core, self.names, self.edits.talk.reply)
        self.stats = TelegramStats(core, self.edits.talk)
        # two connections: the long poll, and the last getUpdates at a stop that marks the
        # fetched updates read while the cancelled poll's connection is released
        self.polling = PollingRequest(connections=2, read_timeout=poll_timeout_s + 10)
        self.albums = AlbumCollector(self._on_album, wait_s=album_wait_s)
        self.chat = TelegramChat(core, self.edits, self.albums,
                                 lambda: (self._app.bot.id, self.username))
        self.webhook = (Webhook(core, lambda: self._app, self.edits.talk.call)
                        if core.settings.telegram_webhook_url else None)
        self.buttons = TelegramButtons(core, self.edits)
        self.payments = TelegramPayments(core, lambda: self._app.bot, self.edits.talk.reply)

    @property
    def _app(self) -> Application[Any, Any, Any, Any, Any, Any]:
        assert self.app is not None, "the Telegram adapter is not started"
        return self.app

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        settings = self.core.settings
        self.app = app = _application(self.core, self.polling, webhook=self.webhook is not None)
        chat = self.chat
        app.add_handler(MessageHandler(NEW & (filters.PHOTO | filters.Document.ALL),
                                       self._noting(chat.on_media)))
        app.add_handler(CommandHandler(["edit", "imagine"], self._noting(chat.on_command),
                                       filters=NEW))
        moderation = self.moderation
        for name, handler in (("start", moderation.start), ("help", moderation.help),
                              ("quota", moderation.quota), ("setlimit", moderation.setlimit),
                              ("usage", moderation.usage), ("stats", self.stats.stats)):
            app.add_handler(CommandHandler(name, self._noting(handler), filters=NEW))
        self.payments.register(app)  # with CREDIT_PACKS set
        TelegramSettings(self.core, moderation, lambda: app.bot).register(app)  # /settings
        TelegramInline(self.core, self.edits, self.spawn, chat.questions).register(app)  # +/history
        app.add_handler(MessageHandler(NEW & filters.TEXT & ~filters.COMMAND,
                                       self._noting(chat.on_text)))
        app.add_handler(MessageHandler(NEW & filters.COMMAND, chat.on_unknown))
        app.add_handler(CallbackQueryHandler(self.buttons.on_press, pattern=RESULT_BUTTONS))
        TelegramCancels(self.core, self.edits, moderation).register(app)  # a queued edit's
        app.add_handler(CallbackQueryHandler(chat.questions.on_pick,
                                             pattern=r"^(gen|pick):(ask|accept|literal)$"))
        app.add_error_handler(_on_error)
        await until_reachable(self._initialize, platform="telegram",
                              setting="TELEGRAM_API_BASE_URL", unreachable=(NetworkError,),
                              within_s=settings.startup_retry_s)
        self.username = app.bot.username
        await register_commands(app.bot, payments=self.core.payments.on)
        await self.payments.catch_up()
        await self.edits.resume()
        await app.start()
        if self.webhook is not None:
            self.webhook.accepting = True
            await until_reachable(self.webhook.set, platform="telegram",
                                  setting="TELEGRAM_API_BASE_URL", unreachable=(NetworkError,),
                                  within_s=settings.startup_retry_s)
        else:
            assert app.updater is not None
            await app.updater.start_polling(timeout=self.poll_timeout_s,
                                            allowed_updates=allowed_updates(self.core))
        self.core.alerts.connect(PLATFORM, self._tell_operator)
        log.info("telegram: %s as @%s", "webhook set" if self.webhook else "polling",
                 self.username)

    def add_routes(self, server: HttpServer) -> None:  # webhook mode: the URL's path
        if self.webhook is not None:
            self.webhook.add_routes(server)

    async def _initialize(self) -> None:
        """getMe; python-telegram-bot's InvalidToken holds the token: one naming settings."""
        try:
            await self._app.initialize()
        except InvalidToken as exc:
            if "not found" in str(exc.__cause__ or "").lower():  # 404: a wrong root or token
                raise ConfigError.about(
                    "TELEGRAM_BOT_TOKEN or TELEGRAM_API_BASE_URL is wrong: the Bot API answered "
                    "404 to getMe (the root must not end in /bot; the token comes from "
                    "@BotFather)", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL") from None
            raise ConfigError.about(
                "TELEGRAM_BOT_TOKEN was rejected by the Bot API (401 Unauthorized): copy it "
                "again from @BotFather", "TELEGRAM_BOT_TOKEN") from None

    def ready(self) -> str | None:
        """None when polling reaches the Bot API (or the webhook is set); else why not."""
        if self.webhook is not None:
            return self.webhook.ready()
        if self.app is None or self.app.updater is None or not self.app.updater.running:
            return "not polling"
        return self.polling.failure

    async def _tell_operator(self, user_id: str, words: str) -> None:
        await self.edits.talk.call(self._app.bot.send_message, chat_id=int(user_id), text=words)

    async def stop(self) -> None:
        await self.settle()
        await self.close()

    async def settle(self) -> None:
        """Stop taking updates; give running edits SHUTDOWN_GRACE_S to finish (the rest stay
        reserved and are resumed at the next start)."""
        await self.core.service.stop_adopting("telegram")
        app = self.app
        if app is None:
            return
        if self.webhook is not None:
            self.webhook.accepting = False
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await self.background.settle(self.grace_s)

    async def close(self) -> None:
        """Close the connections (operator alerts included)."""
        self.core.alerts.disconnect(PLATFORM)
        app = self.app
        if app is None:
            return
        if app.running:
            await app.stop()
        await app.shutdown()
        await app.bot.shutdown()  # a start that failed leaves the bot's clients open

    async def _on_album(self, messages: list[Message]) -> None:
        self._note(messages[0])
        await self.chat.on_album(messages)

    def _noting(self, handler: Any) -> Any:
        async def noted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self._note(update.effective_message)
            await handler(update, context)
        return noted

    def _note(self, message: Message | None) -> None:
        for m in (message, message.reply_to_message if message else None):
            sender = sender_of(m) if m is not None else None
            if sender is not None:
                self.names[sender.key] = sender.name
