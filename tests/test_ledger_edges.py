"""Edges of the ledger that mutation testing found unguarded: one group's limits and usage
never touch another's, a group's daily budget can be used exactly up, the refusal says the
numbers, and the audit keeps its order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.errors import QuotaExceeded
from tests import test_ledger
from tests.conftest import Clock
from tests.test_ledger import reserve

make_ledger = test_ledger.make_ledger  # the contract tests' fixture: every backend

A, B = "telegram:group:-5", "telegram:group:-6"


async def test_limits_and_usage_stay_in_their_group(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    assert await ledger.set_limit(scope=A, kind="default", per_day=3, by="m") is None
    await ledger.set_limit(scope=B, kind="default", per_day=7, by="m")
    await ledger.set_limit(scope=A, kind="member", member="telegram:1", per_day=5, by="m")
    assert await ledger.set_limit(scope=A, kind="default", per_day=4, by="m") == 3
    a, b = await ledger.limits(A), await ledger.limits(B)
    assert (a.default, a.members, b.default, b.members) == (4, {"telegram:1": 5}, 7, {})
    log = await ledger.audit_log(A)
    assert [(r["action"], r["target"], r["old_value"], r["new_value"]) for r in log] == [
        ("limit_default", A, None, 3), ("limit_member", "telegram:1", None, 5),
        ("limit_default", A, 3, 4)]
    with pytest.raises(ValueError, match="per_day must be >= 0"):
        await ledger.set_limit(scope=A, kind="default", per_day=-1, by="m")

    for job in (await reserve(ledger, "telegram:1", A), await reserve(ledger, "telegram:1", A),
                await reserve(ledger, "telegram:2", A, credits=3),
                await reserve(ledger, "telegram:1", B)):
        await ledger.commit(job)
    report = await ledger.usage(A)
    assert list(report.members.items()) == [("telegram:2", 3), ("telegram:1", 2)]  # most first
    assert report.total == 5 and report.day == ledger.today()
    assert (await ledger.usage(B)).members == {"telegram:1": 1}


async def test_a_groups_budget_is_used_exactly_up(make_ledger: Callable[..., Any],
                                                  clock: Clock) -> None:
    ledger = await make_ledger()
    await ledger.set_limit(scope=A, kind="total", per_day=3, by="m")
    await reserve(ledger, "telegram:1", A, credits=2)
    await reserve(ledger, "telegram:2", A)  # 3 of 3: allowed
    # telegram:3 could still use its own 1 credit: the group's budget is what says no
    await ledger.set_limit(scope=A, kind="member", member="telegram:3", per_day=1, by="m")
    with pytest.raises(QuotaExceeded) as refused:
        await reserve(ledger, "telegram:3", A)
    assert refused.value.code == "scope_budget_exceeded"
    assert (refused.value.used, refused.value.limit) == (3, 3)
    assert refused.value.resets_at > clock.now
    await ledger.set_limit(scope=A, kind="member", member="telegram:4", per_day=1, by="m")
    await ledger.set_limit(scope=A, kind="total", per_day=None, by="m")
    await reserve(ledger, "telegram:4", A)
    with pytest.raises(QuotaExceeded) as personal:
        await reserve(ledger, "telegram:4", A)
    assert personal.value.code == "quota_exceeded"
    assert (personal.value.used, personal.value.limit) == (1, 1)
    assert personal.value.params["credits"] == 1
    clock.now += timedelta(days=1)
    await reserve(ledger, "telegram:4", A)  # a new day


async def test_jobs_read_back_whole_and_in_order(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    first = await reserve(ledger, "telegram:1", A)
    second = await reserve(ledger, "telegram:2", B, credits=2)
    job = await ledger.job(second)
    assert (job.platform, job.actor_key, job.scope_key, job.credits, job.day) == (
        "telegram", "telegram:2", B, 2, ledger.today())
    assert job.request == {"n": 1} and job.created_at is not None
    assert await ledger.job(10_000) is None
    assert [j.id for j in await ledger.unfinished()] == [first, second]
