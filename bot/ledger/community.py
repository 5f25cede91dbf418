"""The rows of communities' settings: read by scope, changed in one transaction with the
audit row that says who changed what. What the settings mean is the community's business
(bot/community/settings.py); here they are a JSON object and a version. Slow mode's memory
across replicas and restarts is the jobs table itself (``last_request``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from .tables import audit, community_settings, jobs

Change = Callable[[dict[str, Any]], tuple[dict[str, Any], str]]
"""Old settings -> new settings and the audit's detail; raises to refuse the change."""


# A member's newest job in a community since a moment: ix_jobs_usage's (scope, day, actor)
# prefix finds their few rows of the window's one or two quota days. Every job counts,
# whatever its status: a request refused by the model or called off was still a request.
_LAST = select(func.max(jobs.c.created_at)).where(
    jobs.c.scope == bindparam("scope"), jobs.c.day.in_([bindparam("d0"), bindparam("d1")]),
    jobs.c.actor == bindparam("actor"), jobs.c.created_at >= bindparam("since"))


class CommunityRows:
    def __init__(self, ledger: Any) -> None:
        self._ledger = ledger  # a QuotaLedger: its engine, writer and clock

    async def read(self, scope: str) -> tuple[dict[str, Any], int]:
        """A scope's settings as stored and their version ({} and 0: never set)."""
        async with self._ledger.engine.connect() as conn:
            row = (await conn.execute(select(
                community_settings.c.data, community_settings.c.version).where(
                community_settings.c.scope == scope))).first()
        if row is None:
            return {}, 0
        return json.loads(row.data), int(row.version)

    async def last_request(self, scope: str, actor: str, within_s: float) -> float | None:
        """How many seconds ago ``actor``'s newest job in ``scope`` was recorded, by whichever
        process, if that was less than ``within_s`` ago (None: no job that recent)."""
        ledger = self._ledger
        now: datetime = ledger.now()
        since = now - timedelta(seconds=within_s)
        params = {"scope": scope, "actor": actor,
                  "since": since.astimezone(UTC).isoformat(timespec="microseconds"),
                  "d0": since.astimezone(ledger._tz).date().isoformat(), "d1": ledger.today()}
        last = await ledger._reader.read(lambda conn: conn.execute(_LAST, params).scalar())
        if last is None:
            return None
        return max(0.0, (now - datetime.fromisoformat(last)).total_seconds())

    async def change(self, scope: str, name: str, by: str,
                     change: Change) -> tuple[dict[str, Any], int]:
        """Apply ``change`` to the stored settings and audit it (action ``setting_<name>``);
        returns the new settings and version."""
        now = self._ledger._now()
        key = community_settings.c.scope == scope

        def write(conn: Connection) -> tuple[dict[str, Any], int]:
            row = conn.execute(select(community_settings.c.data, community_settings.c.version)
                               .where(key)).first()
            old = json.loads(row.data) if row is not None else {}
            new, detail = change(dict(old))
            data = json.dumps(new, sort_keys=True, separators=(",", ":"))
            version = (int(row.version) if row is not None else 0) + 1
            values = {"data": data, "version": version, "updated_by": by, "updated_at": now}
            if row is None:
                conn.execute(insert(community_settings).values(scope=scope, **values))
            else:
                conn.execute(update(community_settings).where(key).values(**values))
            conn.execute(insert(audit).values(
                at=now, actor=by, scope=scope, action=f"setting_{name}", target=scope,
                old_value=None, new_value=None, detail=detail))
            return new, version

        result: tuple[dict[str, Any], int] = await self._ledger.writer.write(write)
        return result
