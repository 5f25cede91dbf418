"""The community log: where a group's or server's moderators read every edit made there (who
asked, the prompt, the outcome, the cost, and the result's image). The core says what to note
and when; each platform posts it (``connect``), in the background, so a log channel that has
gone away never holds up an edit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..domain import EditOutcome, EditRequest, GeneratedImage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LogNote:
    """One edit, as the log shows it."""

    channel: str  # the platform's id of the log's chat or channel
    language: str
    who: str  # the requester's name, or their key when the platform gave none
    prompt: str
    kind: str  # edit | imagine
    outcome: str  # delivered | refused | failed | ...
    credits: int  # what it cost the requester
    image: GeneratedImage | None  # the result, when there is one


Poster = Callable[[LogNote], Awaitable[None]]


class CommunityLog:
    def __init__(self) -> None:
        self._posters: dict[str, Poster] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def connect(self, platform: str, poster: Poster) -> None:
        self._posters[platform] = poster

    def note(self, request: EditRequest, outcome: EditOutcome, channel: str,
             language: str) -> None:
        """Post the edit to ``channel`` in the background ("" or no poster: nothing)."""
        poster = self._posters.get(request.actor.platform)
        if not channel or poster is None or outcome.status == "duplicate":
            return
        delivery = outcome.delivery
        note = LogNote(
            channel=channel, language=language,
            who=request.actor.name or request.actor.key, prompt=request.command.prompt,
            kind=request.command.kind, outcome=outcome.status,
            credits=delivery.credits if delivery is not None else 0,
            image=delivery.image if delivery is not None else None)
        task = asyncio.ensure_future(self._post(poster, note))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _post(poster: Poster, note: LogNote) -> None:
        try:
            await poster(note)
        except Exception:  # the channel is gone, the bot was removed: the edit is unaffected
            log.warning("the community log could not be posted to %s", note.channel,
                        exc_info=True)

    async def settle(self) -> None:
        """Let the notes being posted finish (at a stop)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
