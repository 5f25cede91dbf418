"""Paths a one-line bug once slipped through unseen: each test here fails on that bug.

The moderator check fails closed when Telegram cannot say who someone is; Discord's /usage is
for moderators only; one bad write never fails the others written in the same batch, a write
that waits for company is never lost, and a read after the writes under way sees them; a photo
never goes over Telegram's 10 MB; after a restart on Discord, a job that cannot be picked up
again is told in its channel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection

from bot.ledger.writer import BatchWriter
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.test_discord import BOB as DC_BOB
from tests.test_discord import SCOPE as DC_SCOPE
from tests.test_discord import ephemerals, results, settings_of, stopped_mid_edit
from tests.test_telegram import GROUP, PHOTO, photos_to
from tests.test_telegram_admin import BOB, MOD, SCOPE, said

MB = 1024 * 1024


async def test_moderators_are_not_assumed_when_telegram_cannot_tell(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    bot = await start_bot()
    tg.admins[GROUP["id"]].add(MOD["id"])
    tg.fail("getChatMember", 500, "Internal Server Error", times=4)
    for who in (BOB, MOD):  # not even a real administrator, while Telegram cannot say so
        assert "Only this group's administrators" in await said(tg, who, "/setlimit all 1")
        assert "Only this group's administrators" in await said(tg, who, "/usage")
    assert await bot.core.ledger.audit_log(SCOPE) == []
    # the failure was not remembered: once Telegram answers, the administrator is one again
    assert "Everyone here can now use 1 credits" in await said(tg, MOD, "/setlimit all 1")


async def test_discord_usage_is_for_moderators_only(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    await dc.slash(DC_BOB, "usage", {})
    await dc.wait_for(lambda: ephemerals(dc))
    assert "Only this group's administrators" in ephemerals(dc)[-1]
    await dc.slash(DC_BOB, "usage", {}, manage_guild=True)
    await dc.wait_for(lambda: len(ephemerals(dc)) == 2)
    assert "Nobody has used" in ephemerals(dc)[-1]


def table_t(tmp_path: Path) -> Engine:
    """A SQLite file with one table ``t`` of numbers."""
    engine = create_engine(f"sqlite:///{tmp_path}/w.sqlite3")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    return engine


def insert(n: int) -> Callable[[Connection], int]:
    """A write of ``n`` into ``t``, answering ``n``."""
    def write(conn: Connection) -> int:
        conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        return n
    return write


async def test_one_bad_write_does_not_fail_its_batch(tmp_path: Path) -> None:
    engine = table_t(tmp_path)
    writer = BatchWriter(engine)

    def bad(conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (n) VALUES (1)"))  # 1 is taken by then: fails
        raise AssertionError("unreachable")

    async def refused(write: Any) -> str:
        try:
            await write
        except Exception as error:  # which one is asserted below
            return type(error).__name__
        return "accepted"

    try:
        outcome = await asyncio.gather(writer.write(insert(1)), writer.write(insert(2)),
                                       refused(writer.write(bad)), writer.write(insert(3)))
        alone = await refused(writer.write(bad))  # a batch of one fails as plainly
    finally:
        await writer.close()
    assert outcome == [1, 2, "IntegrityError", 3] and alone == "IntegrityError"
    with create_engine(f"sqlite:///{tmp_path}/w.sqlite3").connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT n FROM t ORDER BY n"))] == [1, 2, 3]


async def test_a_write_that_can_wait_joins_the_next_one_and_is_never_lost(
        tmp_path: Path) -> None:
    engine = table_t(tmp_path)
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    writer = BatchWriter(engine)

    together = await asyncio.gather(writer.soon(insert(1)), writer.write(insert(2)))
    assert together == [1, 2] and len(commits) == 1  # one transaction for both
    assert await writer.soon(insert(3)) == 3 and len(commits) == 2  # alone, a moment later
    waiting = asyncio.ensure_future(writer.soon(insert(4)))
    await asyncio.sleep(0)
    await writer.close()  # a write still waiting for company goes at the close
    assert await waiting == 4
    with create_engine(f"sqlite:///{tmp_path}/w.sqlite3").connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT n FROM t ORDER BY n"))] == [1, 2, 3, 4]


async def test_a_read_after_settled_sees_every_write_asked_before_it(tmp_path: Path) -> None:
    """/quota right after a result: the result's charge, still being written, is counted."""
    engine = table_t(tmp_path)
    writer = BatchWriter(engine)

    def slow(n: int) -> Callable[[Connection], int]:
        def write(conn: Connection) -> int:
            time.sleep(0.2)
            return insert(n)(conn)
        return write

    def rows() -> list[int]:
        with create_engine(f"sqlite:///{tmp_path}/w.sqlite3").connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT n FROM t ORDER BY n"))]

    try:
        await writer.settled()  # nothing under way: at once
        first = asyncio.ensure_future(writer.write(slow(1)))
        await asyncio.sleep(0.05)  # on the writer's thread now
        second = asyncio.ensure_future(writer.soon(insert(2)))  # waiting for company
        await asyncio.sleep(0)
        assert rows() == []
        await writer.settled()
        assert rows() == [1, 2] and await first == 1 and await second == 2
    finally:
        await writer.close()


async def test_a_photo_never_goes_over_telegrams_10_mb(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot()
    gemini.image = make_image(2048, 1744, "PNG", noisy=True)  # just over 10 MB as it is
    assert 10 * MB < len(gemini.image) < 10.5 * MB
    tg.post(GROUP, FakeTelegram.user(11, "Ann"), photo=PHOTO, caption="/edit noise")
    [photo] = await tg.wait_for(lambda: photos_to(tg), within=30)
    assert photo.result is not None  # Telegram took it as it was first sent
    assert len(photo.files["photo"]) <= 10 * MB and not tg.sent("sendDocument")


async def test_discord_tells_the_requester_when_a_restart_drops_a_job(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any],
        make_core: Callable[..., Any]) -> None:
    await stopped_mid_edit(dc, gemini, start_discord)
    dc.travel(25 * 3600)  # the links stored with the job have expired: it cannot be redone
    calls = len(dc.calls)
    core = await make_core(**settings_of(dc))
    await start_discord(core=core)
    [told] = await dc.wait_for(lambda: [c for c in dc.sent("POST", "/channels/7100/messages")
                                        if dc.calls.index(c) >= calls])
    assert "<@11>" in told.content and "restarted" in told.content
    assert results(dc) == [] and len(gemini.requests) == 1
    assert (await core.ledger.status(actor="discord:11", scope=DC_SCOPE)).used == 0
