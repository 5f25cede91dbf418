"""Real images for the fakes and tests, made with Pillow."""

from __future__ import annotations

import functools
import io
import math
import random

from PIL import Image, ImageDraw

SIZES = {"512": 512, "1K": 1024, "2K": 2048, "4K": 4096}


def dimensions(ratio: str, size: str) -> tuple[int, int]:
    """Width and height for a ratio at a size, about size x size pixels in area."""
    a, b = (int(x) for x in ratio.split(":"))
    base = SIZES[size]
    width = round(base * math.sqrt(a / b) / 16) * 16
    height = round(base * math.sqrt(b / a) / 16) * 16
    return width, height


@functools.lru_cache(maxsize=64)
def make_image(width: int, height: int, fmt: str = "PNG", *, noisy: bool = False,
               seed: int = 0, grain: float = 0.0) -> bytes:
    """A picture of width x height: a gradient with shapes, or noise (large, hard to compress).
    ``grain`` (0..1) mixes in noise, so the file weighs about what a photo of that size does."""
    if noisy:
        image = Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(
            width * height * 3))
    else:
        image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        draw = ImageDraw.Draw(image)
        draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4),
                     fill=(200, 80 + seed % 100, 40))
        if grain:
            noise = Image.merge("RGB", [Image.effect_noise((width, height), 24)] * 3)
            image = Image.blend(image, noise, grain)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return buffer.getvalue()


@functools.lru_cache(maxsize=8)
def flat_png(width: int, height: int) -> bytes:
    """One colour, width x height: tiny on the wire (a 7000x7000 one is about 150 KB), yet
    ``width * height`` pixels once decoded (196 MB for 7000x7000 RGBA)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()
