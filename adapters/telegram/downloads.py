"""The images of a Telegram request, fetched by getFile (at most 20 MB each) and readied by
the core; a file Telegram will not hand over is an ImageError like any other unusable input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from adapters.telegram.flood import Priority, Turn
from adapters.telegram.updates import DOWNLOAD_LIMIT, ImageRef
from bot.bootstrap import Core
from bot.domain import ImageInput
from bot.edits import Blob
from bot.errors import ImageError


async def download(bot: ExtBot[Any], ref: ImageRef) -> bytes:
    if ref.size is not None and ref.size > DOWNLOAD_LIMIT:
        raise ImageError("image_too_large", size=ref.size, limit=DOWNLOAD_LIMIT)
    try:
        file = await bot.get_file(file_id=ref.file_id, rate_limit_args=Turn(Priority.ANSWER))
        return bytes(await file.download_as_bytearray())
    except BadRequest as exc:
        if "too big" in exc.message:
            raise ImageError("image_too_large", size=ref.size or DOWNLOAD_LIMIT + 1,
                             limit=DOWNLOAD_LIMIT) from None
        raise ImageError("fetch_failed") from None
    except TelegramError:
        raise ImageError("fetch_failed") from None


async def download_all(bot: ExtBot[Any], refs: Sequence[ImageRef]) -> list[Blob]:
    """The images as Telegram hands them over (a photo it encoded itself marked as such)."""
    return [Blob(await download(bot, ref), ref.photo) for ref in refs]


async def fetch(core: Core, bot: ExtBot[Any], refs: Sequence[ImageRef]
                ) -> tuple[ImageInput, ...]:
    """Download and ready the images of a request rebuilt after a restart."""
    blobs = await download_all(bot, refs)
    return await core.service.prepare_images([b.data for b in blobs],
                                             [b.platform_encoded for b in blobs])
