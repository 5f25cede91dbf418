"""The edit path's statements run by SQLite's own cursor (bot/ledger/prepared.py) do what
SQLAlchemy does with them: the same rows, in the connection's transaction, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError

from bot.edits import recent, turns
from bot.ledger import metadata, recent_images
from bot.ledger import turns as turn_rows


def test_a_prepared_write_is_sqlalchemys_write(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/ledger.sqlite3")
    metadata.create_all(engine)
    row = {"job_id": 7, "parent_id": None, "user_parts": "[]", "model_parts": "[]",
           "created_at": "2026-12-07T12:00:00", "message_key": "telegram:1:2"}
    with engine.connect() as conn:
        with conn.begin():
            turns._ADD.execute(conn, row)
            with pytest.raises(IntegrityError):  # SQLAlchemy's error, as its execute raises
                turns._ADD.execute(conn, row)
        undone = conn.begin()
        assert turns._AGAIN.rowcount(conn, {"job": 7}) == 1
        undone.rollback()  # the delete was in the connection's transaction: undone with it
        assert conn.execute(select(turn_rows.c.job_id, turn_rows.c.message_key)).all() == [
            (7, "telegram:1:2")]
        conn.rollback()  # the read's own transaction
        with conn.begin():
            for ref in ("A", "B", "A"):  # a file seen again moves first, once
                recent._AGAIN.execute(conn, {"actor": "telegram:1", "ref": ref})
                recent._ADD.execute(conn, {"actor": "telegram:1", "ref": ref, "job_id": None,
                                           "at": "2026-12-07T12:00:00"})
        refs = conn.execute(select(recent_images.c.ref).order_by(recent_images.c.id.desc()))
        assert refs.scalars().all() == ["A", "B"]
    engine.dispose()
