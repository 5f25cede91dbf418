"""``python -m bot copy-ledger``: a SQLite ledger moved to PostgreSQL, once."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests import pgserver
from tests.test_ledger import ROOT, _one, reserve


async def test_copy_ledger_moves_a_sqlite_ledger_to_postgresql(tmp_path: Path) -> None:
    """`python -m bot copy-ledger --to postgresql://...` (README: moving to PostgreSQL)."""
    from bot.domain import GeneratedImage

    source = f"sqlite:///{tmp_path}/bot.sqlite3"
    old = _one(source, lambda: datetime.now(UTC), "UTC")  # type: ignore[arg-type]
    await old.migrate()
    await old.set_limit(scope="g", kind="default", per_day=3, by="telegram:9")
    await old.set_limit(scope="g", kind="member", member="telegram:2", per_day=1, by="t:9")
    done = await reserve(old, scope="g", credits=2)
    await old.commit(done)
    held = await reserve(old, scope="g", origin_key="telegram:-5:7")
    await old.keep_result(held, GeneratedImage(b"\x89PNG-bytes", "image/png", 2, 1, "hi"))
    await old.close()

    target = await pgserver.shared().database()
    env = {**os.environ, "DATABASE_URL": source}
    run = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "copy-ledger", "--to", target, cwd=ROOT, env=env,
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
    finally:
        await new.close()
    again = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "copy-ledger", "--to", target, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await again.communicate()
    assert again.returncode == 2 and "empty database" in err.decode()
