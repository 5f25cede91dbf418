"""The bot as a real ``python -m bot run`` process against the fakes: its environment and its
start, shared by the process tests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import Any

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.ports import free_port
from tests.zygote import bot_process

__all__ = ["closed_port", "free_port", "launch", "telegram_env"]

ROOT = Path(__file__).resolve().parents[1]


def telegram_env(tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path,
                 **settings: str) -> dict[str, str]:
    """Telegram and Gemini on the fakes, the database in ``tmp_path``, no HTTP port of its own
    unless ``settings`` name one."""
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root,
            "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LISTEN_PORT": "0",
            **settings}


async def launch(env: dict[str, str], cwd: Path, *, logs: bool = True, fresh: bool = False
                 ) -> Any:
    """``python -m bot run``; with ``logs`` its output is kept (stdout, stderr joined).
    ``fresh``: a new interpreter, not a fork of the zygote (tests/zygote.py), where the
    process's own start is measured (its memory)."""
    out = asyncio.subprocess.PIPE if logs else asyncio.subprocess.DEVNULL
    err = asyncio.subprocess.STDOUT if logs else asyncio.subprocess.DEVNULL
    if fresh:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=cwd, stdout=out, stderr=err)
    return await bot_process("run", env=env, cwd=cwd, stdout=out, stderr=err)


_HELD: list[socket.socket] = []


def closed_port() -> int:
    """A loopback port where a connection is refused for the whole test run: the socket stays
    bound without listening, so no other test (or xdist worker) can take the port meanwhile."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD.append(sock)
    return int(sock.getsockname()[1])
