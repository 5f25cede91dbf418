"""/stats for operators on Telegram and Discord, ``python -m bot stats [--json]``, operator DMs
on Discord, and the HTTP side of a real ``python -m bot run``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import free_port, launch, telegram_env
from tests.test_spend import edit, expected_cost
from tests.zygote import bot_process

ANN = FakeTelegram.user(11, "Ann")
ZED = FakeTelegram.user(77, "Zed")
GROUP = FakeTelegram.group()
PHOTO = make_image(640, 480, "JPEG")


async def test_telegram_stats_for_operators_only(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any],
        clock: Any) -> None:
    adapter = await start_bot(bot_admins="telegram:77", daily_budget_usd=5)
    clock.now -= timedelta(days=2)  # an edit two days ago counts in the week only
    assert (await edit(adapter.core)).status == "delivered"
    clock.now += timedelta(days=2)
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
    await tg.wait_for(lambda: tg.photos())
    gemini.push(Fault.error(400))
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
    await tg.wait_for(lambda: any("could not take" in t for t in tg.texts()))

    tg.post(GROUP, ANN, text="/stats")
    await tg.wait_for(lambda: any("operators" in t for t in tg.texts(GROUP["id"])))
    assert tg.texts(GROUP["id"])[-1] == "Only the bot's operators can do that."

    private = FakeTelegram.private(ZED)
    tg.post(private, ZED, text="/stats")
    [answer] = await tg.wait_for(lambda: tg.texts(private["id"]))
    cost = expected_cost()
    assert answer.splitlines()[0] == "Stats for gemini-3-pro-image-preview"
    today, week = answer.split("\n\n")[1:]
    assert "Today (2026-11-25)" in today
    assert "Edits: 1 delivered, 0 refused, 1 failed, 0 running" in today
    assert f"Estimated spend: ${cost:.2f} of $5.00 a day" in today
    assert "Failure rate: 50%" in today
    assert f"Top groups and servers by spend: telegram:group:-100123 ${cost:.2f}" in today
    assert f"This month: estimated spend ${2 * cost:.2f}" in today  # the deployment's
    assert "Last 7 days (2026-11-19 to 2026-11-25)" in week
    assert "Edits: 2 delivered, 0 refused, 1 failed" in week
    assert f"Estimated spend: ${2 * cost:.2f}" in week and "Failure rate: 33%" in week


async def test_telegram_stats_asked_in_a_group_go_to_the_operator_privately(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    await start_bot(bot_admins="telegram:77")
    tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
    await tg.wait_for(lambda: tg.photos())
    zed = FakeTelegram.user(77, "Zed", language="es")
    tg.post(GROUP, zed, text="/stats")  # never started the bot privately: told how
    await tg.wait_for(lambda: any("@EditTestBot" in t for t in tg.texts(GROUP["id"])))
    assert tg.texts(GROUP["id"])[-1] == (
        "Aún no puedo escribirte en privado: abre un chat privado con @EditTestBot, pulsa "
        "Iniciar y vuelve a enviar /stats.")

    private = FakeTelegram.private(zed)
    tg.post(private, zed, text="/start")
    await tg.wait_for(lambda: tg.texts(private["id"]))
    tg.post(GROUP, zed, text="/stats")
    await tg.wait_for(lambda: any("Stats" in t or "Estad" in t for t in tg.texts(private["id"])))
    await tg.wait_for(lambda: tg.texts(GROUP["id"])[-1].startswith("Te envié"))
    assert tg.texts(GROUP["id"])[-1] == "Te envié las cifras en nuestro chat privado."
    assert not any("telegram:group" in t or "$" in t for t in tg.texts(GROUP["id"]))
    assert "telegram:group:-100123" in tg.texts(private["id"])[-1]


async def test_discord_stats_and_operator_messages(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(bot_admins="discord:55")
    assert adapter.ready() is None
    dc.fail("/callback", status=429, retry_after=0.1)  # discord.py waits it out
    await dc.slash(FakeDiscord.user(11, "ann"), "stats", {})
    await dc.slash(FakeDiscord.user(55, "zed"), "stats", {})
    await dc.wait_for(lambda: len([c for c in dc.sent("POST", "/callback") if c.result]) == 2)
    refused, shown = sorted((c.body["data"] for c in dc.sent("POST", "/callback") if c.result),
                            key=lambda data: "Stats" in data["content"])
    assert refused["content"] == "Only the bot's operators can do that."
    assert refused["flags"] & 64 and shown["flags"] & 64  # only the asker sees either
    assert "Edits: 0 delivered, 0 refused, 0 failed, 0 running" in shown["content"]
    assert adapter.core.metrics.registry.get_sample_value(
        "editbot_platform_rate_limited_total", {"platform": "discord"}) == 1

    await adapter.core.alerts.tell("budget_alert_80", percent=80, spent="4.00", budget="5.00")
    [dm] = await dc.wait_for(lambda: dc.sent("POST", "/channels/955/messages"))
    assert dm.body["content"].startswith("editbot: today's estimated spend is $4.00, 80%")
    [opened] = dc.sent("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": 55}
    await adapter.stop()
    assert adapter.ready() == "closed"


async def test_the_running_bot_serves_health_and_metrics_and_the_cli_reads_stats(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    port = free_port()
    env = telegram_env(tg, gemini, tmp_path, LISTEN_PORT=str(port), LISTEN_HOST="127.0.0.1",
                       DAILY_BUDGET_USD="3")
    bot = await launch(env, tmp_path, logs=False)
    try:
        await tg.wait_for(lambda: tg.polls > 0, within=30)
        tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
        await tg.wait_for(lambda: tg.photos(), within=30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/healthz")).status_code == 200
            ready = await http.get("/readyz")
            assert ready.status_code == 200, ready.text
            metrics = (await http.get("/metrics")).text
        assert ('editbot_edits_total{outcome="delivered",platform="telegram",size="default"} 1.0'
                in metrics)
        assert "editbot_daily_budget_usd 3.0" in metrics
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 30) == 0

    env.pop("TELEGRAM_BOT_TOKEN")
    cli = await bot_process("stats", "--json", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0, err.decode()
    report = json.loads(out)
    assert report["today"]["outcomes"] == {"delivered": 1, "refused": 0, "failed": 0,
                                           "running": 0}
    assert report["today"]["spend_usd"] == round(expected_cost(), 4)
    assert report["budget_usd"] == 3.0 and report["last_7_days"]["p50_s"] >= 0
    text = await bot_process("stats", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    words, _ = await asyncio.wait_for(text.communicate(), 60)
    assert "Edits: 1 delivered, 0 refused, 0 failed, 0 running" in words.decode()



async def test_readyz_says_stopping_during_the_grace_and_the_port_closes_after(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    port = free_port()
    env = telegram_env(tg, gemini, tmp_path, LISTEN_PORT=str(port), LISTEN_HOST="127.0.0.1",
                       SHUTDOWN_GRACE_S="6")
    bot = await launch(env, tmp_path, logs=False)
    try:
        await tg.wait_for(lambda: tg.polls > 0, within=30)
        gemini.delay = 3.0  # an edit still running when SIGTERM comes
        tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
        await tg.wait_for(lambda: gemini.requests, within=30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/readyz")).status_code == 200
            bot.send_signal(signal.SIGTERM)
            for _ in range(40):
                answer = await http.get("/readyz")
                if answer.status_code == 503:
                    break
                await asyncio.sleep(0.05)
            assert answer.status_code == 503
            assert answer.json()["checks"]["process"] == "stopping"
            assert (await http.get("/healthz")).status_code == 200  # still alive meanwhile
        assert await asyncio.wait_for(bot.wait(), 30) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    assert len(tg.photos()) == 1  # the running edit finished within the grace
    with socket.socket() as probe, contextlib.suppress(OSError):
        probe.connect(("127.0.0.1", port))
        raise AssertionError("the port is still served after the bot ended")
