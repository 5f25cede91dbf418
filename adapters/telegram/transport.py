"""python-telegram-bot's HTTP requests on aiohttp (which discord.py brings anyway).

PTB's default transport (httpx on httpcore over anyio) costs several times the CPU of aiohttp
per request: httpcore checks every pooled connection (a getpeername and a poll each) on each
request and answer, and anyio wraps every socket operation in cancel scopes. For a bot whose
Bot API calls are most of its work, that was most of its CPU (bench/crowd.py).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = "application/x-www-form-urlencoded"


class AiohttpRequest(BaseRequest):
    def __init__(self, *, connections: int = 8, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, media_write_timeout: float | None = 20.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0) -> None:
        self._connections = connections
        self._read, self._write, self._media_write = read_timeout, write_timeout, (
            media_write_timeout)
        self._connect, self._pool = connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._gate = asyncio.Semaphore(connections)
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        body: Any = None
        if request_data is not None:
            fields = request_data.json_parameters
            if files:
                form = aiohttp.FormData()
                for name, value in fields.items():
                    form.add_field(name, value)
                for name, (filename, content, mime) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                body = form
            elif fields:  # encoded as aiohttp's form would be, without building one
                body = aiohttp.BytesPayload(urlencode(fields, doseq=True).encode(),
                                            content_type=FORM)
        timeout = self._timeout(_value(connect_timeout, self._connect),
                                _value(write_timeout, self._media_write if files else self._write),
                                _value(read_timeout, self._read))
        if self._gate.locked():  # a timer only when the request may have to wait for one
            try:
                async with asyncio.timeout(_value(pool_timeout, self._pool)):
                    await self._gate.acquire()
            except TimeoutError:
                raise TimedOut("Pool timeout: every connection is busy; the request was not "
                               "sent") from None
        else:
            await self._gate.acquire()  # free: taken at once
        try:
            async with session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            self._gate.release()

    def _timeout(self, connect: float | None, write: float | None,
                 read: float | None) -> aiohttp.ClientTimeout:
        """aiohttp's timeout for these three (built once: the same few come on every call);
        aiohttp has no write timeout, so the total covers it."""
        key = (connect, write, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None if None in key else sum(p for p in key if p is not None),
                sock_connect=connect, sock_read=read)
        return timeout


def _value(given: Any, default: float | None) -> float | None:
    """A timeout PTB passed, or ours when it passed its "use the default" marker."""
    if given is BaseRequest.DEFAULT_NONE:
        return default
    return None if given is None else float(given)
