"""The groups of settings, one per part of the bot they tune (the chat platforms' in
bot/config/chat.py); ``bot.config.Settings`` is all of
them together, read flat from the environment.

An empty value (``NAME=`` in ``.env``, or an empty environment variable) means the default, for
every setting: ``.env.example`` lists them all with empty or default values, and Docker's
``--env-file`` passes empty lines on as empty variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

GOOGLE_BASE_URL = "https://generativelanguage.googleapis.com"
AuthStyle = Literal["x-goog-api-key", "bearer", "query"]
DEFAULT_LISTEN_PORT = 8080
_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR"}
# the top folders of a Linux root: sqlite:///var/x.db was probably meant as /var/x.db
_ROOT_FOLDERS = {"bin", "boot", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc",
                 "root", "run", "srv", "sys", "tmp", "usr", "var"}


def http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ValueError("must be an http(s) or ws(s) URL")
    return value.rstrip("/")


def blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class GeminiSettings(BaseSettings):
    """The model: where it is, how to authenticate, how many calls at once, how long to wait."""

    # unset: only the local chat runs, on its demo model (editbot/local.py); a chat platform
    # or the CLI's edit and imagine need it; stats and copy-ledger read only the ledger
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str = GOOGLE_BASE_URL
    gemini_auth: Literal["auto", "x-goog-api-key", "bearer", "query"] = "auto"
    gemini_model: str = "gemini-3-pro-image-preview"
    gemini_max_concurrency: int = Field(16, ge=1, le=1024)
    gemini_timeout_s: float = Field(300.0, gt=0)
    gemini_max_attempts: int = Field(4, ge=1, le=10)
    gemini_max_retry_delay_s: float = Field(60.0, ge=0)

    @field_validator("gemini_api_key")
    @classmethod
    def _key_present(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("gemini_base_url")
    @classmethod
    def _url(cls, value: str) -> str | None:
        return http_url(value)

    @field_validator("gemini_auth", mode="before")
    @classmethod
    def _auth_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def auth_style(self) -> AuthStyle:
        if self.gemini_auth != "auto":
            return self.gemini_auth
        host = urlsplit(self.gemini_base_url).hostname or ""
        return "x-goog-api-key" if host.endswith("googleapis.com") else "bearer"


class StorageSettings(BaseSettings):
    """Where the ledger lives."""

    data_dir: str = "data"
    database_url: str = ""  # empty: sqlite:///{DATA_DIR}/editbot.sqlite3
    # how long a write waits for another's lock before it fails (and the edit is declined)
    database_lock_timeout_s: float = Field(10.0, gt=0, le=600)

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        return database_url(value.strip()) if value.strip() else ""

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, value: str) -> str:
        return value.strip() or "data"

    def database_warnings(self) -> list[str]:
        """``sqlite:///var/bot.db`` is var/bot.db in the working directory, which is rarely
        what was meant: said once at start."""
        if not self.database_url.startswith(("sqlite:///", "sqlite+aiosqlite:///")):
            return []
        path = self.database_url.split(":///", 1)[1]
        top = path.split("/", 1)[0]
        if path.startswith("/") or top not in _ROOT_FOLDERS:
            return []
        return [f"DATABASE_URL names {path} relative to the working directory "
                f"({Path.cwd()}); for the absolute path /{path} write sqlite:////{path} "
                "(four slashes)"]

    @model_validator(mode="after")
    def _default_database(self) -> StorageSettings:
        if not self.database_url:
            path = Path(self.data_dir) / "editbot.sqlite3"
            object.__setattr__(self, "database_url", f"sqlite:///{path}")
        return self


class QuotaSettings(BaseSettings):
    """Who may edit how much: daily limits, credits per edit, the guards of one person's use."""

    default_daily_limit: int = Field(10, ge=0)
    # one person's ceiling across every chat; unset: DEFAULT_DAILY_LIMIT
    user_daily_limit: int | None = Field(None, ge=0)
    credits_per_edit: int = Field(1, ge=0)
    credits_per_4k_edit: int = Field(2, ge=0)
    quota_timezone: str = "UTC"
    bot_admins: Annotated[frozenset[str], NoDecode] = frozenset()
    max_in_flight_per_user: int = Field(2, ge=1, le=100)
    refusal_cooldown_s: float = Field(30.0, ge=0)
    decode_memory_mb: int = Field(512, ge=64)

    @field_validator("quota_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as UTC or Asia/Ho_Chi_Minh") from None
        return value

    @field_validator("bot_admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        if isinstance(value, str):
            items = comma_list(value)
            for item in items:
                platform, _, ident = item.partition(":")
                if platform not in ("telegram", "discord") or not ident.lstrip("-").isdigit():
                    raise ValueError("must be a comma list like telegram:123,discord:456")
            return frozenset(items)
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.quota_timezone)

    @property
    def person_daily_limit(self) -> int:
        return self.default_daily_limit if self.user_daily_limit is None else (
            self.user_daily_limit)

    def credits_for(self, image_size: str | None) -> int:
        return self.credits_per_4k_edit if image_size == "4K" else self.credits_per_edit


