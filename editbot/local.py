"""When ``run`` serves the local chat, and the settings it runs the bot with.

With no chat platform's token, ``run`` puts the real Telegram adapter behind the local chat
(adapters/localchat/): a web page on 127.0.0.1 and a Bot API stand-in the adapter reaches
through TELEGRAM_API_BASE_URL with a token made up at start. Without GEMINI_API_KEY the stand-in
also serves a demo model through GEMINI_BASE_URL, and every result says so.

Beside a real platform (a token and LOCAL_CHAT_PORT set) the local chat is the operator's
testing window: a second Telegram adapter on a core of its own, always on the demo model and
always on its own ledger (data/localchat.sqlite3). So it never spends: nobody at the page can
run up the Gemini bill outside the deployment's budget. And it never mixes with the real
ledger: its two people are Telegram-shaped ids (``telegram:1001``) that may be real Telegram
users' keys there, and a start resumes every unfinished ``telegram`` job of its ledger.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.config import Settings
from bot.errors import ConfigError

if TYPE_CHECKING:
    from adapters.localchat import LocalChat

DEFAULT_PORT = 8090
LOCAL_LEDGER = "localchat.sqlite3"


def local_chat_port(settings: Settings, platforms: list[str]) -> int | None:
    """The local chat's port, or None when it is off: on by default without a token, else
    only with LOCAL_CHAT_PORT (then beside the platforms, see ``open_local_chat``)."""
    if settings.local_chat_port is None:
        return None if platforms else DEFAULT_PORT
    return settings.local_chat_port


def open_local_chat(settings: Settings, port: int, *, beside: bool = False
                    ) -> tuple[Settings, LocalChat]:
    """Bind the local chat's port (a ConfigError naming LOCAL_CHAT_PORT when it is taken) and
    point the Telegram adapter, and without a key the model, at its stand-ins. ``beside`` a
    real platform: the demo model and the local ledger whatever is set (the module's doc)."""
    from adapters.localchat import LocalChat

    demo = beside or settings.gemini_api_key is None
    chat = LocalChat(port=port, demo_model=demo, beside=beside)
    try:
        chat.bind()
    except OSError as exc:
        raise ConfigError.about(
            f"LOCAL_CHAT_PORT cannot be used: cannot listen on 127.0.0.1:{port} "
            f"({exc.strerror or type(exc).__name__}); set LOCAL_CHAT_PORT to a free port",
            "LOCAL_CHAT_PORT") from None
    changes: dict[str, object] = {
        "telegram_bot_token": SecretStr(chat.token), "telegram_api_base_url": chat.url,
        "telegram_webhook_url": None, "telegram_webhook_secret": None}
    if demo:
        changes.update(gemini_api_key=SecretStr(chat.model_key),
                       gemini_base_url=chat.model_url, gemini_model=chat.model.name,
                       gemini_auth="x-goog-api-key")
    if beside:
        changes.update(discord_bot_token=None, listen_port=None)
        changes.update({f"price_per_image_usd_{size}": None  # the demo model is free
                        for size in ("1k", "2k", "4k", "input")})
    if beside or settings.database_url == _default_ledger(settings):
        # trials in the local chat stay out of the ledger a real bot will use
        changes["database_url"] = f"sqlite:///{Path(settings.data_dir) / LOCAL_LEDGER}"
    return settings.model_copy(update=changes), chat


def _default_ledger(settings: Settings) -> str:
    return f"sqlite:///{Path(settings.data_dir) / 'editbot.sqlite3'}"
