"""What an operator reads from a running bot at the default INFO level (``python -m bot run``
as a process against the fakes): where /healthz, /readyz and /metrics are served, on the real
port, and one line per finished edit, without the user's prompt."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from pathlib import Path

import httpx

from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import launch, telegram_env

ANN = FakeTelegram.user(11, "Ann")
BEN = FakeTelegram.user(12, "Ben")
GROUP = FakeTelegram.group()
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


async def _run_two_edits(tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path,
                         **settings: str) -> tuple[str, int]:
    """One edit delivered in a private chat, one refused by the model in a group; the logs
    and the /healthz status seen on the port the listen line named."""
    process = await launch(telegram_env(tg, gemini, tmp_path, **settings), tmp_path)
    assert process.stdout is not None
    logs = ""
    try:
        while "serving /healthz" not in logs:
            logs += (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        port = int(re.findall(r"serving /healthz.* on 127\.0\.0\.1:(\d+)", logs)[0])
        async with httpx.AsyncClient() as client:
            health = (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code
        await tg.wait_for(lambda: tg.polls > 0, within=20)
        tg.post(FakeTelegram.private(ANN), ANN, photo=make_image(640, 480, "JPEG"),
                caption="/edit add a llama")
        await tg.wait_for(lambda: len(tg.photos()) == 1, within=20)
        gemini.push(Fault.refuse("IMAGE_SAFETY"))
        tg.post(GROUP, BEN, photo=make_image(640, 480, "JPEG"), caption="/edit 4K a secret wish")
        await tg.wait_for(lambda: len(gemini.requests) == 2 and len(tg.texts()) >= 2,
                          within=20)
        await asyncio.sleep(0.3)  # the refund, then the line, after the reply
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 20)
    return logs + out.decode(), health


async def test_the_listen_line_and_one_line_per_edit_word_for_word(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    logs, health = await _run_two_edits(tg, gemini, tmp_path)
    lines = logs.splitlines()
    listen = [line for line in lines if "serving /healthz" in line]
    assert len(listen) == 1 and health == 200  # the port it names is the one that answers
    assert re.fullmatch(STAMP + r" INFO adapters\.server: serving /healthz, /readyz and "
                        r"/metrics on 127\.0\.0\.1:\d+", listen[0]), listen[0]
    edits = [line.split(" INFO bot.edits.books: ", 1)[1] for line in lines
             if " INFO bot.edits.books: " in line]
    assert len(edits) == 2, logs
    seconds = [re.findall(r"seconds=(\d+\.\d) ", line)[0] for line in edits]
    # 0.134 for the 1K image, 568 prompt tokens at $2/M, 212 thinking tokens at $12/M
    assert edits[0] == (f"edit finished: job=1 platform=telegram chat=private size=1K "
                        f"outcome=delivered seconds={seconds[0]} credits=1 cost_usd=0.1377")
    # refused: nothing charged, the prompt and the thinking still paid upstream
    assert edits[1] == (f"edit finished: job=2 platform=telegram chat=group size=4K "
                        f"outcome=refused seconds={seconds[1]} credits=0 cost_usd=0.0037 "
                        "reason=IMAGE_SAFETY")
    assert "llama" not in logs and "secret wish" not in logs  # no prompt at INFO


async def test_json_logs_carry_the_edit_as_fields_and_debug_the_prompt(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    logs, _ = await _run_two_edits(tg, gemini, tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    entries = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    finished = [e for e in entries if e["msg"].startswith("edit finished:")]
    assert [(e["job"], e["platform"], e["chat"], e["size"], e["outcome"], e["credits"],
             e["cost_usd"]) for e in finished] == [
        (1, "telegram", "private", "1K", "delivered", 1, 0.1377),
        (2, "telegram", "group", "4K", "refused", 0, 0.0037)]
    assert finished[1]["reason"] == "IMAGE_SAFETY" and finished[0]["level"] == "INFO"
    prompts = [e["msg"] for e in entries if e["msg"].startswith("job ") and "prompt" in e["msg"]]
    assert prompts == ["job 1 prompt: 'add a llama'", "job 2 prompt: 'a secret wish'"]
    assert all(e["level"] == "DEBUG" for e in entries if "prompt:" in e["msg"])


async def test_a_job_refunded_at_the_next_start_gets_its_line_too(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    env = telegram_env(tg, gemini, tmp_path)
    first = await launch(env, tmp_path, logs=False)
    await tg.wait_for(lambda: tg.polls > 0, within=20)
    gemini.delay = 60
    tg.post(GROUP, BEN, photo=make_image(640, 480, "JPEG"), caption="/edit add a llama")
    await tg.wait_for(lambda: gemini.requests, within=20)
    first.kill()
    await first.wait()
    tg.files.clear()  # the photo can no longer be fetched: the job cannot be finished
    second = await launch(env, tmp_path)
    try:
        await tg.wait_for(lambda: any("restarted before finishing" in t for t in tg.texts()),
                          within=20)
        await asyncio.sleep(0.3)
    finally:
        second.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(second.communicate(), 20)
    edits = [line.split(" INFO bot.edits.books: ", 1)[1] for line in out.decode().splitlines()
             if " INFO bot.edits.books: " in line]
    assert len(edits) == 1, out.decode()
    seconds = re.findall(r"seconds=(\d+\.\d) ", edits[0])[0]
    assert edits[0] == (f"edit finished: job=1 platform=telegram chat=group size=1K "
                        f"outcome=refunded seconds={seconds} credits=0 cost_usd=0.0000 "
                        "reason=abandoned_after_restart")
