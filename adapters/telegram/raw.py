"""The edit path's Bot API calls whose answer the bot reads an id or two from: the status
message, its edits and the result. They go through python-telegram-bot's own machinery (the
flood gate, the transport, its errors and timeouts) by ``do_api_request``, which leaves the
answer as JSON: turning each answer into a ``Message`` (with the user's message it replies to,
its chat, sender and photo sizes) was 2.2 ms of CPU per edit in a crowd at the default
settings, more than any other single step (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from adapters.telegram.flood import Turn

# do_api_request suggests the named method for a method the library knows; the raw answer is
# what is wanted here
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


@dataclass(frozen=True, slots=True)
class Sent:
    """What the bot keeps of a message it sent: where it is, and its photo's file_id."""

    chat_id: int
    message_id: int
    photo_id: str | None = None  # the largest size's, offered again by inline mode, /history

    @property
    def key(self) -> str:
        """How a turn names the message that shows its result (a reply to it continues it)."""
        return f"telegram:{self.chat_id}:{self.message_id}"


def sent(answer: Any) -> Sent | None:
    """The message in a Bot API answer (None for the ``true`` an inline message's edit gives)."""
    if not isinstance(answer, dict):
        return None
    sizes = answer.get("photo") or ()
    largest = max(sizes, key=lambda p: p["width"] * p["height"]) if sizes else None
    return Sent(chat_id=answer["chat"]["id"], message_id=answer["message_id"],
                photo_id=largest["file_id"] if largest else None)


async def call(bot: ExtBot[Any], method: str, turn: Turn, **params: Any) -> Sent | None:
    """Call ``method`` (its Bot API name) with ``params`` (None values left out, library
    objects as they are) at ``turn``'s priority; the message it answers with."""
    answer = await bot.do_api_request(method, api_kwargs=params, rate_limit_args=turn)
    return sent(answer)
