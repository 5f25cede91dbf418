"""LISTEN_PORT against slow, many and greedy clients: loopback by default, a cap on the
connections kept, headers within a few seconds, 413 past the body limit, and asyncio's accept
errors logged once a minute (bench/slowloris.py shows it under 1,100 connections)."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from adapters.server import HttpServer
from bot.config import load_settings


def test_the_port_is_loopback_unless_told() -> None:
    assert load_settings(gemini_api_key="k").listen_host == "127.0.0.1"
    assert HttpServer(port=0).host == "127.0.0.1"


async def _closed_by_server(reader: asyncio.StreamReader) -> bool:
    """True when the server closes the connection (EOF or reset) within 30 s."""
    try:
        await asyncio.wait_for(reader.read(), 30)
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


async def test_a_client_that_never_finishes_its_headers_is_let_go() -> None:
    server = HttpServer(port=0)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n")  # and never the blank line
        await writer.drain()
        assert await _closed_by_server(reader)
        writer.close()
        idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await _closed_by_server(idle_reader)  # connected, then silent
        idle_writer.close()
    finally:
        await server.stop()


async def test_past_the_cap_the_oldest_idle_connection_gives_way() -> None:
    server = HttpServer(port=0, max_connections=5)
    await server.start()
    held = []
    try:
        for _ in range(20):
            held.append(await asyncio.open_connection("127.0.0.1", server.port))
            held[-1][1].write(b"GET /hea")
        async with httpx.AsyncClient(base_url=server.url) as http:
            for _ in range(3):
                assert (await http.get("/healthz")).json() == {"status": "ok"}
        await asyncio.sleep(0.2)
        assert server.guard.open <= 5
        closed = [await _closed_by_server(reader) for reader, _ in held[:15]]
        assert all(closed)
    finally:
        for _, writer in held:
            writer.close()
        await server.stop()


async def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    seen: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append(len(await request.read()))
        return web.json_response({"ok": True})

    server = HttpServer(port=0)
    server.add_route("POST", "/hook", hook)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 104857600\r\n\r\n{")  # says 100 MB, sends one byte
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 30)
        assert status.startswith(b"HTTP/1.1 413")
        writer.close()
        async with httpx.AsyncClient(base_url=server.url) as http:
            async def chunks() -> AsyncIterator[bytes]:  # 2.5 MB without a length: chunked
                for _ in range(40):
                    yield b"x" * 65536

            assert (await http.post("/hook", content=chunks())).status_code == 413
            assert (await http.post("/hook", content=b"{}")).status_code == 200
        assert seen == [2]
    finally:
        await server.stop()


async def test_accept_errors_are_logged_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    """asyncio logs each failed accept (out of file descriptors) with its traceback."""
    server = HttpServer(port=0)
    await server.start()
    loop = asyncio.get_running_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"), socket.socket() as listener:
            for _ in range(1000):
                loop.call_exception_handler({
                    "message": "socket.accept() out of system resource",
                    "exception": OSError(errno.EMFILE, "Too many open files"),
                    "socket": listener})
            loop.call_exception_handler({"message": "Unclosed connection"})
        records = [r for r in caplog.records if r.name == "asyncio"]
        assert [r.getMessage().splitlines()[0] for r in records] == [
            "socket.accept() out of system resource", "Unclosed connection"]
    finally:
        await server.stop()
