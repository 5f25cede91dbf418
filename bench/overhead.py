"""The time the bot adds to an edit, when the model answers at once.

The Telegram adapter runs in this process against the fake Bot API and a fake Gemini that
answers immediately with photo-weight images (about 1 MB at 1K, 17 MB at 4K). Each edit is
timed from the user's message to the bot's last upload (the photo at 1K; the photo and then the
full-resolution document at 4K), one edit at a time. Beside it, in the same process, a minimal
pipeline does the same with plain httpx: getFile, download, base64, post, decode, upload.

    python bench/overhead.py [--edits-1k 40] [--edits-4k 10]

Ends with one JSON line: {"overhead_ms_1k_p50", "overhead_ms_4k_p50", "vs_reference_1k", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from harness import emit, fakes, percentile

from adapters.telegram.app import TelegramAdapter
from bot.bootstrap import build
from bot.config import load_settings
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram

USER = FakeTelegram.user(7, "Ann")
CHAT = FakeTelegram.private(USER)
PHOTO = make_image(2560, 1920, "JPEG", grain=0.15)  # Telegram keeps photos to 2560 px
MODEL = "gemini-3-pro-image-preview"


async def timed(runs: int, warmup: int, once: Callable[[], Awaitable[float]]) -> list[float]:
    """Milliseconds from the start of each run to the moment ``once`` returns (the moment the
    user had the result)."""
    times = []
    for i in range(warmup + runs):
        started = time.perf_counter()
        done = await once()
        if i >= warmup:
            times.append((done - started) * 1000)
    return times


async def bot_edits(tg: FakeTelegram, size: str, runs: int, warmup: int) -> list[float]:
    last = "sendPhoto" if size == "1K" else "sendDocument"

    async def once() -> float:
        before, cleared = len(tg.sent(last)), len(tg.sent("deleteMessage"))
        tg.post(CHAT, USER, photo=PHOTO, caption=f"/edit {size} add a hat")
        await tg.wait_for(lambda: len(tg.sent(last)) > before, within=120)
        done = time.perf_counter()
        # the user has it; let the bot tidy up (status message, ledger) before the next edit
        await tg.wait_for(lambda: len(tg.sent("deleteMessage")) > cleared, within=60)
        return done

    return await timed(runs, warmup, once)


async def reference_edits(tg: FakeTelegram, gemini: FakeGemini, size: str, runs: int,
                          warmup: int) -> list[float]:
    """The least a bot must do: fetch the photo, send it to the model, upload the answer."""
    api = f"{tg.root}/bot{tg.token}"
    async with httpx.AsyncClient(timeout=120) as http:

        async def once() -> float:
            file_id = tg.photo_sizes(PHOTO)[-1]["file_id"]  # stored as a user's photo is
            found = (await http.post(f"{api}/getFile", json={"file_id": file_id})).json()
            path = found["result"]["file_path"]
            data = (await http.get(f"{tg.root}/file/bot{tg.token}/{path}")).content
            body = {"contents": [{"role": "user", "parts": [
                {"inlineData": {"mimeType": "image/jpeg",
                                "data": base64.b64encode(data).decode()}},
                {"text": "add a hat"}]}],
                "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                                     "imageConfig": {"imageSize": size}}}
            answer = (await http.post(
                f"{gemini.base_url}/v1beta/models/{MODEL}:generateContent", json=body,
                headers={"x-goog-api-key": gemini.key})).json()
            parts = answer["candidates"][0]["content"]["parts"]
            image = base64.b64decode([p for p in parts if "inlineData" in p][-1]
                                     ["inlineData"]["data"])
            method, field = ("sendPhoto", "photo") if size == "1K" else ("sendDocument",
                                                                           "document")
            sent = await http.post(f"{api}/{method}", data={"chat_id": str(CHAT["id"])},
                                   files={field: ("edit.png", image, "image/png")})
            assert sent.json()["ok"], sent.text
            return time.perf_counter()

        return await timed(runs, warmup, once)


def summary(times: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(times), 1), "p95": round(percentile(times, 95), 1)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits-1k", type=int, default=40)
    parser.add_argument("--edits-4k", type=int, default=10)
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.edits_1k, args.edits_4k = 1, 1
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, Any] = {}
    async with fakes() as (tg, gemini):
        gemini.grain, gemini.variants = 0.15, 1
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                _env_file=None, telegram_bot_token=tg.token, telegram_api_base_url=tg.root,
                gemini_api_key=gemini.key, gemini_base_url=gemini.base_url,
                database_url=f"sqlite:///{Path(tmp) / 'bot.sqlite3'}",
                default_daily_limit=10_000)
            core = build(settings)
            await core.start()
            adapter = TelegramAdapter(core)
            await adapter.start()
            try:
                for size, runs in (("1K", args.edits_1k), ("4K", args.edits_4k)):
                    warmup = 3 if size == "1K" else 2
                    ours = summary(await bot_edits(tg, size, runs, warmup))
                    ref = summary(await reference_edits(tg, gemini, size, runs, warmup))
                    key = size.lower()
                    figures[f"overhead_ms_{key}_p50"] = ours["p50"]
                    figures[f"overhead_ms_{key}_p95"] = ours["p95"]
                    figures[f"reference_ms_{key}_p50"] = ref["p50"]
                    figures[f"vs_reference_{key}"] = round(ours["p50"] / ref["p50"], 2)
                    print(f"{size}: the bot {ours['p50']:.0f} ms p50, {ours['p95']:.0f} ms p95 "
                          f"per edit; the minimal pipeline {ref['p50']:.0f} ms p50 "
                          f"({ours['p50'] / ref['p50']:.2f}x)", flush=True)
            finally:
                await adapter.stop()
                await core.aclose()
    emit(figures)


if __name__ == "__main__":
    asyncio.run(main())
