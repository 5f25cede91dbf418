"""What is checked before any work: credits and requests running per person, refusals said
once per cooldown, and decoding bounded in threads and in decoded pixels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.domain import Actor, EditCommand, Scope, Stage
from bot.edits import Busy, Cooldown
from bot.edits.decoding import Decoder
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
    first.release()  # once only: the second request still counts
    assert service._admission.in_flight.running(ANN.key) == 1
    with service._admission.in_flight.hold(ANN.key):
        with pytest.raises(Busy):  # two running again: no third
            service._admission.in_flight.hold(ANN.key)
    second.release()
    assert service._admission.in_flight.running(ANN.key) == 0


async def test_no_credits_is_told_before_anything_runs(make_core: Callable[..., Any]) -> None:
    core = await make_core(default_daily_limit=1, bot_admins="telegram:99")
    with pytest.raises(QuotaExceeded) as info:
        await core.service.admit(ANN, GROUP, EditCommand("edit", "x", image_size="4K"))
    assert info.value.code == "quota_exceeded" and info.value.limit == 1
    assert core.service._admission.in_flight.running(ANN.key) == 0
    await core.service.admit(Actor("telegram", "99"), GROUP, EDIT)  # operators are unlimited


async def test_a_chats_own_limit_for_a_person_is_checked_before_anything_runs(
        make_core: Callable[..., Any]) -> None:
    core = await make_core(default_daily_limit=5, bot_admins="telegram:99")
    await core.ledger.set_limit(scope=GROUP.key, kind="member", member=ANN.key, per_day=0,
                                by="telegram:99")
    with pytest.raises(QuotaExceeded):
        await core.service.admit(ANN, GROUP, EDIT)
    assert core.service._admission.in_flight.running(ANN.key) == 0
    with await core.service.admit(ANN, Scope("telegram", "-200"), EDIT):  # another chat: free
        pass


async def test_a_replayed_message_is_known_by_its_origin(make_core: Callable[..., Any]) -> None:
    core = await make_core()
    await core.ledger.reserve(platform="telegram", actor=ANN.key, scope=GROUP.key, credits=1,
                              request={"n": 1}, origin_key="telegram:-100:7")
    assert await core.service.seen("telegram:-100:7")
    assert not await core.service.seen("telegram:-100:8")


async def test_the_first_status_is_the_place_taken_in_the_order_requests_arrived(
        make_core: Callable[..., Any]) -> None:
    core = await make_core(gemini_max_concurrency=2)
    bob, cara = Actor("telegram", "22"), Actor("telegram", "33")
    admission = core.service._admission
    first = admission.opening(ANN, received_at=1.0)
    second = admission.opening(ANN, received_at=2.0)  # behind Ann's own running job
    other = admission.opening(bob, received_at=3.0)  # one person never holds up another
    early = admission.opening(cara, received_at=1.5)  # accepted before Ann's second
    assert (first.progress.stage, other.progress.stage) == (Stage.WORKING, Stage.WORKING)
    assert (second.progress.stage, second.progress.position) == (Stage.QUEUED, 1)
    assert (early.progress.stage, early.progress.position) == (Stage.QUEUED, 1)
    assert (early.place.position, second.place.position) == (1, 2)
    for opening in (early, second, other, first):
        admission.drop(opening)
    assert core.service._queue.in_flight == 0 and core.service._queue.waiting == 0


def test_a_cooldown_says_yes_once_per_period() -> None:
    now = [100.0]
    cooldown = Cooldown(30, clock=lambda: now[0])
    assert cooldown.allow(("a", 1, "quota_exceeded"))
    assert not cooldown.allow(("a", 1, "quota_exceeded"))
    assert cooldown.allow(("a", 2, "quota_exceeded")) and cooldown.allow(("b", 1, "quota_exceeded"))
    now[0] += 30.1
    assert cooldown.allow(("a", 1, "quota_exceeded"))


def test_a_full_cooldown_forgets_only_the_keys_whose_period_is_over() -> None:
    now = [100.0]
    cooldown = Cooldown(30, clock=lambda: now[0])
    cooldown.MAX_KEYS = 3
    assert cooldown.allow("old")
    now[0] += 31
    assert cooldown.allow("a") and cooldown.allow("b")
    assert cooldown.allow("c")  # full: "old" is forgotten, "a" and "b" are kept
    assert not cooldown.allow("a") and not cooldown.allow("b") and not cooldown.allow("c")


async def test_decoded_pixels_in_flight_stay_within_the_budget() -> None:
    decoder = Decoder(memory_bytes=120 * MB, workers=2)
    try:
        big = flat_png(5000, 5000)  # 100 MB decoded: one at a time in a 120 MB budget
        small = make_image(640, 480, "JPEG")
        results = await asyncio.gather(*[decoder.prepare_one(b) for b in (big, small, big)])
        assert [r.width for r in results] == [4096, 640, 4096]
        assert decoder.budget.peak <= 120 * MB and decoder.budget.used == 0
        with pytest.raises(ImageError):
            await decoder.prepare_one(b"not an image at all")
    finally:
        decoder.close()
