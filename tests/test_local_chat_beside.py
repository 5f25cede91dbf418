"""The local chat beside a real platform: with TELEGRAM_BOT_TOKEN and LOCAL_CHAT_PORT both set,
one ``python -m bot run`` serves Telegram (here its fake) and the local chat page, each a
working chat. The page is the operator's testing window: always the demo model, on a ledger of
its own, so it spends nothing, takes nothing from the deployment's budget, and its people
(Telegram-shaped ids) are not the real Telegram users of the same id."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import httpx

from tests.fakes.gemini_server import FakeGemini
from tests.fakes.images import make_image
from tests.fakes.telegram_server import FakeTelegram
from tests.localchat_helpers import ADDRESS, YOU, Person, bot_texts, photo, results
from tests.process_helpers import launch, telegram_env

# the Telegram user who shares an id with the local chat's "You"
NAMESAKE = FakeTelegram.user(YOU, "Ann")
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
BESIDE_NOTE = "Demo model: the local chat beside a running bot makes no real edits."


async def test_telegram_and_the_local_chat_in_one_process_each_edit_on_its_own_books(
        tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path) -> None:
    # room for one real 1K edit today (about $0.14), not for a second
    env = telegram_env(tg, gemini, tmp_path, LOCAL_CHAT_PORT="0", DAILY_BUDGET_USD="0.15")
    process = await launch(env, tmp_path)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while sum("telegram: polling as" in line for line in lines) < 2:
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "the bot ended early:\n" + "\n".join(lines)
            lines.append(line.decode().rstrip())
        [url] = [found.group(1) for line in lines if (found := ADDRESS.search(line))]
        health = int(re.findall(r"serving /healthz.* on 127\.0\.0\.1:(\d+)", "\n".join(lines))[0])

        # Telegram: a real edit on the real model, then the day's budget is spent
        tg.post(FakeTelegram.private(NAMESAKE), NAMESAKE, photo=make_image(640, 480, "JPEG"),
                caption="/edit add a llama")
        await tg.wait_for(lambda: len(tg.photos()) == 1, within=30)
        tg.post(FakeTelegram.private(NAMESAKE), NAMESAKE, photo=make_image(640, 480, "JPEG"),
                caption="/edit add a second llama")
        await tg.wait_for(lambda: any(t.startswith("The bot has reached its budget for today")
                                      for t in tg.texts(YOU)), within=30)

        # the local chat, same process, same id: still edits (free), on a quota of its own
        async with httpx.AsyncClient(base_url=url, timeout=40) as http:
            you = Person(http)
            await you.send("/edit 9:16 add a llama", photo((800, 600)))
            [result] = await you.wait_for(results)
            assert result["text"] == f"9 credits left today\n{BESIDE_NOTE}"
            await you.send("/quota")
            quota = await you.wait_for(lambda ms: [t for t in bot_texts(ms) if "Used here" in t])
            assert quota[0].startswith("9 left here, 9 left today in all. Used here today: 1.")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{health}") as http:
            metrics = (await http.get("/metrics")).text
            ready = await http.get("/readyz")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
        lines += out.decode().splitlines()
    assert process.returncode == 0, "\n".join(lines)

    assert len(gemini.requests) == 1  # only the Telegram edit reached the real model
    assert tg.photos()[0].params["caption"].endswith("9 credits left today")  # Telegram's own
    assert ready.status_code == 200
    # the deployment's metrics count the Telegram edit only
    assert sorted(line for line in metrics.splitlines() if line.startswith("editbot_edits_total")
                  ) == ['editbot_edits_total{outcome="delivered",platform="telegram",'
                        'size="default"} 1.0',
                        'editbot_edits_total{outcome="rejected_budget",platform="telegram",'
                        'size="default"} 1.0']  # in either order: counted as each ends
    listen = [line for line in lines if "local chat:" in line]
    port = url.rsplit(":", 1)[1]
    assert len(listen) == 1 and re.fullmatch(
        STAMP + re.escape(f" INFO adapters.localchat.chat: local chat: open http://127.0.0.1:"
                          f"{port} in a browser (demo model: no real edits beside a running "
                          "bot)"), listen[0]), listen
    # one line per finished edit, the local chat's on its own ledger (job 1 there too); the
    # edit the budget refused was never a job
    edits = [re.sub(r"seconds=\S+ ", "", line.split(" INFO bot.edits.books: ", 1)[1])
             for line in lines if " INFO bot.edits.books: " in line]
    assert sorted(edits) == sorted([
        "edit finished: job=1 platform=telegram chat=private size=1K outcome=delivered "
        "credits=1 cost_usd=0.1377",
        "edit finished: job=1 ledger=localchat platform=telegram chat=private size=1K "
        "outcome=delivered credits=1 cost_usd=0.0000"]), lines
    assert (tmp_path / "bot.sqlite3").is_file()
    assert (tmp_path / "data" / "localchat.sqlite3").is_file()  # the local chat's own ledger
    assert tg.token not in "\n".join(lines) and gemini.key not in "\n".join(lines)
