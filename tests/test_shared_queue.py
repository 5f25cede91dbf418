"""One upstream budget for every replica on PostgreSQL (bot/upstream/shared_queue.py): at most
GEMINI_MAX_CONCURRENCY calls at once across replicas, served in arrival order, positions that
count the whole deployment's waiters, and slots freed when their replica stops or dies. Against
a real PostgreSQL server (tests/pgserver.py) and the fake Gemini."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bot.ledger import QuotaLedger
from bot.upstream import GeminiClient
from bot.upstream.scheduler import FairQueue, Place, _step
from bot.upstream.shared_queue import Entry, SharedQueue, allocate
from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]
MODEL = "gemini-2.5-flash-image"


@pytest.fixture
async def db() -> str:
    url = await pgserver.shared().database()
    ledger = QuotaLedger.open(url, default_limit=1, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    await ledger.migrate()
    await ledger.close()
    return url


@pytest.fixture
async def replicas(db: str) -> AsyncIterator[Callable[..., Awaitable[SharedQueue]]]:
    made: list[SharedQueue] = []

    async def make(name: str, capacity: int = 2, **kw: float) -> SharedQueue:
        queue = SharedQueue(capacity, url=db, replica=name, poll=0.3, **kw)
        await queue.start()
        made.append(queue)
        return queue

    yield make
    for queue in made:
        await queue.close()


async def rows(db: str, table: str) -> list[str]:
    conn = await asyncpg.connect(db)
    try:
        return [r["replica"] for r in await conn.fetch(f"SELECT replica FROM {table}")]
    finally:
        await conn.close()


async def emptied(db: str) -> bool:
    """Whether every place and slot is gone from the tables within a few seconds."""
    for _ in range(100):
        if not await rows(db, "queue_slots") and not await rows(db, "queue_waiters"):
            return True
        await asyncio.sleep(0.05)
    return False


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.05)


def test_a_free_slot_goes_to_the_first_in_line_whose_person_runs_nothing() -> None:
    line = [Entry(1.0, "a", "ann", "r1"), Entry(2.0, "b", "bob", "r2"),
            Entry(3.0, "c", "ann", "r3"), Entry(4.0, "d", "cid", "r1")]
    assert [e.id for e in allocate(2, ["bob"], line)] == ["a", "d"]
    assert [e.id for e in allocate(3, [], line)] == ["a", "b", "d"]
    assert allocate(0, [], line) == []


async def test_three_replicas_share_two_calls_in_arrival_order_with_true_positions(
        replicas: Callable[..., Awaitable[SharedQueue]], gemini: FakeGemini, db: str) -> None:
    gemini.delay = 1.2  # with the two calls half a call apart, a slot frees every 0.6 s
    queues = [await replicas(f"replica{i}") for i in range(3)]
    client = GeminiClient(base_url=gemini.base_url, api_key=gemini.key, auth="x-goog-api-key",
                          model=MODEL, max_attempts=1)
    gate = asyncio.Event()
    started: list[int] = []
    told: dict[int, list[int]] = {k: [] for k in range(9)}
    places: list[Place] = []
    for k in range(9):  # nine people, one request each, arriving in turn at the three replicas
        places.append(queues[k % 3].hold(f"person{k}"))
        told[k].append(places[k].position)  # what its opening says (0: working)
        while len(await rows(db, "queue_slots")) + len(await rows(db, "queue_waiters")) <= k:
            await asyncio.sleep(0.01)  # written: it has its place in the deployment's line

    async def job(k: int) -> None:
        async def note(position: int) -> None:
            told[k].append(position)

        async with queues[k % 3].slot(f"person{k}", note, ticket=places[k]):
            started.append(k)
            if k < 2:  # the two calls end 0.6 s apart: one slot frees at a time
                await gate.wait()
                await asyncio.sleep(0.6 * k)
            await client.generate(f"edit {k}", ())

    jobs = [asyncio.create_task(job(k)) for k in range(9)]
    # the first two run; the other seven are told their place in the whole deployment's line
    await until(lambda: len(started) == 2)
    await until(lambda: all(told[k][-1] == k - 1 for k in range(2, 9)))
    quiet = {k: len(told[k]) for k in range(9)}
    await asyncio.sleep(0.5)  # time for a wrong grant to arrive
    assert sorted(started) == [0, 1]
    assert [p.position for p in places[2:]] == list(range(1, 8))
    assert sorted(await rows(db, "queue_slots")) == ["replica0", "replica1"]
    gate.set()
    await asyncio.wait_for(asyncio.gather(*jobs), 60)
    assert started[2:] == list(range(2, 9))  # served by arrival, whichever replica holds them
    assert gemini.peak_in_flight == 2 and len(gemini.requests) == 9
    for k in range(2, 9):  # from there on, counting down (in FairQueue's steps)
        steps = [p for p in range(k - 1, 0, -1) if p == k - 1 or _step(p) != _step(p + 1)]
        assert told[k][quiet[k] - 1:] == steps, told
    assert [q.in_flight + q.waiting for q in queues] == [0, 0, 0]
    assert await emptied(db)
    await client.aclose()


async def test_one_person_runs_one_call_at_a_time_across_replicas(
        replicas: Callable[..., Awaitable[SharedQueue]]) -> None:
    one, two = await replicas("one"), await replicas("two")
    first = one.hold("ann")
    await until(lambda: first.ready.done())
    second = two.hold("ann")  # a slot is free, but Ann already has a call running
    later = two.hold("bob")
    await until(lambda: later.ready.done())
    await asyncio.sleep(1.0)  # time for a wrong grant to arrive
    assert not second.ready.done() and second.position == 1
    one.drop(first)
    await until(lambda: second.ready.done())
    for queue, place in ((two, second), (two, later)):
        queue.drop(place)


async def test_a_cancelled_job_gives_its_place_up_and_the_line_moves(
        replicas: Callable[..., Awaitable[SharedQueue]], db: str) -> None:
    one, two = await replicas("one", capacity=1), await replicas("two", capacity=1)
    running = one.hold("ann")
    await until(lambda: running.ready.done())
    told: list[int] = []

    async def note(position: int) -> None:
        told.append(position)

    async def wait(queue: SharedQueue, owner: str) -> None:
        async with queue.slot(owner, note):
            await asyncio.sleep(30)

    cancelled = asyncio.create_task(wait(two, "bob"))
    await until(lambda: len(told) == 1)
    later = asyncio.create_task(wait(one, "cid"))
    await until(lambda: len(told) == 2)
    assert told == [1, 2]  # Bob first, Cid behind him
    cancelled.cancel()
    await until(lambda: told[-1] == 1)  # Cid moves up: Bob's place is gone from the tables
    assert await rows(db, "queue_waiters") == ["one"]
    one.drop(running)
    await until(lambda: one.in_flight == 1)  # and Cid runs
    later.cancel()
    await until(lambda: one.in_flight == 0)
    await asyncio.gather(cancelled, later, return_exceptions=True)


async def test_a_stopped_replica_gives_its_slots_back_at_once(
        replicas: Callable[..., Awaitable[SharedQueue]], db: str) -> None:
    leaving, staying = await replicas("leaving", capacity=1), await replicas("staying", 1)
    held = leaving.hold("ann")
    await until(lambda: held.ready.done())
    waiting = staying.hold("bob")
    queued = leaving.hold("cid")
    await asyncio.sleep(0.5)
    assert not waiting.ready.done()
    await leaving.close()  # a clean stop, its call and its waiter deleted
    await until(lambda: waiting.ready.done(), timeout=5)  # long before the 15 s lease
    assert await rows(db, "queue_waiters") == [] and not queued.ready.done()
    staying.drop(waiting)


async def test_the_single_process_queue_is_unchanged_on_sqlite(make_core: Callable[..., Awaitable[
        object]]) -> None:
    core = await make_core(gemini_max_concurrency=3)
    assert type(core.queue) is FairQueue and core.service._queue is core.queue  # type: ignore[attr-defined]


async def worker(db: str, gemini: FakeGemini, name: str, jobs: int, lease: float,
                 *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.queue_worker", db, gemini.base_url, gemini.key, name,
        str(jobs), str(lease), *extra, cwd=ROOT, stdout=asyncio.subprocess.PIPE)


async def test_a_killed_replicas_slot_frees_itself_and_the_queue_goes_on(
        db: str, gemini: FakeGemini) -> None:
    gemini.delay = 0.8
    dead = await worker(db, gemini, "dead", 1, 2.0, "hang")
    assert dead.stdout is not None
    line = await asyncio.wait_for(dead.stdout.readline(), 30)
    assert line.decode().split() == ["granted", "dead-0"]  # it holds one of the two slots
    alive = [await worker(db, gemini, f"alive{i}", 3, 2.0) for i in range(2)]
    os.kill(dead.pid, signal.SIGKILL)
    await dead.wait()
    outputs = [await asyncio.wait_for(p.communicate(), 90) for p in alive]
    assert [p.returncode for p in alive] == [0, 0]
    done = sorted(w for out, _ in outputs for w in out.decode().split() if "-" in w)
    assert done.count("alive0-0") == 2 and len(done) == 12  # every job granted and done
    assert len(gemini.requests) == 6
    assert gemini.peak_in_flight == 2  # the dead one's slot came back; never more than two
    assert await emptied(db)


async def test_bot_processes_on_postgresql_share_gemini_max_concurrency(
        db: str, gemini: FakeGemini, tmp_path: Path) -> None:
    gemini.delay = 6.0  # long enough for the four starts to overlap on a loaded machine
    photo = tmp_path / "in.jpg"
    photo.write_bytes(make_image(640, 480, "JPEG"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
           "GEMINI_MAX_ATTEMPTS": "1", "DATABASE_URL": db, "LISTEN_PORT": "0",
           "GEMINI_MAX_CONCURRENCY": "2"}
    edits = [await bot_process("edit", "--image", str(photo), "--output",
        str(tmp_path / f"out{i}.png"), f"make it blue {i}", cwd=tmp_path,
        env={**env, "USER": f"operator{i}"},  # four people: one call at a time is per person
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for i in range(4)]
    outputs = [await asyncio.wait_for(p.communicate(), 120) for p in edits]
    assert [p.returncode for p in edits] == [0, 0, 0, 0], outputs
    assert all((tmp_path / f"out{i}.png").stat().st_size > 0 for i in range(4))
    assert len(gemini.requests) == 4 and gemini.peak_in_flight == 2
    told = [err.decode() for _, err in outputs]
    assert sum("Queued: #1 in line" in err for err in told) >= 1, told  # the others waited
    assert await emptied(db)
