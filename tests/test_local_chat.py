"""The local chat: with no token the bot runs behind a page on 127.0.0.1, the real Telegram
adapter polling the package's own Bot API stand-in, and without GEMINI_API_KEY a demo model
that says so. A person here uses the page's own HTTP calls (the browser test clicks it)."""

from __future__ import annotations

import io
import re
import socket
from pathlib import Path

import httpx
import pytest
from PIL import Image

from adapters.localchat.model import render
from tests.fakes.gemini_server import FakeGemini
from tests.localchat_helpers import (
    BO,
    GROUP,
    YOU,
    Person,
    bare_env,
    bot_texts,
    local_bot,
    photo,
    results,
)
from tests.process_helpers import launch

DEMO_NOTE = "Demo model: set GEMINI_API_KEY for real edits."


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


async def test_an_edit_in_the_private_chat_comes_back_from_the_demo_model(
        tmp_path: Path) -> None:
    async with local_bot(tmp_path, bare_env()) as bot, httpx.AsyncClient(
            base_url=bot.url, timeout=40) as http:
        page = await http.get("/")
        assert page.status_code == 200 and "editbot · local chat" in page.text
        you = Person(http)
        sent = await you.send("/edit 9:16 add a llama", photo((800, 600)))
        asked = sent.json()["id"]
        [result] = await you.wait_for(results)
        assert result["reply_to"] == asked  # the status message, taken over by the result
        assert result["text"] == f"9 credits left today\n{DEMO_NOTE}"
        assert [b["text"] for row in result["buttons"] for b in row] == [
            "🔁 Again (1)", "4K (2)", "🎲 Variations (2)"]
        image = (await http.get(result["photo"])).content
        assert size_of(image) == (576, 1024)  # 9:16 at 1K, cut from the 4:3 photo

        again = next(b["data"] for row in result["buttons"] for b in row
                     if b["data"].startswith("again"))
        await you.press(result["id"], again)
        await you.wait_for(lambda messages: len(results(messages)) == 2)
        await you.send("/quota")
        quota = await you.wait_for(lambda ms: [t for t in bot_texts(ms) if "Used here" in t])
        assert quota[0].startswith("8 left here, 8 left today in all. Used here today: 2.")
    assert any(f"local chat: open {bot.url} in a browser (demo model: set GEMINI_API_KEY for "
               "real edits)" in line for line in bot.lines)
    assert (tmp_path / "data" / "localchat.sqlite3").is_file()  # not the real bot's ledger
    assert not (tmp_path / "data" / "editbot.sqlite3").exists()


async def test_4k_sends_the_full_resolution_file_and_variations_two_more_takes(
        tmp_path: Path) -> None:
    async with local_bot(tmp_path, bare_env()) as bot, httpx.AsyncClient(
            base_url=bot.url, timeout=60) as http:
        you = Person(http)
        await you.send("add a hat", photo((1200, 900)))
        [first] = await you.wait_for(results)
        job = first["buttons"][0][0]["data"].split(":")[1]
        await you.press(first["id"], f"4k:{job}")
        files = await you.wait_for(lambda ms: [m["document"] for m in ms if m.get("document")],
                                   60)
        assert files[0]["name"].endswith(".png")
        full = (await http.get(files[0]["url"])).content
        assert size_of(full) == (4096, 3072)  # 4K on the long side, the photo's own 4:3
        await you.press(first["id"], f"vary:{job}")
        await you.wait_for(lambda ms: len(results(ms)) == 4, 60)
        await you.send("/quota")  # at once: the last take's charge, under way, is counted
        await you.wait_for(lambda ms: [t for t in bot_texts(ms)  # 1 + 2 (4K) + 2 (two takes)
                                       if t.startswith("5 left here") and "today: 5." in t])


async def test_a_moderator_sets_limits_in_the_group_and_a_member_reads_them_in_vietnamese(
        tmp_path: Path) -> None:
    async with local_bot(tmp_path, bare_env()) as bot, httpx.AsyncClient(
            base_url=bot.url, timeout=40) as http:
        you = Person(http, YOU, GROUP)
        bo = Person(http, BO, GROUP, lang="vi")
        said = (await bo.send("xin chào")).json()["id"]
        await you.send("/setlimit 3", reply_to=said)
        await you.wait_for(lambda ms: "Bo can now use 3 credits a day here." in bot_texts(ms))
        await bo.send("/quota")
        quota = await bo.wait_for(lambda ms: [t for t in bot_texts(ms) if "Còn" in t])
        assert quota[0].startswith("Còn 3 lượt ở đây")
        await bo.send("/setlimit all 5")  # a member is no moderator
        await bo.wait_for(lambda ms: "Chỉ quản trị viên của nhóm mới làm được việc này." in
                          bot_texts(ms))
        await bo.send("/help")
        await bo.wait_for(lambda ms: [t for t in bot_texts(ms) if t.startswith("Gửi ảnh")])


