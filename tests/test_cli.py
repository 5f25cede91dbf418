"""The operator's CLI, end to end: ``python -m bot`` as a subprocess against the fake Gemini."""

from __future__ import annotations

import asyncio
import getpass
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.fakes.gemini_server import FakeGemini, Fault
from tests.fakes.images import make_image
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]


async def cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await bot_process(*args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def env(gemini: FakeGemini, tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
            "GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.base_url,
            "GEMINI_MAX_ATTEMPTS": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "LISTEN_PORT": "0"}


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "in.jpg"
    path.write_bytes(make_image(800, 600, "JPEG"))
    return path


async def test_edit_writes_the_result(env: dict[str, str], tmp_path: Path, photo: Path,
                                      gemini: FakeGemini) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "llama.png"
    code, stdout, stderr = await cli("edit", "--image", str(photo), "--output", str(out),
                                     "9:16 2K add a llama", env=env, cwd=tmp_path)
    assert code == 0, stderr
    image = Image.open(out)
    assert image.format == "PNG" and abs(image.width / image.height - 9 / 16) < 0.02
    assert image.height > 2000
    assert "Here is your image (1 input)." in stdout and "wrote" in stderr
    assert gemini.requests[0].prompt == "add a llama"
    assert "INFO" not in stderr  # the bot's log lines are not the shell's progress


async def test_several_images_and_jpeg_output(env: dict[str, str], tmp_path: Path,
                                              photo: Path, gemini: FakeGemini) -> None:
    second = tmp_path / "b.png"
    second.write_bytes(make_image(300, 300, "PNG"))
    out = tmp_path / "two.jpg"
    code, _, stderr = await cli("edit", "--image", str(photo), "--image", str(second),
                                "--output", str(out), "put them together", env=env, cwd=tmp_path)
    assert code == 0, stderr
    assert Image.open(out).format == "JPEG" and len(gemini.requests[0].images) == 2


async def test_imagine(env: dict[str, str], tmp_path: Path, gemini: FakeGemini) -> None:
    out = tmp_path / "moon.png"
    code, _, stderr = await cli("imagine", "--output", str(out), "16:9 a llama on the moon",
                                env=env, cwd=tmp_path)
    assert code == 0, stderr
    assert gemini.requests[0].images == []
    width, height = Image.open(out).size
    assert abs(width / height - 16 / 9) < 0.02


@pytest.mark.parametrize(("args", "message"), [
    (["7:5 add a llama"], "21:9"),
    (["9:16"], 'say what to do after the options, for example: python -m bot edit ... '
               '"9:16 add a llama"'),
    (["8K add a llama"], "1K 2K 4K"),
])
async def test_bad_input_is_refused_without_calling_upstream(
        env: dict[str, str], tmp_path: Path, photo: Path, gemini: FakeGemini,
        args: list[str], message: str) -> None:
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), *args, env=env, cwd=tmp_path)
    assert code == 2 and message in stderr and "/edit" not in stderr  # not the chat's syntax
    assert gemini.requests == [] and not (tmp_path / "o.png").exists()


async def test_a_file_that_is_not_an_image(env: dict[str, str], tmp_path: Path,
                                           gemini: FakeGemini) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"%PDF-1.4 this is a document")
    code, _, stderr = await cli("edit", "--image", str(fake), "--output",
                                str(tmp_path / "o.png"), "x", env=env, cwd=tmp_path)
    assert code == 2 and "not an image" in stderr and gemini.requests == []


async def test_refusal_exits_3(env: dict[str, str], tmp_path: Path, photo: Path,
                               gemini: FakeGemini) -> None:
    gemini.push(Fault.refuse("IMAGE_SAFETY"))
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), "x", env=env, cwd=tmp_path)
    assert code == 3 and "declined" in stderr and "unsafe" in stderr


async def test_upstream_failure_exits_4(env: dict[str, str], tmp_path: Path, photo: Path,
                                        gemini: FakeGemini) -> None:
    gemini.push(Fault.error(503))
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), "x", env=env, cwd=tmp_path)
    assert code == 4 and "not answering" in stderr


async def test_progress_is_shown_while_waiting(env: dict[str, str], tmp_path: Path,
                                               photo: Path, gemini: FakeGemini) -> None:
    gemini.delay = 5.5
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), "x", env=env, cwd=tmp_path)
    assert code == 0 and "Working on it" in stderr and "(5 s)" in stderr


async def test_edit_and_imagine_without_a_key_name_it(env: dict[str, str], tmp_path: Path,
                                                     photo: Path) -> None:
    del env["GEMINI_API_KEY"]  # run would serve the local chat on its demo model; these not
    for args in (["edit", "--image", str(photo)], ["imagine"]):
        code, _, stderr = await cli(*args, "--output", str(tmp_path / "o.png"), "a llama",
                                    env=env, cwd=tmp_path)
        assert code == 2 and "GEMINI_API_KEY is required" in stderr


