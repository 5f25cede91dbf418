"""A conversation's turns beside a SQLite file keep their images as files: a follow-up after a
restart still sends the conversation so far, byte for byte, and a turn whose images are gone
(swept, or the folder lost) starts the follow-up afresh instead of failing it."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain import EditCommand
from tests.conftest import Clock
from tests.fakes.gemini_server import FakeGemini
from tests.test_service import Inbox, request


async def test_a_follow_up_after_a_restart_sends_the_conversation_as_it_was(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    sent = await request(prompt="add a llama")
    first = await core.service.submit(sent, deliver=Inbox().deliver)
    await core.aclose()
    again = await make_core()  # the same database: the turn is read back from its files
    follow_up = dataclasses.replace(sent, images=(), parent=first.job_id,
                                    command=EditCommand("edit", "now make it blue"))
    assert (await again.service.submit(follow_up, deliver=Inbox().deliver)).ok
    turns = gemini.requests[-1].body["contents"]
    assert [turn["role"] for turn in turns] == ["user", "model", "user"]
    assert turns[0]["parts"][0] == gemini.requests[0].body["contents"][0]["parts"][0]
    assert turns[1] == gemini.answers[0]["candidates"][0]["content"]


async def test_a_turn_whose_images_are_gone_starts_the_follow_up_afresh(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    sent = await request(prompt="add a llama")
    first = await core.service.submit(sent, deliver=Inbox().deliver)
    await core.turns.settle()
    assert core.ledger.turns_dir is not None
    shutil.rmtree(core.ledger.turns_dir)
    follow_up = dataclasses.replace(sent, parent=first.job_id,
                                    command=EditCommand("edit", "now make it blue"))
    assert (await core.service.submit(follow_up, deliver=Inbox().deliver)).ok
    assert [t["role"] for t in gemini.requests[-1].body["contents"]] == ["user"]


async def test_turns_past_two_days_are_pruned_with_their_images(
        make_core: Callable[..., Any], gemini: FakeGemini, clock: Clock) -> None:
    core = await make_core()
    sent = await request(prompt="add a llama")
    old = await core.service.submit(sent, deliver=Inbox().deliver)
    await core.aclose()
    assert core.ledger.turns_dir is not None
    assert any(core.ledger.turns_dir.iterdir())
    clock.now += timedelta(days=3)
    again = await make_core()
    newer = await again.service.submit(sent, deliver=Inbox().deliver)  # its turn prunes
    await again.turns.settle()
    names = sorted(path.name for path in core.ledger.turns_dir.iterdir())
    assert names and all(name.startswith(f"{newer.job_id}-") for name in names)
    follow_up = dataclasses.replace(sent, images=(), parent=old.job_id,
                                    command=EditCommand("edit", "now make it blue"))
    assert (await again.service.submit(follow_up, deliver=Inbox().deliver)).ok
    assert [t["role"] for t in gemini.requests[-1].body["contents"]] == ["user"]
