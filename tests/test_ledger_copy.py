"""``python -m bot copy-ledger``: a SQLite ledger moved to PostgreSQL, once."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from tests import pgserver
from tests.test_ledger import ROOT, _one, reserve
from tests.zygote import bot_process


async def test_copy_ledger_moves_a_sqlite_ledger_to_postgresql(tmp_path: Path) -> None:
    """`python -m bot copy-ledger --to postgresql://...` (README: moving to PostgreSQL)."""
    from bot.domain import GeneratedImage, ImageInput
    from bot.edits.turns import TurnStore

    source = f"sqlite:///{tmp_path}/bot.sqlite3"
    old = _one(source, lambda: datetime.now(UTC), "UTC")  # type: ignore[arg-type]
    await old.migrate()
    await old.set_limit(scope="g", kind="default", per_day=3, by="telegram:9")
    await old.set_limit(scope="g", kind="member", member="telegram:2", per_day=1, by="t:9")
    done = await reserve(old, scope="g", credits=2)
    await old.commit(done)
    held = await reserve(old, scope="g", origin_key="telegram:-5:7")
    await old.keep_result(held, GeneratedImage(b"\x89PNG-bytes", "image/png", 2, 1, "hi"))
    said = TurnStore(old)  # a reply to this result continues the conversation after the move
    assert said.files is not None  # on SQLite a turn's images are files beside the database
    user = said.files.user_parts(done, "a hat", [ImageInput(b"\x89PNG-in", "image/png", 2, 1)],
                                 time.time())
    await said.save(done, None, json.dumps(user), json.dumps([{"text": "here it is"}]),
                    message_key="telegram:-5:40")
    await old.close()

    target = await pgserver.shared().database()
    env = {**os.environ, "DATABASE_URL": source}
    run = await bot_process("copy-ledger", "--to", target, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await run.communicate()
    assert run.returncode == 0, err.decode()
    assert "jobs 2" in out.decode() and "limits 2" in out.decode()

    new = _one(target, lambda: datetime.now(UTC), "UTC")  # type: ignore[arg-type]
    try:
        status = await new.status(actor="telegram:1", scope="g")
        assert (status.used, status.reserved, status.left) == (2, 1, 0)
        assert (await new.limits("g")).members == {"telegram:2": 1}
        assert len(await new.audit_log("g")) == 2
        assert await new.seen("telegram:-5:7")
        kept = await new.result(held)
        assert kept is not None and kept.data == b"\x89PNG-bytes" and kept.text == "hi"
        assert await reserve(new, actor="telegram:5", scope="g") == held + 1  # ids go on
        kept_turns = TurnStore(new)
        assert await kept_turns.job_of("telegram:-5:40") == done
        assert await kept_turns.history(done) == [
            {"role": "user", "parts": [
                {"inlineData": {"mimeType": "image/png",
                                "data": base64.b64encode(b"\x89PNG-in").decode()}},
                {"text": "a hat"}]},
            {"role": "model", "parts": [{"text": "here it is"}]}]
    finally:
        await new.close()
    again = await bot_process("copy-ledger", "--to", target, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await again.communicate()
    assert again.returncode == 2 and "empty database" in err.decode()


async def test_copy_ledger_copies_every_table_the_migrations_make(tmp_path: Path) -> None:
    """A table a migration adds is copied, or named as holding no ledger data: a new table
    left out of the copy fails here before an operator loses its rows in a move."""
    from sqlalchemy import inspect

    from bot.ledger.copying import NOT_COPIED, TABLES

    ledger = _one(f"sqlite:///{tmp_path}/bot.sqlite3", lambda: datetime.now(UTC), "UTC")  # type: ignore[arg-type]
    try:
        await ledger.migrate()
        async with ledger.engine.connect() as conn:
            made = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await ledger.close()
    copied = {table.name for table in TABLES}
    assert "turns" in copied
    assert made - NOT_COPIED == copied
