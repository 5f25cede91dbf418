"""Operations end to end: the bot's HTTP side (/healthz, /readyz, /metrics) wired as the entry
point wires it, the Telegram adapter against the fake Bot API and the fake Gemini, the daily
budget and /stats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.server import HttpServer
from adapters.telegram.app import TelegramAdapter
from bot.domain import Actor, Scope
from editbot.serve import http_server
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.test_spend import expected_cost

ANN = FakeTelegram.user(11, "Ann")
ZED = FakeTelegram.user(77, "Zed")  # an operator (BOT_ADMINS)
GROUP = FakeTelegram.group()
PHOTO = make_image(640, 480, "JPEG")
LOCAL = {"listen_port": 0, "listen_host": "127.0.0.1"}


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[TelegramAdapter], Any]]:
    servers: list[HttpServer] = []

    async def start(adapter: TelegramAdapter) -> HttpServer:
        server = http_server(adapter.core, [adapter])
        assert server is not None
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


def samples(body: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(server: HttpServer) -> dict[Any, float]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{server.url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(answer.text)


async def edit_and_wait(tg: FakeTelegram, caption: str, user: dict[str, Any] = ANN) -> str:
    """Post an edit; returns the last thing the bot showed in the group for it."""
    before = len(tg.texts(GROUP["id"]))
    tg.post(GROUP, user, photo=PHOTO, caption=caption)
    await tg.wait_for(lambda: any(
        t and not t.startswith(("Working", "Queued")) for t in tg.texts(GROUP["id"])[before:]))
    return [t for t in tg.texts(GROUP["id"])[before:] if t][-1]


async def test_metrics_move_with_what_users_see(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any],
        serve: Callable[..., Any]) -> None:
    adapter = await start_bot(default_daily_limit=1, **LOCAL)
    server = await serve(adapter)
    gemini.push(Fault.refuse("IMAGE_SAFETY"))
    assert "declined" in await edit_and_wait(tg, "/edit add a llama")
    gemini.push(Fault.error(400))
    assert "could not take this request" in await edit_and_wait(tg, "/edit add a llama")
    tg.fail("editMessageMedia", 429, "Too Many Requests: retry after 1", retry_after=1)
    assert "Here is your image" in await edit_and_wait(tg, "/edit add a llama")
    assert "used your 1 credits" in await edit_and_wait(tg, "/edit add another llama")
    assert "not an aspect ratio" in await edit_and_wait(tg, "/edit 7:5 add a llama")
    await tg.wait_for(lambda: tg.photos())  # the delivered edit is committed

    found = await scrape(server)
    edits = "editbot_edits_total"
    for outcome in ("delivered", "refused", "failed", "rejected_quota"):
        assert value(found, edits, platform="telegram", outcome=outcome, size="default") == 1
    assert value(found, edits, platform="telegram", outcome="invalid", size="default") == 1
    stage = "editbot_stage_seconds_count"
    assert value(found, stage, stage="upstream", size="default") == 3
    assert value(found, stage, stage="queue_wait", size="default") == 3
    assert value(found, stage, stage="delivery", size="default") == 1
    assert value(found, stage, stage="end_to_end", size="default") == 1
    assert value(found, "editbot_stage_seconds_sum", stage="delivery", size="default") >= 1.0
    model = "gemini-3-pro-image-preview"
    responses = "editbot_upstream_responses_total"
    assert value(found, responses, model=model, status_class="2xx") == 2
    assert value(found, responses, model=model, status_class="4xx") == 1
    assert value(found, "editbot_platform_rate_limited_total", platform="telegram") == 1
    credits = "editbot_credits_total"
    assert value(found, credits, platform="telegram", event="reserved") == 3
    assert value(found, credits, platform="telegram", event="committed") == 1
    assert value(found, credits, platform="telegram", event="refunded") == 2
    spend = value(found, "editbot_spend_usd_total", model=model, size="1K")
    assert spend == pytest.approx(expected_cost() + expected_cost(image=False))
    assert value(found, "editbot_spend_today_usd") == pytest.approx(spend)
    assert value(found, "editbot_queue_depth") == 0
    assert value(found, "process_resident_memory_bytes") > 0
    assert all("user" not in label and "chat" not in label
               for _, labels in found for label, _ in labels)

    gemini.push(Fault.error(503), Fault.error(503))
    tg.post(GROUP, ZED, photo=PHOTO, caption="/edit add a llama")  # an operator: unlimited
    await tg.wait_for(lambda: len(tg.photos()) == 2)
    again = await scrape(server)
    assert value(again, "editbot_upstream_retries_total", model=model) == 2
    assert value(again, responses, model=model, status_class="5xx") == 2


async def test_health_and_readiness_follow_the_bot_api(
        tg: FakeTelegram, start_bot: Callable[..., Any], serve: Callable[..., Any]) -> None:
    adapter = await start_bot(**LOCAL)
    server = await serve(adapter)
    async with httpx.AsyncClient() as http:
        async def ready() -> httpx.Response:
            return await http.get(f"{server.url}/readyz")

        assert (await http.get(f"{server.url}/healthz")).json() == {"status": "ok"}
        await tg.wait_for(lambda: tg.polls >= 1)
        answer = await ready()
        assert answer.status_code == 200
        assert answer.json() == {"ready": True, "checks": {"ledger": "ok", "telegram": "ok"}}

        tg.down = True
        for _ in range(80):
            answer = await ready()
            if answer.status_code == 503:
                break
            await asyncio.sleep(0.1)
        assert answer.status_code == 503
        assert answer.json()["checks"] == {"ledger": "ok",
                                           "telegram": "getUpdates answered HTTP 502"}
        assert (await http.get(f"{server.url}/healthz")).status_code == 200  # still alive

        tg.down = False
        for _ in range(100):
            answer = await ready()
            if answer.status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert answer.status_code == 200


async def test_the_third_edit_over_the_budget_is_refused_and_operators_told_once(
        tg: FakeTelegram, gemini: FakeGemini, start_bot: Callable[..., Any]) -> None:
    budget = expected_cost() * 2  # the cost of two edits against the fake
    adapter = await start_bot(daily_budget_usd=budget, bot_admins="telegram:77")
    for n in (1, 2):
        assert "Here is your image" in await edit_and_wait(tg, "/edit add a llama")
        await tg.wait_for(lambda n=n: len(tg.photos()) == n)
    refused = await edit_and_wait(tg, "/edit add a llama")
    assert refused == ("The bot has reached its budget for today; it resets at 00:00 UTC. "
                       "Nothing was charged.")
    assert len(gemini.requests) == 2  # no upstream call
    view = await adapter.core.moderation.quota(Actor("telegram", "11"),
                                               Scope("telegram", str(GROUP["id"])))
    assert view.status.used == 2  # no credit taken
    told = await tg.wait_for(lambda: tg.sent("sendMessage", chat_id=ZED["id"]))
    assert len(told) == 1 and "100% of the daily budget" in told[0].params["text"]
    assert "New edits are refused until 00:00 UTC" in told[0].params["text"]
    bob = FakeTelegram.user(12, "Bob")  # (Ann's same refusal is not said twice in a row)
    assert "reached its budget" in await edit_and_wait(tg, "/edit one more", user=bob)
    assert len(tg.sent("sendMessage", chat_id=ZED["id"])) == 1  # told once
    assert adapter.core.metrics.registry.get_sample_value("editbot_edits_total", {
        "platform": "telegram", "outcome": "rejected_budget", "size": "default"}) == 2
    assert len(tg.sent("getFile")) == 2  # refused before anything was downloaded


def test_each_core_owns_a_fresh_registry(make_settings: Callable[..., Any]) -> None:
    from prometheus_client import REGISTRY

    from bot.bootstrap import build

    first, second = build(make_settings()), build(make_settings())
    assert first.metrics.registry is not second.metrics.registry
    first.metrics.edit("telegram", "delivered", None)
    assert first.metrics.registry.get_sample_value(
        "editbot_edits_total", {"platform": "telegram", "outcome": "delivered",
                                "size": "default"}) == 1
    assert second.metrics.registry.get_sample_value(
        "editbot_edits_total", {"platform": "telegram", "outcome": "delivered",
                                "size": "default"}) is None
    assert not any(name.startswith("editbot") for name in REGISTRY._names_to_collectors)


def test_the_dashboard_reads_only_metrics_the_bot_exports(
        make_settings: Callable[..., Any]) -> None:
    import json
    import re
    from pathlib import Path

    from bot.bootstrap import build

    core = build(make_settings(daily_budget_usd=10))
    exported = {name for family in core.metrics.registry.collect()
                for name in [family.name, *(s.name for s in family.samples)]}
    exported |= {f"{name}_{suffix}" for name in exported for suffix in ("bucket", "total")}
    dashboard = json.loads((Path(__file__).parents[1] / "deploy/grafana/editbot.json")
                           .read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\b((?:editbot|process)_\w+)", expr)}
    assert {"editbot_edits_total", "editbot_stage_seconds_bucket", "editbot_queue_depth",
            "editbot_spend_today_usd", "editbot_daily_budget_usd"} <= used
    assert used <= exported, used - exported


def test_listen_port_and_budget_settings(make_settings: Callable[..., Any]) -> None:
    assert make_settings().listen_port == 8080
    assert make_settings(listen_port="").listen_port == 8080  # empty means the default
    assert make_settings(listen_port="off").listen_port is None
    from bot.bootstrap import build
    assert http_server(build(make_settings(listen_port="off")), []) is None
    assert make_settings(listen_port="0").listen_port == 0
    settings = make_settings(daily_budget_usd="", price_per_image_usd_4k="0.2",
                             price_per_image_usd_input="0")
    assert settings.daily_budget_usd is None
    assert settings.price_overrides() == {"4K": 0.2, "input": 0.0}
    from bot.errors import ConfigError
    with pytest.raises(ConfigError) as problem:
        make_settings(listen_port="http", daily_budget_usd="-1")
    assert {p.split()[0] for p in problem.value.params["problems"]} == {
        "LISTEN_PORT", "DAILY_BUDGET_USD"}


async def test_another_door_adds_its_routes_before_the_start() -> None:
    from aiohttp import web

    server = HttpServer(port=0, host="127.0.0.1")

    async def webhook(request: web.Request) -> web.Response:
        return web.json_response({"got": await request.json()})

    async def never() -> str | None:
        return "webhook not set"

    server.add_route("POST", "/telegram/webhook", webhook)
    server.add_probe("webhook", never)
    await server.start()
    try:
        with pytest.raises(RuntimeError):
            server.add_route("GET", "/late", webhook)
        async with httpx.AsyncClient(base_url=server.url) as http:
            answer = await http.post("/telegram/webhook", json={"update_id": 1})
            assert answer.json() == {"got": {"update_id": 1}}
            ready = await http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"webhook": "webhook not set"}
            assert (await http.get("/metrics")).status_code == 404  # no registry given
    finally:
        await server.stop()


def test_env_example_loads_as_it_is() -> None:
    """A .env copied from .env.example, with only the key filled in, is valid: every empty
    value means the default."""
    from pathlib import Path

    from bot.config import load_settings

    example = Path(__file__).parents[1] / ".env.example"
    settings = load_settings(_env_file=str(example), gemini_api_key="k")
    assert settings.listen_port == 8080 and settings.daily_budget_usd is None
    assert settings.price_overrides() == {} and settings.discord_api_base_url is None
