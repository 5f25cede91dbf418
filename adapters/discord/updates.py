"""Discord events -> the core's values: actor, scope, and the image attachments of a message."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain import Actor, Scope
from bot.errors import ImageError
from bot.i18n import language_of
from bot.images import MAX_INPUT_BYTES

PLATFORM = "discord"


def actor_of(user: discord.abc.User, locale: discord.Locale | str | None) -> Actor:
    return Actor(PLATFORM, str(user.id), user.display_name, language_of(str(locale or "en")))


def scope_of(guild_id: int | None, user_id: int) -> Scope:
    return Scope(PLATFORM, str(guild_id), private=False) if guild_id else Scope(
        PLATFORM, str(user_id), private=True)


def check_attachments(attachments: Sequence[discord.Attachment]) -> None:
    """What can be told without downloading: type and size."""
    for attachment in attachments:
        if not (attachment.content_type or "image/").startswith("image/"):
            raise ImageError("not_an_image")
        if attachment.size > MAX_INPUT_BYTES:
            raise ImageError("image_too_large", size=attachment.size, limit=MAX_INPUT_BYTES)


def images_of(message: discord.Message | None) -> list[discord.Attachment]:
    if message is None:
        return []
    return [a for a in message.attachments
            if (a.content_type or "").startswith("image/") or a.width]
