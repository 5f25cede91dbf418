"""EditService when the ledger fails (locked past its timeout, as when full or read-only) and
when replicas share a PostgreSQL ledger."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.domain import Job
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.test_service import SCOPE, Inbox, Resumer, request
from tests.test_spend import expected_cost


class Locked:
    """Another connection holding the SQLite write lock: every write of the bot waits for its
    timeout, then fails (as with a disk that is full or read-only), while reads go on."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def __enter__(self) -> Locked:
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_: object) -> None:
        self.db.execute("ROLLBACK")


async def fragile_core(make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
                       **overrides: Any) -> Any:
    from bot.bootstrap import build
    from bot.ledger import QuotaLedger

    settings = make_settings(**overrides)
    ledger = QuotaLedger.open(settings.database_url, default_limit=10, clock=clock,
                              timezone=settings.timezone, lock_timeout_s=0.2)
    core = build(settings, ledger=ledger, clock=clock)
    await core.start()
    return core


async def at_the_model(core: Any, gemini: FakeGemini, inbox: Inbox | None = None,
                       **kw: Any) -> asyncio.Task[Any]:
    """An edit of telegram:1 submitted, once the model has a request."""
    task = asyncio.create_task(core.service.submit(
        await request(**kw), deliver=(inbox or Inbox()).deliver))
    while not gemini.requests:
        await asyncio.sleep(0.01)
    return task


async def credits(ledger: Any) -> tuple[int, int]:
    """telegram:1's credits in SCOPE: charged, and held by edits in flight."""
    status = await ledger.status(actor="telegram:1", scope=SCOPE.key)
    return status.used, status.reserved


