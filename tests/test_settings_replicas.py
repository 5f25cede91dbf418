"""Community settings across replicas and databases: a change made on one replica holds on
another within a second (two ``python -m bot run`` processes on one PostgreSQL ledger); the
settings' rows on SQLite and PostgreSQL alike; slow mode counted on the shared ledger, so a
member's next request on another replica waits too; and copy-ledger moves them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.community import CommunitySettings, Moderation, block, toggle
from bot.domain import Actor, EditCommand, Scope
from bot.errors import CommandError, NotAllowed
from bot.ledger import QuotaLedger, copy_ledger
from bot.models import PRO
from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.replicas import delivered

MOD = FakeTelegram.user(1, "Mia")
GROUP = FakeTelegram.group()
SCOPE = Scope("telegram", str(GROUP["id"]))
OPERATOR = Actor("telegram", "1")



def answer_to(tg: FakeTelegram, message: dict[str, Any]) -> list[Any]:
    return [c for c in tg.sent("sendMessage")
            if (c.params.get("reply_parameters") or {}).get("message_id") == message["message_id"]]


async def test_a_change_on_one_replica_holds_on_the_other_within_a_second(
        tg: FakeTelegram, gemini: FakeGemini, replicas: Callable[..., Any]) -> None:
    database = await pgserver.shared().database()
    group = await replicas(database, 2)
    tg.route_webhook([r.backend for r in group], spread="turn")  # updates go in turn
    tg.admins[GROUP["id"]].add(MOD["id"])
    members = [FakeTelegram.user(10 + n, f"M{n}") for n in range(4)]

    for member in members[:2]:  # one request on each replica: each has read the settings
        asked = tg.post(GROUP, member, text="/imagine a llama")
        edit = (GROUP["id"], asked["message_id"])
        await tg.wait_for(lambda edit=edit: delivered(tg)[edit], within=60)
    asked = len(gemini.requests)
    change = tg.post(GROUP, MOD, text="/settings block llama")
    [saved] = await tg.wait_for(lambda: answer_to(tg, change), within=30)
    assert saved.params["text"] == "Saved. Blocked words here: 1."
    await asyncio.sleep(1.0)  # the bound: a change holds everywhere a second after it is made

    refusals = []
    for member in members[2:]:  # the next two requests: one on each replica
        posted = tg.post(GROUP, member, text="/imagine a llama in the snow")
        [answer] = await tg.wait_for(lambda posted=posted: answer_to(tg, posted), within=30)
        refusals.append(answer.params["text"])
    assert all("moderators of this group blocked" in words for words in refusals), refusals
    assert len(gemini.requests) == asked  # nothing asked of the model, nothing charged


async def test_slow_mode_holds_on_the_other_replica(
        tg: FakeTelegram, gemini: FakeGemini, replicas: Callable[..., Any]) -> None:
    database = await pgserver.shared().database()
    group = await replicas(database, 2)
    tg.route_webhook([r.backend for r in group], spread="turn")  # updates go in turn
    tg.admins[GROUP["id"]].add(MOD["id"])
    member = FakeTelegram.user(10, "Ann")
    change = tg.post(GROUP, MOD, text="/settings slow 600")  # on the first replica
    [saved] = await tg.wait_for(lambda: answer_to(tg, change), within=30)
    assert saved.params["text"] == "Saved. Slow mode: 600 s."
    first = tg.post(GROUP, member, text="/imagine a llama")  # on the second: let through
    await tg.wait_for(lambda: delivered(tg)[(GROUP["id"], first["message_id"])], within=60)
    asked = len(gemini.requests)

    for attempt in range(2):  # back on the first replica (it never saw her), then the second
        posted = tg.post(GROUP, member, text=f"/imagine a llama, take {attempt + 2}")
        [answer] = await tg.wait_for(lambda posted=posted: answer_to(tg, posted), within=30)
        left = re.search(r"wait (\d+) s before your next request", answer.params["text"])
        assert left is not None and 500 < int(left.group(1)) <= 600, answer.params["text"]
    assert len(gemini.requests) == asked  # nothing asked of the model, nothing charged


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_settings_rows_on_both_databases(tmp_path: Path, engine: str) -> None:
    """Two processes' views of one ledger (two services, two engines): a change made by one is
    read by the other once what it read is a second old, and at once by the one that made it;
    only moderators change anything, and each change is audited."""
    url = (f"sqlite:///{tmp_path}/bot.sqlite3" if engine == "sqlite"
           else await pgserver.shared().database())
    now = [100.0]
    ledgers = [QuotaLedger.open(url, default_limit=5, timezone=UTC,  # type: ignore[arg-type]
                                clock=lambda: datetime.now(UTC)) for _ in range(2)]
    try:
        await ledgers[0].migrate()
        here, there = (CommunitySettings(
            ledger=ledger, moderation=Moderation(ledger=ledger, admins=frozenset({"telegram:1"}),
                                                 default_limit=5),
            spec=PRO, clock=lambda: now[0]) for ledger in ledgers)
        member = Actor("telegram", "7", "Ann")
        assert (await there.rules(SCOPE)).imagine is True  # read, and kept for a moment
        with pytest.raises(NotAllowed):
            await here.change(member, SCOPE, "imagine", toggle("imagine"), moderator=False)
        rules = await here.change(OPERATOR, SCOPE, "imagine", toggle("imagine"),
                                  moderator=False)
        assert rules.imagine is False and (await here.rules(SCOPE)).imagine is False
        assert (await there.rules(SCOPE)).imagine is True  # what it read a moment ago
        now[0] += 1.0
        rules = await there.rules(SCOPE)
        assert rules.imagine is False
        with pytest.raises(CommandError) as caught:
            await there.check(member, SCOPE, EditCommand("imagine", "a cat"), rules)
        assert caught.value.code == "imagine_off"
        await there.change(OPERATOR, SCOPE, "words", block(["cat"]), moderator=True)
        audit = await ledgers[0].audit_log(SCOPE.key)
        assert [(r["action"], r["detail"]) for r in audit] == [
            ("setting_imagine", "imagine off"), ("setting_words", "blocked 1 word(s)")]
    finally:
        for ledger in ledgers:
            await ledger.close()


async def test_copy_ledger_moves_the_settings(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path}/bot.sqlite3"
    old = QuotaLedger.open(source, default_limit=5, timezone=UTC,  # type: ignore[arg-type]
                           clock=lambda: datetime.now(UTC))
    await old.migrate()
    settings = CommunitySettings(ledger=old, moderation=Moderation(
        ledger=old, admins=frozenset({"telegram:1"}), default_limit=5), spec=PRO)
    await settings.change(OPERATOR, SCOPE, "words", block(["llama"]), moderator=False)
    await old.close()
    target = await pgserver.shared().database()
    copied = await copy_ledger(source, target)
    assert copied["community_settings"] == 1
    new = QuotaLedger.open(target, default_limit=5, timezone=UTC,  # type: ignore[arg-type]
                           clock=lambda: datetime.now(UTC))
    try:
        moved = CommunitySettings(ledger=new, moderation=Moderation(
            ledger=new, admins=frozenset(), default_limit=5), spec=PRO)
        assert (await moved.rules(SCOPE)).words == ("llama",)
        assert [r["detail"] for r in await new.audit_log(SCOPE.key)] == ["blocked 1 word(s)"]
    finally:
        await new.close()
