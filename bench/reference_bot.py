"""The benchmarks' yardstick: the least a Telegram photo-editing bot must do, on aiohttp.

For each ``/edit [4K] PROMPT`` photo caption: getFile, download, Gemini generateContent,
sendPhoto; at 4K the same as the bot sends, a photo preview (halved to fit Telegram's 2560 px,
JPEG 95) and the full image as a document. No status message, quota, validation or buttons. A
429 is waited out (retry_after) and the call made again, which is the least a bot must do to
deliver at all. Run as its own process:

    REF_TOKEN=... REF_API=http://127.0.0.1:port GEMINI_BASE_URL=... GEMINI_API_KEY=... \\
        python bench/reference_bot.py
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import signal
from typing import Any

import aiohttp
from PIL import Image

TOKEN, API = os.environ["REF_TOKEN"], os.environ["REF_API"]
GEMINI, KEY = os.environ["GEMINI_BASE_URL"], os.environ["GEMINI_API_KEY"]
MODEL = os.environ.get("GEMINI_MODEL", "gemini-3-pro-image-preview")
BOT = f"{API}/bot{TOKEN}"


async def call(http: aiohttp.ClientSession, method: str, *, data: Any = None,
               json_body: Any = None) -> Any:
    for _ in range(20):
        form = data() if callable(data) else data
        async with http.post(f"{BOT}/{method}", data=form, json=json_body) as response:
            answer = await response.json()
        if answer.get("ok"):
            return answer["result"]
        retry = (answer.get("parameters") or {}).get("retry_after")
        if retry is None:
            raise RuntimeError(f"{method}: {answer.get('description')}")
        await asyncio.sleep(retry)
    raise RuntimeError(f"{method}: flood control did not end")


def preview(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    if max(image.size) > 2560:
        image = image.convert("RGB").reduce(-(-max(image.size) // 2560))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


async def send(http: aiohttp.ClientSession, method: str, field: str, chat: int, reply: int,
               blob: bytes, name: str) -> None:
    def form() -> aiohttp.FormData:
        body = aiohttp.FormData()
        body.add_field("chat_id", str(chat))
        body.add_field("reply_parameters", json.dumps({"message_id": reply}))
        body.add_field(field, blob, filename=name)
        return body

    await call(http, method, data=form)


async def edit(http: aiohttp.ClientSession, message: dict[str, Any]) -> None:
    words = str(message.get("caption") or "").split()
    if not words or words[0] != "/edit" or "photo" not in message:
        return
    size = "4K" if "4K" in words[1:] else "1K"
    prompt = " ".join(w for w in words[1:] if w not in ("1K", "4K"))
    found = await call(http, "getFile", json_body={"file_id": message["photo"][-1]["file_id"]})
    async with http.get(f"{API}/file/bot{TOKEN}/{found['file_path']}") as response:
        photo = await response.read()
    body = {"contents": [{"role": "user", "parts": [
        {"inlineData": {"mimeType": "image/jpeg", "data": base64.b64encode(photo).decode()}},
        {"text": prompt}]}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                             "imageConfig": {"imageSize": size}}}
    async with http.post(f"{GEMINI}/v1beta/models/{MODEL}:generateContent", json=body,
                         headers={"x-goog-api-key": KEY}) as response:
        answer = await response.json()
    parts = answer["candidates"][0]["content"]["parts"]
    image = base64.b64decode([p for p in parts if "inlineData" in p][-1]["inlineData"]["data"])
    chat, reply = message["chat"]["id"], message["message_id"]
    if size == "1K":
        await send(http, "sendPhoto", "photo", chat, reply, image, "edit.png")
        return
    small = await asyncio.to_thread(preview, image)
    await send(http, "sendPhoto", "photo", chat, reply, small, "edit.jpg")
    await send(http, "sendDocument", "document", chat, reply, image, "edit.png")


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    tasks: set[asyncio.Task[None]] = set()
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        offset = 0
        while not stop.is_set():
            polling = asyncio.ensure_future(call(http, "getUpdates", json_body={
                "offset": offset, "timeout": 30, "allowed_updates": ["message"]}))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not polling.done():
                polling.cancel()
                break
            stopping.cancel()
            for update in polling.result():
                offset = max(offset, update["update_id"] + 1)
                if "message" in update:
                    task = asyncio.create_task(edit(http, update["message"]))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        for task in tasks:
            task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
