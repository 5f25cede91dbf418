"""What both chat adapters say about a queued job: its place and likely wait, and what a press
of its Cancel button did."""

from __future__ import annotations

from bot.domain import Progress, Stage
from bot.edits import Verdict
from bot.i18n import credits, text

CANCEL_PREFIX = "cancel:"


def progress_words(event: Progress, lang: str) -> str:
    """The status of a job: "Queued: #3 in line, about 40 s…" once the model was timed."""
    if event.stage is Stage.QUEUED and event.wait_s is not None:
        return text("queued_wait", lang, position=event.position,
                    wait=wait_words(event.wait_s, lang))
    return text(event.stage.value, lang, position=event.position)


def wait_words(seconds: float, lang: str) -> str:
    """A wait as people say it: tens of seconds under a minute, whole minutes beyond."""
    if seconds < 55:
        return text("wait_s", lang, n=max(10, round(seconds / 10) * 10))
    return text("wait_min", lang, n=max(1, round(seconds / 60)))


def cancel_id(key: str | None, limit: int) -> str | None:
    """The button's data naming the job's request; None when it would not fit ``limit``
    bytes (then the status has no Cancel button)."""
    if not key:
        return None
    data = CANCEL_PREFIX + key
    return data if len(data.encode()) <= limit else None


def cancelled(verdict: Verdict) -> bool:
    return verdict.what in ("cancelled", "already")


def verdict_words(verdict: Verdict, lang: str) -> str:
    if cancelled(verdict):
        return text("cancelled", lang, credits=credits(verdict.credits, lang))
    return text(f"cancel_{verdict.what}", lang)
