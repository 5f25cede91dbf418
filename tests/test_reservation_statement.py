"""The reservation statement alone holds every limit: the ledger builds it once, and whatever
runs it (the ledger, or bench/ledger.py on a raw connection) gets a job recorded only when the
person's limit in the chat, the chat's budget and the person's ceiling across chats all hold,
and never twice for one platform message. Runs the statement as built by
``reserve_statement``, on every backend, without the ledger's Python around it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain import JobStatus
from bot.ledger import reserve_statement
from tests import test_ledger
from tests.conftest import Clock

make_ledger = test_ledger.make_ledger  # the contract tests' fixture: every backend

G, H = "telegram:group:-5", "telegram:group:-6"


async def raw(ledger: Any, actor: str = "telegram:1", scope: str = G, *, credits: int = 1,
              limited: bool = True, origin: str | None = None, default: int = 10,
              ceiling: int = 100, usd: float | None = None) -> int | None:
    """Run the statement as bench/ledger.py does: the job's id, or None when refused."""
    params = {"platform": actor.split(":")[0], "actor": actor, "scope": scope,
              "day": ledger.today(), "credits": credits,
              "request": json.dumps({"actor": actor}), "now": ledger._now(),
              "default": default, "origin_key": origin, "ceiling": ceiling,
              "owner": ledger.owner, "estimated_usd": usd}
    stmt = reserve_statement(limited=limited)
    return await ledger.writer.write(lambda conn: conn.execute(stmt, params).scalar())


async def test_the_chats_limit_most_specific_first(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    assert await raw(ledger, default=2, credits=2) is not None  # the bot's default: 2 of 2
    assert await raw(ledger, default=2) is None
    await ledger.set_limit(scope=G, kind="default", per_day=4, by="m")  # the chat's default
    assert await raw(ledger, default=2, credits=2) is not None
    assert await raw(ledger, default=2) is None
    await ledger.set_limit(scope=G, kind="member", member="telegram:1", per_day=5, by="m")
    assert await raw(ledger, default=2) is not None  # the member's own limit: 5 of 5
    assert await raw(ledger, default=2) is None
    await ledger.set_limit(scope=G, kind="member", member="telegram:9", per_day=0, by="m")
    assert await raw(ledger, "telegram:2", default=2, credits=4) is not None  # not telegram:9's
    assert await raw(ledger, "telegram:9", default=2) is None  # 0 blocks
    assert await raw(ledger, scope=H, default=2, credits=2) is not None  # another chat: its own


async def test_refunds_other_days_and_other_people_do_not_count(
        make_ledger: Callable[..., Any], clock: Clock) -> None:
    ledger = await make_ledger()
    first = await raw(ledger, default=1)
    assert first is not None and await raw(ledger, default=1) is None
    assert await ledger.refund(first)
    second = await raw(ledger, default=1)  # the refund gave the credit back
    assert second is not None and await ledger.commit(second)
    assert await raw(ledger, default=1) is None  # a committed job counts like a held one
    assert await raw(ledger, "telegram:2", default=1) is not None
    clock.now += timedelta(days=1)
    assert await raw(ledger, default=1) is not None  # a new day


async def test_the_chats_budget_counts_everyone_in_that_chat_only(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    await ledger.set_limit(scope=G, kind="total", per_day=3, by="m")
    assert await raw(ledger, "telegram:1", credits=2) is not None
    assert await raw(ledger, "telegram:2", H, credits=5) is not None  # no budget there
    assert await raw(ledger, "telegram:2", credits=2) is None  # 2 + 2 > 3
    refunded = await raw(ledger, "telegram:3")  # 3 of 3: exactly up
    assert refunded is not None and await raw(ledger, "telegram:4") is None
    assert await ledger.refund(refunded)
    assert await raw(ledger, "telegram:4") is not None  # a refund frees the budget too


async def test_the_ceiling_counts_every_chat(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    assert await raw(ledger, scope=G, ceiling=3, credits=2) is not None
    assert await raw(ledger, scope=H, ceiling=3, credits=2) is None  # 2 + 2 > 3
    job = await raw(ledger, scope=H, ceiling=3)  # 3 of 3: exactly up
    assert job is not None and await raw(ledger, scope="telegram:1", ceiling=3) is None
    assert await raw(ledger, "telegram:2", ceiling=3, credits=3) is not None  # per person
    assert await ledger.refund(job)
    assert await raw(ledger, scope="telegram:1", ceiling=3) is not None


async def test_one_job_per_message_limited_or_not(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    assert await raw(ledger, origin="telegram:1:10") is not None
    assert await raw(ledger, origin="telegram:1:10") is None
    assert await raw(ledger, origin="telegram:1:10", limited=False) is None
    assert await raw(ledger, origin="telegram:1:11", limited=False) is not None
    assert await raw(ledger, origin="telegram:1:12") is not None  # another message
    assert await raw(ledger) is not None and await raw(ledger) is not None  # no origin: no key


async def test_unlimited_passes_every_limit_and_is_recorded_whole(
        make_ledger: Callable[..., Any], clock: Clock) -> None:
    ledger = await make_ledger()
    await ledger.set_limit(scope=G, kind="total", per_day=0, by="m")
    job_id = await raw(ledger, "discord:7", credits=2, default=0, ceiling=0, limited=False,
                       usd=0.25)
    assert job_id is not None
    job = await ledger.job(job_id)
    assert (job.platform, job.actor_key, job.scope_key, job.day, job.credits, job.status) == (
        "discord", "discord:7", G, ledger.today(), 2, JobStatus.RESERVED)
    assert job.request == {"actor": "discord:7"} and not job.delivering
    assert job.created_at == ledger.now()
    status = await ledger.status(actor="discord:7", scope=G)
    assert (status.used, status.reserved) == (0, 2)  # held, not charged
    assert await ledger.commit(job_id)  # the statement gave it this process's lease
    held = await raw(ledger, "discord:8", scope=H, limited=False)
    assert [j.id for j in await ledger.claim("discord")] == []  # its own, fresh lease
    assert held is not None and [j.id for j in await ledger.unfinished("discord")] == [held]
    assert (await ledger.spending()).day_held_usd == 0  # no estimate given: none held
    estimated = await raw(ledger, "discord:9", scope=H, usd=0.5)
    assert (await ledger.spending()).day_held_usd == 0.5  # held against the budget
    replica = await make_ledger(url=ledger.url, owner="replica")
    clock.now += ledger.lease + timedelta(seconds=1)  # this process stopped beating
    assert sorted(j.id for j in await replica.claim("discord")) == sorted([held, estimated])
