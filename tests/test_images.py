from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.errors import ImageError
from bot.images import (
    ImageBudget,
    as_is,
    convert,
    fit_output,
    prepare_input,
    ratio_mismatch,
    sniff,
)
from tests.fakes.images import make_image


def encode(image: Image.Image, fmt: str, **kw: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kw)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                           ("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_types_are_known_by_their_bytes(fmt: str, mime: str) -> None:
    data = encode(Image.new("RGB", (32, 16), "red"), fmt)
    assert sniff(data) == mime
    prepared = prepare_input(data)
    assert (prepared.width, prepared.height) == (32, 16)
    assert prepared.mime_type == ("image/png" if fmt == "GIF" else mime)


def test_a_gif_becomes_its_first_frame() -> None:
    frames = [Image.new("RGB", (20, 20), color) for color in ("blue", "yellow")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    prepared = prepare_input(buffer.getvalue())
    first = Image.open(io.BytesIO(prepared.data)).convert("RGB")
    assert first.getpixel((5, 5))[2] > 200  # blue, not yellow


def test_an_animated_webp_becomes_its_first_frame() -> None:
    """The model takes one still image: an animation goes as its first frame, as for GIF."""
    frames = [Image.new("RGB", (20, 20), color) for color in ("blue", "yellow", "red")]
    animated = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:],
                      duration=100, lossless=True)
    prepared = prepare_input(animated)
    assert prepared.mime_type == "image/png"
    with Image.open(io.BytesIO(prepared.data)) as sent:
        assert getattr(sent, "n_frames", 1) == 1
        assert sent.convert("RGB").getpixel((5, 5)) == (0, 0, 255)
    still = encode(frames[0], "WEBP", lossless=True)  # a still WebP goes as it is
    assert prepare_input(still).data == still


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7 not an image", "not_an_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "unreadable_image"),
    (b"\xff\xd8\xff" + b"\x00" * (21 * 1024 * 1024), "image_too_large"),
])
def test_bad_inputs_get_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(ImageError) as info:
        prepare_input(data)
    assert info.value.code == code


def test_decompression_bombs_are_refused_before_decoding() -> None:
    bomb = encode(Image.new("1", (12000, 12000)), "PNG")  # 144 MP in a few kB
    assert len(bomb) < 100_000
    with pytest.raises(ImageError) as info:
        prepare_input(bomb)
    assert info.value.code == "too_many_pixels"


def test_large_inputs_are_shrunk_to_4096() -> None:
    prepared = prepare_input(make_image(6000, 3000, "JPEG"))
    assert (prepared.width, prepared.height) == (4096, 2048)
    assert Image.open(io.BytesIO(prepared.data)).size == (4096, 2048)


def test_a_large_webp_reference_is_shrunk_and_stays_a_webp() -> None:
    big = io.BytesIO()
    Image.open(io.BytesIO(make_image(1200, 600, "PNG"))).save(big, "WEBP", quality=90)
    prepared = prepare_input(big.getvalue(), max_side=600)
    assert prepared.mime_type == "image/webp" and sniff(prepared.data) == "image/webp"
    with Image.open(io.BytesIO(prepared.data)) as shrunk:
        assert (shrunk.format, shrunk.size) == ("WEBP", (600, 300))
    assert (prepared.width, prepared.height) == (600, 300)


def test_a_png_result_asked_for_as_webp_is_converted() -> None:
    converted = convert(make_image(80, 40, "PNG"), "image/webp")
    with Image.open(io.BytesIO(converted)) as image:
        assert (image.format, image.size) == ("WEBP", (80, 40))


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (40, 20), "green")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise
    prepared = prepare_input(encode(image, "JPEG", exif=exif))
    assert (prepared.width, prepared.height) == (20, 40)


def test_png_is_kept_when_it_fits() -> None:
    data = make_image(1024, 1024, "PNG")
    fitted = fit_output(data, ImageBudget(max_bytes=10 * 1024 * 1024, max_side_sum=10000))
    assert fitted.data == data and fitted.mime_type == "image/png"


