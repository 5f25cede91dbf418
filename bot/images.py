"""Pillow at the edges: sniff and validate inputs by their bytes, fit outputs to a budget.

Everything here is CPU-bound and synchronous; the service runs it in a worker thread.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .domain import ImageInput
from .errors import ImageError

MAX_INPUT_BYTES = 20 * 1024 * 1024
# Gemini takes about 20 MB of inline data in one request; images travel as base64 (4/3 of
# their bytes) and the prompt and JSON around them need a little room
REQUEST_LIMIT = 20 * 1024 * 1024
REQUEST_ROOM = 256 * 1024
MAX_INPUT_PIXELS = 50_000_000
MAX_INPUT_SIDE = 4096
RATIO_TOLERANCE = 0.02

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
)
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its magic bytes (JPEG, PNG, WebP, GIF), else None."""
    for magic, offset, mime in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def prepare_input(
    data: bytes, *, max_bytes: int = MAX_INPUT_BYTES, max_pixels: int = MAX_INPUT_PIXELS,
    max_side: int = MAX_INPUT_SIDE, verify: bool = True,
) -> ImageInput:
    """Check an input image and make it ready to send: upright, at most ``max_side`` px on
    the long side, an animation's first frame (GIF, animated WebP) as PNG. Raises ImageError
    with the reason.
    ``verify=False``: the platform encoded this image itself (a Telegram photo), so a JPEG that
    needs no work is not decoded to prove it sound; only its header is read."""
    if len(data) > max_bytes:
        raise ImageError("image_too_large", size=len(data), limit=max_bytes)
    mime = sniff(data)
    if mime is None:
        raise ImageError("not_an_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError("too_many_pixels", pixels=width * height, limit=max_pixels)
            orientation = image.getexif().get(0x0112, 1)
            # an animation goes as its first frame: the model takes one still image
            animated = mime == "image/gif" or bool(getattr(image, "is_animated", False))
            needs_work = animated or orientation != 1 or max(width, height) > max_side
            if mime == "image/jpeg" and not needs_work and not verify:
                return ImageInput(data=data, mime_type=mime, width=width, height=height)
            if mime == "image/jpeg" and not needs_work:
                # only checking that it decodes: at 1/8 scale every block is still read (a
                # damaged file still fails) but the inverse DCT is skipped, twice as fast
                image.draft(None, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("too_many_pixels", limit=max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError("unreadable_image") from None

    if not needs_work:
        return ImageInput(data=data, mime_type=mime, width=width, height=height)
    if animated:
        image.seek(0)
        image = image.convert("RGBA")
        mime = "image/png"
    image = ImageOps.exif_transpose(image)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = _encode(image, mime, quality=92)
    return ImageInput(data=out, mime_type=mime, width=image.width, height=image.height)


def _encode(image: Image.Image, mime: str, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    if mime == "image/jpeg":
        if image.mode not in ("RGB", "L"):
            image = _flatten(image)
        image.save(buffer, "JPEG", quality=quality, optimize=False, subsampling=0)
    elif mime == "image/webp":
        image.save(buffer, "WEBP", quality=quality)
    else:
        image.save(buffer, "PNG", compress_level=3)
    return buffer.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


@dataclass(frozen=True, slots=True)
class ImageBudget:
    """A platform's limits for one upload."""

    max_bytes: int
    max_side_sum: int | None = None  # Telegram photos: width + height <= 10000
    max_side: int | None = None  # Telegram shows photos at 2560 px at most: more is waste
    max_ratio: float | None = None  # Telegram photos: at most 20:1


@dataclass(frozen=True, slots=True)
class FittedImage:
    data: bytes
    mime_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(
            self.mime_type, "img")


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def fits(width: int, height: int, size: int, budget: ImageBudget) -> bool:
    return (
        size <= budget.max_bytes
        and (budget.max_side_sum is None or width + height <= budget.max_side_sum)
        and (budget.max_side is None or max(width, height) <= budget.max_side)
    )


def as_is(data: bytes, mime: str, width: int, height: int,
          budget: ImageBudget) -> FittedImage | None:
    """The image as it is when its known type and size (read from its header as it arrived)
    fit ``budget``: what ``fit_output`` returns then, without opening it again in a worker
    thread; None when it must go through ``fit_output``."""
    if budget.max_ratio and max(width, height) > budget.max_ratio * min(width, height):
        return None
    if mime in ("image/png", "image/jpeg") and fits(width, height, len(data), budget):
        return FittedImage(data, mime, width, height)
    return None


def fit_output(data: bytes, budget: ImageBudget) -> FittedImage:
    """Keep the image as it is (PNG included) when it fits; else re-encode as high-quality
    JPEG, stepping quality down, then scaling down, until it fits the budget. Raises
    ImageError: "bad_output_ratio" when its shape is over ``max_ratio`` (no scaling helps),
    "cannot_fit_output" when even the smallest step is over ``max_bytes``."""
    mime = sniff(data) or "application/octet-stream"
    opened = Image.open(io.BytesIO(data))  # in memory: nothing to close
    width, height = opened.size
    if budget.max_ratio and max(width, height) > budget.max_ratio * min(width, height):
        raise ImageError("bad_output_ratio")
    if mime in ("image/png", "image/jpeg") and fits(width, height, len(data), budget):
        return FittedImage(data, mime, width, height)
    opened.load()
    image = _flatten(opened) if opened.mode not in ("RGB", "L") else opened
    scale = 1.0
    if budget.max_side_sum and width + height > budget.max_side_sum:
        scale = budget.max_side_sum / (width + height)
    if budget.max_side and max(width, height) * scale > budget.max_side:
        scale = min(scale, budget.max_side / max(width, height))
    for _ in range(12):
        current = image if scale >= 1.0 else _shrink(image, scale)
        for quality in (95, 90, 85, 80):
            out = _encode(current, "image/jpeg", quality=quality)
            if fits(current.width, current.height, len(out), budget):
                return FittedImage(out, "image/jpeg", current.width, current.height)
        scale *= 0.8
    raise ImageError("cannot_fit_output", limit=budget.max_bytes)


def _shrink(image: Image.Image, scale: float) -> Image.Image:
    """``image`` scaled by ``scale``, or a little more: a whole-number box reduction when that
    lands close enough (a fair average, and ten times faster on a 4K image), else Lanczos."""
    factor = math.ceil(1 / scale - 1e-9)
    if factor >= 2 and 1 / factor >= 0.8 * scale:
        return image.reduce(factor)
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def ratio_mismatch(width: int, height: int, asked: str | None) -> float | None:
    """How far the returned ratio is from the one asked (relative), when over 2%; else None.
    Gateways sometimes drop imageConfig silently."""
    if not asked:
        return None
    a, b = (int(part) for part in asked.split(":"))
    wanted = a / b
    got = width / height
    drift = abs(got - wanted) / wanted
    return drift if drift > RATIO_TOLERANCE else None


def convert(data: bytes, mime: str) -> bytes:
    """Re-encode ``data`` as ``mime`` (PNG, or JPEG at high quality); as it is if it already is."""
    if sniff(data) == mime:
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _encode(image, mime, quality=95)
    except (UnidentifiedImageError, OSError):
        raise ImageError("unreadable_image") from None


def request_bytes(images: Sequence[ImageInput]) -> int:
    """What ``images`` weigh in a request: base64, four bytes for every three."""
    return sum(4 * math.ceil(len(image.data) / 3) for image in images)


def fit_references(images: Sequence[ImageInput], *, limit: int = REQUEST_LIMIT
                   ) -> tuple[ImageInput, ...]:
    """Shrink references until together they fit one request of ``limit`` bytes: images
    smaller than a fair share keep every byte, the larger ones share what is left (re-encoded
    as JPEG, scaled down if need be). Raises ImageError("references_too_large") when even
    that cannot fit them."""
    if request_bytes(images) + REQUEST_ROOM <= limit:
        return tuple(images)
    room = limit - REQUEST_ROOM  # in base64, as the images travel
    fitted = list(images)
    order = sorted(range(len(images)), key=lambda i: len(images[i].data))
    for rank, index in enumerate(order):
        share = room // (len(images) - rank) // 4 * 3  # raw bytes whose base64 fits it
        image = images[index]
        if len(image.data) > share:
            try:
                out = fit_output(image.data, ImageBudget(max_bytes=share))
            except ImageError:
                raise ImageError("references_too_large", size_mb=request_bytes(images) >> 20,
                                 limit_mb=limit >> 20) from None
            fitted[index] = ImageInput(out.data, out.mime_type, out.width, out.height)
        room -= request_bytes(fitted[index:index + 1])
    return tuple(fitted)
