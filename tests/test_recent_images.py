"""A person's recent images (bot/edits/recent.py) on SQLite and PostgreSQL: the newest 50 per
person, the newest first, each file once, and only the person's own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.edits import RecentImages
from tests import pgserver


@pytest.fixture(params=["sqlite", "postgresql"])
async def recent(request: pytest.FixtureRequest,
                 open_ledger: Callable[..., Any]) -> RecentImages:
    url = await pgserver.shared().database() if request.param == "postgresql" else None
    return RecentImages(await open_ledger(url))


async def test_the_newest_fifty_are_kept_newest_first_each_once(recent: RecentImages) -> None:
    for n in range(55):
        await recent.note("telegram:1", f"FILE{n}")
    await recent.note("telegram:2", "THEIRS")
    mine = await recent.of("telegram:1")
    assert [image.ref for image in mine] == [f"FILE{n}" for n in range(54, 4, -1)]
    assert all(image.job_id is None and not image.continues for image in mine)

    await recent.note("telegram:1", "FILE10", job_id=7)  # a file seen again: first, once
    mine = await recent.of("telegram:1")
    assert mine[0].ref == "FILE10" and mine[0].job_id == 7 and len(mine) == 50
    assert [image.ref for image in mine].count("FILE10") == 1
    assert [image.ref for image in await recent.of("telegram:1", results_only=True)] == [
        "FILE10"]

    assert await recent.get(mine[0].id, "telegram:1") == mine[0]
    assert await recent.get(mine[0].id, "telegram:2") is None  # not theirs: nothing
    assert [image.ref for image in await recent.of("telegram:2")] == ["THEIRS"]


async def test_older_images_do_not_pile_up(recent: RecentImages) -> None:
    """The newest 50 are offered, and the older ones are pruned now and then as notes come (one
    note in eight prunes), so 300 notes leave far fewer than 300 rows behind."""
    refs = [f"FILE{n}" for n in range(300)]
    if recent.ledger.postgres:  # each note its own transaction, at once
        for ref in refs:
            await recent.note("telegram:1", ref)
    else:  # notes wait for company: sent together, they go in one transaction, in order
        await asyncio.gather(*(recent.note("telegram:1", ref) for ref in refs))
    offered = await recent.of("telegram:1")
    assert [image.ref for image in offered] == refs[:-51:-1]
    assert len(await recent.of("telegram:1", limit=1000)) < 150  # missed: (7/8)^100
