"""Contract tests for the QuotaLedger. Every test runs against every backend in LEDGERS (SQLite
and a real PostgreSQL server the tests start themselves, see tests/pgserver.py); a new backend
joins by adding a factory here, without new tests."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.errors import QuotaExceeded
from bot.ledger import QuotaLedger
from tests import pgserver
from tests.conftest import Clock, Opened


class TwoEngines:
    """Two ledgers on one database, as two engines of one process would be: calls alternate."""

    def __init__(self, first: QuotaLedger, second: QuotaLedger) -> None:
        self._all = (first, second)
        self._next = itertools.cycle(self._all)

    def __getattr__(self, name: str) -> Any:
        return getattr(next(self._next), name)

    async def close(self) -> None:
        for ledger in self._all:
            await ledger.close()


class Place:
    """Where a test's ledgers live: a new SQLite file or a new PostgreSQL database each."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.made = folder, 0

    async def url(self, engine: str) -> str:
        self.made += 1
        if engine == "postgresql":
            return await pgserver.shared().database()
        return f"sqlite:///{self.folder}/ledger{self.made}.sqlite3"


def _one(url: str, clock: Clock, tz: str, **kw: Any) -> QuotaLedger:
    return QuotaLedger.open(url, default_limit=10, timezone=ZoneInfo(tz), clock=clock, **kw)


def _two(url: str, clock: Clock, tz: str, **kw: Any) -> TwoEngines:
    owner = kw.pop("owner", "one")
    return TwoEngines(_one(url, clock, tz, owner=owner, **kw),
                      _one(url, clock, tz, owner=owner, **kw))


# name -> (engine, factory): every contract test runs against each
ROOT = Path(__file__).resolve().parents[1]
LEDGERS: dict[str, tuple[str, Callable[..., Any]]] = {
    "sqlite": ("sqlite", _one),
    "sqlite-two-engines": ("sqlite", _two),
    "postgresql": ("postgresql", _one),
    "postgresql-two-engines": ("postgresql", _two),
}


@pytest.fixture(params=list(LEDGERS))
async def make_ledger(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
                      ) -> AsyncIterator[Callable[..., Any]]:
    opened = Opened()
    place = Place(tmp_path)
    engine, factory = LEDGERS[request.param]

    async def make(tz: str = "UTC", url: str | None = None, **kw: Any) -> Any:
        """A ledger on a new database, or with ``url`` on that one (another process)."""
        ledger = await opened.migrated(factory(url or await place.url(engine), clock, tz, **kw))
        await ledger.migrate()  # migrating twice is harmless
        return ledger

    yield make
    await opened.close()


@pytest.fixture
async def ledger(make_ledger: Callable[..., Any]) -> Any:
    return await make_ledger()


async def reserve(ledger: Any, actor: str = "telegram:1", scope: str = "telegram:group:-5",
                  credits: int = 1, **kw: Any) -> int:
    return int(await ledger.reserve(platform="telegram", actor=actor, scope=scope,
                                    credits=credits, request={"n": 1}, **kw))


