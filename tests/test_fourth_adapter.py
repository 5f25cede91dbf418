"""A platform the bot does not have, written in a few lines: a mailbox that takes a request and
answers in a list. It knows nothing of the core's order of work, only its port; the edit runs
against the fake Gemini, a replayed request is dropped, and unusable images cost nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain import Actor, Delivery, EditCommand, EditOutcome, EditRequest, Progress, Scope
from bot.edits import Blob, Order
from bot.errors import EditbotError
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image

SUE = Actor("mailbox", "5", "Sue")
SCOPE = Scope("mailbox", "5", private=True)


class Mailbox:
    early = True

    def __init__(self, attachments: list[bytes]) -> None:
        self.attachments = attachments
        self.said: list[str] = []
        self.results: list[Delivery] = []

    async def images(self) -> list[Blob]:
        return [Blob(data) for data in self.attachments]

    async def show(self, progress: Progress) -> None:
        self.said.append(progress.stage.value)

    def origin(self) -> dict[str, Any]:
        return {"key": "mailbox:1", "box": "sue@example.org"}

    async def ready(self) -> None:
        return None

    async def deliver(self, delivery: Delivery) -> None:
        self.results.append(delivery)

    async def refused(self, error: EditbotError) -> None:
        self.said.append(f"refused: {error.code}")

    async def ended(self, outcome: EditOutcome | None, request: EditRequest | None) -> None:
        self.said.append(f"ended: {outcome.status if outcome else 'cut short'}")


def order(key: str) -> Order:
    return Order(SUE, SCOPE, EditCommand("edit", "add a hat"), 1.0, key=key)


async def test_a_fourth_platform_runs_an_edit_through_the_port(
        make_core: Callable[..., Any], gemini: FakeGemini) -> None:
    core = await make_core()
    box = Mailbox([make_image(64, 48)])
    outcome = await core.service.edit(order("mailbox:1"), box)
    assert outcome is not None and outcome.ok
    [result] = box.results
    assert result.image.data and result.request.origin["box"] == "sue@example.org"
    assert box.said[0] == "working" and box.said[-1] == "ended: delivered"
    assert gemini.requests[0].prompt == "add a hat"
    status = await core.ledger.status(actor=SUE.key, scope=SCOPE.key)
    assert status.used == 1

    again = Mailbox([make_image(64, 48)])  # the same message handed over twice
    assert await core.service.edit(order("mailbox:1"), again) is None
    assert again.said == [] and len(gemini.requests) == 1

    broken = Mailbox([b"%PDF-1.4 not an image"])
    assert await core.service.edit(order("mailbox:2"), broken) is None
    assert broken.said == ["working", "refused: not_an_image"]
    assert len(gemini.requests) == 1
    assert (await core.ledger.status(actor=SUE.key, scope=SCOPE.key)).used == 1
