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


async def test_usage_counts_todays_live_jobs_only(make_ledger: Callable[..., Any],
                                                  clock: Clock) -> None:
    ledger = await make_ledger()
    await ledger.commit(await reserve(ledger, "telegram:1", A, credits=2))
    clock.now += timedelta(days=1)
    held = await reserve(ledger, "telegram:1", A)  # held counts, as on /quota
    await ledger.refund(await reserve(ledger, "telegram:2", A, credits=3))  # given back
    today = await ledger.usage(A)
    assert (today.members, today.total) == ({"telegram:1": 1}, 1)
    yesterday = await ledger.usage(A, (clock.now - timedelta(days=1)).date().isoformat())
    assert (yesterday.members, yesterday.total) == ({"telegram:1": 2}, 2)
    await ledger.commit(held)
    assert (await ledger.usage(A)).members == {"telegram:1": 1}


async def test_a_refusal_names_the_limit_that_said_no(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=3)  # each chat allows 10
    await reserve(ledger, "telegram:1", A, credits=2)
    await ledger.set_limit(scope=B, kind="default", per_day=2, by="m")
    with pytest.raises(QuotaExceeded) as ceiling:  # 2 of 2 here would fit; 4 of 3 in all not
        await reserve(ledger, "telegram:1", B, credits=2)
    assert ceiling.value.code == "daily_ceiling_exceeded"
    assert ceiling.value.params == {"used": 2, "limit": 3, "credits": 2,
                                    "resets_at": ledger.resets_at()}
    await reserve(ledger, "telegram:1", B)  # 1 of 2 here, 3 of 3 in all
    with pytest.raises(QuotaExceeded) as chat:  # 2 of 2 here and 4 of 3: the chat says no
        await reserve(ledger, "telegram:1", B, credits=2)
    assert chat.value.code == "quota_exceeded"
    assert (chat.value.params["used"], chat.value.params["limit"]) == (1, 2)
    await ledger.set_limit(scope=B, kind="total", per_day=100, by="m")  # far from spent
    with pytest.raises(QuotaExceeded) as own:  # the person's limit, not the group's budget
        await reserve(ledger, "telegram:1", B, credits=2)
    assert own.value.code == "quota_exceeded" and own.value.params["used"] == 1


async def test_a_spent_budget_is_named_even_at_the_ceilings_edge(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=3)
    await reserve(ledger, "telegram:1", B, credits=2)
    await ledger.set_limit(scope=A, kind="total", per_day=1, by="m")
    await reserve(ledger, "telegram:2", A)  # the group's budget is spent
    with pytest.raises(QuotaExceeded) as refused:  # 3 of 3 in all would still fit
        await reserve(ledger, "telegram:1", A)
    assert refused.value.code == "scope_budget_exceeded"
    assert (refused.value.params["used"], refused.value.params["limit"]) == (1, 1)


async def test_a_ceiling_of_zero_is_said_as_the_ceiling(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=0)
    with pytest.raises(QuotaExceeded) as refused:
        await reserve(ledger, "telegram:1", A)
    assert refused.value.code == "daily_ceiling_exceeded"
    assert (refused.value.params["used"], refused.value.params["limit"]) == (0, 0)


async def test_the_status_counts_this_chat_and_every_chat(make_ledger: Callable[..., Any]) -> None:
    """What /quota shows: charged and in flight, here and across every chat, against this
    chat's limit and the person's daily ceiling; nothing of it for an operator."""
    ledger = await make_ledger(user_limit=5)  # each chat allows 10
    assert await ledger.commit(await reserve(ledger, "telegram:1", A, credits=2))
    await reserve(ledger, "telegram:1", B)  # in flight in another chat
    await reserve(ledger, "telegram:2", A)  # someone else's
    here = await ledger.status(actor="telegram:1", scope=A)
    assert (here.used, here.reserved, here.limit) == (2, 0, 10)
    assert (here.day_used, here.day_reserved, here.day_limit) == (2, 1, 5)
    assert (here.day_left, here.left) == (2, 2)  # 8 left here, but 2 in all
    operator = await ledger.status(actor="telegram:1", scope=A, unlimited=True)
    assert (operator.limit, operator.day_limit, operator.left) == (None, None, None)
