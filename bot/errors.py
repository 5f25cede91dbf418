"""One error tree for the whole bot. Adapters alone choose the words a user reads.

    EditbotError                 every error carries a stable ``code`` (an i18n message id)
    ├── ConfigError              the operator's settings are missing or invalid (exit 2)
    ├── InputError               the user's request cannot be done as sent; costs nothing
    │   ├── CommandError         the command grammar: unknown ratio/size, no prompt, ...
    │   └── ImageError           an input that is not an image, too large, unreadable, a bomb
    ├── NotAllowed               the person may not do that here (not a moderator, not the
    │                            requester of the job whose button was pressed)
    ├── QuotaExceeded            no credits left today (member limit or scope budget)
    ├── BudgetReached            the bot's spend cap (DAILY_/MONTHLY_BUDGET_USD) is reached
    ├── DuplicateRequest         a job already came from this message (a replayed update)
    ├── Refusal                  the model answered without an image: safety, no image, ...
    └── UpstreamError            Gemini could not be reached or failed; ``transient`` says
                                 whether trying again later may help
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any


class EditbotError(Exception):
    """Base of every error the bot raises on purpose."""

    code: str = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        if code is not None:
            self.code = code
        self.params: Mapping[str, Any] = params
        super().__init__(self.code)

    def __str__(self) -> str:
        if not self.params:
            return self.code
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code} ({shown})"


class ConfigError(EditbotError):
    """The bot cannot start as configured. ``problems`` are sentences that name the settings
    to fix (never their values); ``settings`` lists those names."""

    code = "config"

    @classmethod
    def about(cls, problem: str, *settings: str) -> ConfigError:
        return cls("config", problems=(problem,), settings=settings)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(self.params.get("problems", ()))

    @property
    def settings(self) -> tuple[str, ...]:
        return tuple(self.params.get("settings", ()))


class InputError(EditbotError):
    code = "bad_input"


class CommandError(InputError):
    code = "bad_command"


class ImageError(InputError):
    code = "bad_image"


class NotAllowed(EditbotError):
    code = "not_allowed"


class QuotaExceeded(EditbotError):
    code = "quota_exceeded"

    def __init__(
        self, code: str | None = None, /, *, used: int, limit: int, resets_at: datetime,
        **params: Any,
    ) -> None:
        super().__init__(code, used=used, limit=limit, resets_at=resets_at, **params)
        self.used = used
        self.limit = limit
        self.resets_at = resets_at


class BudgetReached(EditbotError):
    """The day's (or the month's) estimated spend would pass DAILY_BUDGET_USD (or
    MONTHLY_BUDGET_USD); ``resets_at`` is when the budget starts again."""

    code = "budget_reached"

    def __init__(self, code: str | None = None, /, *, resets_at: datetime,
                 **params: Any) -> None:
        super().__init__(code, resets_at=resets_at, **params)
        self.resets_at = resets_at


class DuplicateRequest(EditbotError):
    code = "duplicate"


class Refusal(EditbotError):
    """The model declined. ``reason`` is Gemini's own word (IMAGE_SAFETY, NO_IMAGE, ...)."""

    code = "refused"

    def __init__(self, code: str | None = None, /, *, reason: str, text: str = "",
                 usage: object = None) -> None:
        super().__init__(code, reason=reason, text=text)
        self.reason = reason
        self.text = text
        self.usage = usage  # the answer's TokenUsage, when it had one: a refusal is billed too


class UpstreamError(EditbotError):
    """Gemini failed. ``status`` is the HTTP status when there was one."""

    code = "upstream"

    def __init__(
        self, code: str | None = None, /, *, status: int | None = None, transient: bool,
        detail: str = "",
    ) -> None:
        super().__init__(code, status=status, transient=transient, detail=detail)
        self.status = status
        self.transient = transient
        self.detail = detail


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps, nearest first, each once: its cause and context, what a
    database library wrapped (``orig``) and an exception group's members. The real reason a
    connection failed is often a few links down."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        cause = todo.pop(0)
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        for inner in (getattr(cause, "orig", None), cause.__cause__, cause.__context__,
                      *getattr(cause, "exceptions", ())):
            if isinstance(inner, BaseException):
                todo.append(inner)


def network_reason(exc: BaseException) -> str:
    """What a failed connection means, in three words an operator can act on: the host name
    did not resolve (DNS), the connection was refused, or nothing answered in time (timeout).
    Found on the exception or what it wraps (the HTTP libraries chain theirs); otherwise its
    type's name."""
    for cause in causes(exc):
        said = str(cause).lower()
        if isinstance(cause, socket.gaierror) or any(
                words in said for words in _DNS_WORDS):
            return "DNS: the host name cannot be resolved"
        if isinstance(cause, ConnectionRefusedError) or "connection refused" in said or (
                "connect call failed" in said):
            return "connection refused"
        if isinstance(cause, TimeoutError) or "timeout" in type(cause).__name__.lower() or (
                "timedout" in type(cause).__name__.lower() or "timed out" in said):
            return "timeout: no answer in time"
    return type(exc).__name__


_DNS_WORDS = ("name or service not known", "temporary failure in name resolution",
              "nodename nor servname", "no address associated with hostname",
              "getaddrinfo failed")
