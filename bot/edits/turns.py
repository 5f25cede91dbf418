"""Conversations with the model: each delivered job keeps its turn (the user's prompt and
images, the model's parts exactly as received, thoughtSignature included), so a reply to a
result continues the same conversation. A chain sends back at most ``MAX_TURNS`` earlier turns;
turns older than ``KEEP`` are pruned as new ones are written (at most once a minute)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pybase64
from sqlalchemy import Integer, String, bindparam, delete, insert, select, update

from ..domain import EditRequest, GeneratedImage, ImageInput
from ..ledger import Prepared, QuotaLedger, turns
from .turn_files import TurnFiles

log = logging.getLogger(__name__)
MAX_TURNS = 4
KEEP = timedelta(days=2)
PRUNE_EVERY_S = 60.0  # pruning reads the turns' index (and folder): not with every turn
Content = dict[str, Any]
# built once with bound values: building a statement (and its cache key) for each turn cost
# more than running it
_PAST = Prepared(delete(turns).where(turns.c.created_at < bindparam("cutoff", type_=String)))
_AGAIN = Prepared(delete(turns).where(turns.c.job_id == bindparam("job", type_=Integer)))
_ADD = Prepared(insert(turns).values({column.name: bindparam(column.name, type_=column.type)
                                      for column in turns.columns}))


def user_parts(prompt: str, images: Sequence[ImageInput]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [
        {"inlineData": {"mimeType": image.mime_type,
                        "data": pybase64.b64encode(image.data).decode()}} for image in images]
    return [*parts, {"text": prompt}]


class Turn:
    """A turn being kept: encoded in the background, written once its message is known."""

    def __init__(self) -> None:
        self.message_key: str | None = None
        self.go = asyncio.Event()  # set: write it now (its message known, or the job done)
        self.task: asyncio.Task[None] | None = None


class TurnStore:
    """Turns are written beside the delivery, never before it: encoding a 4K image's turn
    (tens of megabytes of JSON) happens off the event loop and off the ledger's writer. A turn
    is written once, with the message that shows its result (``link``) when that comes before
    the job's end (``written``), as it does on the common path: noting the message afterwards
    would write the whole row a second time. ``link`` and ``history`` wait for the write."""

    def __init__(self, ledger: QuotaLedger) -> None:
        self.ledger = ledger
        self._saving: dict[int, Turn] = {}
        self._pruned = 0.0  # when turns past their time were last pruned (time.monotonic)
        folder = ledger.turns_dir
        self.files = None if folder is None else TurnFiles(folder, ledger.kept_dir)

    async def save(self, job_id: int, parent_id: int | None, user_json: str, model_json: str,
                   message_key: str | None = None) -> None:
        """Write a turn's row (its parts already encoded); turns past ``KEEP`` are pruned with
        it, at most once every ``PRUNE_EVERY_S``."""
        now = self.ledger.now()
        cutoff = (now - KEEP).isoformat()
        prune = time.monotonic() - self._pruned >= PRUNE_EVERY_S
        if prune:
            self._pruned = time.monotonic()
        row = {"job_id": job_id, "parent_id": parent_id, "user_parts": user_json,
               "model_parts": model_json, "created_at": now.isoformat(),
               "message_key": message_key}

        def write(conn: Any) -> None:
            if prune:
                _PAST.execute(conn, {"cutoff": cutoff})
            _AGAIN.execute(conn, {"job": job_id})
            _ADD.execute(conn, row)

        await self.ledger.writer.write(write)
        if prune and self.files is not None:
            await asyncio.to_thread(self.files.prune, (now - KEEP).timestamp())

    def _encoded(self, job_id: int, request: EditRequest, image: GeneratedImage,
                 ) -> tuple[str, str]:
        """The user's and the model's parts of a turn as JSON (its images in files when kept
        so, else in base64: tens of megabytes at 4K, so this runs in a worker thread)."""
        prompt, files = request.command.prompt, self.files
        if files is None:
            return _encode(user_parts(prompt, request.images), image.parts)
        now = self.ledger.now().timestamp()
        return _encode(files.user_parts(job_id, prompt, request.images, now),
                       files.model_parts(job_id, image, now))

    def keep(self, job_id: int, request: EditRequest, image: GeneratedImage) -> None:
        """Start keeping a job's turn for a follow-up, in the background; a failure costs the
        follow-up, never the edit."""
        turn = Turn()

        async def keeping() -> None:
            try:
                user, model = await asyncio.to_thread(self._encoded, job_id, request, image)
                await turn.go.wait()
                await self.save(job_id, request.parent, user, model, turn.message_key)
            except Exception:
                log.warning("job %d: its turn could not be kept", job_id, exc_info=True)
            finally:
                self._saving.pop(job_id, None)

        self._saving[job_id] = turn
        turn.task = asyncio.get_running_loop().create_task(keeping())

    def written(self, job_id: int) -> None:
        """The job is over: its turn is written now, with its message if one was noted."""
        turn = self._saving.get(job_id)
        if turn is not None:
            turn.go.set()

    async def _written(self, job_id: int) -> bool:
        """Write the job's turn now and wait for it; False if none was being kept."""
        turn = self._saving.get(job_id)
        if turn is None or turn.task is None:
            return False
        turn.go.set()
        await asyncio.shield(turn.task)
        return True

    async def settle(self) -> None:
        """Let the turns being written finish (before the ledger closes)."""
        for turn in self._saving.values():
            turn.go.set()
        await asyncio.gather(*(t.task for t in self._saving.values() if t.task),
                             return_exceptions=True)

    def note(self, job_id: int, message_key: str) -> bool:
        """Note the message that shows the job's result with its turn, if the turn is not
        written yet (the first one wins): at once, not in a task that might run after the
        job's end; ``link`` then waits for the write. True if the turn has a message now."""
        turn = self._saving.get(job_id)
        if turn is not None and not turn.go.is_set() and turn.message_key is None:
            turn.message_key = message_key  # written with the turn: one write
        return turn is not None and turn.message_key is not None

    async def link(self, job_id: int, message_key: str) -> None:
        """Note the platform message that shows the job's result (the first one wins)."""
        noted = self.note(job_id, message_key)
        await self._written(job_id)
        if noted:
            return
        stmt = (update(turns).where(turns.c.job_id == job_id, turns.c.message_key.is_(None))
                .values(message_key=message_key))
        await self.ledger.writer.write(lambda conn: conn.execute(stmt))

    async def job_of(self, message_key: str) -> int | None:
        """The job whose result a message shows, if its turn is still kept."""
        async with self.ledger.engine.connect() as conn:
            found = (await conn.execute(select(turns.c.job_id).where(
                turns.c.message_key == message_key).limit(1))).scalar()
        return None if found is None else int(found)

    async def history(self, job_id: int) -> list[Content]:
        """The contents to send before a follow-up of ``job_id``: its turn and up to
        ``MAX_TURNS - 1`` before it, oldest first."""
        await self._written(job_id)  # a follow-up quicker than its parent's turn being written
        chain: list[Content] = []
        current: int | None = job_id
        async with self.ledger.engine.connect() as conn:
            while current is not None and len(chain) < 2 * MAX_TURNS:
                row = (await conn.execute(select(turns).where(turns.c.job_id == current))
                       ).mappings().first()
                if row is None:
                    break
                read = await asyncio.to_thread(self._read, row["user_parts"],
                                               row["model_parts"])
                if read is None:
                    break
                user, model = read
                chain[:0] = [{"role": "user", "parts": user}, {"role": "model", "parts": model}]
                current = row["parent_id"]
        return chain


    def _read(self, user: str, model: str) -> tuple[Any, Any] | None:
        """Decode a kept turn (megabytes at 4K: off the event loop), its images read back
        from their files; None if they are gone."""
        parts = json.loads(user), json.loads(model)
        if self.files is None:
            return parts
        filled = [self.files.fill(p) for p in parts]
        return None if filled[0] is None or filled[1] is None else (filled[0], filled[1])


def _encode(user: list[dict[str, Any]], model: Sequence[dict[str, Any]]) -> tuple[str, str]:
    return json.dumps(user, separators=(",", ":")), json.dumps(list(model),
                                                              separators=(",", ":"))
