"""Reservations per second on a SQLite file: the QuotaLedger with 64 concurrent tasks, beside raw
``sqlite3`` running the same statement in the same process. ``--pg`` also measures the
QuotaLedger on PostgreSQL (a throwaway server from Debian's binaries, default durability);
``--url postgresql://...`` on a server of your own (an empty database).

    python bench/ledger.py [--reservations 20000] [--tasks 64] [--pg | --url URL]

Prints the figures, then one JSON line: {"reservations_per_s": ..., "vs_raw_sqlite": ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.dialects import sqlite as sqlite_dialect

from bot.ledger import QuotaLedger, reserve_statement
from tests.pgserver import PgServer

SCOPES = 20
USERS_PER_SCOPE = 100


def work(i: int) -> tuple[str, str]:
    scope = i % SCOPES
    return f"telegram:group:{scope}", f"telegram:{scope * USERS_PER_SCOPE + i % USERS_PER_SCOPE}"


async def ledger_run(url: str, total: int, tasks: int) -> float:
    ledger = QuotaLedger.open(url, default_limit=1_000_000,
                              timezone=ZoneInfo("UTC"), clock=lambda: datetime.now(UTC))
    await ledger.migrate()
    for scope in range(0, SCOPES, 2):  # half the scopes also have a daily budget
        await ledger.set_limit(scope=f"telegram:group:{scope}", kind="total",
                               per_day=10_000_000, by="bench")
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            scope, actor = work(i)
            await ledger.reserve(platform="telegram", actor=actor, scope=scope, credits=1,
                                 request={"i": i})

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    elapsed = time.perf_counter() - started
    report = await ledger.usage("telegram:group:0")
    assert report.total == total // SCOPES, report.total
    await ledger.close()
    return total / elapsed


def raw_run(path: Path, template: Path, total: int) -> float:
    path.write_bytes(template.read_bytes())  # the same migrated, empty schema and limits
    compiled = reserve_statement(limited=True).compile(dialect=sqlite_dialect.dialect())
    sql = str(compiled)
    order = compiled.positiontup or []
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    day = datetime.now(UTC).date().isoformat()
    started = time.perf_counter()
    for i in range(total):
        scope, actor = work(i)
        now = datetime.now(UTC).isoformat()
        values = {"platform": "telegram", "actor": actor, "scope": scope, "day": day,
                  "credits": 1, "request": json.dumps({"i": i}, separators=(",", ":")),
                  "now": now, "default": 1_000_000, "origin_key": None, "estimated_usd": None}
        values.update(owner="bench", ceiling=1_000_000)
        params = compiled.construct_params(values)
        conn.execute("BEGIN")
        row = conn.execute(sql, [params[name] for name in order]).fetchone()
        conn.execute("COMMIT")
        assert row is not None
    elapsed = time.perf_counter() - started
    conn.close()
    return total / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reservations", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=64)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument("--url", help="also on this (empty) PostgreSQL database")
    args = parser.parse_args()
    if args.quick:
        args.reservations, args.tasks = 300, 8
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.sqlite3"
        ledger = QuotaLedger.open(f"sqlite:///{template}", default_limit=1_000_000,
                                  timezone=ZoneInfo("UTC"), clock=lambda: datetime.now(UTC))
        await ledger.migrate()
        for scope in range(0, SCOPES, 2):
            await ledger.set_limit(scope=f"telegram:group:{scope}", kind="total",
                                   per_day=10_000_000, by="bench")
        await ledger.close()
        ours = await ledger_run(f"sqlite:///{folder / 'ledger.sqlite3'}", args.reservations,
                                args.tasks)
        raw = raw_run(folder / "raw.sqlite3", template, args.reservations)
    print(f"QuotaLedger ({args.tasks} tasks): {ours:,.0f} reservations/s")
    print(f"raw sqlite3 (same statement):  {raw:,.0f} reservations/s")
    print(f"ratio: {ours / raw:.2f}")
    figures = {"reservations_per_s": round(ours), "vs_raw_sqlite": round(ours / raw, 3)}
    if args.pg or args.url:
        server = None if args.url else PgServer(durable=True).start()
        try:
            url = args.url or await server.database()  # type: ignore[union-attr]
            pg = await ledger_run(url, args.reservations, args.tasks)
        finally:
            if server is not None:
                server.stop()
        print(f"QuotaLedger on PostgreSQL ({args.tasks} tasks): {pg:,.0f} reservations/s")
        figures["postgresql_reservations_per_s"] = round(pg)
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
