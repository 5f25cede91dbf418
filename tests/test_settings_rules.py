"""The community rules as the core applies them, with no platform: what a blocked word
matches, which size a request without one is held to, Gemini's thresholds per level, and slow
mode counting a request's takes (Variations) as one request, and holding across a restart by
the jobs the ledger recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.community import (
    CommunitySettings,
    Moderation,
    Rules,
    block,
    slow,
    split_words,
    toggle_size,
)
from bot.community.settings import blocked
from bot.domain import Actor, EditCommand, Scope
from bot.errors import CommandError
from bot.ledger import QuotaLedger
from bot.models import FLASH_25, PRO

GROUP = Scope("telegram", "-100")
ANN = Actor("telegram", "11", "Ann")
OPERATOR = Actor("telegram", "1", "Olga")


@pytest.mark.parametrize(("prompt", "hit"), [
    ("a LLAMA on a hill", True), ("llamas on a hill", False), ("a big  Dog", True),
    ("a bigdog", False), ("the dog is big", False), ("ñu and llama.", True)])
def test_blocked_words_match_whole_words_in_any_case(prompt: str, hit: bool) -> None:
    assert blocked(prompt, tuple(split_words("llama, Big Dog\n"))) is hit


def test_sizes_the_default_size_and_a_model_without_sizes() -> None:
    rules, _ = toggle_size("1K", PRO)(Rules())
    with pytest.raises(CommandError) as caught:
        rules.check(EditCommand("imagine", "a cat"), PRO)  # no size asked: 1K is made
    assert caught.value.code == "size_off"
    rules.check(EditCommand("imagine", "a cat", image_size="2K"), PRO)
    rules.check(EditCommand("imagine", "a cat"), FLASH_25)  # takes no size: nothing to hold
    rules, _ = toggle_size("2K", PRO)(rules)
    with pytest.raises(CommandError) as caught:
        toggle_size("4K", PRO)(rules)  # the last one stays
    assert caught.value.code == "size_last"


def test_safety_levels_as_gemini_thresholds() -> None:
    assert Rules().safety_settings() is None  # standard: nothing sent, as before
    strict = Rules(safety="strict").safety_settings()
    assert strict is not None and {s["threshold"] for s in strict} == {"BLOCK_LOW_AND_ABOVE"}
    assert len(strict) == 4
    relaxed = Rules(safety="relaxed").safety_settings()
    assert relaxed is not None and {s["threshold"] for s in relaxed} == {"BLOCK_ONLY_HIGH"}


def test_words_are_bounded() -> None:
    with pytest.raises(CommandError) as caught:
        block(["x" * 41])(Rules())
    assert caught.value.code == "words_bad"
    with pytest.raises(CommandError) as caught:
        block([f"w{n}" for n in range(101)])(Rules())
    assert caught.value.code == "words_too_many"


async def test_slow_mode_counts_a_requests_takes_once(make_core: Callable[..., Any]) -> None:
    core = await make_core(bot_admins="telegram:1")
    await core.community.change(OPERATOR, GROUP, "slow", slow(60), moderator=False)
    command = EditCommand("imagine", "a cat")
    first = await core.service.admit(ANN, GROUP, command)
    second = await core.service.admit(ANN, GROUP, command, more=True)  # Variations' 2nd take
    with pytest.raises(CommandError) as caught:
        await core.service.admit(ANN, GROUP, command)
    assert caught.value.code == "slow_mode" and 55 <= caught.value.params["seconds"] <= 60
    for ticket in (first, second):
        ticket.release()
    for _ in range(3):  # operators are not slowed
        (await core.service.admit(OPERATOR, GROUP, command)).release()


async def test_slow_mode_holds_across_a_restart_by_the_jobs_recorded(tmp_path: Path) -> None:
    wall = [datetime(2026, 12, 6, 23, 59, 50, tzinfo=UTC)]
    ledger = QuotaLedger.open(f"sqlite:///{tmp_path}/bot.sqlite3", default_limit=5,
                              timezone=UTC, clock=lambda: wall[0])  # type: ignore[arg-type]
    await ledger.migrate()

    def process() -> CommunitySettings:  # a process just started: nothing in its memory
        return CommunitySettings(ledger=ledger, spec=PRO, moderation=Moderation(
            ledger=ledger, admins=frozenset(), default_limit=5))

    rules, command = Rules(slow_s=60), EditCommand("imagine", "a cat")
    try:
        await process().check(ANN, GROUP, command, rules)  # nothing recorded: let through
        job = await ledger.reserve(platform="telegram", actor=ANN.key, scope=GROUP.key,
                                   credits=1, request={"command": "imagine"})
        await ledger.refund(job, "the model refused")  # refunded, it was still a request
        wall[0] += timedelta(seconds=20)  # past midnight: the job is on yesterday's quota day
        restarted = process()
        with pytest.raises(CommandError) as caught:
            await restarted.check(ANN, GROUP, command, rules)
        assert caught.value.code == "slow_mode" and caught.value.params["seconds"] == 40
        await restarted.check(ANN, GROUP, command, rules, slowed=False)  # a further take
        await restarted.check(ANN, Scope("telegram", "-200"), command, rules)  # elsewhere
        await restarted.check(Actor("telegram", "12", "Bo"), GROUP, command, rules)
        wall[0] += timedelta(seconds=41)
        await process().check(ANN, GROUP, command, rules)  # the minute is over
    finally:
        await ledger.close()