class OperationsSettings(BaseSettings):
    """Running it: the HTTP port, the spend budget and prices, logs, start and stop."""

    # operations: /healthz, /readyz and /metrics; None (LISTEN_PORT=off) serves nothing
    listen_port: int | None = Field(DEFAULT_LISTEN_PORT, ge=0, le=65535)
    # loopback unless told (the image sets 0.0.0.0): /metrics tells the spend
    listen_host: str = "127.0.0.1"
    listen_max_connections: int = Field(200, ge=1, le=100_000)
    daily_budget_usd: float | None = Field(None, ge=0)
    monthly_budget_usd: float | None = Field(None, ge=0)
    price_per_image_usd_1k: float | None = Field(None, ge=0)
    price_per_image_usd_2k: float | None = Field(None, ge=0)
    price_per_image_usd_4k: float | None = Field(None, ge=0)
    price_per_image_usd_input: float | None = Field(None, ge=0)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    shutdown_grace_s: float = Field(5.0, ge=0, le=60)
    # a platform unreachable at start is tried again this long (DNS, refused, timeout said at
    # each attempt); past it the start fails, and a restart policy may try again
    startup_retry_s: float = Field(30.0, ge=0, le=3600)

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _fold_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if value.strip().upper() in _LEVELS else value.strip().lower()

    @field_validator("daily_budget_usd", "monthly_budget_usd", "price_per_image_usd_1k",
                     "price_per_image_usd_2k", "price_per_image_usd_4k",
                     "price_per_image_usd_input", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        return blank_is_none(value)

    @field_validator("listen_port", mode="before")
    @classmethod
    def _port(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().lower()
            if not word:
                return DEFAULT_LISTEN_PORT
            if word in ("off", "none", "no", "false"):
                return None
            if not word.isdigit():
                raise ValueError("must be a port number (0 picks a free one) or off (no "
                                 "HTTP side)")
        return value

    def price_overrides(self) -> dict[str, float]:
        """PRICE_PER_IMAGE_USD_* that are set: image size (or "input") -> dollars."""
        found = {"1K": self.price_per_image_usd_1k, "2K": self.price_per_image_usd_2k,
                 "4K": self.price_per_image_usd_4k, "input": self.price_per_image_usd_input}
        return {size: price for size, price in found.items() if price is not None}


def database_url(value: str) -> str:
    """DATABASE_URL: SQLite (one process) or PostgreSQL (several replicas)."""
    if value.startswith("postgres://"):
        value = "postgresql://" + value.split("://", 1)[1]
    if not value.startswith(("sqlite://", "sqlite+aiosqlite://", "postgresql://",
                             "postgresql+asyncpg://")):
        raise ValueError("must be sqlite:///relative/path, sqlite:////absolute/path or "
                         "postgresql://user:password@host/database")
    return value
