"""The Discord adapter in a real ``python -m bot`` process: connects, syncs, stops on SIGTERM
with exit 0, its DEBUG logs never show the token, an interaction's token or a webhook URL, and
an edit cut off by a crash (SIGKILL) is finished after the restart, charged once."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.ledger import QuotaLedger
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]


def environment(dc: FakeDiscord, gemini: FakeGemini, tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
            "DISCORD_BOT_TOKEN": dc.token, "DISCORD_API_BASE_URL": dc.api,
            "DISCORD_GATEWAY_URL": dc.gateway, "DISCORD_GUILD_IDS": "7000",
            "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LOG_LEVEL": "DEBUG",
            "LISTEN_PORT": "0"}


async def launch(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await bot_process(env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)


async def test_runs_as_a_process_and_keeps_the_token_out_of_logs(
        dc: FakeDiscord, gemini: FakeGemini, tmp_path: Path) -> None:
    process = await launch(environment(dc, gemini, tmp_path), tmp_path)
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


async def test_a_crash_mid_edit_is_finished_after_the_restart(
        dc: FakeDiscord, gemini: FakeGemini, tmp_path: Path) -> None:
    env = environment(dc, gemini, tmp_path)
    gemini.delay = 60
    crashed = await launch(env, tmp_path)
    try:
        await dc.wait_for(lambda: dc.identified and "7000" in dc.commands, within=30)
        await dc.slash(FakeDiscord.user(11, "ann"), "edit",
                       {"image": dc.attachment(make_image(200, 200, "PNG")), "prompt": "x"})
        await dc.wait_for(lambda: gemini.requests, within=30)
    finally:
        crashed.kill()  # SIGKILL: no shutdown code runs
        await asyncio.wait_for(crashed.communicate(), 30)
    gemini.delay = 0
    restarted = await launch(env, tmp_path)
    try:
        [posted] = await dc.wait_for(lambda: [
            c for c in dc.sent("POST", "/channels/7100/messages") if c.files], within=60)
    finally:
        restarted.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(restarted.communicate(), 30)
    assert restarted.returncode == 0, out.decode()[-2000:]
    assert "<@11>" in posted.content and "credits left" in posted.content
    assert len(gemini.requests) == 2  # asked again once, delivered once
    ledger = QuotaLedger.open(env["DATABASE_URL"], default_limit=10, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    try:
        status = await ledger.status(actor="discord:11", scope="discord:group:7000")
        assert status.used == 1 and await ledger.unfinished() == []
    finally:
        await ledger.close()
