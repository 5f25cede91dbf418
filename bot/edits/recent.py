"""A person's recent images, to pick again without sending them anew: their results and the
photos they sent, each by the platform's reference to the file (a Telegram file_id). Telegram's
inline mode offers them; /history lists the results. A result whose conversation turn is still
kept (turns.py) is continued as a conversation with the model; one whose turn is gone, and a
photo the person sent, is edited as an image."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, delete, insert, select

from ..ledger import Prepared, QuotaLedger, jobs, recent_images, turns

KEEP_PER_PERSON = 50  # Telegram shows at most 50 inline results
PRUNE_CHANCE = 1 / 8  # a note prunes the person's older images this often (reads take 50)

# built once with bound values: a statement built anew for each note costs more to build (its
# cache key) than to run
_MINE = recent_images.c.actor == bindparam("actor", type_=String)
_AGAIN = Prepared(delete(recent_images).where(
    _MINE, recent_images.c.ref == bindparam("ref", type_=String)))
_ADD = Prepared(insert(recent_images).values(
    actor=bindparam("actor", type_=String), ref=bindparam("ref", type_=String),
    job_id=bindparam("job_id", type_=Integer), created_at=bindparam("at", type_=String)))
_BEYOND = Prepared(delete(recent_images).where(_MINE, recent_images.c.id.not_in(
    select(recent_images.c.id).where(_MINE).order_by(recent_images.c.id.desc())
    .limit(KEEP_PER_PERSON).scalar_subquery())))


@dataclass(frozen=True, slots=True)
class RecentImage:
    """One image a person may pick again. ``job_id``: the job whose result it is (None: a
    photo they sent); ``continues``: that job's turn is still kept, so an edit of it continues
    the conversation with the model; ``prompt``: what that job asked for."""

    id: int
    ref: str
    job_id: int | None
    continues: bool
    prompt: str
    created_at: str


class RecentImages:
    def __init__(self, ledger: QuotaLedger) -> None:
        self.ledger = ledger

    async def note(self, actor_key: str, ref: str, job_id: int | None = None) -> None:
        """Remember an image of ``actor_key``'s (the newest first); only their
        ``KEEP_PER_PERSON`` newest are offered, and about as many kept (the older ones are
        pruned by one note in ``1 / PRUNE_CHANCE``). Written with the ledger's next write (a
        photo sent: its request's reservation; a result: its turn), or alone a moment later."""
        row = {"actor": actor_key, "ref": ref, "job_id": job_id,
               "at": self.ledger.now().isoformat()}
        prune = random.random() < PRUNE_CHANCE

        def write(conn: Any) -> None:
            _AGAIN.execute(conn, row)
            _ADD.execute(conn, row)
            if prune:
                _BEYOND.execute(conn, row)

        await self.ledger.writer.soon(write)  # with the job's next write: no commit of its own

    async def of(self, actor_key: str, *, limit: int = KEEP_PER_PERSON,
                 results_only: bool = False) -> list[RecentImage]:
        """``actor_key``'s images, the newest first (only their results with ``results_only``)."""
        where = [recent_images.c.actor == actor_key]
        if results_only:
            where.append(recent_images.c.job_id.is_not(None))
        return await self._read(and_(*where), limit)

    async def get(self, image_id: int, actor_key: str) -> RecentImage | None:
        """One of ``actor_key``'s images by its id; None if it is not theirs or is gone."""
        found = await self._read(and_(recent_images.c.id == image_id,
                                      recent_images.c.actor == actor_key), 1)
        return found[0] if found else None

    async def _read(self, where: Any, limit: int) -> list[RecentImage]:
        query = (select(recent_images, turns.c.job_id.label("turn"), jobs.c.request)
                 .select_from(recent_images
                              .outerjoin(turns, turns.c.job_id == recent_images.c.job_id)
                              .outerjoin(jobs, jobs.c.id == recent_images.c.job_id))
                 .where(where).order_by(recent_images.c.id.desc()).limit(limit))
        async with self.ledger.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [RecentImage(id=row["id"], ref=row["ref"], job_id=row["job_id"],
                            continues=row["turn"] is not None, prompt=_prompt(row["request"]),
                            created_at=row["created_at"]) for row in rows]


def _prompt(request: str | None) -> str:
    if not request:
        return ""
    try:
        return str(json.loads(request)["command"]["prompt"])
    except (ValueError, KeyError, TypeError):
        return ""
