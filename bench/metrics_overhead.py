"""The cost of the Prometheus metrics: two bots side by side in this process, against the fake
Bot API and a fake Gemini that answers at once, one recording metrics, one with
``Metrics(enabled=False)``, whose 1K edits alternate so that each pair meets the same load from
the machine's neighbours (wall time and this process's CPU time per edit, as mean paired
differences with their standard errors); the CPU time of the metric calls one edit makes; and
the CPU time of one /metrics scrape. ``--control`` runs both without metrics: the measurement's
own spread. (bench/overhead.py --metrics-only runs this.)

    python bench/metrics_overhead.py [--pairs 150] [--control] [--quick]

Ends with one JSON line: {"metrics_overhead_pct", "metrics_cpu_us_per_edit", "metrics_cpu_pct",
...}."""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from harness import emit, fakes, percentile

from adapters.telegram.app import TelegramAdapter
from bot.bootstrap import build
from bot.config import Settings, load_settings
from bot.domain import TokenUsage
from bot.ops import Metrics
from bot.pricing import Spend
from editbot.serve import http_server
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


@asynccontextmanager
async def running_bot(tg: FakeTelegram, settings: Settings, *, metrics: bool
                      ) -> AsyncIterator[Any]:
    """A bot on its own fake Bot API and database, with metrics on or off; yields its core."""
    database = settings.database_url.replace(".sqlite3", f"-{tg.root.rsplit(':', 1)[1]}.sqlite3")
    settings = settings.model_copy(update={"telegram_api_base_url": tg.root,
                                           "database_url": database})
    core = build(settings, metrics=Metrics(model=settings.gemini_model, enabled=metrics))
    await core.start()
    adapter = TelegramAdapter(core)
    await adapter.start()
    try:
        yield core
    finally:
        await adapter.stop()
        await core.aclose()


async def one_edit(tg: FakeTelegram, gemini: FakeGemini) -> tuple[float, float]:
    """One 1K edit: (ms until the user has it, ms of this process's CPU for the whole edit,
    tidying up included). The fakes forget what they kept of it afterwards, so that every edit
    meets fakes of the same size (their lookups and memory would grow with each one)."""
    cpu, wall = time.process_time(), time.perf_counter()
    tg.post(CHAT, USER, photo=PHOTO, caption="/edit add a hat")
    await tg.wait_for(lambda: tg.photos(), within=120)
    wall = time.perf_counter() - wall
    await asyncio.sleep(0.02)  # the commit follows the upload
    cpu = time.process_time() - cpu
    tg.calls.clear()
    tg.files.clear()
    tg.messages.clear()
    gemini.requests.clear()
    return wall * 1000, cpu * 1000


def metric_calls_cpu_us(rounds: int = 20_000) -> float:
    """CPU microseconds of the metric calls one delivered edit makes (the same calls, in the
    same number, as EditService, GeminiClient and the adapter make)."""
    metrics = Metrics(model=MODEL)
    spend = Spend(MODEL, "1K", TokenUsage(prompt=600, output=1128, thoughts=212, total=1940),
                  0.139)
    started = time.process_time()
    for _ in range(rounds):
        metrics.credits("telegram", "reserved", 1)
        metrics.stage("queue_wait", None, 0.001)
        metrics.upstream_response("2xx")
        metrics.stage("upstream", None, 0.5)
        metrics.spent(spend)
        metrics.stage("delivery", None, 0.2)
        metrics.credits("telegram", "committed", 1)
        metrics.stage("end_to_end", None, 0.8)
        metrics.edit("telegram", "delivered", None)
    return (time.process_time() - started) / rounds * 1e6


async def scrape_cpu_ms(core: Any) -> float:
    """CPU milliseconds of one /metrics answer, through the real HTTP server."""
    server = http_server(core, [])
    assert server is not None
    await server.start()
    try:
        async with httpx.AsyncClient() as http:
            await http.get(f"{server.url}/metrics")
            started = time.process_time()
            for _ in range(100):
                assert (await http.get(f"{server.url}/metrics")).status_code == 200
            return (time.process_time() - started) / 100 * 1000
    finally:
        await server.stop()


def relative(differences: list[float], base: float) -> tuple[float, float, float]:
    """The mean difference, its standard error and the median difference, in percent of
    ``base``."""
    mean = statistics.fmean(differences)
    error = statistics.stdev(differences) / len(differences) ** 0.5
    median = statistics.median(differences)
    return (round(100 * mean / base, 2), round(100 * error / base, 2),
            round(100 * median / base, 2))