async def test_a_ledger_that_cannot_be_written_costs_nothing_and_is_said(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    from bot.i18n import error_text

    core = await fragile_core(make_settings, clock, tmp_path)
    try:
        with Locked(f"{tmp_path}/editbot.sqlite3"):
            outcome = await core.service.submit(await request(), deliver=Inbox().deliver)
        assert outcome.status == "failed" and outcome.error is not None
        words = error_text(outcome.error).lower()
        assert "nothing was charged" in words and "on my side" in words
        assert gemini.requests == [] and await core.ledger.unfinished() == []
    finally:
        await core.aclose()


async def test_a_paid_result_is_delivered_when_only_the_ledger_fails_then_charged(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    core = await fragile_core(make_settings, clock, tmp_path)
    try:
        gemini.delay = 1
        inbox = Inbox()
        task = await at_the_model(core, gemini, inbox)
        with Locked(f"{tmp_path}/editbot.sqlite3"):  # the ledger fails from here on
            outcome = await task
            assert outcome.ok and len(inbox.delivered) == 1  # paid upstream: delivered
            assert await credits(core.ledger) == (0, 1)  # not written yet
        await core.ledger.heartbeat()  # the ledger works again: reconciled
        assert await credits(core.ledger) == (1, 0)
        # and what the answer cost is in the operator's /stats
        assert (await core.stats.report(None)).today.spend_usd == expected_cost()
    finally:
        await core.aclose()


async def test_an_edit_waiting_in_line_is_made_even_when_the_ledger_fails_meanwhile(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    """Accepted and reserved, then the ledger cannot note that the model is asked: the edit
    is made and delivered all the same (it is this process's job), and charged later."""
    core = await fragile_core(make_settings, clock, tmp_path, gemini_max_concurrency=1)
    try:
        gemini.delay = 0.5
        inbox = Inbox()
        first = await at_the_model(core, gemini, inbox)
        second = asyncio.create_task(core.service.submit(await request(prompt="add a cat"),
                                                         deliver=inbox.deliver))
        while (await credits(core.ledger))[1] < 2:
            await asyncio.sleep(0.01)  # reserved, in line behind the first
        with Locked(f"{tmp_path}/editbot.sqlite3"):
            outcomes = await asyncio.wait_for(asyncio.gather(first, second), 30)
        assert [o.status for o in outcomes] == ["delivered", "delivered"]
        assert len(gemini.requests) == 2 and len(inbox.delivered) == 2
        await core.ledger.heartbeat()  # the ledger works again: both charged once
        assert await credits(core.ledger) == (2, 0)
    finally:
        await core.aclose()


async def test_an_edit_stopped_by_a_shutdown_while_the_ledger_fails_is_made_at_the_next_start(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    """A shutdown stops an edit the model is making, and the ledger cannot note that this
    process lets it go: the edit still just stops (no failure, nothing told to the user), and
    the next start makes it and charges it once."""
    core = await fragile_core(make_settings, clock, tmp_path)
    core.hold()  # as a process does: this SQLite file is this process's alone
    gemini.delay = 30
    inbox = Inbox()
    task = await at_the_model(core, gemini, inbox)
    with Locked(f"{tmp_path}/editbot.sqlite3") as locked:
        task.cancel()
        await asyncio.wait({task}, timeout=10)
        assert task.cancelled()  # stopped, not failed: it stays for the next start
        await core.aclose()
        [(owner,)] = locked.db.execute("SELECT owner FROM jobs").fetchall()
        assert owner is not None  # the ledger did fail: the job still names this process
    gemini.delay = 0
    again = await fragile_core(make_settings, clock, tmp_path)
    again.hold()
    try:
        resumer = Resumer(can=True)
        [(_, resumed)] = await again.service.resume("telegram", resumer)
        assert (await resumed).ok and len(resumer.inbox.delivered) == 1 and not inbox.delivered
        assert await credits(again.ledger) == (1, 0)
    finally:
        await again.aclose()


async def test_a_refund_the_ledger_refused_is_written_at_the_next_start(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    core = await fragile_core(make_settings, clock, tmp_path)
    gemini.delay = 1
    gemini.push(Fault.error(400))
    task = await at_the_model(core, gemini)
    with Locked(f"{tmp_path}/editbot.sqlite3"):
        outcome = await task
        assert outcome.status == "failed"  # the user is told; the refund waits
        await core.aclose()  # and the process stops before the ledger works again
    again = await fragile_core(make_settings, clock, tmp_path)
    try:
        assert await again.ledger.unfinished() == []  # refunded at the start, not resumed
        resumer = Resumer(can=True)
        assert await again.service.resume("telegram", resumer) == []
        assert len(gemini.requests) == 1 and resumer.inbox.delivered == []
        assert await credits(again.ledger) == (0, 0)
    finally:
        await again.aclose()


async def test_a_refusal_written_at_the_next_start_still_counts_as_refused(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    """The operator's /stats tells refusals (the model said no) from failures, also for a
    refund the ledger could only write at the next start."""
    core = await fragile_core(make_settings, clock, tmp_path)
    gemini.delay = 1
    gemini.push(Fault.refuse())
    task = await at_the_model(core, gemini)
    with Locked(f"{tmp_path}/editbot.sqlite3"):
        assert (await task).status == "refused"
        await core.aclose()
    again = await fragile_core(make_settings, clock, tmp_path)
    try:
        today = (await again.stats.report(None)).today
        assert (today.outcomes["refused"], today.outcomes["failed"]) == (1, 0)
        assert today.spend_usd == expected_cost(image=False)  # its prompt was paid for
    finally:
        await again.aclose()


async def test_an_edit_another_process_finished_leaves_this_ones_daily_budget(
        make_settings: Callable[..., Any], clock: Any, tmp_path: Any,
        gemini: FakeGemini) -> None:
    """The model answered, this process could not read the ledger to go on, and the job had
    meanwhile been finished by another process: it is let go here, its hold on the daily
    budget with it (the other process settles it), so the next edit still fits."""
    import sqlite3

    core = await fragile_core(make_settings, clock, tmp_path,
                              daily_budget_usd=round(expected_cost() * 1.5, 6))
    db = sqlite3.connect(f"{tmp_path}/editbot.sqlite3", isolation_level=None)
    try:
        gemini.delay = 0.5
        inbox = Inbox()
        task = await at_the_model(core, gemini, inbox)
        db.execute("UPDATE jobs SET status = 'committed'")  # another process finished it
        db.execute("ALTER TABLE limits RENAME TO limits_away")  # and this one cannot read on
        outcome = await task
        db.execute("ALTER TABLE limits_away RENAME TO limits")
        assert outcome.status == "duplicate" and inbox.delivered == []
        assert (await core.service.submit(await request(user="2"),
                                          deliver=inbox.deliver)).status == "delivered"
    finally:
        db.close()
        await core.aclose()


async def test_a_live_replica_takes_over_a_stopped_replicas_jobs_and_only_those(
        make_core: Callable[..., Any], gemini: FakeGemini, clock: Any) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from bot.edits import request_to_json
    from bot.ledger import QuotaLedger
    from tests import pgserver

    url = await pgserver.shared().database()
    live = await make_core(database_url=url)
    live.ledger.lease = timedelta(seconds=1.5)
    others = [QuotaLedger.open(url, default_limit=10, timezone=ZoneInfo("UTC"), clock=clock,
                               owner=name) for name in ("crashed", "alive")]
    crashed, alive = [
        await ledger.reserve(platform="telegram", actor=f"telegram:{n}", scope=SCOPE.key,
                             credits=1, request=request_to_json(await request(str(n))))
        for n, ledger in enumerate(others, 1)]
    resumer = Resumer(can=True)
    adopted: list[tuple[Job, asyncio.Task[Any]]] = []
    live.service.adopt("telegram", resumer, lambda job, task: adopted.append((job, task)))
    try:
        await asyncio.sleep(1.2)
        assert adopted == []  # both owners are alive
        clock.now += timedelta(seconds=2)
        await others[1].heartbeat()  # one of them still beats
        for _ in range(100):
            if adopted:
                break
            await asyncio.sleep(0.05)
        [(job, task)] = adopted
        assert job.id == crashed and (await task).ok and len(resumer.inbox.delivered) == 1
        await asyncio.sleep(1.2)
        assert len(adopted) == 1 and len(gemini.requests) == 1
        assert (await live.ledger.job(alive)).status.value == "reserved"  # type: ignore[union-attr]
    finally:
        await live.service.stop_adopting("telegram")
        for ledger in others:
            await ledger.close()