def test_outputs_step_down_to_fit_the_budget() -> None:
    data = make_image(2048, 1152, "PNG", noisy=True)
    assert len(data) > 2_000_000
    fitted = fit_output(data, ImageBudget(max_bytes=1_500_000))
    assert fitted.mime_type == "image/jpeg" and len(fitted.data) <= 1_500_000
    small = fit_output(data, ImageBudget(max_bytes=200_000))
    assert len(small.data) <= 200_000 and small.width < 2048
    assert abs(small.width / small.height - 2048 / 1152) < 0.01


def test_side_sum_budget() -> None:
    # Telegram's photo limit is 10000; the rule is the same at a quarter of it, at a 16th of
    # the pixels to make and scale
    fitted = fit_output(make_image(2000, 1000, "PNG"), ImageBudget(max_bytes=10**8,
                                                                  max_side_sum=2500))
    assert 2475 < fitted.width + fitted.height <= 2500  # shrunk no more than it needs
    assert abs(fitted.width / fitted.height - 2) < 0.01


def test_long_side_budget_keeps_the_shape() -> None:
    fitted = fit_output(make_image(4736, 3552, "PNG"), ImageBudget(max_bytes=10**8,
                                                                  max_side=2560))
    assert (fitted.width, fitted.height) == (2368, 1776) and fitted.mime_type == "image/jpeg"
    small = make_image(2368, 1776, "PNG")
    assert fit_output(small, ImageBudget(max_bytes=10**8, max_side=2560)).data == small


def test_ratio_mismatch_reports_over_two_percent() -> None:
    assert ratio_mismatch(1536, 2752, "9:16") is None
    drift = ratio_mismatch(1024, 1024, "9:16")
    assert drift is not None and drift > 0.5
    assert ratio_mismatch(1024, 1024, None) is None


def test_convert_between_types() -> None:
    png = make_image(50, 50, "PNG")
    assert sniff(convert(png, "image/jpeg")) == "image/jpeg"
    assert convert(png, "image/png") is png


@pytest.mark.parametrize("width", [4000, 4444, 5880, 2500])
def test_a_result_is_shrunk_no_more_than_its_budget_needs(width: int) -> None:
    """The long side lands within a fifth under the budget (a box reduction by a whole
    factor when that is close enough, else Lanczos), never much smaller."""
    fitted = fit_output(make_image(width, 400, "PNG"), ImageBudget(max_bytes=10**8,
                                                                   max_side=2000))
    assert 1600 <= fitted.width <= 2000, fitted.width
    assert abs(fitted.width / fitted.height / (width / 400) - 1) < 0.01


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_result_exactly_at_every_limit_is_sent_as_it_is(fmt: str) -> None:
    data = make_image(300, 200, fmt)
    exact = ImageBudget(max_bytes=len(data), max_side_sum=500, max_side=300, max_ratio=1.5)
    fitted = fit_output(data, exact)
    assert fitted.data == data and (fitted.width, fitted.height) == (300, 200)
    assert fitted.mime_type == ("image/png" if fmt == "PNG" else "image/jpeg")


@pytest.mark.parametrize("budget", [
    ImageBudget(max_bytes=10**8, max_side_sum=499),
    ImageBudget(max_bytes=10**8, max_side=299),
])
def test_one_pixel_over_a_limit_is_refit(budget: ImageBudget) -> None:
    fitted = fit_output(make_image(300, 200, "PNG"), budget)
    assert fitted.mime_type == "image/jpeg" and fitted.width < 300
    assert fitted.width + fitted.height <= 499
    assert Image.open(io.BytesIO(fitted.data)).size == (fitted.width, fitted.height)


def test_a_result_of_a_shape_telegram_refuses_as_a_photo_is_not_refit() -> None:
    """Over 20:1 no scaling helps a Telegram photo: said at once (the adapter sends a
    document), not after re-encoding it twelve times."""
    from bot.i18n import error_text

    budget = ImageBudget(max_bytes=10**8, max_side_sum=10000, max_ratio=20)
    assert fit_output(make_image(2000, 100, "PNG"), budget).width == 2000  # 20:1 is allowed
    refit = fit_output(make_image(2000, 100, "PNG"), ImageBudget(max_bytes=10**8,
                                                                 max_side=1000, max_ratio=20))
    assert (refit.mime_type, refit.width) == ("image/jpeg", 1000)  # and refit when too large
    with pytest.raises(ImageError) as info:
        fit_output(make_image(2010, 100, "PNG"), budget)
    assert error_text(info.value) == "The result's shape cannot be sent here."


