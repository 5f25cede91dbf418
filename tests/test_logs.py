from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from bot.ops import configure_logging

TOKEN = "123456789:AAH-secret_Token-Value"


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """configure_logging changes the root logger and the HTTP libraries' levels: put all of
    them back, so no later test depends on this file having run (or not)."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def restore_root() -> Iterator[None]:
    with _logging_restored():
        yield


def test_configuring_logs_leaves_nothing_changed_for_later_tests() -> None:
    names = ("", "httpx", "httpcore")
    before = {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers))
              for name in names}
    with _logging_restored():
        configure_logging(level="INFO", fmt="text", secrets=[])
        assert logging.getLogger("httpx").level == logging.WARNING
    assert {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers))
            for name in names} == before


def test_third_party_records_are_redacted(restore_root: None,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="DEBUG", fmt="text", secrets=[TOKEN, "gemini-key-42"])
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
    logging.getLogger("telegram.ext").warning("quoted %s", httpx.URL(url).copy_with(
        params={"key": "gemini-key-42"}))
    try:
        raise RuntimeError(f"failed {url}")
    except RuntimeError:
        logging.getLogger("app").exception("boom")
    err = capsys.readouterr().err
    assert "getUpdates" in err and "boom" in err and "RuntimeError" in err
    assert TOKEN not in err and "AAH-secret" not in err and "gemini-key-42" not in err
    assert "[REDACTED]" in err


def test_json_lines(restore_root: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", fmt="json", secrets=[TOKEN])
    logging.getLogger("bot.x").info("job %d for %s", 5, TOKEN, extra={"job_id": 5})
    lines = capsys.readouterr().err.strip().splitlines()
    entry = json.loads(lines[-1])
    assert entry["msg"] == "job 5 for [REDACTED]" and entry["level"] == "INFO"
    assert entry["job_id"] == 5 and entry["logger"] == "bot.x"


def test_http_request_lines_are_quiet_at_info(restore_root: None) -> None:
    configure_logging(level="INFO", fmt="text", secrets=[])
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


def test_discord_interaction_tokens_and_webhook_urls_are_redacted(
        restore_root: object, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="DEBUG", fmt="text", secrets=[])
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZg.x_-Y"
    http = logging.getLogger("discord.http")
    http.debug("POST https://discord.com/api/v10/interactions/1234/%s/callback with %s has "
               "returned 204", token, {"type": 5})
    http.debug("PATCH https://discord.com/api/v10/webhooks/4242/%s/messages/@original "
               "has returned 200", token)
    logging.getLogger("discord.gateway").debug(
        "For Shard ID None: WebSocket Event: %s",
        {"t": "INTERACTION_CREATE", "d": {"id": "1234", "token": token, "type": 2}})
    logging.getLogger("bot.x").debug('{"token": "%s", "id": 1}', token)
    err = capsys.readouterr().err
    assert token not in err and token[:20] not in err
    assert err.count("[REDACTED]") == 4
    assert "/interactions/1234/[REDACTED]/callback" in err and "INTERACTION_CREATE" in err
