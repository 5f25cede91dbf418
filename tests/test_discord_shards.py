"""Discord shards (DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS): each replica runs its own shards,
Discord sends it its servers' events only, and only the replica running shard 0 syncs the
commands. Two bots on one PostgreSQL ledger against the fake Discord, which routes events by
shard as Discord does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from adapters.discord.app import DiscordAdapter
from bot.errors import ConfigError
from tests import pgserver
from tests.fakes.discord_server import Call, FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

ANN = FakeDiscord.user(11, "ann")
BOB = FakeDiscord.user(22, "bob")
PHOTO = make_image(800, 600, "PNG")
OTHER_GUILD = str((1 << 22) | 7000)  # (id >> 22) % 2 == 1: shard 1 of 2; the fake's 7000: 0


def results(dc: FakeDiscord, token: str) -> list[Call]:
    return [c for c in dc.calls if c.files and token in c.path]


def delivered(adapter: DiscordAdapter) -> float:
    return sum(sample.value for metric in adapter.core.metrics.registry.collect()
               for sample in metric.samples if sample.name == "editbot_edits_total"
               and sample.labels.get("outcome") == "delivered")


async def test_each_replica_answers_the_servers_of_its_shard_once(
        dc: FakeDiscord, gemini: FakeGemini, start_discord: Callable[..., Any]) -> None:
    dc.add_guild(OTHER_GUILD)
    database = await pgserver.shared().database()
    replicas = [await start_discord(database_url=database, discord_shard_count=2,
                                    discord_shard_ids=str(shard)) for shard in (0, 1)]
    assert sorted(map(tuple, filter(None, dc.identifies))) == [(0, 2), (1, 2)]
    assert [sorted(g.id for g in r.client.guilds) for r in replicas] == [[7000],
                                                                         [int(OTHER_GUILD)]]
    assert len(dc.sent("PUT", "/commands")) == 1  # synced once, by shard 0's replica
    assert {c["name"] for c in dc.commands["global"]} >= {"edit", "imagine"}
    first = await dc.slash(ANN, "edit", {"image": dc.attachment(PHOTO), "prompt": "a llama"})
    second = await dc.slash(BOB, "edit", {"image": dc.attachment(PHOTO), "prompt": "a hat"},
                            guild_id=OTHER_GUILD)
    for payload in (first, second):
        await dc.wait_for(lambda p=payload: results(dc, p["token"]))
    await asyncio.sleep(1.0)  # time for a second answer to arrive
    for payload in (first, second):
        assert len(results(dc, payload["token"])) == 1
        assert len(dc.sent("POST", f"/{payload['id']}/{payload['token']}/callback")) == 1
    assert [delivered(r) for r in replicas] == [1, 1]  # each by the replica that owns it
    assert len(gemini.requests) == 2
    assert [r.ready() for r in replicas] == [None, None]


async def test_without_shard_settings_the_bot_runs_one_connection_as_before(
        dc: FakeDiscord, start_discord: Callable[..., Any]) -> None:
    adapter = await start_discord()
    assert dc.identifies == [None] and type(adapter.client).__name__ == "_Client"
    assert len(dc.sent("PUT", "/commands")) == 1


@pytest.mark.parametrize(("count", "ids", "says"), [
    ("2", "2", "DISCORD_SHARD_IDS must be shard numbers from 0 to 1"),
    ("", "0", "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
    ("2", "0,0", "DISCORD_SHARD_IDS names a shard twice"),
    ("0", "", "DISCORD_SHARD_COUNT"),
])
def test_shard_settings_out_of_range_are_a_config_error(
        make_settings: Callable[..., Any], count: str, ids: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_settings(discord_shard_count=count, discord_shard_ids=ids)
    assert any(says in problem for problem in caught.value.params["problems"])
