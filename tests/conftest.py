from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import Core, build
from bot.config import Settings, load_settings
from bot.ledger import QuotaLedger
from tests.fakes.gemini_server import FakeGemini

pytest_plugins = ["tests.telegram_helpers", "tests.discord_helpers", "tests.replica_fixture"]
L = TypeVar("L")

# The tiers (docs/TESTING.md). A test that starts a process of its own (python -m bot, the CLI, a
# bench script, a PostgreSQL server) is marked `process`; `make test-fast` leaves those out.
# Nothing forces tests onto one xdist worker: each worker starts its own PostgreSQL server on
# first use (tests/pgserver.py), and a port handed to a process comes from the worker's own
# block below the ephemeral range (tests/ports.py), so no two workers race for one.
PROCESS_MODULES = frozenset({
    "test_bench", "test_cli", "test_discord_process", "test_first_run", "test_flood_process",
    "test_ledger_copy", "test_local_chat_browser", "test_replicas", "test_startup_failures",
    "test_telegram_process"})
PROCESS_WORDS = ("create_subprocess_exec", "bot_process(", "subprocess.run", "Popen(", "launch(",
                 "local_bot(", "await bot(")
SERVER_WORDS = ("pgserver", "free_port")
SERVER_FIXTURES = frozenset({"db", "pg", "replicas"})


def _process(item: pytest.Item) -> bool:
    """Whether one collected test starts a process (a PostgreSQL server counts)."""
    function = getattr(item, "function", None)
    source = inspect.getsource(function) if function is not None else ""
    source = source[source.find("def "):]  # the body, not the decorators' parameters
    callspec = getattr(item, "callspec", None)
    params = [str(value) for value in callspec.params.values()] if callspec is not None else []
    fixtures = set(getattr(item, "fixturenames", ()))
    servers = (any(word in source for word in SERVER_WORDS)
               or any((p.startswith("postgresql") and "://" not in p) or "--pg" in p
                      for p in params)
               or bool(fixtures & SERVER_FIXTURES))
    module = item.module.__name__.rsplit(".", 1)[-1] if item.module is not None else ""
    return (module in PROCESS_MODULES or servers
            or any(word in source for word in PROCESS_WORDS))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _process(item):
            item.add_marker(pytest.mark.process)

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


class Opened:
    """The ledgers a test opened, migrated as they are opened and closed at its end."""

    def __init__(self) -> None:
        self.ledgers: list[Any] = []

    async def migrated(self, ledger: L) -> L:
        self.ledgers.append(ledger)
        await ledger.migrate()
        return ledger

    async def close(self) -> None:
        for ledger in self.ledgers:
            await ledger.close()


@pytest.fixture
async def open_ledger(tmp_path: Path, clock: Clock) -> AsyncIterator[Callable[..., Any]]:
    """Opens (and migrates) ledgers on the test's clock, closed at the end: by default the
    SQLite file every process of the test would share."""
    opened = Opened()

    async def make(url: str | None = None, owner: str = "one", **kw: Any) -> QuotaLedger:
        return await opened.migrated(QuotaLedger.open(
            url or f"sqlite:///{tmp_path}/editbot.sqlite3", default_limit=10,
            timezone=ZoneInfo("UTC"), clock=clock, owner=owner, **kw))

    yield make
    await opened.close()

