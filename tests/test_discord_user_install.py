"""A person's own install of the Discord app, end to end against the fake Discord: the
commands are offered everywhere, an edit in a DM the bot is not part of (or a server without
the bot) answers through its interaction alone and is charged to the person's own quota."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.fakes.discord_server import Call, FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
PHOTO = make_image(640, 480, "PNG")
SERVER = "discord:group:7000"
OWN = "discord:private:11"  # Ann's own scope, as in her DM with the bot
ELSEWHERE = "8000"  # a server the bot is not in


def delivered(dc: FakeDiscord) -> list[Call]:
    """Every message the bot made or changed that carries a file."""
    return [c for c in dc.calls if c.method in ("PATCH", "POST") and c.files]


def followups(dc: FakeDiscord, token: str) -> list[Call]:
    return [c for c in dc.sent("POST", f"/webhooks/{dc.app_id}/{token}")
            if c.path.count("/") == 3]


async def used(core: Any, scope: str) -> dict[str, int]:
    return (await core.ledger.usage(scope)).members


async def settled(core: Any, scope: str, want: dict[str, int]) -> dict[str, int]:
    """The scope's usage once the ledger has caught up with the answer (or 5 s have passed)."""
    for _ in range(100):
        if await used(core, scope) == want:
            break
        await asyncio.sleep(0.05)
    return await used(core, scope)


async def test_commands_are_offered_to_both_installs_everywhere(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    commands = {c["name"]: c for c in dc.commands["global"]}
    for name in ("edit", "imagine", "quota", "Edit image"):
        assert commands[name]["integration_types"] == [0, 1], name
        assert commands[name]["contexts"] == [0, 1, 2], name
    for name in ("usage", "limit"):  # a server's own business
        assert commands[name]["integration_types"] == [0], name
        assert commands[name]["contexts"] == [0], name
    with pytest.raises(LookupError):  # Discord offers no /limit in a DM
        await dc.slash(BOB, "limit", {}, sub="show", guild=False)
    with pytest.raises(LookupError):
        await dc.slash(ANN, "usage", {}, install="user", guild_id=ELSEWHERE)


async def test_the_fake_refuses_what_discord_refuses(dc: FakeDiscord) -> None:
    async with httpx.AsyncClient(base_url=dc.api, headers={
            "Authorization": f"Bot {dc.token}"}) as http:
        for bad in ({"integration_types": [2]}, {"contexts": [0, 3]},
                    {"integration_types": "0"}):
            answer = await http.put(f"/applications/{dc.app_id}/commands",
                                    json=[{"name": "edit", "description": "x", **bad}])
            assert answer.status_code == 400 and answer.json()["code"] == 50035, bad
        good = await http.put(f"/applications/{dc.app_id}/commands", json=[{
            "name": "edit", "description": "x", "integration_types": [0, 1],
            "contexts": [0, 1, 2]}])
        assert good.status_code == 200
        payload = await dc.slash(ANN, "edit", {}, install="user", private="group")
        token = payload["token"]
        assert payload["context"] == 2 and payload["authorizing_integration_owners"] == {
            "1": "11"}
        await http.post(f"/interactions/{payload['id']}/{token}/callback", json={"type": 5})
        codes = [(await http.post(f"/webhooks/{dc.app_id}/{token}",
                                  json={"content": f"{i}"})).status_code for i in range(6)]
        assert codes == [200] * 5 + [400]  # a user install: 5 follow-ups per interaction
        missing = await http.post(f"/channels/{payload['channel_id']}/messages",
                                  json={"content": "hi"})
        assert missing.status_code == 403 and missing.json()["code"] == 50001


async def test_an_edit_in_a_dm_the_bot_is_not_part_of_is_charged_to_the_person(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    core = adapter.core
    # the server that installed the bot allows Ann one credit a day, and she has used it
    await dc.slash(BOB, "limit", {"member": ANN, "per_day": "1"}, sub="member",
                   manage_guild=True)
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "in the server"})
    await dc.wait_for(lambda: len(delivered(dc)) == 1)
    # in a DM with Bob, through her own install, the server's limit is not hers to keep
    payload = await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "in a DM"},
                             install="user", private="dm")
    [_, result] = await dc.wait_for(lambda: delivered(dc)[1:] and delivered(dc))
    assert result.path == f"/webhooks/{dc.app_id}/{payload['token']}/messages/@original"
    assert "Here is your image" in result.content and "credits left today" in result.content
    assert gemini.requests[-1].prompt == "in a DM"
    assert not dc.sent("POST", "/channels/")  # only the interaction answers there
    assert await settled(core, OWN, {"discord:11": 1}) == {"discord:11": 1}
    assert await used(core, SERVER) == {"discord:11": 1}  # the server's count is untouched
    # a server without the bot: her own quota again, never a scope of that server
    await dc.slash(ANN, "imagine", {"prompt": "a llama"}, install="user", guild_id=ELSEWHERE)
    await dc.wait_for(lambda: len(delivered(dc)) == 3)
    assert await settled(core, OWN, {"discord:11": 2}) == {"discord:11": 2}
    assert await used(core, f"discord:group:{ELSEWHERE}") == {}
    await dc.slash(ANN, "quota", {}, install="user", private="dm")
    [answer] = await dc.wait_for(lambda: [
        c for c in dc.sent("POST", "/callback") if "left here" in c.content
        or "left here" in str((c.body.get("data") or {}).get("content"))])
    words = answer.body["data"]["content"]
    assert "7 left today in all" in words and "Used here today: 2" in words


