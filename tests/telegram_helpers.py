"""Fixtures for running the real Telegram adapter against the fake Bot API and fake Gemini."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from adapters.telegram.app import TelegramAdapter
from tests.fakes.telegram_server import FakeTelegram

# The bot keeps Telegram's flood windows (a message a second per chat, 20 a minute per group) on
# a clock 20 times faster: the same messages in the same order, without the tests waiting out
# seconds of pacing per chat. A test of the pacing itself names its own scale (and gives the
# fake Bot API the same, test_telegram_flood.py).
FLOOD_WINDOW_SCALE = 0.05


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def start_bot(tg: FakeTelegram, make_core: Callable[..., Any]
                    ) -> AsyncIterator[Callable[..., Any]]:
    adapters: list[TelegramAdapter] = []

    async def start(**settings: Any) -> TelegramAdapter:
        settings.setdefault("telegram_flood_window_scale", FLOOD_WINDOW_SCALE)
        core = await make_core(telegram_bot_token=tg.token, telegram_api_base_url=tg.root,
                               **settings)
        adapter = TelegramAdapter(core, poll_timeout_s=1, album_wait_s=0.3, grace_s=2)
        await adapter.start()
        adapters.append(adapter)
        return adapter

    yield start
    for adapter in adapters:
        await adapter.stop()


async def shown(bot: Any, message: dict[str, Any]) -> None:
    """Wait until the bot has noted which job the result ``message`` shows (a moment after
    it was sent): a reply to it may then continue that job."""
    key = f"telegram:{message['chat']['id']}:{message['message_id']}"
    for _ in range(100):
        if await bot.core.turns.job_of(key) is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the result was never noted")