async def compare_metrics(settings: Settings, gemini: FakeGemini, pairs: int, *,
                          control: bool = False, warmup: int = 3,
                          rounds: int = 20_000) -> dict[str, Any]:
    """Two bots in this process, one with metrics and one without, each on its own fake Bot
    API (the same fake Gemini); their edits alternate (on-off, off-on, ...), so each pair
    meets the same load from the machine's neighbours, and the paired differences of wall
    time and CPU time are compared. ``control``: both bots without metrics, to see the
    measurement's own spread (an A/A run)."""
    wall: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    scrape_ms = 0.0
    # in the second half the bot without metrics starts first, so that whatever favours the
    # first one started falls on both modes alike; each half has fresh fakes (a new bot would
    # otherwise be handed the old updates again)
    for half in (0, 1):
        on_tg, off_tg = FakeTelegram(), FakeTelegram()
        await on_tg.start()
        await off_tg.start()
        try:
            async with AsyncExitStack() as stack:
                cores = {}
                for on in ((True, False) if half == 0 else (False, True)):
                    cores[on] = await stack.enter_async_context(running_bot(
                        on_tg if on else off_tg, settings, metrics=on and not control))
                for i in range(pairs // 2 + warmup):
                    order = (True, False) if i % 2 == 0 else (False, True)
                    measured = {on: await one_edit(on_tg if on else off_tg, gemini)
                                for on in order}
                    if i >= warmup:  # warm-up pairs
                        for on, (w, c) in measured.items():
                            wall[on].append(w)
                            cpu[on].append(c)
                scrape_ms = await scrape_cpu_ms(cores[True])
        finally:
            await on_tg.stop()
            await off_tg.stop()
    wall_pct, wall_err, wall_median = relative(
        [a - b for a, b in zip(wall[True], wall[False], strict=True)],
        statistics.fmean(wall[False]))
    cpu_pct, cpu_err, cpu_median = relative(
        [a - b for a, b in zip(cpu[True], cpu[False], strict=True)], statistics.fmean(cpu[False]))
    calls_us = metric_calls_cpu_us(rounds)
    cpu_off = statistics.fmean(cpu[False])
    figures = {
        "metrics_control": control, "metrics_pairs": len(cpu[True]),
        "metrics_wall_ms_p50_on": round(statistics.median(wall[True]), 1),
        "metrics_wall_ms_p50_off": round(statistics.median(wall[False]), 1),
        "metrics_wall_overhead_pct": wall_pct, "metrics_wall_overhead_stderr_pct": wall_err,
        "metrics_wall_overhead_median_pct": wall_median,
        "metrics_cpu_ms_per_edit_off": round(cpu_off, 2),
        "metrics_cpu_overhead_pct": cpu_pct, "metrics_cpu_overhead_stderr_pct": cpu_err,
        "metrics_cpu_overhead_median_pct": cpu_median,
        "metrics_calls_us_per_edit": round(calls_us, 1),
        "metrics_calls_pct_of_edit_cpu": round(100 * calls_us / 1000 / cpu_off, 3),
        "metrics_scrape_cpu_ms": round(scrape_ms, 2),
    }
    print(f"metrics{' (control: both off)' if control else ''}, {len(cpu[True])} alternating "
          f"pairs of 1K edits: wall p50 {figures['metrics_wall_ms_p50_on']} ms with, "
          f"{figures['metrics_wall_ms_p50_off']} ms without, paired difference "
          f"{wall_pct:+.2f}% ± {wall_err:.2f} (median {wall_median:+.2f}%); CPU per edit "
          f"{cpu_off:.1f} ms without, paired difference {cpu_pct:+.2f}% ± {cpu_err:.2f} "
          f"(median {cpu_median:+.2f}%); the metric calls of one edit {calls_us:.1f} us "
          f"({figures['metrics_calls_pct_of_edit_cpu']}% of its CPU); one /metrics scrape "
          f"{scrape_ms:.2f} ms of CPU", flush=True)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits-1k", type=int, default=40)
    parser.add_argument("--edits-4k", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=150, help="1K edits with/without metrics")
    parser.add_argument("--metrics-only", action="store_true")
    parser.add_argument("--control", action="store_true",
                        help="both bots without metrics: the measurement's own spread")
    parser.add_argument("--quick", action="store_true",
                        help="one tiny run, to check the script works (figures mean nothing)")
    args = parser.parse_args()
    args.metrics_only = True  # the comparison with a minimal pipeline is bench/overhead.py's
    quick = {"warmup": 1, "rounds": 2_000} if args.quick else {}
    if args.quick:
        args.edits_1k, args.edits_4k, args.pairs = 1, 1, 2
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, Any] = {}
    async with fakes() as (tg, gemini):
        gemini.grain, gemini.variants = 0.15, 1
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                _env_file=None, telegram_bot_token=tg.token, telegram_api_base_url=tg.root,
                gemini_api_key=gemini.key, gemini_base_url=gemini.base_url,
                database_url=f"sqlite:///{Path(tmp) / 'bot.sqlite3'}",
                default_daily_limit=10_000, listen_port=0, listen_host="127.0.0.1")
            figures.update(await compare_metrics(settings, gemini, args.pairs,
                                                 control=args.control, **quick))
            if args.metrics_only:
                emit(figures)
                return
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
