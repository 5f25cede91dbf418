"""The Telegram adapter: python-telegram-bot against the Bot API (polling)."""

from adapters.telegram.app import create

__all__ = ["create"]
