"""Decoding input images without letting a crowd of them take the machine: a pool of worker
threads as large as the machine has cores, and a budget for the decoded pixels in memory at
once (a 7000x7000 PNG is 190 KB on the wire and 196 MB decoded)."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from PIL import Image

from ..domain import ImageInput
from ..images import MAX_INPUT_PIXELS, MAX_INPUT_SIDE, fit_references, prepare_input

BYTES_PER_PIXEL = 4  # decoded RGBA, the worst case
MB = 1024 * 1024


def _decoded_size(data: bytes) -> int:
    """What ``data`` takes in memory while it is readied, by its header: its decoded pixels,
    twice that when it must be shrunk (the resize's intermediate and result are about as large
    again); 0 when it has no readable header or too many pixels (refused without decoding)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:
        return 0
    if width * height > MAX_INPUT_PIXELS:
        return 0  # refused by its header, never decoded
    shrunk = 2 if max(width, height) > MAX_INPUT_SIDE else 1
    return width * height * BYTES_PER_PIXEL * shrunk


def _ready_trusted(blobs: list[bytes]) -> tuple[ImageInput, ...]:
    """A platform's own photos readied and fitted together, one after another in one thread."""
    return fit_references([prepare_input(blob, verify=False) for blob in blobs])


class PixelBudget:
    """An async allowance of bytes: a request larger than the whole budget waits until it is
    alone, so every image can still be decoded, one at a time."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0
        self.peak = 0
        self._changed = asyncio.Condition()

    async def acquire(self, amount: int) -> int:
        amount = min(amount, self.capacity)
        async with self._changed:
            await self._changed.wait_for(lambda: self.used + amount <= self.capacity)
            self.used += amount
            self.peak = max(self.peak, self.used)
        return amount

    async def release(self, amount: int) -> None:
        async with self._changed:
            self.used -= amount
            self._changed.notify_all()


class Decoder:
    def __init__(self, *, memory_bytes: int, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="decode")
        self._budget: PixelBudget | None = None
        self._memory = memory_bytes

    @property
    def budget(self) -> PixelBudget:
        if self._budget is None:  # made on first use, inside the running loop
            self._budget = PixelBudget(self._memory)
        return self._budget

    async def prepare(self, blobs: Iterable[bytes], platform_encoded: Sequence[bool] = (),
                      ) -> tuple[ImageInput, ...]:
        """Validate and ready raw inputs in the pool, shrunk to fit one model request together;
        raises ImageError. Those marked in ``platform_encoded`` are not decoded only to prove
        them sound (see prepare_input)."""
        trusted, blobs = list(platform_encoded), list(blobs)
        loop = asyncio.get_running_loop()
        if len(trusted) >= len(blobs) and all(trusted[:len(blobs)]):  # one hop for them all
            return await loop.run_in_executor(self._pool, _ready_trusted, blobs)
        prepared = [await self.prepare_one(blob, verify=not (i < len(trusted) and trusted[i]))
                    for i, blob in enumerate(blobs)]
        return await loop.run_in_executor(self._pool, fit_references, prepared)

    async def prepare_one(self, blob: bytes, *, verify: bool = True) -> ImageInput:
        loop = asyncio.get_running_loop()
        if not verify:  # a platform's own photo (Telegram: at most 2560 px) is decoded only
            # if it needs turning, and never larger than 26 MB: the pool's bound is enough
            return await loop.run_in_executor(self._pool, partial(prepare_input, blob,
                                                                  verify=False))
        size = await loop.run_in_executor(self._pool, _decoded_size, blob)
        budget = self.budget
        held = await budget.acquire(size)
        try:
            return await loop.run_in_executor(self._pool, partial(prepare_input, blob,
                                                                  verify=verify))
        finally:
            await budget.release(held)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
