"""The images of a Discord request: attachments read from their message, or (for a button or
a request rebuilt after a restart) fetched again from their signed CDN links. One that is gone
is an ImageError like any other unusable input."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs, urlsplit

import discord

from bot.bootstrap import Core
from bot.domain import ImageInput
from bot.edits import Blob
from bot.errors import ImageError


def link_expired(url: str, now: float | None = None) -> bool:
    """Whether a signed CDN link is past its expiry (``ex``: a hex Unix time); the CDN answers
    404 then. Links without one do not expire."""
    expiry = parse_qs(urlsplit(url).query).get("ex", [""])[0]
    try:
        return int(expiry, 16) <= (time.time() if now is None else now)
    except ValueError:
        return False


class Downloads:
    def __init__(self, core: Core, client: Callable[[], discord.Client]) -> None:
        self.core = core
        self._client = client

    async def from_links(self, urls: Sequence[str]) -> list[Blob]:
        """The images again, from their links; ImageError when one is gone: "image_expired"
        when its signed link is past its expiry, else "fetch_failed" (its message deleted)."""
        http = self._client().http
        try:
            return [Blob(await http.get_from_cdn(url)) for url in urls]
        except discord.HTTPException:
            expired = any(link_expired(url) for url in urls)
            raise ImageError("image_expired" if expired else "fetch_failed") from None

    @staticmethod
    async def read(attachments: Sequence[discord.Attachment]) -> list[Blob]:
        """The attachments' bytes; one that is gone (deleted, its link expired) is an
        ImageError."""
        try:
            return [Blob(await a.read()) for a in attachments]
        except discord.HTTPException:
            raise ImageError("fetch_failed") from None

    async def rebuilt(self, urls: Sequence[str]) -> tuple[ImageInput, ...]:
        """The images of a request rebuilt after a restart, fetched and readied."""
        blobs = await self.from_links(urls)
        return await self.core.service.prepare_images([blob.data for blob in blobs])
