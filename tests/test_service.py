"""EditService with the real ledger (SQLite file) and the fake Gemini on the wire."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from bot.domain import (
    Actor,
    DeliverFn,
    Delivery,
    EditCommand,
    EditRequest,
    Job,
    Progress,
    ProgressFn,
    Scope,
    Stage,
)
from bot.edits import prepare_images, request_from_json
from bot.i18n import error_text
from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image

SCOPE = Scope("telegram", "-100")


async def request(user: str = "1", prompt: str = "add a llama", size: str | None = None,
                  ratio: str | None = "9:16", kind: str = "edit") -> EditRequest:
    images = await prepare_images([make_image(320, 240, "JPEG")]) if kind == "edit" else ()
    return EditRequest(actor=Actor("telegram", user, f"user{user}"), scope=SCOPE,
                       command=EditCommand(kind, prompt, ratio, size),  # type: ignore[arg-type]
                       images=images, origin={"chat": -100, "message": 7})


class Inbox:
    def __init__(self, fail: bool = False) -> None:
        self.delivered: list[Delivery] = []
        self.progress: list[tuple[str, Progress]] = []
        self.fail = fail

    async def deliver(self, delivery: Delivery) -> None:
        if self.fail:
            raise ConnectionError("platform said no")
        self.delivered.append(delivery)

    def progress_for(self, user: str) -> Callable[[Progress], Any]:
        async def note(event: Progress) -> None:
            self.progress.append((user, event))
        return note


async def test_edit_is_delivered_then_charged(make_core: Callable[..., Any],
                                              gemini: FakeGemini) -> None:
    core = await make_core()
    inbox = Inbox()
    outcome = await core.service.submit(await request(size="4K"), deliver=inbox.deliver)
    assert outcome.ok and len(inbox.delivered) == 1
    delivery = inbox.delivered[0]
    assert delivery.credits == 2 and delivery.credits_left == 8
    assert delivery.image.height > 4000 and delivery.ratio_mismatch is None
    job = await core.ledger.job(outcome.job_id)
    assert job.status.value == "committed"
    assert request_from_json(job.request).command.image_size == "4K"
    assert gemini.requests[0].body["generationConfig"]["imageConfig"]["imageSize"] == "4K"


async def test_three_credits_eight_requests(make_core: Callable[..., Any],
                                            gemini: FakeGemini) -> None:
    core = await make_core(default_daily_limit=3)
    gemini.delay = 0.2
    inbox = Inbox()
    outcomes = await asyncio.gather(*[
        core.service.submit(await request(prompt=f"edit {i}"), deliver=inbox.deliver)
        for i in range(8)])
    assert sorted(o.status for o in outcomes) == ["delivered"] * 3 + ["rejected"] * 5
    assert all(o.error.code == "quota_exceeded" for o in outcomes if not o.ok)  # type: ignore[union-attr]
    assert len(gemini.requests) == 3 and len(inbox.delivered) == 3


async def test_refusals_and_failures_cost_nothing(make_core: Callable[..., Any],
                                                  gemini: FakeGemini) -> None:
    core = await make_core(default_daily_limit=1)
    gemini.push(Fault.refuse("IMAGE_SAFETY"), Fault.error(400))
    inbox = Inbox()
    refused = await core.service.submit(await request(), deliver=inbox.deliver)
    failed = await core.service.submit(await request(), deliver=inbox.deliver)
    assert (refused.status, failed.status) == ("refused", "failed")
    assert refused.error.reason == "IMAGE_SAFETY"  # type: ignore[union-attr]
    assert (await core.ledger.job(refused.job_id)).status.value == "refunded"
    status = await core.ledger.status(actor="telegram:1", scope=SCOPE.key)
    assert status.used + status.reserved == 0
    assert (await core.service.submit(await request(), deliver=inbox.deliver)).ok


async def test_a_failed_delivery_is_refunded(make_core: Callable[..., Any]) -> None:
    core = await make_core()
    outcome = await core.service.submit(await request(), deliver=Inbox(fail=True).deliver)
    assert outcome.status == "failed" and outcome.error.code == "delivery_failed"  # type: ignore[union-attr]
    assert (await core.ledger.job(outcome.job_id)).status.value == "refunded"


async def test_bad_requests_cost_nothing_and_call_nothing(make_core: Callable[..., Any],
                                                          gemini: FakeGemini) -> None:
    core = await make_core()
    no_image = EditRequest(Actor("telegram", "1"), SCOPE, EditCommand("edit", "x"))
    outcome = await core.service.submit(no_image, deliver=Inbox().deliver)
    assert outcome.status == "invalid" and outcome.error.code == "no_image"  # type: ignore[union-attr]
    many = await prepare_images([make_image(40, 40, "PNG")] * 15)
    outcome = await core.service.submit(
        EditRequest(Actor("telegram", "1"), SCOPE, EditCommand("edit", "x"), many),
        deliver=Inbox().deliver)
    assert outcome.error.code == "too_many_images"  # type: ignore[union-attr]
    assert error_text(outcome.error) == "This model takes at most 14 images; you sent 15."  # type: ignore[arg-type]
    blank = EditRequest(Actor("telegram", "1"), SCOPE, EditCommand("edit", "  "), many[:1])
    outcome = await core.service.submit(blank, deliver=Inbox().deliver)
    assert error_text(outcome.error) == (  # type: ignore[arg-type]
        "Say what to do after the command, for example: /edit 9:16 add a llama")
    assert gemini.requests == [] and await core.ledger.unfinished() == []
    fourteen = EditRequest(Actor("telegram", "1"), SCOPE, EditCommand("edit", "x"), many[:14])
    assert (await core.service.submit(fourteen, deliver=Inbox().deliver)).ok  # the most allowed


async def test_concurrency_is_bounded_and_positions_are_shown(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core(gemini_max_concurrency=2)
    gemini.delay = 0.3
    inbox = Inbox()
    outcomes = await asyncio.gather(*[
        core.service.submit(await request(user=str(u)), deliver=inbox.deliver,
                            progress=inbox.progress_for(str(u))) for u in range(6)])
    assert all(o.ok for o in outcomes) and gemini.peak_in_flight == 2
    queued = [(u, p.position) for u, p in inbox.progress if p.stage is Stage.QUEUED]
    # the last one saw the line move (a place it left before it was shown is skipped)
    last = [position for u, position in queued if u == "5"]
    assert last[0] == 4 and len(last) >= 2 and last == sorted(last, reverse=True)
    assert {u for u, p in inbox.progress if p.stage is Stage.WORKING} == {str(u) for u in range(6)}


async def test_one_users_requests_run_in_order_behind_each_other(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core(gemini_max_concurrency=8)
    gemini.delay = 0.1
    inbox = Inbox()
    mine = [core.service.submit(await request(user="1", prompt=f"mine {i}"),
                                deliver=inbox.deliver) for i in range(3)]
    other = core.service.submit(await request(user="2", prompt="theirs"), deliver=inbox.deliver)
    await asyncio.gather(*mine, other)
    prompts = [r.prompt for r in gemini.requests]
    assert [p for p in prompts if p.startswith("mine")] == ["mine 0", "mine 1", "mine 2"]
    assert prompts.index("theirs") < prompts.index("mine 1")  # not stuck behind user 1
    assert gemini.peak_in_flight == 2


async def test_the_queue_serves_in_the_order_requests_were_received(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """A request whose images took longer to fetch keeps the place it had when it arrived."""
    core = await make_core(gemini_max_concurrency=1)
    gemini.delay = 0.2
    inbox = Inbox()
    early, late = await request(user="1", prompt="early"), await request(user="2", prompt="late")
    early = dataclasses.replace(early, received_at=late.received_at - 1)
    busy = asyncio.create_task(core.service.submit(
        await request(user="3", prompt="busy"), deliver=inbox.deliver))
    await asyncio.sleep(0.1)  # the only slot is taken; the two below must wait
    second = asyncio.create_task(core.service.submit(late, deliver=inbox.deliver))
    await asyncio.sleep(0.05)
    first = asyncio.create_task(core.service.submit(early, deliver=inbox.deliver))
    await asyncio.gather(busy, second, first)
    assert [r.prompt for r in gemini.requests] == ["busy", "early", "late"]


async def test_admins_are_unlimited(make_core: Callable[..., Any]) -> None:
    core = await make_core(default_daily_limit=0, bot_admins="telegram:1")
    outcome = await core.service.submit(await request(), deliver=Inbox().deliver)
    assert outcome.ok and outcome.delivery.credits_left is None  # type: ignore[union-attr]


class Resumer:
    def __init__(self, can: bool, images: bool = True) -> None:
        self.can = can
        self.images = images  # whether the job's inputs can still be fetched
        self.inbox = Inbox()
        self.told: list[int] = []

    async def rebuild(self, job: Job, *, images: bool = True
                      ) -> tuple[EditRequest, DeliverFn, ProgressFn | None] | None:
        if not self.can or (images and not self.images):
            return None
        inputs = await prepare_images([make_image(320, 240, "JPEG")]) if images else ()
        return request_from_json(job.request, inputs), self.inbox.deliver, None

    async def abandoned(self, job: Job) -> None:
        self.told.append(job.id)


async def cut_short(core: Any, gemini: FakeGemini) -> None:
    """A request cut short by a shutdown in the middle of its model call: its job stays
    reserved for the next start."""
    asked = len(gemini.requests)
    gemini.delay = 1.5
    task = asyncio.create_task(core.service.submit(await request(), deliver=Inbox().deliver))
    while len(gemini.requests) <= asked:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    gemini.delay = 0


async def test_unfinished_jobs_are_finished_or_refunded_on_start(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    await cut_short(core, gemini)
    [job] = await core.ledger.unfinished("telegram")
    resumer = Resumer(can=True)
    resumed = await core.service.resume("telegram", resumer)
    assert [j.id for j, _ in resumed] == [job.id]
    outcomes = await asyncio.gather(*(task for _, task in resumed))
    assert outcomes[0].ok and len(resumer.inbox.delivered) == 1
    assert (await core.ledger.job(job.id)).status.value == "committed"

    await cut_short(core, gemini)
    gone = Resumer(can=False)
    assert await core.service.resume("telegram", gone) == []
    [refunded] = gone.told
    assert (await core.ledger.job(refunded)).status.value == "refunded"
    assert await core.service.resume("telegram", gone) == []  # nothing left, told once
    assert gone.told == [refunded]


async def test_a_job_stopped_while_uploading_is_never_sent_twice(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """An upload cut off by a crash may have reached the user: after the restart the job is
    refunded and the user told, never redone."""
    core = await make_core()
    uploading = asyncio.Event()

    async def slow_upload(delivery: Delivery) -> None:
        uploading.set()
        await asyncio.sleep(30)

    task = asyncio.create_task(core.service.submit(await request(), deliver=slow_upload))
    await uploading.wait()
    task.cancel()  # the process dies in the middle of the upload
    await asyncio.gather(task, return_exceptions=True)
    [job] = await core.ledger.unfinished("telegram")
    assert job.delivering
    resumer = Resumer(can=True)
    assert await core.service.resume("telegram", resumer) == []
    assert resumer.told == [job.id] and resumer.inbox.delivered == []
    assert len(gemini.requests) == 1 and (await core.ledger.job(job.id)).status.value == "refunded"


async def test_charged_the_moment_the_result_arrives(make_core: Callable[..., Any]) -> None:
    core = await make_core()
    seen: list[str] = []

    async def deliver(delivery: Delivery) -> None:
        await delivery.arrived()  # the photo is there; a full-size file would follow
        seen.append((await core.ledger.job(delivery.job_id)).status.value)
        raise ConnectionError("the extra file failed")

    outcome = await core.service.submit(await request(), deliver=deliver)
    assert seen == ["committed"] and outcome.ok  # the user has it: charged once, not refunded


async def test_a_paid_result_is_kept_and_delivered_after_a_restart_without_paying_again(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """Stopped after the model answered (and was paid) but before the upload began: the next
    start delivers the kept result; the inputs are not even needed any more."""
    from bot.edits import request_to_json

    core = await make_core()
    asked = await request()
    # what JobRunner.run leaves behind when the process dies right after keeping the result
    job_id = await core.ledger.reserve(platform="telegram", actor=asked.actor.key,
                                       scope=asked.scope.key, credits=1,
                                       request=request_to_json(asked))
    image = await core.gemini.generate(asked.command.prompt, asked.images)
    await core.ledger.keep_result(job_id, image)
    await core.ledger.release(job_id)
    [job] = await core.ledger.unfinished("telegram")
    assert job.has_result and not job.delivering
    resumer = Resumer(can=True, images=False)  # the photo can no longer be downloaded
    [(_, resumed)] = await core.service.resume("telegram", resumer)
    assert (await resumed).ok and len(resumer.inbox.delivered) == 1
    assert resumer.inbox.delivered[0].image.data == image.data
    assert len(gemini.requests) == 1  # paid once
    assert (await core.ledger.job(job.id)).status.value == "committed"  # type: ignore[union-attr]
    assert await core.ledger.result(job.id) is None  # deleted once delivered


async def test_a_shutdown_while_a_paid_result_waits_for_its_turn_keeps_it_for_the_next_start(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """The result is kept while it waits for its turn to be sent (a platform's flood limits):
    stopped there, the next start delivers it and the model is not asked again."""
    core = await make_core()
    waiting = asyncio.Event()

    async def ready() -> None:
        waiting.set()
        await asyncio.Event().wait()  # its turn never comes before the shutdown

    task = asyncio.create_task(core.service.submit(await request(), deliver=Inbox().deliver,
                                                   ready=ready))
    await waiting.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    [job] = await core.ledger.unfinished("telegram")
    assert job.asked and job.has_result and not job.delivering
    resumer = Resumer(can=True, images=False)  # the photo can no longer be downloaded
    [(_, resumed)] = await core.service.resume("telegram", resumer)
    assert (await resumed).ok and len(resumer.inbox.delivered) == 1
    assert len(gemini.requests) == 1  # paid once
    assert (await core.ledger.job(job.id)).status.value == "committed"  # type: ignore[union-attr]


async def test_the_services_other_doors_check_a_request_know_operators_and_run_a_job(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """Beside submit: validate says what is wrong before anything is held, is_admin knows
    BOT_ADMINS, and run finishes a job already reserved (charged once, delivered once)."""
    import pytest

    from bot.edits import request_to_json
    from bot.errors import CommandError

    core = await make_core(bot_admins="telegram:9")
    asked = await request()
    core.service.validate(asked)
    with pytest.raises(CommandError) as refused:
        core.service.validate(dataclasses.replace(asked, images=()))
    assert refused.value.code == "no_image"
    assert core.service.is_admin(Actor("telegram", "9", "op"))
    assert not core.service.is_admin(asked.actor)
    job_id = await core.ledger.reserve(platform="telegram", actor=asked.actor.key,
                                       scope=asked.scope.key, credits=1,
                                       request=request_to_json(asked))
    inbox = Inbox()
    outcome = await core.service.run(job_id, asked, 1, deliver=inbox.deliver)
    assert outcome.ok and len(inbox.delivered) == 1 and len(gemini.requests) == 1
    status = await core.ledger.status(actor=asked.actor.key, scope=asked.scope.key)
    assert (status.used, status.reserved) == (1, 0)


async def test_a_result_is_kept_before_its_delivery_starts(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    kept: list[bool] = []

    async def deliver(delivery: Delivery) -> None:
        kept.append((await core.ledger.result(delivery.job_id)) is not None)

    outcome = await core.service.submit(await request(), deliver=deliver)
    assert outcome.ok and kept == [True] and await core.ledger.unfinished() == []
    assert await core.ledger.result(outcome.job_id) is None  # type: ignore[arg-type]
