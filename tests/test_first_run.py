"""An operator's first ten minutes: the shipped .env.example with two values filled starts the
bot, a start prints where its HTTP side is and one line per platform, ``--help`` speaks to
the operator, and an exception nobody caught is still redacted."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.config import load_settings
from editbot.__main__ import enabled_adapters
from editbot.local import local_chat_port, open_local_chat
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import free_port

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO [\w.]+: (.*)$")


async def run_until(env: dict[str, str], cwd: Path, done: Callable[[list[str]], bool]
                    ) -> tuple[int, list[str]]:
    """Start ``python -m bot``, read its stderr until ``done(lines)``, SIGTERM it: its exit
    code and all its stderr lines."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    lines: list[str] = []
    try:
        while not done(lines):
            line = await asyncio.wait_for(process.stderr.readline(), 30)
            assert line, "the bot ended early: " + "".join(lines)
            lines.append(line.decode().rstrip("\n"))
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    lines += err.decode().splitlines()
    return process.returncode, [line for line in lines if line.strip()]


def saying(*wanted: str) -> Callable[[list[str]], bool]:
    return lambda lines: all(any(w in line for line in lines) for w in wanted)


def messages(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        match = LINE.match(line)
        assert match, "\n".join(lines)  # an unexpected line: show them all
        found.append(match.group(1))
    return found


async def test_the_shipped_env_example_with_two_values_reaches_polling(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text()
    filled = example.replace("\nGEMINI_API_KEY=\n", f"\nGEMINI_API_KEY={gemini.key}\n").replace(
        "\nTELEGRAM_BOT_TOKEN=\n", f"\nTELEGRAM_BOT_TOKEN={tg.token}\n")
    assert filled.count(gemini.key) == 1 and filled.count(tg.token) == 1
    (tmp_path / ".env").write_text(filled)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           # where the fakes listen, and any free port (this machine's 8080 may be taken); a
           # real deployment leaves these at their defaults
           "TELEGRAM_API_BASE_URL": tg.root, "GEMINI_BASE_URL": gemini.base_url,
           "LISTEN_PORT": "0", "LISTEN_HOST": "127.0.0.1"}
    code, lines = await run_until(env, tmp_path, saying("polling as"))
    assert code == 0
    said = messages(lines)
    assert re.fullmatch(r"serving /healthz, /readyz and /metrics on 127\.0\.0\.1:\d+", said[0])
    assert said[1:] == ["telegram: polling as @EditTestBot"]  # and nothing else
    assert (tmp_path / "data" / "editbot.sqlite3").is_file()  # DATA_DIR's default
    assert gemini.lookups == ["gemini-3-pro-image-preview"]  # the key was checked


async def test_a_start_prints_one_line_per_platform(
        tg: FakeTelegram, dc: FakeDiscord, gemini: FakeGemini, tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root,
           "DISCORD_BOT_TOKEN": dc.token, "DISCORD_API_BASE_URL": dc.api,
           "DISCORD_GATEWAY_URL": dc.gateway, "DISCORD_GUILD_IDS": "7000",
           "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
           "LISTEN_PORT": "0"}
    code, lines = await run_until(env, tmp_path, saying("telegram:", "discord:"))
    assert code == 0
    said = messages(lines)
    # loopback unless LISTEN_HOST says otherwise (the Docker image sets 0.0.0.0)
    assert re.fullmatch(r"serving /healthz, /readyz and /metrics on 127\.0\.0\.1:\d+", said[0])
    assert said[1:] == ["telegram: polling as @EditTestBot",
                        "discord: logged in as editbot, 1 server"]


async def test_migrations_speak_at_debug_only(tg: FakeTelegram, gemini: FakeGemini,
                                              tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root,
           "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
           "LOG_LEVEL": "DEBUG", "LISTEN_PORT": "0"}
    code, lines = await run_until(env, tmp_path, saying("polling as"))
    assert code == 0
    assert any("DEBUG alembic.runtime.migration: Running upgrade  -> 0001" in line
               for line in lines)


def test_help_speaks_to_the_operator() -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-m", "bot", "--help"], env=env, cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    for wanted in ("run", "edit", "imagine", ".env.example",
                   'python -m bot edit --image photo.jpg --output llama.png "9:16 2K add a llama"',
                   'python -m bot imagine --output moon.png', "exit codes", "SIGTERM"):
        assert wanted in shown, wanted
    for code_talk in ("adapter", "core", "entry point", "parse the command line"):
        assert code_talk not in shown.lower(), code_talk
    edit = subprocess.run([sys.executable, "-m", "bot", "edit", "--help"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    assert "--output OUT" in edit and ".png, .jpg or .jpeg" in edit and "example" in edit


UNCAUGHT = """
import asyncio, threading
from bot.ops import configure_logging, loop_exception_handler
configure_logging(level="INFO", fmt="{fmt}", secrets=["{secret}"])
loop = asyncio.new_event_loop()
loop.set_exception_handler(loop_exception_handler)
loop.call_exception_handler({{"message": "lost", "exception": ValueError("in loop {secret}")}})
thread = threading.Thread(target=lambda: 1 / 0 if False else exec("raise KeyError('{secret}')"))
thread.start(); thread.join()
raise RuntimeError("the token {secret} was rejected")
"""


def test_uncaught_exceptions_are_redacted_too() -> None:
    secret = "123456789:AAUncaughtSecret-value"
    for fmt in ("text", "json"):
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", UNCAUGHT.format(fmt=fmt, secret=secret)],
                              env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 1
        assert secret not in done.stderr and "AAUncaughtSecret" not in done.stderr
        assert done.stderr.count("[REDACTED]") >= 3, done.stderr
        assert "RuntimeError" in done.stderr and "KeyError" in done.stderr


COPIED_WITHOUT = shutil.ignore_patterns(
    ".git", ".venv", "data", ".env", "__pycache__", ".*_cache", "mutants", ".mutation-*")


async def test_make_run_on_a_fresh_copy_with_nothing_set_serves_the_local_chat(
        tmp_path: Path) -> None:
    """The README's two commands, as they are: ``cp .env.example .env && make run``. The copy
    has no .venv of its own: make is pointed at the one running this test (``-o`` keeps it
    from reinstalling it), and the ports are free ones (this machine's 8080 and 8090 may be
    taken); nothing else is set."""
    fresh = tmp_path / "editbot"
    shutil.copytree(ROOT, fresh, ignore=COPIED_WITHOUT)
    copying = await asyncio.create_subprocess_exec("cp", ".env.example", ".env", cwd=fresh)
    assert await copying.wait() == 0
    venv = Path(sys.executable).parent.parent
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LISTEN_PORT": "0",
           "LOCAL_CHAT_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        "make", "-o", str(venv / ".installed"), "run", f"VENV={venv}", env=env, cwd=fresh,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("polling as" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "make run ended early:\n" + "\n".join(lines)
            lines.append(line.decode().rstrip())
        async with httpx.AsyncClient(timeout=10) as http:
            page = await http.get(f"http://127.0.0.1:{port}/")
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, as at a terminal
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    lines += out.decode().splitlines()
    assert lines[0] == f"{venv}/bin/python -m bot run"  # the Makefile's own command
    assert [m for m in messages(lines[1:]) if "local chat" in m] == [
        f"local chat: open http://127.0.0.1:{port} in a browser (demo model: set "
        "GEMINI_API_KEY for real edits)"]
    assert page.status_code == 200 and "<title>editbot · local chat</title>" in page.text
    assert (fresh / "data" / "localchat.sqlite3").is_file()
    assert not any("Traceback" in line for line in lines), lines


def test_with_no_token_the_local_chat_is_on_at_8090_and_with_one_only_when_asked() -> None:
    bare = load_settings()
    assert local_chat_port(bare, enabled_adapters(bare)) == 8090
    with_discord = load_settings(discord_bot_token="x", gemini_api_key="k")
    assert local_chat_port(with_discord, enabled_adapters(with_discord)) is None
    asked = load_settings(discord_bot_token="x", gemini_api_key="k", local_chat_port=9000)
    assert local_chat_port(asked, enabled_adapters(asked)) == 9000
    beside = load_settings(telegram_bot_token="1:x", gemini_api_key="k", local_chat_port=0)
    assert local_chat_port(beside, enabled_adapters(beside)) == 0  # beside it, its own core


async def test_beside_a_platform_the_local_chat_spends_nothing_and_keeps_its_own_ledger(
        tmp_path: Path) -> None:
    """Whatever the real bot is set to (a key, a PostgreSQL ledger, prices), the local chat
    beside it runs on the demo model, free, on DATA_DIR/localchat.sqlite3, and never as the
    Discord bot."""
    real = load_settings(discord_bot_token="x", gemini_api_key="k", local_chat_port=0,
                         database_url="postgresql://editbot@db.example/editbot",
                         data_dir=str(tmp_path), price_per_image_usd_1k=0.5)
    local, chat = open_local_chat(real, 0, beside=True)
    try:
        assert chat.url.startswith("http://127.0.0.1:") and chat.port != 0
        assert local.gemini_model == "editbot-demo-beside"
        assert local.gemini_base_url == chat.model_url
        assert local.gemini_api_key is not None and local.gemini_api_key.get_secret_value() != "k"
        assert local.database_url == f"sqlite:///{tmp_path}/localchat.sqlite3"
        assert local.discord_bot_token is None and local.price_overrides() == {}
        assert local.telegram_api_base_url == chat.url
    finally:
        await chat.close()
