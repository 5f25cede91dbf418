"""How the Bot API says no, read from its error texts."""

from __future__ import annotations

from telegram.error import BadRequest, TelegramError


def message_gone(exc: BadRequest) -> bool:
    """The message to edit is gone (deleted, or too old to edit)."""
    words = exc.message.lower()
    return "message to edit not found" in words or "message_id_invalid" in words or (
        "message can't be edited" in words)


def too_large(exc: TelegramError) -> bool:
    """The upload was over a size limit (a proxy's 413, or Telegram's own words)."""
    words = exc.message.upper()
    return "413" in words or "TOO LARGE" in words
