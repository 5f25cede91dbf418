"""The ``replicas`` fixture of the replica tests (a pytest plugin named in conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.replicas import WEBHOOK_SECRET, Group


@pytest.fixture
async def replicas(tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path
                   ) -> AsyncIterator[Callable[..., Any]]:
    """Start replicas of the bot (``python -m bot run`` processes on one PostgreSQL, behind
    one webhook); at the end they are stopped, and none of their logs holds a secret."""
    group = Group(tg, gemini, tmp_path)
    yield group.start
    await group.stop()
    logs = "".join(r.log.read_text() for r in group.made if r.log.exists())
    for secret in (tg.token, tg.token.split(":")[1], gemini.key, WEBHOOK_SECRET):
        assert secret not in logs
