"""Logging set-up: one redaction filter for every record, text or JSON lines."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

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
    handler.addFilter(redactor)
    root.addHandler(handler)
    root.setLevel(level)
    # Request lines of the HTTP libraries are noise at INFO (every long poll); still redacted.
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(quiet, logging.getLogger(name).level))
    return redactor
