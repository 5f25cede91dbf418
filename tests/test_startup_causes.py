"""A start that fails names its real cause: PostgreSQL's faults name PostgreSQL and the part of
the URL to check, a network fault says DNS, refused or timeout, a SQLite path that was probably
meant as absolute is warned about; the commands that only read the ledger need no Gemini key,
and every command's --help says what it does."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import httpx
import pytest

from bot.errors import network_reason
from tests import pgserver
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.telegram_server import FakeTelegram
from tests.process_helpers import closed_port
from tests.zygote import bot_process

ROOT = Path(__file__).resolve().parents[1]


async def bot(*args: str, cwd: Path, **settings: str) -> tuple[int, str]:
    """``python -m bot ARGS`` with only ``settings`` set; its exit code and all it printed."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "LISTEN_PORT": "0",
           **settings}
    process = await bot_process(*args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    printed = out.decode()
    assert "Traceback" not in printed, printed
    return process.returncode, printed



@pytest.fixture
def pg() -> pgserver.PgServer:
    return pgserver.shared()


def _missing_database(pg: pgserver.PgServer) -> tuple[str, str]:
    return (f"postgresql://postgres@127.0.0.1:{pg.port}/nosuchdb",
            f"PostgreSQL at 127.0.0.1:{pg.port} has no database nosuchdb: create it")


def _unknown_user(pg: pgserver.PgServer) -> tuple[str, str]:
    return (f"postgresql://nobody:pa%2Fss@127.0.0.1:{pg.port}/postgres",
            f"PostgreSQL at 127.0.0.1:{pg.port} refused user nobody (authentication failed)")


def _server_down(pg: pgserver.PgServer) -> tuple[str, str]:
    port = closed_port()
    return (f"postgresql://postgres:pa%2Fss@127.0.0.1:{port}/postgres",
            f"PostgreSQL at 127.0.0.1:{port} refused the connection: is PostgreSQL running")


def _unencoded_at(pg: pgserver.PgServer) -> tuple[str, str]:
    return (f"postgresql://postgres:p@ss@127.0.0.1:{pg.port}/postgres",
            "is not a PostgreSQL URL that can be read")


@pytest.mark.parametrize("fault", [_missing_database, _unknown_user, _server_down,
                                   _unencoded_at])
async def test_a_postgresql_fault_names_postgresql_and_what_to_check(
        pg: pgserver.PgServer, tg: FakeTelegram, gemini: FakeGemini, tmp_path: Path,
        fault: object) -> None:
    url, said = fault(pg)  # type: ignore[operator]
    code, printed = await bot("run", cwd=tmp_path, DATABASE_URL=url, GEMINI_API_KEY=gemini.key,
                              GEMINI_BASE_URL=gemini.base_url, TELEGRAM_BOT_TOKEN=tg.token,
                              TELEGRAM_API_BASE_URL=tg.root)
    assert code == 2
    failures = [line for line in printed.splitlines() if "cannot start" in line]
    assert len(failures) == 1, printed
    assert f"cannot start: DATABASE_URL: {said}" in failures[0], printed
    assert "SQLite" not in printed and "pa%2Fss" not in printed and "pa/ss" not in printed


async def test_copy_ledger_names_the_target_that_is_down(tmp_path: Path) -> None:
    port = closed_port()
    code, printed = await bot("copy-ledger", "--to",
                              f"postgresql://editbot:s3cret@127.0.0.1:{port}/editbot",
                              cwd=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/bot.sqlite3")
    assert code == 2
    assert (f"cannot start: --to: PostgreSQL at 127.0.0.1:{port} refused the connection"
            in printed), printed
    assert "s3cret" not in printed


async def test_stats_needs_no_gemini_key_and_a_rootlike_relative_path_is_warned(
        tmp_path: Path) -> None:
    code, printed = await bot("stats", cwd=tmp_path, DATABASE_URL="sqlite:///var/bot.db",
                              GEMINI_API_KEY="")
    assert code == 0, printed
    assert "Today" in printed or "today" in printed
    assert (f"WARNING editbot: DATABASE_URL names var/bot.db relative to the working "
            f"directory ({tmp_path}); for the absolute path /var/bot.db write "
            "sqlite:////var/bot.db (four slashes)") in printed
    assert (tmp_path / "var" / "bot.db").exists()
    code, printed = await bot("stats", cwd=tmp_path, DATABASE_URL="sqlite:///data/bot.db")
    assert code == 0 and "WARNING" not in printed  # data/ is the usual relative folder


async def test_every_command_says_what_it_does(tmp_path: Path) -> None:
    for command in ("run", "edit", "imagine", "stats", "copy-ledger"):
        code, printed = await bot(command, "--help", cwd=tmp_path)
        assert code == 0
        paragraphs = printed.split("\n\n")
        assert paragraphs[0].startswith(f"usage: python -m bot {command}")
        assert not paragraphs[1].startswith(("options:", "positional")), (command, printed)
    _, printed = await bot("copy-ledger", "--help", cwd=tmp_path)
    assert "into a new, empty database" in printed and "Needs no token" in printed


def _connect_error(cause: BaseException) -> httpx.ConnectError:
    """How httpx reports a failed connection: its own error, the socket's as its cause."""
    try:
        try:
            raise cause
        except OSError as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as wrapped:
        return wrapped


def test_network_faults_say_dns_refused_or_timeout() -> None:
    no_name = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    no_dns = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    refused = ConnectionRefusedError(111, "Connection refused")
    assert network_reason(_connect_error(no_name)) == "DNS: the host name cannot be resolved"
    assert network_reason(_connect_error(no_dns)) == "DNS: the host name cannot be resolved"
    assert network_reason(_connect_error(refused)) == "connection refused"
    assert network_reason(httpx.ConnectTimeout("")) == "timeout: no answer in time"
    assert network_reason(RuntimeError("something else")) == "RuntimeError"


async def test_a_password_of_any_characters_passes_as_pgpassword(tmp_path: Path) -> None:
    """compose.scale.yaml's way: the URL without a password, PGPASSWORD beside it, so no
    character of POSTGRES_PASSWORD needs encoding; a wrong one is named as authentication."""
    if not pgserver.wanted():
        pytest.skip("EDITBOT_TEST_PG=off")
    password = "p/@:%?#&= w0rd's"
    server = pgserver.PgServer(password=password).start()
    try:
        url = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
        code, printed = await bot("stats", cwd=tmp_path, DATABASE_URL=url, PGPASSWORD=password)
        assert code == 0, printed
        code, printed = await bot("stats", cwd=tmp_path, DATABASE_URL=url,
                                  PGPASSWORD="not it")
        assert code == 2
        assert (f"cannot start: DATABASE_URL: PostgreSQL at 127.0.0.1:{server.port} refused "
                "user postgres (authentication failed)") in printed
        assert "not it" not in printed and password not in printed
    finally:
        server.stop()