async def test_with_a_gemini_key_the_edits_go_to_gemini(tmp_path: Path,
                                                        gemini: FakeGemini) -> None:
    env = bare_env(GEMINI_API_KEY=gemini.key, GEMINI_BASE_URL=gemini.base_url)
    async with local_bot(tmp_path, env) as bot, httpx.AsyncClient(
            base_url=bot.url, timeout=40) as http:
        you = Person(http)
        await you.send("make it blue", photo())
        [result] = await you.wait_for(results)
        assert result["text"].endswith("9 credits left today")  # and no demo note
    assert len(gemini.requests) == 1
    assert not any("demo model" in line for line in bot.lines)


def test_the_demo_model_crops_scales_and_writes_the_prompt() -> None:
    source = photo((900, 900), (10, 120, 10))
    plain = Image.open(io.BytesIO(render("", source, "16:9", "2K")))
    written = Image.open(io.BytesIO(render("a llama on the moon", source, "16:9", "2K")))
    assert plain.size == written.size == (2048, 1152)
    assert plain.tobytes() != written.tobytes()  # the prompt is drawn on it
    assert Image.open(io.BytesIO(render("x", source, None, "1K"))).size == (1024, 1024)
    assert Image.open(io.BytesIO(render("x", None, "9:16", None))).size == (576, 1024)


async def test_the_stand_in_answers_the_bot_api_only_with_its_token(tmp_path: Path) -> None:
    async with local_bot(tmp_path, bare_env()) as bot, httpx.AsyncClient(
            base_url=bot.url, timeout=40) as http:
        wrong = await http.post("/bot123:wrong/getMe")
        assert wrong.status_code == 401 and wrong.json() == {
            "ok": False, "error_code": 401, "description": "Unauthorized"}
        model = await http.get("/demo-model/v1beta/models/editbot-demo")
        assert model.status_code == 403  # no key: nothing but the bot may use it
        refused = await Person(http).send("")
        assert refused.status_code == 400
        # another site's page posting here, or a name of another site resolving here
        posted = await http.post("/chat/send", data={"chat": "1001", "user": "1001",
                                                     "text": "/edit x"},
                                 headers={"Origin": "http://evil.example"})
        assert posted.status_code == 403
        rebound = await http.get("/chat/feed", params={"chat": 1001},
                                 headers={"Host": "evil.example:80"})
        assert rebound.status_code == 403
        # nothing reached the chat: the feed answers as soon as anything happens in the room
        # (another person's message here), not after its long poll's 25 s of quiet
        assert (await Person(http, user=BO).send("/start")).status_code == 200
        assert await Person(http).messages() == []


async def test_the_local_chat_listens_on_127_0_0_1_only(tmp_path: Path) -> None:
    async with local_bot(tmp_path, bare_env()) as bot:
        port = int(bot.url.rsplit(":", 1)[1])
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        # bound to every address, it would answer on 127.0.0.2 as well (Linux routes all of
        # 127/8 to the loopback)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()


async def test_a_taken_local_chat_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await launch(bare_env(LOCAL_CHAT_PORT=str(port)), tmp_path)
        out, _ = await process.communicate()
    assert process.returncode == 2
    assert re.search(rf"LOCAL_CHAT_PORT cannot be used: cannot listen on 127\.0\.0\.1:{port}",
                     out.decode())


async def test_a_platform_token_without_a_key_still_needs_the_key(tmp_path: Path) -> None:
    env = bare_env(DISCORD_BOT_TOKEN="SECRET-DISCORD-TOKEN")
    del env["LOCAL_CHAT_PORT"]
    process = await launch(env, tmp_path)
    out, _ = await process.communicate()
    assert process.returncode == 2
    assert "GEMINI_API_KEY is required with TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN" in (
        out.decode())
    assert "SECRET-DISCORD" not in out.decode()
