"""Contract tests for the QuotaLedger. Every test runs against every backend in LEDGERS; a new
backend (PostgreSQL) joins by adding a factory here, without new tests."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.errors import QuotaExceeded
from bot.ledger import QuotaLedger
from tests.conftest import Clock


class TwoEngines:
    """Two ledgers on one database file, as two processes would be: calls alternate."""

    def __init__(self, first: QuotaLedger, second: QuotaLedger) -> None:
        self._all = (first, second)
        self._next = itertools.cycle(self._all)

    def __getattr__(self, name: str) -> Any:
        return getattr(next(self._next), name)

    async def close(self) -> None:
        for ledger in self._all:
            await ledger.close()


def _one(path: Path, clock: Clock, tz: str) -> QuotaLedger:
    return QuotaLedger.open(f"sqlite:///{path}", default_limit=10, timezone=ZoneInfo(tz),
                            clock=clock)


LEDGERS: dict[str, Callable[[Path, Clock, str], Any]] = {
    "sqlite": _one,
    "sqlite-two-engines": lambda path, clock, tz: TwoEngines(_one(path, clock, tz),
                                                             _one(path, clock, tz)),
}


@pytest.fixture(params=list(LEDGERS))
async def make_ledger(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
                      ) -> AsyncIterator[Callable[..., Any]]:
    made: list[Any] = []

    async def make(tz: str = "UTC") -> Any:
        ledger = LEDGERS[request.param](tmp_path / f"ledger{len(made)}.sqlite3", clock, tz)
        await ledger.migrate()
        await ledger.migrate()  # migrating twice is harmless
        made.append(ledger)
        return ledger

    yield make
    for ledger in made:
        await ledger.close()


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
    assert (status.used, status.left) == (7, 0)


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
    assert status.limit is None and status.left is None and status.used == 1


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
