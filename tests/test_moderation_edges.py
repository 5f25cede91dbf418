"""Edges of the core's moderation service that mutation testing found unguarded: what /quota
and /usage read, who may read limits, the range a limit may take, and what a change reports.
(The rules table is tests/test_moderation.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.commands import MAX_LIMIT
from bot.domain import Scope
from bot.errors import CommandError, NotAllowed
from tests.test_moderation import ANNS_CHAT, GROUP, OPERATOR
from tests.test_moderation import MEMBER as ANN

OTHER = Scope("telegram", "-200", private=False)


@pytest.fixture
async def core(make_core: Callable[..., Any]) -> Any:
    return await make_core(bot_admins="telegram:1", default_daily_limit=10)


async def test_quota_and_usage_read_the_right_group(core: Any) -> None:
    moderation = core.moderation
    for scope in (GROUP, GROUP, OTHER):
        job = await core.ledger.reserve(platform="telegram", actor=ANN.key, scope=scope.key,
                                        credits=1, request={})
        await core.ledger.commit(job)
    view = await moderation.quota(ANN, GROUP)
    assert (view.status.used, view.status.limit) == (2, 10)
    assert view.scope_usage is not None and view.scope_usage.members == {ANN.key: 2}
    assert (await moderation.quota(ANN, ANNS_CHAT)).scope_usage is None
    assert (await moderation.quota(OPERATOR, GROUP)).status.limit is None  # unlimited
    report = await moderation.usage(ANN, GROUP, moderator=True)
    assert report.members == {ANN.key: 2}
    with pytest.raises(NotAllowed) as refused:
        await moderation.usage(ANN, GROUP, moderator=False)
    assert refused.value.code == "not_moderator"


async def test_limits_range_and_what_a_change_reports(core: Any) -> None:
    moderation = core.moderation
    assert (await moderation.limits(ANN, GROUP, moderator=True)).default is None
    with pytest.raises(NotAllowed):
        await moderation.limits(ANN, GROUP, moderator=False)
    for value in (0, MAX_LIMIT):  # 0 stops a member; the largest number is allowed
        change = await moderation.set_limit(ANN, GROUP, "member", value, moderator=True,
                                            member="telegram:22")
        assert (change.kind, change.member, change.value, change.applies) == (
            "member", "telegram:22", value, value)
    for value in (-1, MAX_LIMIT + 1):
        with pytest.raises(CommandError) as bad:
            await moderation.set_limit(ANN, GROUP, "default", value, moderator=True)
        assert bad.value.code == "bad_limit" and bad.value.params["limit"] == MAX_LIMIT
    reset = await moderation.set_limit(ANN, GROUP, "default", None, moderator=True)
    assert (reset.value, reset.applies) == (None, 10)  # back to the bot's default
    total = await moderation.set_limit(ANN, GROUP, "total", None, moderator=True)
    assert total.applies is None
    default = await moderation.set_limit(ANN, GROUP, "default", 3, moderator=True)
    assert default.applies == 3 and default.member == ""
