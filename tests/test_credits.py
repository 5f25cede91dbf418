"""Credits people buy, in the ledger (every backend, see tests/test_ledger.py): a purchase is
credited once per charge id, the day's free allowance goes first and the bought balance after
in the one reservation, refunds return each credit to where it came from, and a refund of a
purchase takes back exactly the credits not yet used."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.errors import QuotaExceeded
from bot.ledger import copy_ledger
from tests import test_ledger
from tests.conftest import Clock

make_ledger = test_ledger.make_ledger  # every backend
reserve = test_ledger.reserve
G = "telegram:group:-5"
ME = "telegram:1"


async def attempt(ledger: Any, actor: str = ME, scope: str = G, credits: int = 1) -> bool:
    try:
        await reserve(ledger, actor, scope, credits)
        return True
    except QuotaExceeded:
        return False


async def test_a_purchase_is_credited_once_per_charge(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    assert await ledger.credit(platform="telegram", charge_id="ch1", actor=ME, pack="10:50",
                               credits=10, stars=50)
    again = await asyncio.gather(*(ledger.credit(
        platform="telegram", charge_id="ch1", actor=ME, pack="10:50", credits=10, stars=50)
        for _ in range(5)))
    assert not any(again)
    assert await ledger.balance(ME) == 10
    # the same id on another platform is another purchase
    assert await ledger.credit(platform="discord", charge_id="ch1", actor="discord:1",
                               pack="77", credits=3)
    assert await ledger.balance(ME) == 10 and await ledger.balance("discord:1") == 3
    sales = await ledger.sales()
    assert (sales["stars"], sales["credits_sold"], sales["purchases"]) == (50, 13, 2)
    audit = await ledger.audit_log("payments:telegram")
    assert [(a["action"], a["actor"], a["target"], a["new_value"]) for a in audit] == [
        ("purchase", ME, "ch1", 10)]


async def test_free_allowance_first_then_the_balance(make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=2)
    await ledger.credit(platform="telegram", charge_id="c", actor=ME, pack="3:15", credits=3)
    assert [await attempt(ledger) for _ in range(6)] == [True] * 5 + [False]
    status = await ledger.status(actor=ME, scope=G)
    assert (status.reserved, status.day_left, status.balance, status.spendable) == (2, 0, 0, 0)
    assert await ledger.balance(ME) == 0


async def test_a_4k_edit_takes_the_last_free_credit_and_one_bought(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=1)
    await ledger.credit(platform="telegram", charge_id="c", actor=ME, pack="1:5", credits=1)
    job = await reserve(ledger, credits=2)
    assert await ledger.balance(ME) == 0
    assert not await attempt(ledger)
    assert await ledger.refund(job)  # each credit back where it came from
    status = await ledger.status(actor=ME, scope=G)
    assert (status.day_left, status.balance) == (1, 1)


async def test_moderators_bound_the_free_allowance_and_zero_stops_everything(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger()
    await ledger.set_limit(scope=G, kind="default", per_day=1, by="mod")
    await ledger.credit(platform="telegram", charge_id="c", actor=ME, pack="5:25", credits=5)
    assert [await attempt(ledger) for _ in range(3)] == [True, True, True]  # 1 free, 2 bought
    await ledger.set_limit(scope=G, kind="member", member=ME, per_day=0, by="mod")
    assert not await attempt(ledger)  # stopped here, though 3 bought are left
    status = await ledger.status(actor=ME, scope=G)
    assert (status.balance, status.stopped, status.spendable) == (3, True, 0)
    assert await attempt(ledger, scope="telegram:7")  # their own chat: not stopped
    await ledger.set_limit(scope=G, kind="member", member=ME, per_day=None, by="mod")
    await ledger.set_limit(scope=G, kind="total", per_day=0, by="mod")
    assert not await attempt(ledger)  # the chat's budget of 0 stops it too


async def test_fifty_at_once_with_three_bought_and_none_free(
        make_ledger: Callable[..., Any]) -> None:
    ledger = await make_ledger(user_limit=0)
    await ledger.credit(platform="discord", charge_id="e1", actor=ME, pack="9", credits=3)
    assert sum(await asyncio.gather(*(attempt(ledger) for _ in range(50)))) == 3
    assert await ledger.balance(ME) == 0


async def test_a_refund_takes_back_exactly_the_unused_credits(
        make_ledger: Callable[..., Any], clock: Clock) -> None:
    ledger = await make_ledger(user_limit=0)
    await ledger.credit(platform="telegram", charge_id="a", actor=ME, pack="10:50", credits=10,
                        stars=50)
    for _ in range(4):
        job = await reserve(ledger)
        await ledger.commit(job)
    held = await reserve(ledger)  # in flight: spent unless it is refunded
    clock.now += timedelta(days=1)  # bought credits do not reset daily
    refunded = await ledger.take_back(platform="telegram", charge_id="a", by="telegram:99")
    assert refunded is not None
    assert (refunded.actor, refunded.credits, refunded.again) == (ME, 5, False)
    assert await ledger.balance(ME) == 0
    again = await ledger.take_back(platform="telegram", charge_id="a", by="telegram:99")
    assert again is not None and (again.credits, again.again) == (5, True)
    assert await ledger.take_back(platform="telegram", charge_id="zz", by="x") is None
    assert await ledger.refund(held)  # the edit failed: its bought credit comes back
    assert await ledger.balance(ME) == 1
    sales = await ledger.sales()
    assert (sales["refunds"], sales["stars_refunded"]) == (1, 50)


@pytest.mark.parametrize("engine", ["sqlite"])
async def test_copy_ledger_copies_purchases(engine: str, tmp_path: Any, clock: Clock) -> None:
    source = f"sqlite:///{tmp_path}/a.sqlite3"
    ledger = test_ledger._one(source, clock, "UTC")
    await ledger.migrate()
    await ledger.credit(platform="telegram", charge_id="a", actor=ME, pack="10:50", credits=10)
    await ledger.close()
    copied = await copy_ledger(source, f"sqlite:///{tmp_path}/b.sqlite3")
    assert copied["purchases"] == 1
    target = test_ledger._one(f"sqlite:///{tmp_path}/b.sqlite3", clock, "UTC")
    assert await target.balance(ME) == 10
    await target.close()
