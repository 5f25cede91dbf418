"""Settings from the environment and ``.env``, validated once at start.

An empty value (``NAME=`` in ``.env``, or an empty environment variable) means the default, for
every setting: ``.env.example`` lists them all with empty or default values, and Docker's
``--env-file`` passes empty lines on as empty variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..errors import ConfigError
from .chat import ChatSettings
from .groups import (
    DEFAULT_LISTEN_PORT,
    GOOGLE_BASE_URL,
    AuthStyle,
    GeminiSettings,
    OperationsSettings,
    QuotaSettings,
    StorageSettings,
    database_url,
)
from .payments import PaymentSettings

__all__ = ["DEFAULT_LISTEN_PORT", "GOOGLE_BASE_URL", "AuthStyle", "DatabaseSettings", "Settings",
           "database_url", "early_logging", "load_settings", "url_secrets"]


class Settings(ChatSettings, GeminiSettings, StorageSettings, QuotaSettings,
               OperationsSettings, PaymentSettings):
    """Every setting, read flat from the environment (``settings.gemini_model``); the groups
    it is made of (bot/config/groups.py) say which part of the bot each one tunes."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True,
        env_ignore_empty=True,
    )

    def secrets(self) -> tuple[str, ...]:
        """Every configured secret, for the log redaction filter."""
        found = [self.gemini_api_key, self.telegram_bot_token, self.discord_bot_token,
                 self.telegram_webhook_secret]
        given = [s.get_secret_value() for s in found if s and s.get_secret_value()]
        return (*given, *url_secrets(self.database_url))



class DatabaseSettings(BaseSettings):
    """Just the ledger's place, for the commands that touch only the ledger (copy-ledger)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", frozen=True)

    data_dir: str = "data"
    database_url: str = ""

    @property
    def url(self) -> str:
        if self.database_url.strip():
            return database_url(self.database_url.strip())
        return f"sqlite:///{Path(self.data_dir.strip() or 'data') / 'editbot.sqlite3'}"


def url_secrets(*urls: str) -> tuple[str, ...]:
    """The passwords in database URLs (as written and decoded), and PGPASSWORD: never logged."""
    found = [os.environ.get("PGPASSWORD", "")]
    for url in urls:
        password = urlsplit(url).password if "://" in url else None
        if password:
            found += [password, unquote(password)]
    return tuple(secret for secret in found if secret.strip())


def load_settings(*, command: str = "run", **overrides: object) -> Settings:
    """Read and validate the settings; a problem becomes a ConfigError naming each variable
    and what it expects, never the value given (it may be a secret).

    GEMINI_API_KEY is required where the bot edits for real: the CLI's ``edit`` and
    ``imagine``, and ``run`` with a chat platform's token. ``run`` without a token serves the
    local chat, on a demo model when no key is set."""
    problems: list[str] = []
    names: list[str] = []
    if _key_missing(command, overrides):
        why = ("" if command != "run" else " with TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN "
               "(without a token, the local chat runs on a demo model)")
        problems.append(f"GEMINI_API_KEY is required{why}")
        names.append("GEMINI_API_KEY")
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = "is required" if error["type"] == "missing" else error["msg"]
            message = message.removeprefix("Value error, ").replace("Input should", "should")
            problems.append(f"{name} {message}")
            names.append(name)
    if problems:
        raise ConfigError("config", problems=tuple(problems), settings=tuple(names)) from None
    return settings


def _key_missing(command: str, overrides: dict[str, object]) -> bool:
    if command not in ("run", "edit", "imagine"):
        return False
    given = {name: str(getattr(value, "get_secret_value", lambda v=value: v)())
             for name, value in overrides.items() if name in _Early.model_fields}
    try:
        early = _Early(**given)
    except ValidationError:
        return False
    if early.gemini_api_key.strip():
        return False
    return command != "run" or bool(early.telegram_bot_token.strip()
                                    or early.discord_bot_token.strip())


class _Early(BaseSettings):
    """What is needed to report a configuration problem, read leniently."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", env_ignore_empty=True)
    log_format: str = "text"
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    discord_bot_token: str = ""
    gemini_api_key: str = ""
    database_url: str = ""


def early_logging() -> tuple[Literal["text", "json"], tuple[str, ...]]:
    """LOG_FORMAT and the secrets as given, for when the settings as a whole are invalid."""
    try:
        early = _Early()
    except ValidationError:
        return "text", ()
    fmt: Literal["text", "json"] = "json" if early.log_format.strip().lower() == "json" else "text"
    secrets = (early.telegram_bot_token, early.telegram_webhook_secret, early.discord_bot_token,
               early.gemini_api_key)
    return fmt, (*(s for s in secrets if s.strip()), *url_secrets(early.database_url))
