"""Several ``python -m bot run`` replicas in webhook mode on one PostgreSQL ledger, behind the
fake Bot API (which plays the load balancer), and what they did, counted per user message.
Used by the replica test and by bench/crash_drill.py --replicas."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.ports import free_port
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_URL = "https://bot.example.org/telegram/webhook"
WEBHOOK_SECRET = "replica-test-secret_0123456789"
Edit = tuple[int, int]  # (chat id, the user's message id)


class Replica:
    """One bot process listening on its own port (known beforehand, so the balancer can name
    it); its output goes to ``log``."""

    def __init__(self, tg: FakeTelegram, gemini: FakeGemini, database_url: str, folder: Path,
                 name: str, **settings: str) -> None:
        self.port = free_port()
        self.env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
                    "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root,
                    "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
                    "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
                    "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
                    "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
                    "LISTEN_HOST": "127.0.0.1", "LISTEN_PORT": str(self.port), **settings}
        self.cwd = folder  # no developer's .env is read
        self.log = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def backend(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def start(self, *, within: float = 60.0) -> None:
        """Start, and wait until /readyz answers 200 (the webhook is set)."""
        with self.log.open("ab") as out:
            self.process = await bot_process("run", env=self.env, cwd=self.cwd,
                stdout=out, stderr=asyncio.subprocess.STDOUT)
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise AssertionError(f"replica exited {self.process.returncode}: "
                                         + self.log.read_text()[-2000:])
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/readyz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("replica not ready: " + self.log.read_text()[-2000:])

    async def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), 30)


class Group:
    """The replicas a test started, all stopped (SIGKILL) at its end; the first of each group
    starts alone, since it migrates the ledger."""

    def __init__(self, tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
        self._tg, self._gemini, self._tmp_path = tg, gemini, tmp_path
        self.made: list[Replica] = []

    async def start(self, database_url: str, count: int, **settings: str) -> list[Replica]:
        group = [Replica(self._tg, self._gemini, database_url, self._tmp_path, f"replica{i}",
                         **settings) for i in range(count)]
        self.made.extend(group)
        await group[0].start()
        await asyncio.gather(*(replica.start() for replica in group[1:]))
        return group

    async def stop(self) -> None:
        for replica in self.made:
            await replica.stop(signal.SIGKILL)


def replied_to(call: Any) -> int | None:
    """The user's message a call answered: by its reply parameters, or (a status message
    turned into the result) by the message it edited."""
    reply = call.params.get("reply_parameters") or {}
    if reply:
        return int(reply.get("message_id"))
    result = call.result if isinstance(call.result, dict) else {}
    found = (result.get("reply_to_message") or {}).get("message_id")
    return None if found is None else int(found)


def answers(tg: FakeTelegram) -> Counter[Edit]:
    """Per user message: the messages the bot sent in answer (a status message that becomes
    the result, or a refusal)."""
    found: Counter[Edit] = Counter()
    for call in tg.sent("sendMessage", "sendPhoto", "sendDocument"):
        target = replied_to(call)
        if call.result is not None and target is not None:
            found[(int(call.params["chat_id"]), target)] += 1
    return found


def delivered(tg: FakeTelegram) -> Counter[Edit]:
    """Per user message: the photos it got."""
    found: Counter[Edit] = Counter()
    for call in tg.photos():
        target = replied_to(call)
        if target is not None:
            found[(int(call.params["chat_id"]), target)] += 1
    return found


async def ledger_jobs(database_url: str) -> dict[Edit, list[str]]:
    """Per user message: the statuses of its jobs in the ledger."""
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    try:
        rows = await conn.fetch("SELECT request, status FROM jobs")
    finally:
        await conn.close()
    jobs: dict[Edit, list[str]] = {}
    for row in rows:
        origin = json.loads(row["request"])["origin"]
        jobs.setdefault((origin["chat_id"], origin["message_id"]), []).append(row["status"])
    return jobs


def paid_upstream(gemini: FakeGemini) -> Counter[str]:
    """Per prompt: the image answers the fake Gemini gave (each one paid for)."""
    return Counter(prompt for prompt, _ in gemini.paid)


# The moment a SIGKILL explains a second payment: from just before the first answer (the fake
# notices a dead client only when its loop gets to it: it looks every 50 ms, and shares its loop
# with the drill, which notes each kill as it sends it) to KEEP_WINDOW_S after it (the answer
# travelling, parsed and stored as the job's result).
NOTICE_S = 0.25
KEEP_WINDOW_S = 1.0


def paid_twice(paid: list[tuple[str, float]], killed_at: list[float]) -> dict[str, Any]:
    """Edits (by prompt: each drill edit's prompt is its own) the fake Gemini answered more than
    once, and those of them no kill explains (no kill in the moment around their first answer,
    before its result could be kept). ``paid``: FakeGemini.paid; ``killed_at``: when each kill
    was sent, on the same clock (time.monotonic())."""
    first: dict[str, float] = {}
    for prompt, at in paid:
        first.setdefault(prompt, at)
    twice = [prompt for prompt, times in Counter(p for p, _ in paid).items() if times > 1]
    # per edit paid twice: the first kill from just before its first answer (None: none came)
    gaps = [min((kill - first[p] for kill in killed_at if kill >= first[p] - NOTICE_S),
                default=None) for p in twice]
    return {"paid_twice_upstream": len(twice),
            "paid_twice_unexplained": sum(1 for g in gaps if g is None or g > KEEP_WINDOW_S),
            "paid_twice_next_kill_s": sorted(round(g, 2) for g in gaps if g is not None)}
