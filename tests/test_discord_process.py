"""The Discord adapter in a real ``python -m bot`` process: connects, syncs, stops on SIGTERM
with exit 0, and its DEBUG logs never show the token, an interaction's token or a webhook URL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

ROOT = Path(__file__).resolve().parents[1]


async def test_runs_as_a_process_and_keeps_the_token_out_of_logs(
        dc: FakeDiscord, gemini: FakeGemini, tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "DISCORD_BOT_TOKEN": dc.token, "DISCORD_API_BASE_URL": dc.api,
           "DISCORD_GATEWAY_URL": dc.gateway, "DISCORD_GUILD_IDS": "7000",
           "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LOG_LEVEL": "DEBUG"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    first: list[str] = []
    try:
        while not first or "discord: logged in as" not in first[-1]:  # one line when ready
            first.append((await asyncio.wait_for(process.stdout.readline(), 30)).decode())
        await dc.wait_for(lambda: dc.identified and "7000" in dc.commands, within=30)
        await dc.slash(FakeDiscord.user(11, "ann"), "edit",
                       {"image": dc.attachment(make_image(200, 200, "PNG")), "prompt": "x"})
        await dc.wait_for(lambda: any(c.files for c in dc.sent("PATCH", "@original")))
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    logs = "".join(first) + out.decode()
    assert process.returncode == 0, logs[-2000:]
    assert "discord: logged in as editbot, 1 server\n" in logs
    assert dc.token not in logs and gemini.key not in logs
    assert dc.tokens and "/interactions/" in logs and "/webhooks/" in logs  # logged, but:
    for token in dc.tokens:  # an interaction's token answers as the bot for 15 minutes
        assert token not in logs
    assert dc.token not in " ".join(str(c.body) for c in dc.calls)
