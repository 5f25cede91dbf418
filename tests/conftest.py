from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import Core, build
from bot.config import Settings, load_settings
from bot.ledger import QuotaLedger
from tests.fakes.gemini_server import FakeGemini

pytest_plugins = ["tests.telegram_helpers", "tests.discord_helpers"]

# Settings come from the environment: keep the developer's own out of the tests.
for _name in list(os.environ):
    if _name.startswith(("TELEGRAM_", "DISCORD_", "GEMINI_", "DATABASE_", "BOT_", "QUOTA_",
                         "DEFAULT_DAILY", "USER_DAILY", "CREDITS_", "LOG_", "MAX_IN_FLIGHT",
                         "REFUSAL_", "DECODE_", "LISTEN_", "DAILY_BUDGET", "PRICE_PER_")):
        del os.environ[_name]


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    yield


@pytest.fixture
async def gemini() -> AsyncIterator[FakeGemini]:
    fake = FakeGemini()
    await fake.start()
    yield fake
    await fake.stop()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture
def make_settings(tmp_path: Path, gemini: FakeGemini) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "gemini_api_key": gemini.key, "gemini_base_url": gemini.base_url,
            "database_url": f"sqlite:///{tmp_path}/editbot.sqlite3",
            "gemini_max_attempts": 3,
        }
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
async def make_core(make_settings: Callable[..., Settings], clock: Clock
                    ) -> AsyncIterator[Callable[..., Any]]:
    cores: list[Core] = []

    async def make(**overrides: Any) -> Core:
        core = build(make_settings(**overrides), clock=clock)
        core.gemini._backoff_s = 0.01  # keep retries quick in tests
        await core.start()
        cores.append(core)
        return core

    yield make
    for core in cores:
        await core.aclose()


@pytest.fixture
async def open_ledger(tmp_path: Path, clock: Clock) -> AsyncIterator[Callable[..., Any]]:
    """Opens (and migrates) ledgers on the test's clock, closed at the end: by default the
    SQLite file every process of the test would share."""
    opened: list[QuotaLedger] = []

    async def make(url: str | None = None, owner: str = "one", **kw: Any) -> QuotaLedger:
        ledger = QuotaLedger.open(url or f"sqlite:///{tmp_path}/editbot.sqlite3",
                                  default_limit=10, timezone=ZoneInfo("UTC"), clock=clock,
                                  owner=owner, **kw)
        await ledger.migrate()
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        await ledger.close()