async def test_two_hundred_concurrent_reservations_against_seven(ledger: Any) -> None:
    await ledger.set_limit(scope="telegram:group:-5", kind="default", per_day=7, by="mod")

    async def attempt() -> bool:
        try:
            await reserve(ledger)
            return True
        except QuotaExceeded:
            return False

    results = await asyncio.gather(*(attempt() for _ in range(200)))
    assert sum(results) == 7
    status = await ledger.status(actor="telegram:1", scope="telegram:group:-5")
    assert (status.used, status.reserved, status.left) == (0, 7, 0)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_two_hundred_reservations_from_four_processes_against_seven(
        engine: str, tmp_path: Path) -> None:
    url = await Place(tmp_path).url(engine)
    ledger = QuotaLedger.open(url, default_limit=10, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    await ledger.migrate()
    await ledger.set_limit(scope="telegram:group:-5", kind="default", per_day=7, by="mod")
    start_at = time.time() + 3
    workers = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ledger_worker", url, "50", str(start_at),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE) for _ in range(4)]
    outputs = [await asyncio.wait_for(worker.communicate(), 60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0]
    assert sum(int(out) for out, _ in outputs) == 7
    status = await ledger.status(actor="telegram:1", scope="telegram:group:-5")
    assert (status.reserved, status.left) == (7, 0)
    await ledger.close()


async def test_most_specific_limit_wins(ledger: Any) -> None:
    scope = "discord:group:9"
    assert (await ledger.status(actor="discord:1", scope=scope)).limit == 10
    await ledger.set_limit(scope=scope, kind="default", per_day=3, by="discord:7")
    assert (await ledger.status(actor="discord:1", scope=scope)).limit == 3
    await ledger.set_limit(scope=scope, kind="member", member="discord:1", per_day=5, by="x")
    assert (await ledger.status(actor="discord:1", scope=scope)).limit == 5
    assert (await ledger.status(actor="discord:2", scope=scope)).limit == 3
    await ledger.set_limit(scope=scope, kind="member", member="discord:1", per_day=None, by="x")
    assert (await ledger.status(actor="discord:1", scope=scope)).limit == 3


async def test_zero_blocks_and_errors_say_when_it_resets(ledger: Any) -> None:
    await ledger.set_limit(scope="s", kind="member", member="telegram:1", per_day=0, by="m")
    with pytest.raises(QuotaExceeded) as info:
        await reserve(ledger, scope="s")
    assert info.value.limit == 0
    assert info.value.resets_at == datetime(2026, 11, 26, tzinfo=ZoneInfo("UTC"))


async def test_cost_counts_credits_not_requests(ledger: Any) -> None:
    await ledger.set_limit(scope="s", kind="default", per_day=3, by="m")
    await reserve(ledger, scope="s", credits=2)
    with pytest.raises(QuotaExceeded):
        await reserve(ledger, scope="s", credits=2)
    await reserve(ledger, scope="s", credits=1)


async def test_scope_total_budget(ledger: Any) -> None:
    await ledger.set_limit(scope="g", kind="total", per_day=3, by="m")
    for user in ("1", "2", "3"):
        await reserve(ledger, actor=f"telegram:{user}", scope="g")
    with pytest.raises(QuotaExceeded) as info:
        await reserve(ledger, actor="telegram:4", scope="g")
    assert info.value.code == "scope_budget_exceeded" and info.value.limit == 3
    report = await ledger.usage("g")
    assert report.total == 3 and report.budget == 3 and len(report.members) == 3


async def test_a_group_budget_holds_against_many_people_at_once(ledger: Any) -> None:
    await ledger.set_limit(scope="g", kind="total", per_day=7, by="m")

    async def attempt(n: int) -> bool:
        try:
            await reserve(ledger, actor=f"telegram:{n}", scope="g")
            return True
        except QuotaExceeded:
            return False

    assert sum(await asyncio.gather(*(attempt(n) for n in range(100)))) == 7
    assert (await ledger.usage("g")).total == 7


async def test_one_ceiling_per_person_in_the_same_atomic_reservation(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=7)  # scopes allow 10 each

    async def attempt(n: int) -> bool:
        try:
            await reserve(ledger, scope=f"telegram:group:{n % 10}")
            return True
        except QuotaExceeded as error:
            assert error.code == "daily_ceiling_exceeded" and error.limit == 7
            return False

    assert sum(await asyncio.gather(*(attempt(n) for n in range(200)))) == 7
    await ledger.set_limit(scope="g", kind="member", member="telegram:1", per_day=50, by="m")
    with pytest.raises(QuotaExceeded):  # a group's own limit cannot raise the ceiling
        await reserve(ledger, scope="g")
    status = await ledger.status(actor="telegram:1", scope="g")
    assert (status.limit, status.left, status.day_left, status.day_reserved) == (50, 0, 0, 7)
    await reserve(ledger, actor="telegram:2", scope="g")  # another person is not touched
    await ledger.set_limit(scope="h", kind="default", per_day=2, by="m")
    lower = await ledger.status(actor="telegram:2", scope="h")
    assert (lower.left, lower.day_left) == (2, 6)  # a group's limit can lower it


async def test_refund_gives_credits_back_once(ledger: Any) -> None:
    await ledger.set_limit(scope="s", kind="default", per_day=1, by="m")
    job = await reserve(ledger, scope="s")
    assert await ledger.refund(job, note="refused") is True
    assert await ledger.refund(job) is False
    assert await ledger.commit(job) is False  # a refunded job is never charged
    again = await reserve(ledger, scope="s")
    assert await ledger.commit(again) is True
    assert await ledger.commit(again) is False
    assert await ledger.refund(again) is False
    assert (await ledger.status(actor="telegram:1", scope="s")).used == 1


async def test_unlimited_actors_pass_any_limit(ledger: Any) -> None:
    await ledger.set_limit(scope="s", kind="default", per_day=0, by="m")
    await reserve(ledger, scope="s", unlimited=True)
    status = await ledger.status(actor="telegram:1", scope="s", unlimited=True)
    assert status.limit is None and status.left is None and status.reserved == 1


async def test_days_follow_the_quota_timezone(make_ledger: Callable[..., Any],
                                              clock: Clock) -> None:
    ledger = await make_ledger("Asia/Ho_Chi_Minh")
    clock.now = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # 23:30 in Vietnam
    await ledger.set_limit(scope="s", kind="default", per_day=1, by="m")
    await reserve(ledger, scope="s")
    with pytest.raises(QuotaExceeded) as info:
        await reserve(ledger, scope="s")
    assert info.value.resets_at.astimezone(UTC) == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    clock.now += timedelta(hours=1)  # 00:30 the next day there
    await reserve(ledger, scope="s")


async def test_every_limit_change_is_audited(ledger: Any) -> None:
    await ledger.set_limit(scope="g", kind="default", per_day=4, by="telegram:9")
    await ledger.set_limit(scope="g", kind="default", per_day=6, by="telegram:9")
    await ledger.set_limit(scope="g", kind="member", member="telegram:2", per_day=1, by="t:8")
    rows = await ledger.audit_log("g")
    assert [(r["actor"], r["action"], r["old_value"], r["new_value"]) for r in rows] == [
        ("telegram:9", "limit_default", None, 4), ("telegram:9", "limit_default", 4, 6),
        ("t:8", "limit_member", None, 1)]
    limits = await ledger.limits("g")
    assert (limits.default, limits.total, limits.members) == (6, None, {"telegram:2": 1})


async def test_unfinished_jobs_are_listed_with_their_request(ledger: Any) -> None:
    done = await reserve(ledger)
    open_job = await ledger.reserve(platform="discord", actor="discord:1", scope="d",
                                    credits=2, request={"origin": {"channel": 5}})
    await ledger.commit(done)
    jobs = await ledger.unfinished()
    assert [j.id for j in jobs] == [open_job]
    assert jobs[0].request == {"origin": {"channel": 5}} and jobs[0].credits == 2
    assert await ledger.unfinished("telegram") == []
    assert (await ledger.job(done)).status.value == "committed"  # type: ignore[union-attr]


async def test_one_job_per_origin(ledger: Any) -> None:
    first = await reserve(ledger, origin_key="telegram:-5:100")
    from bot.errors import DuplicateRequest

    with pytest.raises(DuplicateRequest):
        await reserve(ledger, origin_key="telegram:-5:100")
    await ledger.commit(first)
    with pytest.raises(DuplicateRequest):  # also once it is finished
        await reserve(ledger, origin_key="telegram:-5:100")
    assert await ledger.seen("telegram:-5:100") and not await ledger.seen("telegram:-5:101")
    await reserve(ledger, origin_key="telegram:-5:101")
    await reserve(ledger)  # no key: no check
    await reserve(ledger)


async def test_a_live_owners_job_is_never_taken_over(make_ledger: Callable[..., Any],
                                                     clock: Clock) -> None:
    first = await make_ledger()
    second = await make_ledger(url=first.url, owner="replica-2")
    job = await reserve(first)
    assert await second.claim("telegram") == []  # its owner is alive
    assert await first.asking(job)  # sent to the model
    clock.now += timedelta(seconds=20)
    await first.heartbeat()
    clock.now += timedelta(seconds=20)  # 40 s after the reservation, 20 s after the last beat
    assert await second.claim("telegram") == []
    clock.now += timedelta(seconds=11)  # 31 s without a beat: the owner is gone
    [taken] = await second.claim("telegram")
    assert taken.id == job and taken.request == {"n": 1}
    assert taken.asked and not taken.has_result  # its first answer never came back
    assert await first.claim("telegram") == []  # it is the second's now
    assert not await first.asking(job)  # the old owner may no longer ask for it either
    assert not await first.delivering(job)  # the old owner may no longer deliver it
    assert not await first.commit(job) and not await first.refund(job)
    assert await second.delivering(job) and await second.commit(job)


async def test_expired_jobs_are_claimed_once_by_concurrent_replicas(
        make_ledger: Callable[..., Any], clock: Clock) -> None:
    crashed = await make_ledger()
    ids = {await reserve(crashed, actor=f"telegram:{n}") for n in range(30)}
    clock.now += timedelta(minutes=1)
    replicas = [await make_ledger(url=crashed.url, owner=f"r{n}") for n in range(3)]
    claims = await asyncio.gather(*(r.claim("telegram") for r in replicas for _ in range(2)))
    taken = [job.id for jobs in claims for job in jobs]
    assert sorted(taken) == sorted(ids)  # every job once, none twice


async def test_a_kept_result_is_dropped_when_finished_or_after_a_day(
        ledger: Any, clock: Clock) -> None:
    from bot.domain import GeneratedImage

    image = GeneratedImage(b"png" * 1000, "image/png", 64, 48, "words")
    delivered, forgotten = await reserve(ledger), await reserve(ledger)
    for job in (delivered, forgotten):
        await ledger.keep_result(job, image)
    assert (await ledger.result(delivered)) == image and (await ledger.job(delivered)).has_result
    await ledger.commit(delivered)
    assert await ledger.result(delivered) is None
    clock.now += timedelta(hours=23)
    await ledger.heartbeat()
    assert await ledger.result(forgotten) == image
    clock.now += timedelta(hours=2)
    await ledger.heartbeat()
    assert await ledger.result(forgotten) is None


def test_the_newest_revision_is_read_as_alembic_reads_it() -> None:
    """A ledger at the newest revision starts without alembic (its import and its scripts
    cost a fifth of a second of CPU per start): the revision read from the scripts must be
    alembic's head, or a ledger one migration behind would be taken as current."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.ledger.store import MIGRATIONS, schema_head

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert schema_head() == ScriptDirectory.from_config(config).get_current_head()
