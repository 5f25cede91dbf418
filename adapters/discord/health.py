"""The Discord side of operations: whether the gateway is connected (for /readyz), 429s from
the REST API (for the metrics) and direct messages to operators (budget alerts)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import aiohttp
import discord


def rate_limit_trace(on_429: Callable[[], None]) -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's REST session: counts every 429 answer (discord.py
    waits them out by itself)."""

    async def on_end(_: aiohttp.ClientSession, __: SimpleNamespace,
                     params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            on_429()

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace


def gateway_problem(client: discord.Client) -> str | None:
    """None when the gateway session is up and READY; else what is wrong."""
    if client.is_closed():
        return "closed"
    if not client.is_ready():
        return "gateway not ready"
    if isinstance(client, discord.AutoShardedClient):  # DISCORD_SHARD_COUNT: each shard's own
        down = sorted(i for i, shard in client.shards.items() if shard.is_closed())
        return f"shards {down} disconnected" if down else None
    if client.ws is None or not client.ws.open:
        return "gateway disconnected"
    return None


async def direct_message(client: discord.Client, user_id: str, words: str) -> None:
    """Open (or reuse) the DM channel with a user and post ``words`` there."""
    channel = await client.http.start_private_message(int(user_id))
    await client.get_partial_messageable(int(channel["id"])).send(words)
