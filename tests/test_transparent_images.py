"""Pictures with transparency or unusual colour modes, re-encoded as JPEG (a result over the
platform's budget, a reference shrunk to fit a request, a file the operator asked for as .jpg):
what was transparent shows white, never black, and the colours stay as they were."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.errors import ImageError
from bot.images import ImageBudget, convert, fit_output, prepare_input, sniff

RED = (220, 30, 30)


def encode(image: Image.Image, fmt: str, **kw: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kw)
    return buffer.getvalue()


def half_transparent(mode: str) -> Image.Image:
    """Left half opaque colour, right half fully transparent (black underneath)."""
    image = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (32, 32), (*RED, 255)), (0, 0))
    if mode == "LA":
        return image.convert("LA")
    if mode == "P":
        return image.convert("P")  # PNG keeps the transparent index as tRNS
    return image


def pixels(data: bytes) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        w, h = rgb.size
        return image.mode, rgb.getpixel((w // 8, h // 2)), rgb.getpixel((w * 7 // 8, h // 2))


def white(pixel: tuple[int, ...]) -> bool:
    return min(pixel) >= 245


def close(pixel: tuple[int, ...], colour: tuple[int, ...]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_a_result_over_budget_is_white_where_it_was_transparent(mode: str) -> None:
    data = encode(half_transparent(mode), "PNG")
    fitted = fit_output(data, ImageBudget(max_bytes=10**7, max_side=48))  # too large a side
    assert fitted.mime_type == "image/jpeg" and sniff(fitted.data) == "image/jpeg"
    jpeg_mode, opaque, transparent = pixels(fitted.data)
    assert white(transparent)
    colour = RED if mode != "LA" else (Image.new("RGB", (1, 1), RED).convert("L").getpixel(
        (0, 0)),) * 3
    assert close(opaque, colour), opaque
    assert jpeg_mode == "RGB"


def test_a_webp_result_with_transparency_becomes_a_white_backed_jpeg() -> None:
    data = encode(half_transparent("RGBA"), "WEBP", lossless=True)
    fitted = fit_output(data, ImageBudget(max_bytes=10**7))  # fits, but WebP is re-encoded
    _, opaque, transparent = pixels(fitted.data)
    assert fitted.mime_type == "image/jpeg" and white(transparent) and close(opaque, RED)


def test_a_cmyk_jpeg_comes_out_in_rgb_with_its_colours() -> None:
    cmyk = Image.new("RGB", (64, 32), RED).convert("CMYK")
    data = encode(cmyk, "JPEG", quality=100)
    fitted = fit_output(data, ImageBudget(max_bytes=10**7, max_side=48))
    mode, left, right = pixels(fitted.data)
    assert mode == "RGB" and close(left, RED) and close(right, RED)
    big = encode(Image.new("RGB", (4200, 16), RED).convert("CMYK"), "JPEG")
    prepared = prepare_input(big)  # over 4096 px: re-encoded for the model, as RGB
    assert (prepared.width, prepared.mime_type) == (4096, "image/jpeg")
    mode, left, _ = pixels(prepared.data)
    assert mode == "RGB" and close(left, RED)


def test_the_operator_gets_a_jpeg_with_a_white_background() -> None:
    data = encode(half_transparent("RGBA"), "PNG")
    jpeg = convert(data, "image/jpeg")
    _, opaque, transparent = pixels(jpeg)
    assert sniff(jpeg) == "image/jpeg" and white(transparent) and close(opaque, RED)
    with pytest.raises(ImageError) as unreadable:
        convert(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image/jpeg")
    assert unreadable.value.code == "unreadable_image"
