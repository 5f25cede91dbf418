"""Telegram's webhook mode: the real adapter behind its HTTP server, the fake Bot API posting
updates to it as Telegram does (and playing the load balancer)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from adapters.server import HttpServer
from adapters.telegram.app import TelegramAdapter
from bot.config import load_settings
from bot.errors import ConfigError
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

URL = "https://bot.example.org/telegram/hook"
SECRET = "s3cret_-token"
ANN = FakeTelegram.user(11, "Ann")
BOB = FakeTelegram.user(22, "Bob")
GROUP = FakeTelegram.group()
PHOTO = make_image(640, 480, "JPEG")


class Replica:
    def __init__(self, adapter: TelegramAdapter, server: HttpServer) -> None:
        self.adapter, self.server = adapter, server

    @property
    def hook(self) -> str:
        return f"{self.server.url}/telegram/hook"


@pytest.fixture
async def start_replica(tg: FakeTelegram, make_core: Callable[..., Any]
                        ) -> AsyncIterator[Callable[..., Any]]:
    made: list[Replica] = []

    async def start(*, route: bool = True, **settings: Any) -> Replica:
        core = await make_core(telegram_bot_token=tg.token, telegram_api_base_url=tg.root,
                               telegram_webhook_url=URL, telegram_webhook_secret=SECRET,
                               **settings)
        adapter = TelegramAdapter(core, poll_timeout_s=1, album_wait_s=0.3, grace_s=2)
        server = HttpServer(port=0, host="127.0.0.1", registry=core.metrics.registry)

        async def probe() -> str | None:
            return adapter.ready()

        server.add_probe("telegram", probe)
        adapter.add_routes(server)
        await server.start()
        replica = Replica(adapter, server)
        made.append(replica)
        assert await server.check() == {"telegram": "webhook not set"}
        await adapter.start()
        if route:
            tg.route_webhook([r.hook for r in made])
        return replica

    yield start
    for replica in made:
        await replica.adapter.stop()
        await replica.server.stop()


async def test_updates_arrive_by_webhook_and_are_handled(
        tg: FakeTelegram, gemini: FakeGemini, start_replica: Callable[..., Any]) -> None:
    replica = await start_replica()
    [set_call] = tg.sent("setWebhook")
    assert set_call.params["url"] == URL and set_call.params["secret_token"] == SECRET
    assert set_call.params["allowed_updates"] == ["message", "callback_query", "inline_query",
                                                "chosen_inline_result"]
    assert await replica.server.check() == {"telegram": "ok"}
    message = tg.post(GROUP, ANN, photo=PHOTO, caption="/edit add a llama")
    [photo] = await tg.wait_for(lambda: tg.photos(chat_id=GROUP["id"]))
    assert photo.result["reply_to_message"]["message_id"] == message["message_id"]
    assert gemini.requests[-1].prompt == "add a llama"
    tg.post(GROUP, BOB, text="/quota")
    await tg.wait_for(lambda: any("credits" in t for t in tg.texts()[1:]))
    assert tg.polls == 0 and not tg.sent("getUpdates")  # never polled
    await tg.wait_for(lambda: tg.webhook.pending_update_count == 0)  # answered 200 at last
    assert {p.status for p in tg.webhook.posts} == {200}
    # a second replica sets the same webhook: nothing changes for Telegram
    await start_replica()
    assert [c.params for c in tg.sent("setWebhook")] == [set_call.params] * 2


async def test_a_request_without_the_secret_is_refused_and_not_processed(
        tg: FakeTelegram, gemini: FakeGemini, start_replica: Callable[..., Any]) -> None:
    replica = await start_replica(route=False)
    update = {"update_id": 1, "message": {
        "message_id": 7, "date": 0, "chat": FakeTelegram.private(ANN), "from": ANN,
        "text": "/imagine a llama", "entities": [{"type": "bot_command", "offset": 0,
                                                  "length": 8}]}}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                        {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}):
            async with http.post(replica.hook, json=update, headers=headers) as answer:
                assert answer.status == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for body in (b"{not json", b"[1, 2]", b'{"update_id": "x"}'):
            async with http.post(replica.hook, data=body, headers=right) as answer:
                assert answer.status == 400
                assert "Traceback" not in await answer.text()
        await tg.never(lambda: tg.sent("sendMessage") or gemini.requests)
        async with http.post(replica.hook, json=update, headers=right) as answer:
            assert answer.status == 200
    await tg.wait_for(lambda: tg.photos(chat_id=ANN["id"]))
    # the answer came once the edit was taken: it is in the ledger
    assert await replica.adapter.core.service.seen(f"telegram:{ANN['id']}:7")


async def test_deliveries_retry_and_skip_a_backend_that_is_down(
        tg: FakeTelegram, gemini: FakeGemini, start_replica: Callable[..., Any]) -> None:
    replica = await start_replica(route=False)
    tg.webhook.backoff_s = 0.05
    gone = "http://127.0.0.1:9/telegram/hook"  # nothing listens on the discard port
    tg.route_webhook([gone, replica.hook], spread="turn")
    users = [FakeTelegram.user(100 + i, f"U{i}") for i in range(4)]
    for user in users:
        tg.post(FakeTelegram.private(user), user, text="/imagine a llama")
    await tg.wait_for(lambda: all(tg.photos(chat_id=u["id"]) for u in users))
    await tg.wait_for(lambda: len(tg.webhook.delivered) == 4)  # each answered 200 once taken
    assert {p.status for p in tg.webhook.posts if p.backend == gone} == {None}
    assert len(gemini.requests) == 4
    # while the replica stops it answers 503 and Telegram keeps the update for later
    tg.route_webhook([replica.hook])
    await replica.adapter.settle()
    tg.post(FakeTelegram.private(ANN), ANN, text="/imagine a cat")
    await tg.wait_for(lambda: any(p.status == 503 for p in tg.webhook.posts))
    assert tg.webhook.pending_update_count == 1
    info = await _call(tg, "getWebhookInfo")
    assert info["url"] == URL and info["pending_update_count"] == 1
    assert info["last_error_message"] == "Wrong response from the webhook: 503"


async def _call(tg: FakeTelegram, method: str, **params: Any) -> Any:
    async with aiohttp.ClientSession() as http, http.post(
            f"{tg.root}/bot{tg.token}/{method}", json=params) as answer:
        return await answer.json() if answer.status != 200 else (await answer.json())["result"]


async def test_the_fake_refuses_what_telegram_refuses(tg: FakeTelegram) -> None:
    refused = await _call(tg, "setWebhook", url="http://bot.example.org/hook")
    assert refused == {"ok": False, "error_code": 400, "description":
                       "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"}
    assert await _call(tg, "setWebhook", url=URL, secret_token=SECRET) is True
    conflict = await _call(tg, "getUpdates")
    assert conflict["error_code"] == 409 and conflict["description"].startswith(
        "Conflict: can't use getUpdates method while webhook is active")
    assert await _call(tg, "deleteWebhook") is True
    assert await _call(tg, "getUpdates") == []
    assert (await _call(tg, "getWebhookInfo"))["url"] == ""


async def test_polling_deletes_a_webhook_left_set(
        tg: FakeTelegram, start_bot: Callable[..., Any]) -> None:
    assert await _call(tg, "setWebhook", url=URL) is True
    await start_bot()
    tg.post(GROUP, ANN, text="/quota")
    await tg.wait_for(lambda: tg.sent("sendMessage"))
    assert tg.sent("deleteWebhook") and not tg.webhook.active


@pytest.mark.parametrize(("settings", "named"), [
    ({"telegram_webhook_url": "http://bot.example.org/hook",
      "telegram_webhook_secret": SECRET}, "TELEGRAM_WEBHOOK_URL"),
    ({"telegram_webhook_url": URL}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"telegram_webhook_url": URL, "telegram_webhook_secret": "no spaces"},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"telegram_webhook_url": URL, "telegram_webhook_secret": "x" * 257},
     "TELEGRAM_WEBHOOK_SECRET"),
])
def test_webhook_settings_are_checked(settings: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(gemini_api_key="k", **settings)
    assert caught.value.settings == (named,)
    assert SECRET not in str(caught.value.problems)


def test_the_secret_is_redacted_like_the_tokens() -> None:
    settings = load_settings(gemini_api_key="k", telegram_webhook_url=URL,
                             telegram_webhook_secret=SECRET)
    assert SECRET in settings.secrets()
    assert settings.webhook_path == "/telegram/hook"
    assert SECRET not in repr(settings)


async def test_webhook_mode_without_the_http_side_names_the_settings(
        tg: FakeTelegram, make_core: Callable[..., Any]) -> None:
    core = await make_core(telegram_bot_token=tg.token, telegram_api_base_url=tg.root,
                           telegram_webhook_url=URL, telegram_webhook_secret=SECRET,
                           listen_port="off")
    adapter = TelegramAdapter(core, poll_timeout_s=1, grace_s=1)
    try:
        with pytest.raises(ConfigError) as caught:
            await adapter.start()
        assert set(caught.value.settings) == {"TELEGRAM_WEBHOOK_URL", "LISTEN_PORT"}
        assert not tg.sent("setWebhook") and tg.polls == 0
    finally:
        await adapter.stop()


async def test_a_webhook_telegram_refuses_names_the_url(
        tg: FakeTelegram, start_replica: Callable[..., Any]) -> None:
    tg.fail("setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host: Name or "
                               "service not known")
    with pytest.raises(ConfigError) as caught:
        await start_replica()
    assert caught.value.settings == ("TELEGRAM_WEBHOOK_URL",)
    assert "failed to resolve host" in caught.value.problems[0].lower()


async def test_an_inline_choice_reported_to_two_replicas_is_one_edit_charged_once(
        tg: FakeTelegram, gemini: FakeGemini, start_replica: Callable[..., Any]) -> None:
    tg.me["supports_inline_queries"] = True
    first = await start_replica(route=False)
    second = await start_replica(route=False)
    tg.route_webhook([first.hook, second.hook], spread="turn")  # each report elsewhere
    core = first.adapter.core
    tg.post(FakeTelegram.private(ANN), ANN, photo=PHOTO, caption="add a llama")
    await tg.wait_for(lambda: tg.photos(chat_id=ANN["id"]))
    for _ in range(100):  # the result noted, to be offered
        if await core.recent.of("telegram:11", results_only=True):
            break
        await asyncio.sleep(0.05)
    query_id = tg.inline(ANN, "add a hat")
    answer = await tg.wait_for(lambda: tg.answered(query_id))
    result_id = answer["results"][0]["id"]
    message = tg.choose(ANN, query_id, result_id)
    tg.report_chosen(message, result_id, "add a hat")  # Telegram's delivery, twice
    await tg.wait_for(lambda: any(e["method"] == "editMessageMedia" for e in message.edits))
    await tg.never(lambda: len(gemini.requests) > 2)
    for _ in range(100):
        status = await core.ledger.status(actor="telegram:11", scope="telegram:private:11")
        if (status.used, status.reserved) == (2, 0):
            break
        await asyncio.sleep(0.05)
    assert (status.used, status.reserved) == (2, 0)
