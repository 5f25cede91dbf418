"""Logging set-up: one redaction filter for every record, text or JSON lines."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import stamina.instrumentation

REDACTED = "[REDACTED]"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Credentials that are no configured secret: a Discord interaction's token (valid 15 minutes,
# it can answer as the bot) in the paths /interactions/ID/TOKEN and /webhooks/ID/TOKEN that
# discord.py logs at DEBUG, and as "token" in the gateway events it logs whole.
_PATTERNS = (
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/?#\s'\"]+"), r"\1" + REDACTED),
    (re.compile(r"""((?:'|")token(?:'|")\s*:\s*(?:'|"))[^'"]+"""), r"\1" + REDACTED),
)


class RedactingFilter(logging.Filter):
    """Removes every configured secret (and its URL-quoted form), and Discord's interaction
    tokens and webhook URLs, from a record's message, arguments and traceback. Installed on
    the root handlers, so it sees records propagated from third-party loggers too (httpx logs
    Bot API URLs, which carry the Telegram token)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms = set()
        for secret in secrets:
            if len(secret) >= 4:
                forms.update({secret, quote(secret, safe=""), quote(secret)})
        self._secrets = sorted(forms, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if "token" in text or "/interactions/" in text or "/webhooks/" in text:
            for pattern, replacement in _PATTERNS:
                text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, level: str, fmt: str, secrets: Iterable[str]) -> RedactingFilter:
    """Replace the root handlers with one stderr handler that redacts ``secrets``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    redactor = RedactingFilter(secrets)
    handler.addFilter(_Demoted())
    handler.addFilter(redactor)
    root.addHandler(handler)
    root.setLevel(level)
    # Quiet by default: request lines of the HTTP libraries (every long poll), alembic's
    # migration chatter and the platform libraries' own start-up lines show at DEBUG only.
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    # stamina's own line per retry repeats the Gemini client's (which says why), and its
    # Prometheus counter would sit in the global registry the bot does not serve
    stamina.instrumentation.set_on_retry_hooks([])
    sys.excepthook = _uncaught
    threading.excepthook = _uncaught_in_thread
    return redactor


QUIET_LOGGERS = ("httpx", "httpcore", "alembic", "telegram", "discord")


class _Demoted(logging.Filter):
    """Alembic's INFO lines (nine at every start) are DEBUG lines here."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and record.name.startswith("alembic"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _uncaught(kind: type[BaseException], value: BaseException,
              traceback: TracebackType | None) -> None:
    """An exception nobody caught goes through the logging handler, so it is redacted too."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("editbot").critical("uncaught exception", exc_info=(kind, value, traceback))


def _uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("editbot").critical(
        "uncaught exception in thread %s", name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The event loop's handler for exceptions no task retrieved: logged (and so redacted)
    without the task's repr, whose arguments may hold anything."""
    error = context.get("exception")
    message = str(context.get("message") or "unhandled exception in the event loop")
    logging.getLogger("asyncio").error(
        message, exc_info=(type(error), error, error.__traceback__) if error else None)
