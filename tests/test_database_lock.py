"""One process per SQLite database: the process that holds it takes over every job an earlier
run left at once, a second process is refused with a sentence naming DATABASE_URL, and the
database is free again once the holder closes. (The process tests see the exit; these see the
rules, with the real lock file.)"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ConfigError
from bot.ledger import QuotaLedger


async def test_a_second_process_is_refused_until_the_first_one_closes(
        tmp_path: Path, open_ledger: Callable[..., Any]) -> None:
    path = tmp_path / "data" / "editbot.sqlite3"
    url = f"sqlite:///{path}"
    first = await open_ledger(url, "first")
    first.hold()
    lock = Path(f"{path}.lock")
    assert lock.read_text() == f"{os.getpid()}\n"  # the operator can see who holds it

    second = await open_ledger(url, "second")
    with pytest.raises(ConfigError) as refused:
        second.hold()
    assert refused.value.settings == ("DATABASE_URL",)
    assert refused.value.problems == (
        f"another process is running on the database {path}; SQLite serves one process: "
        "stop the other one, or set DATABASE_URL=postgresql://... to run several",)
    assert lock.read_text() == f"{os.getpid()}\n"  # the refused one wrote nothing

    await first.close()
    second.hold()  # free again
    assert lock.read_text() == f"{os.getpid()}\n"


async def test_the_holder_takes_over_an_earlier_runs_jobs_at_once(
        tmp_path: Path, open_ledger: Callable[..., Any]) -> None:
    url = f"sqlite:///{tmp_path}/editbot.sqlite3"
    earlier = await open_ledger(url, "earlier")
    job, released = [await earlier.reserve(
        platform="telegram", actor="telegram:1", scope="telegram:1", credits=1,
        request={"n": n}) for n in (1, 2)]
    await earlier.release(released)  # given up by a clean stop: anyone may take it
    await earlier.heartbeat()  # the other's lease is fresh: only a holder may take it now
    later = await open_ledger(url, "later")
    assert [j.id for j in await later.claim("telegram")] == [released]
    await later.release(released)
    await earlier.close()
    later.hold()
    assert [j.id for j in await later.claim("telegram")] == [job, released]


async def test_ping_answers_while_the_database_does(
        tmp_path: Path, open_ledger: Callable[..., Any]) -> None:
    ledger = await open_ledger(f"sqlite:///{tmp_path}/editbot.sqlite3", "one")
    await ledger.ping()
    (tmp_path / "gone").mkdir()
    gone = QuotaLedger.open(f"sqlite:///{tmp_path}/gone", default_limit=10,
                            timezone=ZoneInfo("UTC"), clock=lambda: None)  # type: ignore
    try:
        with pytest.raises(Exception, match="unable to open database"):
            await gone.ping()
    finally:
        await gone.engine.dispose()


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:///editbot.sqlite3", "editbot.sqlite3"),
    ("sqlite:////data/editbot.sqlite3", "/data/editbot.sqlite3"),
    ("sqlite+aiosqlite:///data/editbot.sqlite3", "data/editbot.sqlite3"),
    ("sqlite:///:memory:", ""), ("sqlite://", ""), ("sqlite:///", ""),
    ("postgresql:///editbot", ""),  # a local socket: no file of ours to lock
    ("postgresql://editbot@db:5432/editbot", ""),
])
def test_only_a_sqlite_file_is_a_file_to_lock(url: str, path: str) -> None:
    from bot.ledger.writer import sqlite_path

    assert sqlite_path(url) == path
