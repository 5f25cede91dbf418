"""Spend in dollars and the daily budget, with the real ledger and the fake Gemini on the wire."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import Core
from bot.domain import Actor, Delivery, EditCommand, EditRequest, Scope, TokenUsage
from bot.edits import prepare_images
from bot.errors import BudgetReached
from bot.i18n import error_text
from bot.ledger import jobs
from bot.pricing import PriceTable, family_of
from tests.fakes.gemini_server import FakeGemini, Fault, usage_for
from tests.fakes.images import make_image

MODEL = "gemini-3-pro-image-preview"
SCOPE = Scope("telegram", "-100")
PROMPT = "add a llama"


def expected_cost(size: str = "1K", inputs: int = 1, *, image: bool = True) -> float:
    """What one edit against the fake costs, from the fake's usageMetadata and the table."""
    raw = usage_for(MODEL, PROMPT, inputs, size, image=image)
    usage = TokenUsage(prompt=raw["promptTokenCount"], output=raw["candidatesTokenCount"],
                       thoughts=raw.get("thoughtsTokenCount", 0), total=raw["totalTokenCount"])
    return PriceTable(MODEL).spend(size, usage, inputs, produced=image).cost_usd


async def edit(core: Core, user: str = "1", size: str | None = None) -> Any:
    images = await prepare_images([make_image(320, 240, "JPEG")])
    request = EditRequest(actor=Actor("telegram", user, f"user{user}"), scope=SCOPE,
                          command=EditCommand("edit", PROMPT, None, size), images=images)

    async def deliver(delivery: Delivery) -> None:
        await delivery.arrived()

    return await core.service.submit(request, deliver=deliver)


async def job_rows(core: Core) -> list[Any]:
    async with core.ledger.engine.connect() as conn:
        return list((await conn.execute(select(jobs).order_by(jobs.c.id))).mappings().all())


def test_the_price_table() -> None:
    pro = PriceTable("models/gemini-3-pro-image-preview")
    assert pro.family == "gemini-3-pro-image" and family_of("gemini-2.5-flash-image") == (
        "gemini-2.5-flash-image")
    assert pro.image_usd("1K") == pro.image_usd("2K") == 0.134 and pro.image_usd("4K") == 0.24
    assert PriceTable("gemini-2.5-flash-image").image_usd("1K") == 0.039
    assert PriceTable("some-new-image-model").family == "gemini-3-pro-image"  # errs dear
    # an input image at Pro's input rate ($2 per million tokens, 560 tokens an image)
    four_k = pro.spend("4K", TokenUsage(prompt=560, output=2000, thoughts=0), 1)
    assert four_k.cost_usd == pytest.approx(0.24 + 560 * 2 / 1e6)
    # a gateway's own prices
    gateway = PriceTable(MODEL, {"1K": 0.05, "4K": 0.1, "input": 0.0})
    assert gateway.spend("1K", TokenUsage(prompt=5000), 3).cost_usd == 0.05
    assert gateway.estimate(EditCommand("edit", "x", None, "4K"), 2) == 0.1
    # an estimate never exceeds what the answer will cost (the budget must not refuse early)
    command = EditCommand("edit", PROMPT, None, None)
    assert pro.estimate(command, 1) <= expected_cost()


async def test_each_job_records_usage_and_cost(make_core: Callable[..., Any],
                                               gemini: FakeGemini) -> None:
    core = await make_core()
    assert (await edit(core)).status == "delivered"
    gemini.push(Fault.refuse("IMAGE_SAFETY"))
    assert (await edit(core)).status == "refused"
    gemini.push(Fault.error(400))
    assert (await edit(core)).status == "failed"
    delivered, refused, failed = await job_rows(core)
    raw = usage_for(MODEL, PROMPT, 1, "1K")
    assert (delivered["prompt_tokens"], delivered["output_tokens"], delivered["thoughts_tokens"],
            delivered["total_tokens"]) == (raw["promptTokenCount"], raw["candidatesTokenCount"],
                                           raw["thoughtsTokenCount"], raw["totalTokenCount"])
    assert delivered["model"] == MODEL and delivered["cost_usd"] == expected_cost()
    assert delivered["estimated_usd"] == pytest.approx(0.134, abs=0.002)
    # a refusal still paid for its prompt and thinking, not for an image
    assert refused["cost_usd"] == expected_cost(image=False) and refused["cost_usd"] < 0.01
    assert failed["cost_usd"] is None  # no answer, nothing to pay for
    spent = await core.budget.spending()
    assert spent.day_cost_usd == pytest.approx(expected_cost() + expected_cost(image=False))
    assert spent.day_held_usd == 0


