"""Edges of the edit service that mutation testing found unguarded: the credit check at its
boundary, each platform resuming only its own jobs, the request's origin surviving the round
trip, and the note when the model ignores the ratio."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from bot.domain import Actor, EditCommand, Job, Progress, Stage
from bot.edits import request_from_json, request_to_json
from bot.errors import DuplicateRequest, InputError, NotAllowed, QuotaExceeded
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.test_service import SCOPE, Inbox, Resumer, cut_short, request


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
    await cut_short(core, gemini)
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




async def test_again_and_4k_belong_to_the_requester_and_say_nothing_else(
        make_core: Callable[..., Any]) -> None:
    core = await make_core()
    sent = dataclasses.replace(await request(ratio="3:4"), origin={"files": ["a"], "chat": -100})
    outcome = await core.service.submit(sent, deliver=Inbox().deliver)
    job = str(outcome.job_id)
    again = await core.service.repeat(job, sent.actor, "again", needs="files")
    assert (again.actor, again.command, again.scope, again.origin, again.images) == (
        sent.actor, sent.command, SCOPE, sent.origin, ())
    bigger = await core.service.repeat(job, sent.actor, "4k", needs="files")
    assert bigger.command == EditCommand("edit", "add a llama", "3:4", "4K")
    assert core.service.credits_for(bigger.command) == 2
    with pytest.raises(NotAllowed) as theirs:
        await core.service.repeat(job, Actor("telegram", "2", "Bob"), "again", needs="files")
    assert theirs.value.code == "not_your_button"
    for gone, needs in ((job, "links"), ("999", "files"), ("x1", "files"), ("١", "files"),
                        (str(2**63), "files"), ("", "files")):
        with pytest.raises(InputError) as missing:  # never says whose or where
            await core.service.repeat(gone, sent.actor, "again", needs=needs)
        assert missing.value.code == "job_gone" and missing.value.params == {}
    follow_up = dataclasses.replace(sent, images=(), parent=outcome.job_id)
    later = (await core.service.submit(follow_up, deliver=Inbox().deliver)).job_id
    again = await core.service.repeat(str(later), sent.actor, "again", needs="files")
    assert again.parent == outcome.job_id  # still a reply to the earlier result


async def test_4k_is_gone_on_a_model_without_it(make_core: Callable[..., Any]) -> None:
    core = await make_core(gemini_model="gemini-2.5-flash-image")
    for _ in range(130):  # job ids past 126 are as good as any
        await core.ledger.reserve(platform="cli", actor="cli:op", scope="cli:op", credits=1,
                                  request={}, unlimited=True)
    sent = dataclasses.replace(await request(), origin={"files": ["a"]})
    job = str((await core.service.submit(sent, deliver=Inbox().deliver)).job_id)
    assert (await core.service.repeat(job, sent.actor, "again", needs="files")).command == (
        sent.command)
    with pytest.raises(InputError) as missing:
        await core.service.repeat(job, sent.actor, "4k", needs="files")
    assert missing.value.code == "job_gone"


class Fussy(Resumer):
    """Can rebuild every job but one, whose inputs make it raise."""

    def __init__(self, broken: int) -> None:
        super().__init__(can=True)
        self.broken = broken

    async def rebuild(self, job: Job, *, images: bool = True) -> Any:
        if job.id == self.broken:
            raise ValueError("its inputs cannot be read")
        rebuilt = await super().rebuild(job, images=images)
        assert rebuilt is not None
        return (*rebuilt[:2], self.inbox.progress_for(job.actor_key))


async def test_a_restart_settles_every_job_whatever_comes_before_it(
        make_core: Callable[..., Any]) -> None:
    core = await make_core()
    ledger, sent = core.ledger, request_to_json(await request())
    ids = [await ledger.reserve(platform="telegram", actor="telegram:1", scope=SCOPE.key,
                                credits=credits, request=sent) for credits in (1, 2, 1)]
    delivering, broken, fine = ids
    assert await ledger.delivering(delivering)  # may have reached the user
    for job in ids:
        await ledger.release(job)  # a clean shutdown
    resumer = Fussy(broken)
    resumed = await core.service.resume("telegram", resumer)
    assert [job.id for job, _ in resumed] == [fine]
    assert (await resumed[0][1]).ok and len(resumer.inbox.delivered) == 1
    assert resumer.told == [delivering, broken]  # both told, both given back
    status = await ledger.status(actor="telegram:1", scope=SCOPE.key)
    assert (status.used, status.reserved) == (1, 0)
    refunded = core.metrics.registry.get_sample_value(
        "editbot_credits_total", {"platform": "telegram", "event": "refunded"})
    assert refunded == 3  # 1 + 2, counted for the platform that gave them back
    assert core.metrics.registry.get_sample_value(
        "editbot_credits_total", {"platform": "telegram", "event": "committed"}) == 1
    assert resumer.inbox.progress  # the resumed job shows its progress again


async def test_the_operators_stats_tell_refusals_from_failures(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    gemini.push(Fault.refuse())
    refused = await core.service.submit(await request(), deliver=Inbox().deliver)
    gemini.push(Fault.error(400))
    failed = await core.service.submit(await request(), deliver=Inbox().deliver)
    broken = await core.service.submit(await request(), deliver=Inbox(fail=True).deliver)
    await core.service.submit(await request(), deliver=Inbox().deliver)
    assert (refused.status, failed.status, broken.status) == ("refused", "failed", "failed")
    today = (await core.stats.report(None)).today
    assert {k: today.outcomes[k] for k in ("delivered", "refused", "failed")} == {
        "delivered": 1, "refused": 1, "failed": 2}
    status = await core.ledger.status(actor="telegram:1", scope=SCOPE.key)
    assert (status.used, status.reserved) == (1, 0)  # only the delivered one is charged


async def test_a_replayed_message_is_a_duplicate_and_costs_nothing(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    sent = dataclasses.replace(await request(), origin={"key": "telegram:-100:7"})
    assert (await core.service.submit(sent, deliver=Inbox().deliver)).ok
    inbox = Inbox()
    again = await core.service.submit(sent, deliver=inbox.deliver)
    assert again.status == "duplicate" and isinstance(again.error, DuplicateRequest)
    assert len(gemini.requests) == 1 and inbox.delivered == []
    assert (await core.ledger.status(actor="telegram:1", scope=SCOPE.key)).used == 1
    assert core.metrics.registry.get_sample_value("editbot_edits_total", {
        "platform": "telegram", "outcome": "duplicate", "size": "default"}) == 1


async def test_a_request_that_ends_early_gives_its_place_in_line_back(
        make_core: Callable[..., Any]) -> None:
    core = await make_core(gemini_max_concurrency=1)
    ann, bob = Actor("telegram", "1", "Ann"), Actor("telegram", "2", "Bob")
    first = core.service._admission.opening(ann, received_at=1.0)
    assert first.progress.stage is Stage.WORKING  # nobody ahead
    blank = dataclasses.replace(await request(), command=EditCommand("edit", " ", None))
    outcome = await core.service.submit(blank, deliver=Inbox().deliver, opening=first)
    assert outcome.status == "invalid"
    after = core.service._admission.opening(bob, received_at=2.0)
    assert after.progress.stage is Stage.WORKING  # Ann's place was given back
    core.service._admission.drop(after)


async def test_a_result_waits_for_the_platforms_turn_to_send(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    inbox, turn, waiting = Inbox(), asyncio.Event(), asyncio.Event()

    async def ready() -> None:  # the adapter's turn within the platform's flood limits
        waiting.set()
        await turn.wait()

    run = asyncio.create_task(core.service.submit(await request(), deliver=inbox.deliver,
                                                  ready=ready))
    await asyncio.wait_for(waiting.wait(), 10)
    await asyncio.sleep(0.3)  # long enough for a result sent without waiting to arrive
    assert inbox.delivered == [] and not run.done()
    turn.set()
    outcome = await asyncio.wait_for(run, 10)
    assert outcome.ok and len(inbox.delivered) == 1


async def test_a_reply_to_a_result_sends_the_conversation_so_far(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    for _ in range(3):  # job ids and the turns' own row ids part ways
        await core.ledger.reserve(platform="cli", actor="cli:op", scope="cli:op", credits=1,
                                  request={}, unlimited=True)
    sent = await request(prompt="add a llama")
    first = await core.service.submit(sent, deliver=Inbox().deliver)
    follow_up = dataclasses.replace(sent, images=(), parent=first.job_id,
                                    command=EditCommand("edit", "now make it blue", "9:16"))
    assert (await core.service.submit(follow_up, deliver=Inbox().deliver)).ok
    turns = gemini.requests[-1].body["contents"]
    assert [turn["role"] for turn in turns] == ["user", "model", "user"]
    assert turns[0]["parts"][-1] == {"text": "add a llama"}
    assert turns[-1]["parts"] == [{"text": "now make it blue"}]


async def test_a_delivery_shows_the_credits_left_in_this_chat_and_charges_on_arrival(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core(default_daily_limit=10)
    await core.ledger.set_limit(scope=SCOPE.key, kind="default", per_day=3, by="telegram:99")
    inbox, arrived = Inbox(), []

    async def deliver(delivery: Any) -> None:
        await inbox.deliver(delivery)
        arrived.append(await delivery.on_arrival())  # the platform said the photo is there

    outcome = await core.service.submit(await request(), deliver=deliver,
                                        progress=inbox.progress_for("1"))
    assert outcome.ok and arrived == [True]
    assert inbox.delivered[0].credits_left == 2  # this chat's 3, not the default 10
    assert core.metrics.registry.get_sample_value(
        "editbot_credits_total", {"platform": "telegram", "event": "committed"}) == 1
    assert [event for _, event in inbox.progress] == [
        Progress(Stage.WORKING), Progress(Stage.DELIVERING)]  # "Working on it…", "Sending…"


async def test_a_job_lost_to_another_process_before_its_turn_to_send_is_not_sent(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    inbox = Inbox()

    async def ready() -> None:  # meanwhile its lease passed on (this process looked dead)
        await core.ledger.release(1)

    outcome = await core.service.submit(await request(), deliver=inbox.deliver, ready=ready)
    assert (outcome.status, outcome.job_id) == ("duplicate", 1)
    assert isinstance(outcome.error, DuplicateRequest) and inbox.delivered == []
    job = await core.ledger.job(1)
    assert job is not None and job.status.value == "reserved"  # left to its new owner


async def test_a_job_lost_to_another_process_while_in_line_is_never_sent_to_the_model(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core(gemini_max_concurrency=1)
    gemini.delay = 0.5
    first = asyncio.create_task(core.service.submit(await request(), deliver=Inbox().deliver))
    await asyncio.wait_for(_until(lambda: len(gemini.requests) == 1), 10)
    second = asyncio.create_task(core.service.submit(await request(prompt="add a cat"),
                                                     deliver=Inbox().deliver))
    while (await core.ledger.status(actor="telegram:1", scope=SCOPE.key)).reserved < 2:
        await asyncio.sleep(0.01)  # reserved, in line behind the first
    await core.ledger.release(2)  # meanwhile its lease passes on (this process looked dead)
    assert (await asyncio.wait_for(first, 10)).ok
    outcome = await asyncio.wait_for(second, 10)
    assert (outcome.status, outcome.job_id) == ("duplicate", 2)
    assert isinstance(outcome.error, DuplicateRequest)
    assert len(gemini.requests) == 1  # left to whoever holds it now: never asked here
    # its estimate stays held in the ledger, once, for whichever process holds the job now
    assert 0 < (await core.budget.spending()).day_held_usd < 0.2
    job = await core.ledger.job(2)
    assert job is not None and job.status.value == "reserved" and not job.asked


async def test_a_failure_after_the_result_arrived_still_counts_as_delivered(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()

    async def deliver(delivery: Any) -> None:
        await delivery.arrived()  # the user has it, and is charged for it
        raise RuntimeError("a later step failed")  # the status message could not be removed

    outcome = await core.service.submit(await request(), deliver=deliver)
    assert (outcome.status, outcome.job_id) == ("delivered", 1)
    assert outcome.delivery is not None and outcome.delivery.job_id == 1
    status = await core.ledger.status(actor="telegram:1", scope=SCOPE.key)
    assert (status.used, status.reserved) == (1, 0)  # charged once, not given back


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_refusals_and_failures_say_why_and_count_the_credits_given_back(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    gemini.push(Fault.refuse("IMAGE_SAFETY"), Fault.error(400))
    refused = await core.service.submit(await request(size="4K"), deliver=Inbox().deliver)
    failed = await core.service.submit(await request(), deliver=Inbox().deliver)
    assert (refused.status, failed.status) == ("refused", "failed")
    assert failed.error is not None and failed.error.code  # the reply says what went wrong
    for outcome in (refused, failed):
        job = await core.ledger.job(outcome.job_id)  # type: ignore[arg-type]
        assert job is not None and job.status.value == "refunded"
    assert core.metrics.registry.get_sample_value(
        "editbot_credits_total", {"platform": "telegram", "event": "refunded"}) == 3  # 2 + 1
