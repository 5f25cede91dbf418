"""The core's moderation rules as a table: standing x private x operator -> allowed, with no
platform and no server (the adapters' wire tests cover how each platform supplies the facts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.commands import parse_limit
from bot.community import Standing
from bot.domain import Actor, Scope
from bot.errors import CommandError, NotAllowed

OPERATOR = Actor("telegram", "1", "Olga")
MEMBER = Actor("telegram", "11", "Ann")
GROUP = Scope("telegram", "-100", private=False)
ANNS_CHAT = Scope("telegram", "11", private=True)
OTHER_CHAT = Scope("telegram", "22", private=True)


@pytest.fixture
async def moderation(make_core: Callable[..., Any]) -> Any:
    core = await make_core(bot_admins="telegram:1", default_daily_limit=10)
    return core.moderation


def test_standing_is_ordered_and_operators_are_never_locked_out(moderation: Any) -> None:
    assert Standing.MEMBER < Standing.MODERATOR < Standing.OPERATOR
    assert moderation.standing(OPERATOR, moderator=False) is Standing.OPERATOR
    assert moderation.standing(MEMBER, moderator=True) is Standing.MODERATOR
    assert moderation.standing(MEMBER, moderator=False) is Standing.MEMBER


@pytest.mark.parametrize(("actor", "scope", "moderator", "allowed"), [
    (MEMBER, GROUP, False, False),
    (MEMBER, GROUP, True, True),
    (OPERATOR, GROUP, False, True),
    (MEMBER, ANNS_CHAT, False, True),      # one's own private chat
    (MEMBER, OTHER_CHAT, True, False),     # someone else's, whatever the platform claims
    (OPERATOR, OTHER_CHAT, False, True),
])
async def test_who_may_read_usage(moderation: Any, actor: Actor, scope: Scope,
                                  moderator: bool, allowed: bool) -> None:
    if allowed:
        report = await moderation.usage(actor, scope, moderator=moderator)
        assert report.total == 0
    else:
        with pytest.raises(NotAllowed):
            await moderation.usage(actor, scope, moderator=moderator)


@pytest.mark.parametrize(("actor", "moderator", "allowed"), [
    (MEMBER, False, False), (MEMBER, True, True), (OPERATOR, False, True)])
async def test_who_may_set_limits_in_a_group(moderation: Any, actor: Actor, moderator: bool,
                                             allowed: bool) -> None:
    if not allowed:
        with pytest.raises(NotAllowed):
            await moderation.set_limit(actor, GROUP, "default", 3, moderator=moderator)
        assert (await moderation.limits(OPERATOR, GROUP, moderator=False)).default is None
        return
    change = await moderation.set_limit(actor, GROUP, "member", 4, moderator=moderator,
                                        member="telegram:22")
    assert (change.value, change.applies) == (4, 4)
    assert (await moderation.limits(OPERATOR, GROUP, moderator=False)).members == {
        "telegram:22": 4}
    status = (await moderation.quota(Actor("telegram", "22"), GROUP)).status
    assert status.limit == 4


async def test_private_chats_have_no_limits_to_set(moderation: Any) -> None:
    for actor in (MEMBER, OPERATOR):
        with pytest.raises(CommandError) as caught:
            await moderation.set_limit(actor, ANNS_CHAT, "default", 3, moderator=True)
        assert caught.value.code == "groups_only"


async def test_a_reset_default_shows_the_bots_default(moderation: Any) -> None:
    await moderation.set_limit(OPERATOR, GROUP, "default", 2, moderator=False)
    change = await moderation.set_limit(OPERATOR, GROUP, "default", None, moderator=False)
    assert (change.value, change.applies) == (None, 10)


async def test_changes_are_audited_with_their_author(moderation: Any,
                                                     make_core: Callable[..., Any]) -> None:
    await moderation.set_limit(MEMBER, GROUP, "total", 9, moderator=True,
                               by="telegram:chat:-100")
    core = await make_core(bot_admins="telegram:1")
    [row] = await core.ledger.audit_log(GROUP.key)
    assert (row["actor"], row["new_value"]) == ("telegram:chat:-100", 9)


@pytest.mark.parametrize("word", ["²", "٣", "1e3", "-1", "3.5", "", "10000000", "five"])
def test_limits_take_ascii_digits_only(word: str) -> None:
    with pytest.raises(CommandError):
        parse_limit(word)


@pytest.mark.parametrize(("word", "value"), [("0", 0), ("42", 42), ("reset", None),
                                             ("OFF", None), ("9999999", 9_999_999)])
def test_limits_read(word: str, value: int | None) -> None:
    assert parse_limit(word) == value