async def test_an_answer_that_could_not_be_delivered_is_still_counted_as_spent(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """The upload failed: the user's credit comes back, the operator's spend does not (the
    model's answer was paid for), and the spend is on the books before the upload starts, so
    a crash in the middle of it loses nothing."""
    core = await make_core()
    images = await prepare_images([make_image(320, 240, "JPEG")])
    request = EditRequest(actor=Actor("telegram", "1", "user1"), scope=SCOPE,
                          command=EditCommand("edit", PROMPT, None, None), images=images)
    during_upload: list[Any] = []

    async def deliver(delivery: Delivery) -> None:
        during_upload.extend(await job_rows(core))
        raise ConnectionResetError("the platform hung up")

    outcome = await core.service.submit(request, deliver=deliver)
    assert outcome.status == "failed" and outcome.error.code == "delivery_failed"  # type: ignore[union-attr]
    assert outcome.error.transient and outcome.error.detail == "ConnectionResetError"  # type: ignore[union-attr]
    [uploading] = during_upload
    assert uploading["cost_usd"] == expected_cost() and uploading["status"] == "reserved"
    [row] = await job_rows(core)
    assert (row["status"], row["note"]) == ("refunded", "delivery:ConnectionResetError")
    assert row["cost_usd"] == expected_cost()
    assert (await core.budget.spending()).day_cost_usd == pytest.approx(expected_cost())
    counted = core.metrics.registry.get_sample_value
    assert counted("editbot_credits_total", {"platform": "telegram", "event": "refunded"}) == 1
    assert counted("editbot_credits_total", {"platform": "telegram", "event": "committed"}) in (
        None, 0)
    status = await core.ledger.status(actor="telegram:1", scope=SCOPE.key)
    assert status.used + status.reserved == 0


class Operators:
    """A messenger the adapters would connect; here it keeps what operators were told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    async def __call__(self, user_id: str, words: str) -> None:
        self.told.append((user_id, words))


async def test_budget_alerts_at_80_percent_once_and_survives_a_restart(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    budget = round(expected_cost() * 1.2, 6)
    core = await make_core(daily_budget_usd=budget, bot_admins="telegram:77,discord:88")
    operators = Operators()
    core.alerts.connect("telegram", operators)
    assert (await edit(core)).status == "delivered"  # 83% of the budget
    await core.alerts.settle()
    [(user_id, words)] = operators.told
    assert user_id == "77" and words == (
        f"editbot: today's estimated spend is ${expected_cost():.2f}, 83% of the daily "
        "budget of $0.17.")
    outcome = await edit(core, user="2")  # another 1K edit would pass the budget
    assert outcome.status == "rejected" and isinstance(outcome.error, BudgetReached)
    assert error_text(outcome.error) == ("The bot has reached its budget for today; it resets "
                                         "at 00:00 UTC. Nothing was charged.")
    assert len(gemini.requests) == 1 and len(await job_rows(core)) == 1
    await core.alerts.settle()
    assert len(operators.told) == 1

    again = await make_core(daily_budget_usd=budget, bot_admins="telegram:77")
    assert (await again.budget.spending()).day_cost_usd == expected_cost()  # from the ledger
    assert (await edit(again, user="3")).status == "rejected"


async def test_operators_hear_when_the_budget_is_spent_and_when_edits_start_again(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    """Half the budget says nothing; the edit that spends the rest tells the operators once,
    with the day's figures and the hour edits are taken again."""
    core = await make_core(daily_budget_usd=expected_cost() * 2, bot_admins="telegram:77")
    operators = Operators()
    core.alerts.connect("telegram", operators)
    assert (await edit(core)).status == "delivered"  # 50%
    await core.alerts.settle()
    assert operators.told == []
    assert (await edit(core, user="2")).status == "delivered"  # 100%
    await core.alerts.settle()
    spent = f"{expected_cost() * 2:.2f}"
    assert operators.told == [("77", f"editbot: today's estimated spend is ${spent}, 100% of "
                                     f"the daily budget of ${spent}. New edits are refused "
                                     "until 00:00 UTC.")]


async def test_a_budget_day_resets_with_the_quota_day(make_core: Callable[..., Any],
                                                      clock: Any) -> None:
    from datetime import timedelta

    core = await make_core(daily_budget_usd=expected_cost())
    assert (await edit(core)).status == "delivered"
    assert (await edit(core, user="2")).status == "rejected"
    clock.now += timedelta(days=1)
    assert (await core.budget.spending()).day_cost_usd == 0
    assert (await edit(core, user="2")).status == "delivered"


async def test_concurrent_requests_cannot_pass_the_budget_together(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    import asyncio

    gemini.delay = 0.3
    core = await make_core(daily_budget_usd=round(expected_cost() * 3.5, 6))
    outcomes = await asyncio.gather(*(edit(core, user=str(i)) for i in range(8)))
    assert sorted(o.status for o in outcomes).count("delivered") == 3
    assert len(gemini.requests) == 3
    assert (await core.budget.spending()).day_cost_usd <= expected_cost() * 3.5