async def test_no_channel_to_fall_back_on_where_the_bot_is_no_member(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord(ttl_s=1.0)
    dc.token_ttl_s = 1.2
    gemini.delay = 2.0  # past the interaction's token
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "slow"},
                   install="user", private="dm")
    await dc.wait_for(lambda: gemini.requests)
    # nothing could be delivered, so nothing is charged
    for _ in range(100):
        status = await adapter.core.ledger.status(actor="discord:11", scope=OWN)
        if not status.reserved and len(gemini.requests) == 1:
            break
        await asyncio.sleep(0.05)
    assert status.used == 0 and status.reserved == 0
    assert not dc.sent("POST", "/channels/") and not delivered(dc)


async def test_variations_stay_within_five_follow_ups(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "a hat"},
                   install="user", private="dm")
    [first] = await dc.wait_for(lambda: delivered(dc))
    message = dc.messages[f"@original:{first.path.split('/')[3]}"]
    for _ in range(100):  # Ann presses once the first edit is done (not still in flight)
        status = await adapter.core.ledger.status(actor="discord:11", scope=OWN)
        if status.used == 1 and not status.reserved:
            break
        await asyncio.sleep(0.05)
    press = await dc.press(ANN, message, "vary:1", install="user", private="dm")
    await dc.wait_for(lambda: len(delivered(dc)) == 3, within=30)
    made = followups(dc, press["token"])
    # the second take's status became its result: one follow-up, not one for each message
    assert len(made) == 1 and not made[0].files
    [take] = [c for c in delivered(dc) if "/messages/" in c.path and "@original" not in c.path]
    assert take.method == "PATCH" and "Here is your image" in take.content
    assert not [c for c in dc.calls if c.result is not None
                and getattr(c.result, "status", 200) >= 400]


async def test_answers_are_ephemeral_where_the_server_forbids_external_apps(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    await start_discord()
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "hidden"},
                   install="user", guild_id=ELSEWHERE, external_apps=False)
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "shown"},
                   install="user", guild_id="8001")
    await dc.wait_for(lambda: len(delivered(dc)) == 2)
    hidden, shown = dc.sent("POST", "/callback")
    assert hidden.body["type"] == 5 and hidden.body["data"]["flags"] & 64
    assert not (shown.body.get("data") or {}).get("flags", 0) & 64
    assert not dc.sent("POST", "/channels/")


async def test_the_edit_image_menu_in_someone_elses_dm(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    photo = dc.message(BOB, "look", attachments=[dc.attachment(PHOTO)], guild=False)
    await dc.context_menu(ANN, "Edit image", photo, install="user", private="dm")
    [modal] = await dc.wait_for(lambda: dc.sent("POST", "/callback"))
    assert modal.body["type"] == 9
    await dc.submit_modal(ANN, modal.body["data"], {"prompt": "make it snow"},
                          install="user", private="dm")
    [result] = await dc.wait_for(lambda: delivered(dc))
    assert "@original" in result.path and "Here is your image" in result.content
    assert gemini.requests[0].images == [PHOTO]
    assert await settled(adapter.core, OWN, {"discord:11": 1}) == {"discord:11": 1}


async def test_after_a_restart_a_user_install_edit_is_refunded_not_posted(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any],
        make_core: Callable[..., Any]) -> None:
    first = await start_discord(grace_s=0.1)
    gemini.delay = 5
    await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "survive"},
                   install="user", private="dm")
    await dc.wait_for(lambda: gemini.requests)
    await first.stop()  # the interaction went with the process; no channel to post in
    gemini.delay = 0
    core = await make_core(discord_bot_token=dc.token, discord_api_base_url=dc.api,
                           discord_gateway_url=dc.gateway)
    await start_discord(core=core)
    for _ in range(100):
        status = await core.ledger.status(actor="discord:11", scope=OWN)
        if not status.reserved:
            break
        await asyncio.sleep(0.05)
    assert status.used == 0 and status.reserved == 0
    assert not dc.sent("POST", "/channels/") and not delivered(dc)
