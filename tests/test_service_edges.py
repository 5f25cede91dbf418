"""Edges of the edit service that mutation testing found unguarded: the credit check at its
boundary, each platform resuming only its own jobs, the request's origin surviving the round
trip, and the note when the model ignores the ratio."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.domain import Actor, EditCommand
from bot.errors import QuotaExceeded
from bot.service import request_from_json, request_to_json
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.test_service import SCOPE, Inbox, Resumer, request


async def test_exactly_enough_credits_is_enough(make_core: Callable[..., Any]) -> None:
    core = await make_core(default_daily_limit=2)
    ann = Actor("telegram", "1", "Ann")
    await core.service.admit(ann, SCOPE, EditCommand("edit", "x", None, "4K"))  # costs 2 of 2
    outcome = await core.service.submit(await request(), deliver=Inbox().deliver)
    assert outcome.ok  # one credit used, one left
    try:
        await core.service.admit(ann, SCOPE, EditCommand("edit", "x", None, "4K"))
    except QuotaExceeded as refused:
        assert (refused.params["used"], refused.params["limit"], refused.params["credits"]) == (
            1, 2, 2)
        assert refused.params["resets_at"] is not None
    else:
        raise AssertionError("a 4K edit with one credit left was admitted")
    await core.service.admit(ann, SCOPE, EditCommand("edit", "x"))  # one credit: still fine


async def test_each_platform_resumes_only_its_own_jobs(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    gemini.delay = 1.5
    task = asyncio.create_task(core.service.submit(await request(), deliver=Inbox().deliver))
    while not gemini.requests:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    other = Resumer(can=True)
    assert await core.service.resume("discord", other) == [] and other.told == []
    [job] = await core.ledger.unfinished("telegram")
    assert job.platform == "telegram"


async def test_a_request_survives_its_round_trip(make_core: Callable[..., Any]) -> None:
    sent = await request()
    again = request_from_json(request_to_json(sent), sent.images)
    assert again == sent and again.origin == {"chat": -100, "message": 7}
    bare = request_to_json(sent)
    del bare["origin"]
    assert request_from_json(bare).origin == {}


async def test_a_shape_the_model_ignored_is_noted(make_core: Callable[..., Any],
                                                  gemini: FakeGemini) -> None:
    core = await make_core()
    inbox = Inbox()
    await core.service.submit(await request(ratio="9:16"), deliver=inbox.deliver)
    gemini.push(Fault.simple("ignore_ratio"))
    await core.service.submit(await request(ratio="9:16"), deliver=inbox.deliver)
    kept, ignored = inbox.delivered
    assert kept.ratio_mismatch is None
    assert ignored.ratio_mismatch is not None and ignored.ratio_mismatch > 0.3


