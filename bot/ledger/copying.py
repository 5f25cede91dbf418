"""One-shot copy of a ledger into a new, empty database (SQLite -> PostgreSQL when one process
is no longer enough): ``python -m bot copy-ledger --to postgresql://user:pw@host/db``.

Every table of the ledger's schema (``tables.metadata``, so a table added there is copied
without a change here) is copied as it is (ids kept, so buttons on old results still find their
jobs), in one transaction on the target; PostgreSQL's id sequences are moved past the copied
ids. The source is held for the copy (a bot still running on the SQLite file is reported, not
raced).
Results and turns' images kept as files beside a SQLite file go into the rows. The upstream
queue's tables (``queue_slots``, ``queue_waiters``) are not copied: their rows
name live replicas and expire within seconds, so a new deployment starts its line empty.
``spend_days`` (the budget's running total) is filled on the target by its triggers as the jobs
go in; the source's rows then replace it, so the copy holds exactly what the source held.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError
from . import kept
from .problems import database_problem
from .store import QuotaLedger
from .tables import metadata, spend_days

# parents before children; every table the ledger's schema has, the running total after the
# jobs whose triggers fill it
TABLES = (*(t for t in metadata.sorted_tables if t is not spend_days), spend_days)
# tables the migrations create that hold no ledger data (see the module's docstring)
NOT_COPIED = frozenset({"alembic_version", "queue_slots", "queue_waiters"})
CHUNK = 500


def _serial(tables: tuple[Table, ...]) -> list[Table]:
    """The tables whose ``id`` PostgreSQL numbers from a sequence (copied ids move it on)."""
    return [table for table in tables if "id" in table.c
            and table.c.id.primary_key and table.c.id.autoincrement is True]


def _filled(folder: Path, row: dict[str, Any]) -> dict[str, Any] | None:
    """A turn's row with the images its parts name (files in ``folder``) read back inline,
    as a database without those files keeps them; None when one is gone (a follow-up of it
    could not be made either)."""
    out = dict(row)
    for column in ("user_parts", "model_parts"):
        parts = json.loads(row[column])
        for n, part in enumerate(parts):
            for key in ("inlineData", "inline_data"):
                inline = part.get(key) if isinstance(part, dict) else None
                if not isinstance(inline, dict) or "file" not in inline:
                    continue
                found = kept.read_at(folder / str(inline["file"]))
                if found is None:
                    return None
                named = {k: v for k, v in inline.items() if k != "file"}
                parts[n] = {**part, key: {**named, "data": base64.b64encode(found[1]).decode()}}
        out[column] = json.dumps(parts, separators=(",", ":"))
    return out


def _open(url: str) -> QuotaLedger:
    return QuotaLedger.open(url, default_limit=0, timezone=ZoneInfo("UTC"),
                            clock=lambda: datetime.now(UTC))


def _opened(url: str, setting: str) -> QuotaLedger:
    try:
        return _open(url)
    except (OSError, SQLAlchemyError, ValueError) as exc:  # an unreadable URL, a folder
        raise database_problem(url, exc, setting) from None  # that cannot be made


async def _migrated(ledger: QuotaLedger, setting: str) -> None:
    """Migrated, or a ConfigError that names the database's real fault (PostgreSQL down, a
    wrong password, a missing database, a file that cannot be written)."""
    try:
        await ledger.migrate()
    except (OSError, SQLAlchemyError) as exc:
        raise database_problem(ledger.url, exc, setting) from None


async def copy_ledger(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row; returns the rows copied per table. ConfigError ``ledger_not_empty``
    when the target already has data, or naming DATABASE_URL when a bot holds the source."""
    source = _opened(source_url, "DATABASE_URL (or --from)")
    try:
        target = _opened(target_url, "--to")
    except ConfigError:
        await source.close()
        raise
    try:
        source.hold()
        await _migrated(source, "DATABASE_URL (or --from)")
        await _migrated(target, "--to")
        async with source.engine.connect() as conn:
            rows = {table.name: [dict(row) for row in (await conn.execute(
                select(table))).mappings()] for table in TABLES}
        if source.kept_dir is not None:  # results kept as files beside the SQLite file
            rows["results"] += [
                {"job_id": job_id, "mime_type": image.mime_type, "width": image.width,
                 "height": image.height, "text": image.text, "data": image.data,
                 "created_at": datetime.fromtimestamp(at, UTC).isoformat(
                     timespec="microseconds")}
                for job_id, image, at in kept.all_kept(source.kept_dir)]
        if source.turns_dir is not None:  # turns' images as files: inline again in the rows
            folder = source.turns_dir
            filled = [_filled(folder, row) for row in rows["turns"]]
            rows["turns"] = [row for row in filled if row is not None]

        def load(conn: Connection) -> dict[str, int]:
            for table in TABLES:
                if conn.execute(select(func.count()).select_from(table)).scalar():
                    raise ConfigError("ledger_not_empty", table=table.name)
            for table in TABLES:
                batch = rows[table.name]
                if table is spend_days:  # the triggers added up the jobs just copied; the
                    conn.execute(delete(spend_days))  # source's totals are the ones kept
                for start in range(0, len(batch), CHUNK):
                    conn.execute(insert(table), batch[start:start + CHUNK])
            if conn.dialect.name == "postgresql":
                for table in _serial(TABLES):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
            return {name: len(batch) for name, batch in rows.items()}

        return await target._writer.write(load)
    finally:
        await source.close()
        await target.close()
