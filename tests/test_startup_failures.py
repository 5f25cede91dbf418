"""Every start-up failure, with ``python -m bot`` as a process against the fakes: exit code 2,
one line naming the setting to fix (one JSON object with LOG_FORMAT=json), no traceback, and
no token or key anywhere in what the process printed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import closed_port
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]
WRONG_TELEGRAM = "987654321:AAWrongTelegramToken-zyxwvutsrqpo"
WRONG_DISCORD = "MTAwrong.discord-token.never-valid"
WRONG_GEMINI = "AIzaWrongGeminiKey-0123456789"


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def failure(self, fmt: str) -> str:
        """The one line that says why the start failed (asserting there is exactly one)."""
        found = self.failures(fmt)
        assert len(found) == 1, self.err
        return found[0]

    def failures(self, fmt: str) -> list[str]:
        """Every line that says why the start failed, one per problem."""
        found = [line for line in self.lines if "cannot start" in line]
        if fmt != "json":
            return found
        for line in self.lines:
            json.loads(line)  # every line is one JSON object
        entries = [json.loads(line) for line in found]
        assert all(entry["level"] == "ERROR" and entry["settings"] for entry in entries)
        return [str(entry["msg"]) + " " + str(entry["settings"]) for entry in entries]



@pytest.fixture
def run(tmp_path: Path, gemini: FakeGemini, tg: FakeTelegram, dc: FakeDiscord
        ) -> Callable[..., object]:
    secrets = [gemini.key, tg.token, tg.token.split(":")[1], dc.token, WRONG_TELEGRAM,
               WRONG_TELEGRAM.split(":")[1], WRONG_DISCORD, WRONG_GEMINI]

    async def start(fmt: str = "text", *args: str, **settings: str) -> Run:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
               "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
               "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LOG_FORMAT": fmt,
               "LISTEN_PORT": "0", **settings}
        started = time.monotonic()
        process = await bot_process(*args, env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode is not None
        result = Run(process.returncode, out.decode(), err.decode(), time.monotonic() - started)
        printed = result.out + result.err
        assert "Traceback" not in printed, printed
        for secret in secrets:
            assert secret not in printed, (secret, printed)
        assert not tg.sent("getUpdates")  # it never started polling
        return result

    return start


def telegram(tg: FakeTelegram, **changes: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root, **changes}


def discord_settings(dc: FakeDiscord, **changes: str) -> dict[str, str]:
    return {"DISCORD_BOT_TOKEN": dc.token, "DISCORD_API_BASE_URL": dc.api,
            "DISCORD_GATEWAY_URL": dc.gateway, "DISCORD_GUILD_IDS": "7000", **changes}


FORMATS = pytest.mark.parametrize("fmt", ["text", "json"])


@FORMATS
async def test_a_rejected_telegram_token(run: Callable[..., object], tg: FakeTelegram,
                                         fmt: str) -> None:
    result = await run(fmt, **telegram(tg, TELEGRAM_BOT_TOKEN=WRONG_TELEGRAM))  # type: ignore[misc]
    assert result.code == 2
    line = result.failure(fmt)
    assert "TELEGRAM_BOT_TOKEN" in line and "rejected" in line
    assert len(result.lines) <= 2, result.err


@FORMATS
async def test_a_wrong_telegram_root_names_both_settings(
        run: Callable[..., object], tg: FakeTelegram, fmt: str) -> None:
    result = await run(fmt, **telegram(tg, TELEGRAM_API_BASE_URL=f"{tg.root}/v2"))  # type: ignore[misc]
    assert result.code == 2
    line = result.failure(fmt)
    assert "TELEGRAM_API_BASE_URL" in line and "TELEGRAM_BOT_TOKEN" in line and "404" in line


@FORMATS
async def test_a_rejected_discord_token(run: Callable[..., object], dc: FakeDiscord,
                                        fmt: str) -> None:
    result = await run(fmt, **discord_settings(dc, DISCORD_BOT_TOKEN=WRONG_DISCORD))  # type: ignore[misc]
    assert result.code == 2
    assert "DISCORD_BOT_TOKEN" in result.failure(fmt)
    assert len(result.lines) <= 2, result.err
    assert not dc.identified


@FORMATS
@pytest.mark.parametrize("status", [401, 403, 400])  # 400 + API_KEY_INVALID is Google's own
async def test_a_refused_gemini_key(run: Callable[..., object], tg: FakeTelegram,
                                    gemini: FakeGemini, fmt: str, status: int) -> None:
    gemini.refusal_status = status
    result = await run(fmt, GEMINI_API_KEY=WRONG_GEMINI, **telegram(tg))  # type: ignore[misc]
    assert result.code == 2
    assert "GEMINI_API_KEY" in result.failure(fmt)
    assert len(result.lines) <= 2, result.err
    assert gemini.lookups and not gemini.requests  # one free models.get, no generation


@FORMATS
async def test_telegram_unreachable_is_retried_then_named(
        run: Callable[..., object], tg: FakeTelegram, fmt: str) -> None:
    root = f"http://127.0.0.1:{closed_port()}"
    result = await run(fmt, STARTUP_RETRY_S="3.5", **telegram(tg, TELEGRAM_API_BASE_URL=root))  # type: ignore[misc]
    assert result.code == 2
    assert "TELEGRAM_API_BASE_URL" in result.failure(fmt)
    attempts = [line for line in result.lines if "trying again" in line]
    assert len(attempts) >= 2  # one line per attempt: 1 s, 2 s, then the bound
    assert all("connection refused" in line for line in [*attempts, result.failure(fmt)])
    assert 3 <= result.seconds < 20


@pytest.mark.parametrize("setting", ["DISCORD_API_BASE_URL", "DISCORD_GATEWAY_URL"])
async def test_discord_unreachable_is_retried_then_named(
        run: Callable[..., object], dc: FakeDiscord, setting: str) -> None:
    scheme = "ws" if setting == "DISCORD_GATEWAY_URL" else "http"
    unreachable = {setting: f"{scheme}://127.0.0.1:{closed_port()}/x"}
    result = await run("text", STARTUP_RETRY_S="1.5", **discord_settings(dc, **unreachable))  # type: ignore[misc]
    assert result.code == 2
    assert setting in result.failure("text")
    assert any("trying again" in line for line in result.lines)
    assert not dc.identified


def _directory(tmp_path: Path) -> str:
    (tmp_path / "db").mkdir()
    return f"sqlite:///{tmp_path}/db"


def _corrupt(tmp_path: Path) -> str:
    (tmp_path / "bad.sqlite3").write_bytes(b"this is not a database at all" * 100)
    return f"sqlite:///{tmp_path}/bad.sqlite3"


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "plain").write_text("a file, not a folder")
    return f"sqlite:///{tmp_path}/plain/bot.sqlite3"


def _read_only_place(tmp_path: Path) -> str:
    return "sqlite:////proc/editbot/bot.sqlite3"  # nobody may create files here, root neither


@FORMATS
@pytest.mark.parametrize("database", [_directory, _corrupt, _under_a_file, _read_only_place])
async def test_an_unusable_database(run: Callable[..., object], tg: FakeTelegram,
                                    tmp_path: Path, fmt: str,
                                    database: Callable[[Path], str]) -> None:
    result = await run(fmt, DATABASE_URL=database(tmp_path), **telegram(tg))  # type: ignore[misc]
    assert result.code == 2
    line = result.failure(fmt)
    assert "DATABASE_URL" in line and str(tmp_path) not in line
    assert len(result.lines) <= 2, result.err


@FORMATS
async def test_three_bad_settings_are_named_in_one_run_each_on_its_own_line(
        run: Callable[..., object], tg: FakeTelegram, fmt: str) -> None:
    result = await run(fmt, **telegram(tg), GEMINI_API_KEY="", GEMINI_MAX_CONCURRENCY="many",  # type: ignore[misc]
                       QUOTA_TIMEZONE="Mars/Olympus", LISTEN_PORT="abc")
    assert result.code == 2
    found = result.failures(fmt)
    assert len(found) == 4, result.err
    named = {name: [line for line in found if f"cannot start: {name} " in line]
             for name in ("GEMINI_API_KEY", "QUOTA_TIMEZONE", "GEMINI_MAX_CONCURRENCY",
                          "LISTEN_PORT")}
    assert all(len(lines) == 1 for lines in named.values()), found
    assert "must be a port number (0 picks a free one) or off (no HTTP side)" in (
        named["LISTEN_PORT"][0])
    assert "should be a valid integer" in named["GEMINI_MAX_CONCURRENCY"][0]
    assert "every setting is explained in .env.example" in result.lines[-1]
    if fmt == "json":  # each line names its own setting
        for name, lines in named.items():
            assert lines[0].endswith(f" {name}"), lines
    assert len(result.lines) == 5


@FORMATS
async def test_a_taken_port_is_named_before_anything_starts(
        run: Callable[..., object], tg: FakeTelegram, gemini: FakeGemini, fmt: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = await run(fmt, LISTEN_PORT=str(port), LISTEN_HOST="127.0.0.1",  # type: ignore[misc]
                           **telegram(tg))
    assert result.code == 2
    line = result.failure(fmt)
    assert "LISTEN_PORT" in line and f"127.0.0.1:{port}" in line and "LISTEN_PORT=off" in line
    assert len(result.lines) <= 2, result.err
    assert not gemini.lookups  # nothing asked of the model either

async def test_sigterm_while_a_platform_is_being_retried_stops_at_once(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "TELEGRAM_BOT_TOKEN": tg.token,
           "LISTEN_PORT": "0",
           "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed_port()}"}
    process = await bot_process(env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    line = b""
    while b"cannot reach" not in line:
        line = await asyncio.wait_for(process.stderr.readline(), 30)
    assert b"cannot reach TELEGRAM_API_BASE_URL (attempt 1: connection refused)" in line
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0 and time.monotonic() - started < 5
    assert b"Traceback" not in err and tg.token.encode() not in out + err