async def test_bad_config_names_the_variable_not_the_value(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "TELEGRAM_BOT_TOKEN": "123456:SECRET-TOKEN-VALUE", "QUOTA_TIMEZONE": "Nowhere/Land",
           "GEMINI_MAX_CONCURRENCY": "lots"}
    code, stdout, stderr = await cli("run", env=env, cwd=tmp_path)
    assert code == 2
    assert "GEMINI_API_KEY is required" in stderr and "QUOTA_TIMEZONE" in stderr
    assert "GEMINI_MAX_CONCURRENCY" in stderr
    assert "SECRET-TOKEN" not in stderr + stdout and "Nowhere" not in stderr


async def test_settings_come_from_a_dotenv_file(env: dict[str, str], tmp_path: Path,
                                                photo: Path) -> None:
    dotenv = "\n".join(f"{k}={v}" for k, v in env.items() if k.startswith(("GEMINI", "DATA")))
    (tmp_path / ".env").write_text(dotenv + "\n")
    bare = {"PATH": env["PATH"], "PYTHONPATH": env["PYTHONPATH"]}
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), "a hat", env=bare, cwd=tmp_path)
    assert code == 0, stderr
    assert Image.open(io.BytesIO((tmp_path / "o.png").read_bytes())).format == "PNG"


async def jobs_in(database: Path) -> list[tuple[str, str, int]]:
    from bot.ledger import QuotaLedger

    ledger = QuotaLedger.open(f"sqlite:///{database}", default_limit=0,
                              timezone=ZoneInfo("UTC"), clock=lambda: datetime.now(UTC))
    try:
        await ledger.migrate()  # the CLI may have stopped before it opened the ledger
        return [(job.actor_key, job.status.value, job.credits)
                for job in [await ledger.job(n) for n in range(1, 10)] if job is not None]
    finally:
        await ledger.close()


@pytest.mark.parametrize("where", ["a file/out.png", "a folder.png", "/proc/editbot/out.png",
                                   "nodir/out.png"])
async def test_an_unwritable_output_costs_nothing(env: dict[str, str], tmp_path: Path,
                                                 photo: Path, gemini: FakeGemini,
                                                 where: str) -> None:
    (tmp_path / "a file").write_text("not a folder")
    (tmp_path / "a folder.png").mkdir()
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / where), "add a llama", env=env, cwd=tmp_path)
    assert code == 2 and "--output" in stderr and "Traceback" not in stderr
    assert gemini.requests == [] and await jobs_in(tmp_path / "db.sqlite3") == []
    assert not (tmp_path / "nodir").exists()  # no folder made on the way to refusing


async def test_retries_are_said_as_progress_not_log_records(
        env: dict[str, str], tmp_path: Path, photo: Path, gemini: FakeGemini) -> None:
    gemini.push(Fault.error(503))
    retrying = {**env, "GEMINI_MAX_ATTEMPTS": "2"}
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), "x", env=retrying, cwd=tmp_path)
    assert code == 0, stderr
    assert "  attempt 1 failed (upstream_unavailable, HTTP 503); trying again" in stderr
    assert "WARNING" not in stderr and "stamina" not in stderr


async def test_the_operator_is_not_held_to_the_daily_quota(
        env: dict[str, str], tmp_path: Path, photo: Path, gemini: FakeGemini) -> None:
    env = {**env, "DEFAULT_DAILY_LIMIT": "0"}
    for n in range(2):
        code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                    str(tmp_path / f"o{n}.png"), "4K add a llama", env=env,
                                    cwd=tmp_path)
        assert code == 0, stderr
    user = getpass.getuser()
    assert await jobs_in(tmp_path / "db.sqlite3") == [(f"cli:{user}", "committed", 2)] * 2


@pytest.mark.parametrize("status", [401, 403, 400])
async def test_a_refused_key_names_the_setting_and_exits_2(
        env: dict[str, str], tmp_path: Path, photo: Path, gemini: FakeGemini,
        status: int) -> None:
    gemini.refusal_status = status
    env = {**env, "GEMINI_API_KEY": "AIzaNotTheRightKey-123"}
    code, stdout, stderr = await cli("edit", "--image", str(photo), "--output",
                                     str(tmp_path / "o.png"), "x", env=env, cwd=tmp_path)
    assert code == 2 and "GEMINI_API_KEY" in stderr
    assert "AIzaNotTheRightKey" not in stdout + stderr
    assert await jobs_in(tmp_path / "db.sqlite3") == [(f"cli:{getpass.getuser()}",
                                                       "refunded", 1)]


async def test_an_unusable_database_names_the_setting(env: dict[str, str], tmp_path: Path,
                                                      photo: Path, gemini: FakeGemini) -> None:
    env = {**env, "DATABASE_URL": f"sqlite:///{tmp_path}"}  # a folder
    code, _, stderr = await cli("edit", "--image", str(photo), "--output",
                                str(tmp_path / "o.png"), "x", env=env, cwd=tmp_path)
    assert code == 2 and "DATABASE_URL" in stderr and "Traceback" not in stderr
    assert gemini.requests == []
