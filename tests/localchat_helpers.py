"""The bot as ``python -m bot run`` behind its local chat, and a person using the chat's page
through the same HTTP calls the page makes (the browser test clicks the page itself)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"local chat: open (http://127\.0\.0\.1:\d+) in a browser")
YOU, BO, GROUP = 1001, 1002, -1001001


def photo(size: tuple[int, int] = (800, 600), colour: tuple[int, int, int] = (200, 80, 40)
          ) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def bare_env(**settings: str) -> dict[str, str]:
    """Nothing set but where to listen: any free port (this machine's 8080 and 8090 may be
    taken by others)."""
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "LISTEN_PORT": "0",
            "LOCAL_CHAT_PORT": "0", **settings}


@dataclass
class Bot:
    url: str
    lines: list[str] = field(default_factory=list)


@asynccontextmanager
async def local_bot(cwd: Path, env: dict[str, str]) -> AsyncIterator[Bot]:
    """``python -m bot run`` until it prints the local chat's address; SIGTERM after."""
    process = await bot_process("run", env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    bot = Bot("")
    try:
        while not any("polling as" in line for line in bot.lines):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "the bot ended early:\n" + "\n".join(bot.lines)
            bot.lines.append(line.decode().rstrip())
            found = ADDRESS.search(bot.lines[-1])
            bot.url = found.group(1) if found else bot.url
        assert bot.url, bot.lines
        yield bot
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
        bot.lines += out.decode().splitlines()
    assert process.returncode == 0, "\n".join(bot.lines)


class Person:
    """Someone at the page: sends in a chat, presses buttons, reads the chat's messages."""

    def __init__(self, http: httpx.AsyncClient, user: int = YOU, chat: int | None = None,
                 lang: str = "en") -> None:
        self.http, self.user, self.lang = http, user, lang
        self.chat = user if chat is None else chat

    def _who(self) -> dict[str, Any]:
        return {"chat": str(self.chat), "user": str(self.user), "lang": self.lang}

    async def send(self, text: str = "", image: bytes | None = None, *,
                   reply_to: int | None = None, as_file: bool = False) -> httpx.Response:
        data = {**self._who(), "text": text}
        if reply_to is not None:
            data["reply_to"] = str(reply_to)
        if as_file:
            data["as_file"] = "1"
        files = {"photo": ("photo.jpg", image, "image/jpeg")} if image is not None else None
        return await self.http.post("/chat/send", data=data, files=files)

    async def press(self, message_id: int, data: str) -> httpx.Response:
        return await self.http.post("/chat/press", json={**self._who(),
                                                         "message_id": message_id,
                                                         "data": data})

    async def messages(self) -> list[dict[str, Any]]:
        answer = await self.http.get("/chat/feed", params={"chat": self.chat, "after": 0})
        answer.raise_for_status()
        return list(answer.json()["messages"])

    async def wait_for(self, found: Callable[[list[dict[str, Any]]], Any],
                       within_s: float = 30) -> Any:
        """The first truthy ``found(messages)`` of this chat (the feed, asked again and
        again); fails after ``within_s``."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            messages = await self.messages()
            result = found(messages)
            if result:
                return result
            await asyncio.sleep(0.1)
        raise AssertionError(f"not seen in {within_s} s: {await self.messages()}")


def results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot's messages that carry a picture and the result's buttons."""
    return [m for m in messages if m["bot"] and m.get("photo") and m["buttons"]]


def bot_texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m["bot"]]
