"""The Discord bot against what Discord refuses: expired attachment links, the interaction's
upload limit, the 2000-character content limit, and the fake's own strictness (each rule of
tests/fakes/discord_server.py is checked here on the wire, so a fake that forgot it fails)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from adapters.discord.edits import link_expired
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.test_discord import ANN, PHOTO, SCOPE, ephemerals, results


@pytest.fixture
async def http(dc: FakeDiscord) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=dc.root) as client:
        yield client


async def test_attachment_links_are_signed_and_expire(dc: FakeDiscord,
                                                      http: httpx.AsyncClient) -> None:
    url = dc.attachment(PHOTO)["url"]
    assert {"ex=", "is=", "hm="} <= {part[:3] for part in url.split("?")[1].split("&")}
    assert (await http.get(url)).content == PHOTO
    assert (await http.get(url.split("?")[0])).status_code == 404  # unsigned
    assert (await http.get(url[:-4] + "0000")).status_code == 404  # tampered
    dc.travel(24 * 3600 + 1)
    assert (await http.get(url)).status_code == 404
    message = dc.message(ANN, "old", attachments=[dc.attachment(PHOTO)])
    fresh = (await http.get(f"/api/v10/channels/7100/messages/{message['id']}",
                            headers={"Authorization": f"Bot {dc.token}"})).json()
    assert (await http.get(fresh["attachments"][0]["url"])).content == PHOTO


async def test_interactions_answer_as_discord_does(dc: FakeDiscord,
                                                   http: httpx.AsyncClient) -> None:
    def ask() -> tuple[str, str]:
        payload = dc._interaction(2, ANN, {"name": "quota", "type": 1})
        return payload["id"], payload["token"]

    original = "/api/v10/webhooks/4242/{}/messages/@original"
    callback = "/api/v10/interactions/{}/{}/callback"
    _, token = ask()
    answer = await http.patch(original.format(token), json={"content": "x"})
    assert (answer.status_code, answer.json()["code"]) == (404, 10008)  # nothing to edit yet
    answer = await http.post(f"/api/v10/webhooks/4242/{token}", json={"content": "x"})
    assert answer.status_code == 404
    interaction_id, token = ask()
    dc.travel(3.5)
    answer = await http.post(callback.format(interaction_id, token), json={"type": 5})
    assert (answer.status_code, answer.json()["code"]) == (404, 10062)  # too late
    interaction_id, token = ask()
    answer = await http.post(callback.format(interaction_id, token),
                             json={"type": 4, "data": {"content": "x" * 2001}})
    assert (answer.status_code, answer.json()["code"]) == (400, 50035)
    assert (await http.post(callback.format(interaction_id, token), json={"type": 5})
            ).status_code == 200
    answer = await http.post(callback.format(interaction_id, token), json={"type": 5})
    assert (answer.status_code, answer.json()["code"]) == (400, 40060)  # answered twice
    dc.upload_limits[token] = 100
    answer = await http.patch(original.format(token), files={"files[0]": ("a.png", b"x" * 101)},
                              data={"payload_json": '{"attachments": [{"id": 0}]}'})
    assert (answer.status_code, answer.json()["code"]) == (413, 40005)
    assert (await http.patch(original.format(token), json={"content": "y" * 2000})
            ).status_code == 200


async def test_again_on_a_day_old_result_answers_clearly_and_free(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    dc.cdn_ttl_s = 3  # a day, shortened (to seconds enough for the first edit's download,
    # however loaded the machine): the bot reads the expiry from the link
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "add a hat"})
    [result] = await dc.wait_for(lambda: results(dc))
    await asyncio.sleep(3.1)  # the stored links have expired
    await dc.press(ANN, result.result, "4k:1")
    await dc.wait_for(lambda: any("no longer available" in e for e in ephemerals(dc)))
    assert dc.sent("DELETE", "@original")  # no "thinking…" left behind
    assert len(gemini.requests) == 1
    assert (await adapter.core.ledger.status(actor="discord:11", scope=SCOPE)).used == 1


async def test_results_fit_the_interactions_upload_limit(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    # a 2K image of pure noise is several MB in any format: over a 1 MB limit as a 4K one is
    # over Discord's own, at a quarter of the pixels to encode
    dc.attachment_limit = 1024 * 1024
    dc.channel_file_limit = 1024 * 1024
    gemini.noisy = True
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "big", "size": "2K"})
    [result] = await dc.wait_for(lambda: results(dc), within=30)
    assert "@original" in result.path and isinstance(result.result, dict)  # accepted
    [blob] = result.files.values()
    assert len(blob) <= 1024 * 1024


async def test_long_words_stay_within_2000_characters(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    gemini.answer_text = "Here is your image. " + "word " * 900
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "p " * 900})
    [result] = await dc.wait_for(lambda: results(dc))
    assert result.result is not None and "credits left" in result.content
    assert len(result.content) <= 2000
    refused = [c for c in dc.calls if getattr(c.result, "status", 200) >= 400]
    assert refused == []


async def test_the_first_answer_beats_discords_3_seconds_even_when_images_are_slow(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    dc.cdn_delay_s = 3.5  # downloading first would answer too late (10062)
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "slow cdn"})
    [result] = await dc.wait_for(lambda: results(dc))
    [callback] = dc.sent("POST", "/callback")
    assert callback.body["type"] == 5 and isinstance(callback.result, dict)  # accepted
    assert "credits left" in result.content


def test_an_expired_link_is_told_from_a_deleted_one() -> None:
    url = "https://cdn.example/attachments/1/2/a.png?ex={:x}&is=0&hm=ab"
    assert link_expired(url.format(1000), now=1000.0)
    assert not link_expired(url.format(1001), now=1000.0)
    assert not link_expired("https://cdn.example/attachments/1/2/a.png", now=1e12)
    assert not link_expired(url.format(1000).replace("ex=3e8", "ex=zz"), now=1e12)


async def test_usage_and_limits_of_a_big_server_fit_in_one_message(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(default_daily_limit=50)
    ledger = adapter.core.ledger
    for member in range(300):  # a server where 300 people edited today, the biggest first
        for _ in range(1 + member % 3):
            job = await ledger.reserve(platform="discord", actor=f"discord:{10**17 + member}",
                                       scope=SCOPE, credits=1, request={"n": member})
            await ledger.commit(job)
        await ledger.set_limit(scope=SCOPE, kind="member", per_day=40,
                               member=f"discord:{10**17 + member}", by="discord:1")
    await dc.slash(ANN, "usage", {}, manage_guild=True)
    [usage] = await dc.wait_for(lambda: ephemerals(dc))
    await dc.slash(ANN, "limit", {}, sub="show", manage_guild=True)
    [_, limits] = await dc.wait_for(lambda: len(ephemerals(dc)) == 2 and ephemerals(dc))
    assert len(usage) <= 2000 and len(limits) <= 2000
    rows = [line for line in usage.splitlines() if line.startswith("• ")]
    assert rows[0].endswith(": 3") and len(rows) > 30  # the biggest users, as many as fit
    assert f"… and {300 - len(rows)} more" in usage and usage.endswith("Total: 600")
    listed = limits.count(" 40")
    assert listed > 30 and f"… and {300 - listed} more" in limits
