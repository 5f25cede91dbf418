"""The local chat's demo model: Gemini's generateContent on the same REST shape, answered by
Pillow instead of a model, for trying the bot without GEMINI_API_KEY.

What it does is plain to see: the input (the last image of the request, or a blank canvas for
/imagine) cropped to the ratio asked (``imageConfig.aspectRatio``; else the input's own shape),
scaled to the size asked (1K, 2K or 4K on the long side), with the prompt written across it.
The bot adds "demo model" to every result's caption, in the user's language.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import io
import json
import textwrap
from typing import Any

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

LONG_SIDE = {"512": 512, "1K": 1024, "2K": 2048, "4K": 4096}
CANVAS = (40, 60, 90)  # /imagine's blank input: a dark blue


def _error(status: int, message: str, reason: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "status": reason}},
                             status=status)


def _shape(ratio: str | None, width: int, height: int) -> float:
    if ratio:
        w, _, h = ratio.partition(":")
        return float(w) / float(h)
    return width / height


# on every result's top band (and in the local chat's listen line)
NOTE = "editbot demo model: set GEMINI_API_KEY for real edits"
NOTE_BESIDE = "editbot demo model: no real edits beside a running bot"


def render(prompt: str, source: bytes | None, ratio: str | None, size: str | None,
           banner: str = NOTE) -> bytes:
    """The demo's answer: ``source`` fitted to ``ratio`` and ``size``, ``prompt`` drawn on it,
    ``banner`` along the top, as PNG bytes."""
    if source is None:
        image = Image.new("RGB", (1024, 1024), CANVAS)
    else:
        with Image.open(io.BytesIO(source)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    shape = _shape(ratio, image.width, image.height)
    long_side = LONG_SIDE.get(size or "1K", 1024)
    out = ((long_side, round(long_side / shape)) if shape >= 1
           else (round(long_side * shape), long_side))
    image = ImageOps.fit(image, out, Image.Resampling.LANCZOS)
    _caption(image, prompt, banner)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _caption(image: Image.Image, prompt: str, banner: str) -> None:
    """The prompt on a dark band along the bottom, ``banner`` on a band at the top."""
    draw = ImageDraw.Draw(image, "RGBA")
    em = max(image.width // 20, 12)
    font = ImageFont.load_default(size=em)
    lines = textwrap.wrap(prompt, width=max(int(image.width / (em * 0.55)), 8))[:4] or [""]
    band = (len(lines) + 1) * em * 1.25
    draw.rectangle((0, image.height - band, image.width, image.height), fill=(0, 0, 0, 170))
    for i, line in enumerate(lines):
        draw.text((em * 0.6, image.height - band + em * (0.6 + 1.25 * i)), line,
                  fill=(255, 255, 255), font=font)
    small = ImageFont.load_default(size=max(em * 2 // 3, 10))
    draw.rectangle((0, 0, image.width, em * 1.3), fill=(255, 200, 0, 200))
    draw.text((em * 0.5, em * 0.2), banner, fill=(0, 0, 0), font=small)


def _request(body: dict[str, Any]) -> tuple[str, bytes | None, str | None, str | None]:
    """The prompt, the image to work on, the ratio and the size of a generateContent body."""
    contents = body.get("contents") or []
    prompt, source = "", None
    for content in contents:
        for part in content.get("parts") or []:
            inline = part.get("inlineData") or part.get("inline_data")
            if isinstance(inline, dict) and inline.get("data"):
                source = base64.b64decode(inline["data"])  # the newest image wins
            elif content.get("role", "user") == "user" and isinstance(part.get("text"), str):
                prompt = part["text"]
    config = (body.get("generationConfig") or {}).get("imageConfig") or {}
    return prompt, source, config.get("aspectRatio"), config.get("imageSize")


class DemoModel:
    def __init__(self, key: str, name: str, *, banner: str = NOTE) -> None:
        self.key = key
        self.name = name
        self.banner = banner
        self.edits = 0

    def routes(self, prefix: str) -> list[web.RouteDef]:
        path = f"{prefix}/v1beta/models/{{call}}"
        return [web.get(path, self.describe), web.post(path, self.generate)]

    def _refused(self, request: web.Request) -> web.Response | None:
        given = request.headers.get("x-goog-api-key", "")
        if not hmac.compare_digest(given, self.key):
            return _error(403, "The API key is not valid for the demo model.",
                          "PERMISSION_DENIED")
        if request.match_info["call"].split(":")[0] != self.name:
            return _error(404, f"models/{request.match_info['call']} is not found.",
                          "NOT_FOUND")
        return None

    async def describe(self, request: web.Request) -> web.Response:
        """models.get: what the bot asks at start to check its key."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        return web.json_response({"name": f"models/{self.name}", "displayName": "editbot demo",
                                  "supportedGenerationMethods": ["generateContent"]})

    async def generate(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        if not request.match_info["call"].endswith(":generateContent"):
            return _error(404, "Only generateContent is served here.", "NOT_FOUND")
        try:
            prompt, source, ratio, size = _request(json.loads(await request.read()))
            data = await asyncio.to_thread(render, prompt, source, ratio, size,
                                           self.banner)
        except (ValueError, AttributeError, binascii.Error, UnidentifiedImageError):
            return _error(400, "The request is not one the demo model can read.",
                          "INVALID_ARGUMENT")
        self.edits += 1
        part = {"inlineData": {"mimeType": "image/png",
                               "data": base64.b64encode(data).decode()}}
        return web.json_response({
            "candidates": [{"content": {"role": "model", "parts": [part]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 0, "candidatesTokenCount": 0,
                              "totalTokenCount": 0}})
