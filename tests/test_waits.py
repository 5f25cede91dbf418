"""A queued job's likely wait: its place over the calls allowed at once, times the model's
recent median time, in words people use; nothing before the model was timed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.waiting import progress_words, wait_words
from bot.domain import Progress, Stage
from bot.edits.waits import Waits


def test_a_wait_is_said_in_tens_of_seconds_then_whole_minutes() -> None:
    assert [wait_words(s, "en") for s in (0.4, 4, 38, 54, 55, 100, 610)] == [
        "10 s", "10 s", "40 s", "50 s", "1 min", "2 min", "10 min"]
    assert wait_words(130, "vi") == "2 phút" and wait_words(20, "ru") == "20 с"


def test_a_place_is_shown_with_its_wait_only_once_one_is_known() -> None:
    assert progress_words(Progress(Stage.QUEUED, 3), "en") == "Queued: #3 in line…"
    assert progress_words(Progress(Stage.QUEUED, 3, 38.0), "en") == (
        "Queued: #3 in line, about 40 s…")
    assert progress_words(Progress(Stage.QUEUED, 2, 130.0), "es") == (
        "En cola: n.º 2, unos 2 min…")
    assert progress_words(Progress(Stage.WORKING, 0, 38.0), "en") == "Working on it…"


async def test_the_estimate_counts_places_per_slot_times_the_median_answer(
        make_core: Callable[..., Any]) -> None:
    core = await make_core()
    waits = Waits(core.ledger, capacity=2)
    assert waits.estimate(3) is None  # nothing timed yet: no guess
    for seconds in (10.0, 30.0, 20.0):
        waits.measured(seconds)
    assert waits.estimate(1) == 20.0 and waits.estimate(2) == 20.0
    assert waits.estimate(3) == 40.0 and waits.estimate(5) == 60.0
