"""Finishing a job when the database will not take the write (disk full, locked past the
timeout, read-only): the commit or refund is remembered, retried with every heartbeat, and
written to a journal beside a SQLite file so the next start applies it before it resumes
anything (a job whose refund was lost must not be redone, nor a delivered one sent twice).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..domain import JobStatus
from . import kept
from .base import LedgerBase
from .tables import jobs, results

log = logging.getLogger(__name__)
# what a database in trouble raises (sqlite3 and asyncpg errors arrive wrapped in DBAPIError)
LEDGER_FAULTS: tuple[type[BaseException], ...] = (DBAPIError, OSError)


class Pending(LedgerBase):
    journal: Path | None = None  # beside a SQLite file; None: remembered in memory only
    kept_dir: Path | None = None  # the kept results' folder beside a SQLite file (kept.py)

    def finish_later(self, job_id: int, status: JobStatus, note: str,
                     spent: dict[str, Any]) -> bool:
        """Remember a finish the database refused, with what its answer cost (``spent``: the
        jobs columns); True if it is this one (a job already waiting to be committed is never
        refunded, and the other way round)."""
        pending = self._pending
        if job_id in pending:
            return pending[job_id][0] is status
        pending[job_id] = (status, note, spent)
        log.error("job %d: the ledger could not be written; %s later", job_id, status.value)
        self._write_journal()
        return True

    def _write_journal(self) -> None:
        if self.journal is None:
            return
        lines = [json.dumps({"job": job_id, "status": status.value, "note": note,
                             "spent": spent})
                 for job_id, (status, note, spent) in self._pending.items()]
        try:
            if lines:
                self.journal.write_text("\n".join(lines) + "\n")
            else:
                self.journal.unlink(missing_ok=True)
        except OSError:
            log.error("could not write the ledger's journal %s", self.journal, exc_info=True)

    def _read_journal(self) -> None:
        if self.journal is None or not self.journal.exists():
            return
        pending = self._pending
        for line in self.journal.read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                pending.setdefault(int(entry["job"]), (
                    JobStatus(entry["status"]), str(entry["note"]), dict(entry.get("spent", {}))))

    async def settle_pending(self, *, earlier_runs: bool = False) -> int:
        """Write the finishes the database refused before; returns how many are still
        waiting. ``earlier_runs``: also those of a process that stopped (from the journal)."""
        if earlier_runs:
            self._read_journal()
        pending = self._pending
        if not pending:
            return 0
        now = self._now()

        def apply(conn: Connection) -> None:
            for job_id, (status, note, spent) in pending.items():
                conn.execute(update(jobs).where(
                    jobs.c.id == job_id, jobs.c.status == JobStatus.RESERVED.value,
                ).values(status=status.value, note=note[:500], updated_at=now, **spent))
                conn.execute(delete(results).where(results.c.job_id == job_id))

        try:
            await self._writer.write(apply)
        except LEDGER_FAULTS:
            log.warning("the ledger still cannot be written; %d finishes wait", len(pending))
            return len(pending)
        if self.kept_dir is not None:
            for job_id in pending:
                kept.drop(self.kept_dir, job_id)
        log.info("wrote %d finishes the ledger had refused", len(pending))
        pending.clear()
        self._write_journal()
        return 0
