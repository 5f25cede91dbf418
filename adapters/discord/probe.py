"""Is Discord reachable? Checked before logging in, so that an unreachable Discord at start is
retried (adapters/startup.py) rather than met by discord.py's reconnect loop."""

from __future__ import annotations

import asyncio

import aiohttp

PROBE_TIMEOUT_S = 10.0
UNREACHABLE = (aiohttp.ClientError, OSError, asyncio.TimeoutError)  # what probe() raises


async def probe(url: str, *, websocket: bool = False) -> None:
    """Raises one of UNREACHABLE when ``url`` cannot be reached. Any HTTP answer counts as
    reached; a WebSocket must say something (a gateway's HELLO)."""
    timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        if websocket:
            async with session.ws_connect(url) as ws:
                await ws.receive(timeout=PROBE_TIMEOUT_S)
        else:
            async with session.get(url) as response:
                await response.read()
