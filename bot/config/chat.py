"""The chat platforms' settings: which run (a token each), where their APIs are, Telegram's
webhook mode and Discord's shards."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode

from .groups import blank_is_none, comma_list, http_url

# what Telegram takes as a webhook's secret_token
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ChatSettings(BaseSettings):
    """The chat platforms: which run (a token each) and where their APIs are."""

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    # Telegram's flood-limit windows (1 s, 3 s, 60 s) are multiplied by this: 1 for Telegram;
    # smaller only against a fake Bot API that runs its clock faster (tests, benches)
    telegram_flood_window_scale: float = Field(1.0, gt=0, le=10)
    # webhook mode (several replicas behind a load balancer): Telegram POSTs updates to this
    # public https URL, proxied to LISTEN_PORT at the URL's path; unset: long polling
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = Field(None, validate_default=True)
    discord_bot_token: SecretStr | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_guild_ids: Annotated[tuple[int, ...], NoDecode] = ()
    # replicas sharing the Discord gateway: this one runs DISCORD_SHARD_IDS (every shard when
    # unset) of DISCORD_SHARD_COUNT; both unset: one unsharded connection
    discord_shard_count: int | None = Field(None, ge=1, le=100_000)
    discord_shard_ids: Annotated[tuple[int, ...], NoDecode] = ()
    # the local chat (a web page on 127.0.0.1 driving the Telegram adapter): on at 8090 when no
    # token is set; with DISCORD_BOT_TOKEN set, only when this is set
    local_chat_port: int | None = Field(None, ge=0, le=65535)

    @field_validator("telegram_bot_token", "discord_bot_token", "discord_api_base_url",
                     "discord_gateway_url", "discord_shard_count", "telegram_webhook_url",
                     "telegram_webhook_secret", "local_chat_port", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return blank_is_none(value)

    @field_validator("telegram_api_base_url", "discord_api_base_url", "discord_gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return http_url(value)

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError("must be a public https URL (Telegram posts only to https), such "
                             "as https://bot.example.org/telegram/webhook")
        return value.strip()

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("telegram_webhook_url"):
                raise ValueError("is required when TELEGRAM_WEBHOOK_URL is set")
            return None
        if not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def webhook_path(self) -> str:
        """The path of TELEGRAM_WEBHOOK_URL, which the bot serves on LISTEN_PORT."""
        return urlsplit(self.telegram_webhook_url or "").path or "/"

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _guilds(cls, value: object) -> object:
        return _numbers(value, "must be a comma list of server ids")

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, value: object) -> object:
        return _numbers(value, "must be a comma list of shard numbers such as 0,1")

    @field_validator("discord_shard_ids")
    @classmethod
    def _shards_in_range(cls, value: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        count = info.data.get("discord_shard_count")
        if value and count is None:
            raise ValueError("needs DISCORD_SHARD_COUNT (how many shards the bot has in all)")
        if count is not None and any(shard >= count for shard in value):
            raise ValueError(f"must be shard numbers from 0 to {count - 1} "
                             f"(DISCORD_SHARD_COUNT={count})")
        if len(set(value)) != len(value):
            raise ValueError("names a shard twice")
        return value

    @property
    def discord_shards(self) -> tuple[int, ...]:
        """The shards this replica runs (empty: unsharded)."""
        if self.discord_shard_count is None:
            return ()
        return self.discord_shard_ids or tuple(range(self.discord_shard_count))


def _numbers(value: object, expected: str) -> object:
    """A comma list of non-negative whole numbers, as a tuple (ValueError saying ``expected``)."""
    if isinstance(value, str):
        items = comma_list(value)
        if not all(item.isdigit() for item in items):
            raise ValueError(expected)
        return tuple(int(item) for item in items)
    return value
