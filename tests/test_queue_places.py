"""A request's first status is its true place in the shared line, taken when it is accepted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.domain import Actor, Stage
from bot.upstream import FairQueue, PositionFn

ANN, BOB = Actor("telegram", "1"), Actor("telegram", "2")


async def test_places_are_taken_in_the_order_requests_arrive() -> None:
    queue = FairQueue(1)
    bob = queue.hold(BOB.key, order=1.0)
    assert bob.position == 0  # its turn: the slot is kept for it while its images download
    ann = [queue.hold(ANN.key, order=2.0 + i) for i in range(3)]
    assert [t.position for t in ann] == [1, 2, 3]
    late = queue.hold(BOB.key, order=1.5)  # accepted earlier, held later: ahead of Ann
    assert late.position == 1 and [t.position for t in ann] == [2, 3, 4]
    queue.drop(late)  # it failed before running: the line moves up again
    assert [t.position for t in ann] == [1, 2, 3]

    shown: list[tuple[int, int]] = []

    def told(i: int) -> PositionFn:
        async def note(position: int) -> None:
            shown.append((i, position))
        return note

    async def run(i: int) -> None:
        async with queue.slot(ANN.key, told(i), ticket=ann[i]):
            await asyncio.sleep(0.01)

    runs = [asyncio.create_task(run(i)) for i in range(3)]
    await asyncio.sleep(0)
    async with queue.slot(BOB.key, ticket=bob):
        pass
    await asyncio.gather(*runs)
    await asyncio.sleep(0)
    assert sorted(shown) == [(1, 1), (2, 1), (2, 2)]  # counting down, never up
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_opening_says_queued_when_the_users_own_job_runs(
        make_core: Callable[..., Any]) -> None:
    core = await make_core(gemini_max_concurrency=4)
    first = core.service._admission.opening(ANN, 1.0)
    second = core.service._admission.opening(ANN, 2.0)
    other = core.service._admission.opening(BOB, 3.0)
    assert first.progress.stage is Stage.WORKING
    assert (second.progress.stage, second.progress.position) == (Stage.QUEUED, 1)
    assert other.progress.stage is Stage.WORKING  # one user's jobs never hold up another's
    for opening in (first, second, other):
        core.service._admission.drop(opening)
    assert core.service._queue.in_flight == 0 and core.service._queue.waiting == 0
