"""Finishing a job in the ledger: a commit or a refund happens once and never turns into the
other, even when the database refuses the write for a while or the process stops before it
takes writes again; leases and kept results follow the job."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ledger import QuotaLedger
from tests.conftest import Clock
from tests.test_service_faults import Locked

G = "telegram:group:-5"


@pytest.fixture
def open_ledger(open_ledger: Callable[..., Any]) -> Callable[..., Any]:
    """conftest's, by owner, with a short wait for a locked database."""
    def make(owner: str = "one", **kw: Any) -> Any:
        return open_ledger(owner=owner, lock_timeout_s=0.2, **kw)

    return make


async def reserve(ledger: QuotaLedger, actor: str = "telegram:1", credits: int = 1) -> int:
    return await ledger.reserve(platform="telegram", actor=actor, scope=G, credits=credits,
                                request={"n": 1})


async def used(ledger: QuotaLedger, actor: str = "telegram:1") -> tuple[int, int]:
    status = await ledger.status(actor=actor, scope=G)
    return status.used, status.reserved


async def test_finishes_the_database_refused_wait_and_are_never_reversed(
        open_ledger: Callable[..., Any], tmp_path: Path) -> None:
    ledger = await open_ledger()
    paid, failed, other = await reserve(ledger), await reserve(ledger), await reserve(ledger)
    journal = Path(f"{tmp_path}/editbot.sqlite3.pending")
    with Locked(f"{tmp_path}/editbot.sqlite3"):
        assert await ledger.commit(paid, note="delivered")  # taken: it will be written
        assert await ledger.refund(failed, note="refused:SAFETY")
        assert not await ledger.refund(paid)  # a charge waiting is never given back
        assert not await ledger.commit(failed)  # nor a refund charged
        assert await ledger.commit(paid)  # the same finish again is the same answer
        assert await ledger.settle_pending() == 2  # still refused: both wait
        lines = [json.loads(line) for line in journal.read_text().splitlines()]
        assert lines == [{"job": paid, "status": "committed", "note": "delivered", "spent": {}},
                         {"job": failed, "status": "refunded", "note": "refused:SAFETY",
                          "spent": {}}]  # what they cost: nothing known here
        assert await used(ledger) == (0, 3)  # nothing written yet
    assert await ledger.settle_pending() == 0
    assert await used(ledger) == (1, 1)  # paid charged, failed given back, other still held
    assert not journal.exists()  # nothing left to apply at the next start
    assert not await ledger.refund(paid) and not await ledger.commit(failed)
    assert await ledger.refund(other)
    assert await used(ledger) == (1, 0)


async def test_a_finish_waiting_to_be_written_stands_once_the_database_works_again(
        open_ledger: Callable[..., Any], tmp_path: Path) -> None:
    ledger = await open_ledger()
    paid = await reserve(ledger)
    with Locked(f"{tmp_path}/editbot.sqlite3"):
        assert await ledger.commit(paid)  # taken: it waits to be written
    assert not await ledger.refund(paid)  # the database works again: still not given back
    assert await ledger.commit(paid)
    assert await ledger.settle_pending() == 0
    assert await used(ledger) == (1, 0)


async def test_a_kept_result_goes_with_its_own_job_only(
        open_ledger: Callable[..., Any]) -> None:
    from bot.domain import GeneratedImage

    ledger = await open_ledger()
    one, two, three = await reserve(ledger), await reserve(ledger), await reserve(ledger)
    images = {job: GeneratedImage(data=f"image {job}".encode(), mime_type="image/png",
                                  width=job, height=1) for job in (one, two, three)}
    for job, image in images.items():
        await ledger.keep_result(job, image)
    assert await ledger.commit(one)  # delivered: its result is let go, the others' are not
    assert await ledger.result(one) is None
    assert [await ledger.result(job) for job in (two, three)] == [images[two], images[three]]


async def test_two_finishes_refused_together_keep_the_first(
        open_ledger: Callable[..., Any], tmp_path: Path) -> None:
    ledger = await open_ledger()
    one, two = await reserve(ledger), await reserve(ledger)
    with Locked(f"{tmp_path}/editbot.sqlite3"):  # both fail in one batch, both wait
        assert await asyncio.gather(ledger.commit(one), ledger.refund(one)) == [True, False]
        assert await asyncio.gather(ledger.refund(two), ledger.refund(two)) == [True, True]
    assert await ledger.settle_pending() == 0
    assert await used(ledger) == (1, 0)
    assert [(await ledger.job(j)).status.value for j in (one, two)] == ["committed", "refunded"]


async def test_a_live_process_keeps_its_jobs_and_hands_them_on_when_it_stops(
        open_ledger: Callable[..., Any], tmp_path: Path, clock: Clock) -> None:
    live = await open_ledger("live")
    live.lease = timedelta(seconds=0.15)  # beats every 0.05 s
    replica = await open_ledger("replica")
    replica.lease = live.lease
    job = await reserve(live)
    live.keep_alive()
    live.keep_alive()  # once is enough: still one beat
    for _ in range(3):  # the clock jumps past the lease; the beat renews it before a claim
        clock.now += timedelta(seconds=1)
        await asyncio.sleep(0.3)
        assert await replica.claim("telegram") == []
    with Locked(f"{tmp_path}/editbot.sqlite3"):  # beats fail for a while...
        await asyncio.sleep(0.5)
    clock.now += timedelta(seconds=1)
    await asyncio.sleep(0.5)  # ...and go on once the database answers again
    assert await replica.claim("telegram") == []
    await live.close()  # a clean stop hands the job on at once, lease or not
    [taken] = await replica.claim("telegram")
    assert taken.id == job and await replica.commit(job)


async def test_a_process_that_stops_hands_on_its_own_jobs_only(
        open_ledger: Callable[..., Any]) -> None:
    """A replica that stops lets go of its jobs, not of a live replica's: those stay with
    their owner, and no third replica may take them over while it lives."""
    stopping, live, third = (await open_ledger("stopping"), await open_ledger("live"),
                             await open_ledger("third"))
    mine, theirs = await reserve(stopping), await reserve(live)
    for ledger in (stopping, live):
        ledger.keep_alive()  # as every process does from its start
    await stopping.close()
    assert [job.id for job in await third.claim("telegram")] == [mine]
    assert await third.claim("telegram") == [] and await live.commit(theirs)


async def test_a_job_taken_over_is_taken_over_again_if_its_new_owner_dies(
        open_ledger: Callable[..., Any], clock: Clock) -> None:
    crashed, first, second = [await open_ledger(owner) for owner in ("a", "b", "c")]
    job = await reserve(crashed)
    clock.now += timedelta(minutes=1)  # "a" stopped beating
    assert [j.id for j in await first.claim("telegram")] == [job]
    assert await second.claim("telegram") == []  # "b" holds it now, with a fresh lease
    clock.now += first.lease + timedelta(seconds=1)  # and dies before its first beat
    await second.heartbeat()  # another process's beat renews its own jobs only
    assert [j.id for j in await second.claim("telegram")] == [job]
    assert await second.commit(job) and not await first.commit(job)
