"""What is checked before any work: credits and requests running per person, refusals said
once per cooldown, and decoding bounded in threads and in decoded pixels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.admission import Busy, Cooldown
from bot.decoding import Decoder
from bot.domain import Actor, EditCommand, Scope
from bot.errors import ImageError, QuotaExceeded
from tests.fakes.images import flat_png, make_image

ANN = Actor("telegram", "11", "Ann")
GROUP = Scope("telegram", "-100")
EDIT = EditCommand("edit", "add a hat")
MB = 1024 * 1024


async def test_admission_checks_credits_then_requests_running(
        make_core: Callable[..., Any]) -> None:
    core = await make_core(default_daily_limit=2, max_in_flight_per_user=2,
                           bot_admins="telegram:99")
    service = core.service
    first = await service.admit(ANN, GROUP, EDIT)
    second = await service.admit(ANN, GROUP, EDIT)
    with pytest.raises(Busy):
        await service.admit(ANN, GROUP, EDIT)
    await service.admit(Actor("telegram", "22"), GROUP, EDIT)  # another person is not held up
    first.release()
    first.release()  # once only
    with service.in_flight.hold(ANN.key):
        pass
    second.release()
    assert service.in_flight.running(ANN.key) == 0


async def test_no_credits_is_told_before_anything_runs(make_core: Callable[..., Any]) -> None:
    core = await make_core(default_daily_limit=1, bot_admins="telegram:99")
    with pytest.raises(QuotaExceeded) as info:
        await core.service.admit(ANN, GROUP, EditCommand("edit", "x", image_size="4K"))
    assert info.value.code == "quota_exceeded" and info.value.limit == 1
    assert core.service.in_flight.running(ANN.key) == 0
    await core.service.admit(Actor("telegram", "99"), GROUP, EDIT)  # operators are unlimited


def test_a_cooldown_says_yes_once_per_period() -> None:
    now = [100.0]
    cooldown = Cooldown(30, clock=lambda: now[0])
    assert cooldown.allow(("a", 1, "quota_exceeded"))
    assert not cooldown.allow(("a", 1, "quota_exceeded"))
    assert cooldown.allow(("a", 2, "quota_exceeded")) and cooldown.allow(("b", 1, "quota_exceeded"))
    now[0] += 30.1
    assert cooldown.allow(("a", 1, "quota_exceeded"))


async def test_decoded_pixels_in_flight_stay_within_the_budget() -> None:
    decoder = Decoder(memory_bytes=120 * MB, workers=2)
    try:
        big = flat_png(5000, 5000)  # 100 MB decoded: one at a time in a 120 MB budget
        small = make_image(640, 480, "JPEG")
        results = await asyncio.gather(*[decoder.prepare_one(b) for b in (big, small, big, big)])
        assert [r.width for r in results] == [4096, 640, 4096, 4096]
        assert decoder.budget.peak <= 120 * MB and decoder.budget.used == 0
        with pytest.raises(ImageError):
            await decoder.prepare_one(b"not an image at all")
    finally:
        decoder.close()