def test_a_result_that_cannot_fit_says_so() -> None:
    from bot.i18n import error_text

    with pytest.raises(ImageError) as info:
        fit_output(make_image(1200, 900, "PNG", noisy=True), ImageBudget(max_bytes=200))
    assert error_text(info.value) == "The result was too large to send here."


def test_a_jpeg_made_here_keeps_high_quality_and_full_colour_detail() -> None:
    """Results re-encoded to fit are JPEG at quality 95 with no chroma subsampling (4:4:4):
    coloured edges and text stay sharp."""
    from PIL import JpegImagePlugin

    fitted = fit_output(make_image(3000, 2000, "PNG"), ImageBudget(max_bytes=10**8,
                                                                   max_side=2560))
    out = Image.open(io.BytesIO(fitted.data))
    assert isinstance(out, JpegImagePlugin.JpegImageFile)
    assert JpegImagePlugin.get_sampling(out) == 0  # 4:4:4
    assert out.quantization[0][0] <= 2  # the luminance table of quality 95 (75: 8)


def test_the_input_limits_are_said_with_their_figures() -> None:
    from bot.i18n import error_text

    with pytest.raises(ImageError) as info:
        prepare_input(b"\xff\xd8\xff" + b"\x00" * (21 * 1024 * 1024))
    assert error_text(info.value) == "That image is too large (21.0 MB); the limit is 20 MB."
    wide = encode(Image.new("1", (10000, 6000)), "PNG")  # 60 MP: over 50, under Pillow's guard
    with pytest.raises(ImageError) as info:
        prepare_input(wide)
    assert error_text(info.value) == ("That image has too many pixels; the limit is 50 "
                                      "megapixels.")
    assert info.value.params["pixels"] == 60_000_000


def test_an_input_exactly_at_a_limit_is_taken_as_it_is() -> None:
    data = make_image(300, 200, "JPEG")
    prepared = prepare_input(data, max_bytes=len(data), max_pixels=60_000, max_side=300)
    assert prepared.data == data and (prepared.width, prepared.height) == (300, 200)
    for over in ({"max_bytes": len(data) - 1}, {"max_pixels": 59_999}):
        with pytest.raises(ImageError):
            prepare_input(data, **over)  # type: ignore[arg-type]


def test_a_damaged_jpeg_is_refused_unless_the_platform_made_it() -> None:
    """A JPEG cut short is refused before anything is charged; a platform's own photo (a
    Telegram photo) is trusted and only its header read, but still shrunk when too large."""
    whole = make_image(800, 600, "JPEG", noisy=True)
    cut = whole[: len(whole) // 2]
    with pytest.raises(ImageError) as info:
        prepare_input(cut)
    assert info.value.code == "unreadable_image"
    assert prepare_input(cut, verify=False).data == cut
    large = prepare_input(make_image(6000, 3000, "JPEG"), verify=False)
    assert (large.width, large.height) == (4096, 2048)


def test_a_result_that_fits_is_kept_as_it_came_without_being_opened_again() -> None:
    budget = ImageBudget(max_bytes=10 * 1024 * 1024, max_side_sum=10000, max_ratio=20,
                         max_side=2560)
    png = make_image(1024, 768, "PNG")
    kept = as_is(png, "image/png", 1024, 768, budget)
    assert kept is not None and kept.data is png
    assert kept == fit_output(png, budget)  # what the worker thread would have answered
    assert as_is(png, "image/webp", 1024, 768, budget) is None  # re-encoded: not here
    assert as_is(png, "image/png", 4096, 2304, budget) is None  # over a side: scaled there
    assert as_is(png, "image/png", 2100, 100, budget) is None  # its ratio: refused there
