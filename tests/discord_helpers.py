"""Fixtures for running the real Discord adapter against the fake Discord and fake Gemini."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from adapters.discord.app import DiscordAdapter
from tests.fakes.discord_server import FakeDiscord


@pytest.fixture
async def dc() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def start_discord(dc: FakeDiscord, make_core: Callable[..., Any]
                        ) -> AsyncIterator[Callable[..., Any]]:
    adapters: list[DiscordAdapter] = []

    async def start(*, ttl_s: float = 600, grace_s: float = 2, core: Any = None,
                    **settings: Any) -> DiscordAdapter:
        core = core or await make_core(
            discord_bot_token=dc.token, discord_api_base_url=dc.api,
            discord_gateway_url=dc.gateway, **settings)
        adapter = DiscordAdapter(core, interaction_ttl_s=ttl_s, guild_ready_timeout=0.1,
                                 grace_s=grace_s)
        await adapter.start()
        adapters.append(adapter)
        return adapter

    yield start
    for adapter in adapters:
        if not adapter.client.is_closed():
            await adapter.stop()
