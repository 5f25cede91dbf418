"""What the benchmarks share: the loopback fakes in this process and the bot as a real
``python -m bot run`` subprocess (or the lean reference bot, bench/reference_bot.py), whose peak
RSS and CPU time are read from /proc while it runs."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.flood import FloodLimits  # noqa: E402
from tests.fakes.gemini_server import FakeGemini  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def emit(figures: dict[str, Any]) -> None:
    """The closing line every benchmark prints: its figures as one JSON object."""
    print(json.dumps(figures), flush=True)


@asynccontextmanager
async def fakes(*, gemini_delay: float = 0.0, flood: FloodLimits | None = None,
                ) -> AsyncIterator[tuple[FakeTelegram, FakeGemini]]:
    """The fake Bot API (enforcing ``flood`` limits when given) and the fake Gemini."""
    tg, gemini = FakeTelegram(), FakeGemini(delay=gemini_delay)
    if flood is not None:
        tg.enforce_flood_limits(flood)
    await tg.start()
    await gemini.start()
    try:
        yield tg, gemini
    finally:
        await tg.stop()
        await gemini.stop()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Bot:
    """``python -m bot run`` against the fakes; ``peak_rss_mb`` is sampled while it runs."""

    command: tuple[str, ...] = ("-m", "bot", "run")

    def __init__(self, tg: FakeTelegram, gemini: FakeGemini, database: Path,
                 **settings: str) -> None:
        self.env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
                    "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root,
                    "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
                    "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING",
                    "LISTEN_PORT": "0",
                    **settings}
        self.tg = tg
        self.cwd = database.parent  # no developer's .env is read
        self.process: asyncio.subprocess.Process | None = None
        self.peak_rss_kb = 0
        self._sampler: asyncio.Task[None] | None = None
        self.started_at = 0.0

    async def start(self, *, wait: bool = True) -> float:
        """Start the bot; returns the seconds until its first getUpdates poll."""
        polls = self.tg.polls
        self.started_at = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *self.command, env=self.env, cwd=self.cwd,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        self._sampler = asyncio.create_task(self._sample())
        if wait:
            await self.tg.wait_for(lambda: self.tg.polls > polls, within=60)
        return time.perf_counter() - self.started_at

    async def _sample(self) -> None:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status")
        while self.process.returncode is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_rss_kb = max(self.peak_rss_kb, int(line.split()[1]))
            except (OSError, ValueError):
                return
            await asyncio.sleep(0.05)

    def cpu_s(self) -> float:
        """CPU seconds the process has used so far (user + system)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_kb / 1024

    async def stop(self, signal_number: int = 15) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal_number)
        code = await asyncio.wait_for(self.process.wait(), 60)
        if self._sampler is not None:
            await asyncio.gather(self._sampler, return_exceptions=True)
        return code


class ReferenceBot(Bot):
    """bench/reference_bot.py: getFile -> Gemini -> sendPhoto on aiohttp, nothing else."""

    command = (str(ROOT / "bench" / "reference_bot.py"),)

    def __init__(self, tg: FakeTelegram, gemini: FakeGemini) -> None:
        super().__init__(tg, gemini, Path("/nonexistent"))
        self.env.update(REF_TOKEN=tg.token, REF_API=tg.root)


def reset_calls(tg: FakeTelegram) -> None:
    """Forget what the fake recorded (a long bench keeps its lookups cheap)."""
    tg.calls.clear()
