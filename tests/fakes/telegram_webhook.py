"""The webhook side of the fake Bot API: what Telegram does once setWebhook named a URL.

Each update is POSTed as JSON with ``X-Telegram-Bot-Api-Secret-Token``, in order within a chat
(chats go in parallel), and posted again after a non-2xx answer or a connection error, with a
backoff, until one is answered 2xx. The public https URL cannot be reached on loopback, so the
fake plays the load balancer too: ``route(["http://127.0.0.1:P1/path", ...])`` names the
backends, and each delivery goes to one of them (by a hash of its chat, or in turn), skipping a
backend that refuses the connection.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Post:
    """One attempt at delivering an update."""

    update_id: int
    backend: str
    status: int | None  # None: the connection failed
    at: float = field(default_factory=time.monotonic)


def chat_of(update: dict[str, Any]) -> int:
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or {}
        if "id" in chat:
            return int(chat["id"])
        if "from" in payload:
            return int(payload["from"]["id"])
    return 0


class WebhookDelivery:
    def __init__(self, notify: Callable[[], Any]) -> None:
        self._notify = notify  # wakes the fake's wait_for
        self.url = ""
        self.secret: str | None = None
        self.backends: list[str] = []
        self.spread: Literal["chat", "turn"] = "chat"
        self.posts: list[Post] = []
        self.delivered: set[int] = set()  # update ids answered 2xx
        self.last_error_message = ""
        self.last_error_date = 0
        self.backoff_s = 0.1
        self.max_backoff_s = 2.0
        self.timeout_s = 60.0
        self._queues: dict[int, deque[dict[str, Any]]] = defaultdict(deque)
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._turn = itertools.count()
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    @property
    def pending_update_count(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def offer(self, update: dict[str, Any]) -> None:
        chat = chat_of(update)
        self._queues[chat].append(update)
        self._wake(chat)

    def _wake(self, chat: int) -> None:
        worker = self._workers.get(chat)
        if self.backends and (worker is None or worker.done()):
            self._workers[chat] = asyncio.get_running_loop().create_task(self._work(chat))

    def route(self, backends: list[str], spread: Literal["chat", "turn"] = "chat") -> None:
        self.backends, self.spread = list(backends), spread
        for chat in list(self._queues):
            self._wake(chat)

    async def _work(self, chat: int) -> None:
        queue = self._queues[chat]
        while queue and self.active:
            await self._deliver(queue[0], chat)
            queue.popleft()
            await self._notify()

    async def _deliver(self, update: dict[str, Any], chat: int) -> None:
        """Post until some backend answers 2xx."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        backoff = self.backoff_s
        for attempt in itertools.count():
            first = (hash(chat) + attempt if self.spread == "chat" else next(self._turn))
            order = [self.backends[(first + i) % len(self.backends)]
                     for i in range(len(self.backends))]
            for backend in order:
                try:
                    async with self._session.post(backend, json=update,
                                                  headers=headers) as answer:
                        await answer.read()
                        status = answer.status
                except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError) as exc:
                    self._failed(update, backend, None,
                                 f"Connection refused ({type(exc).__name__})")
                    continue  # the balancer tries the next backend
                except (aiohttp.ClientError, TimeoutError) as exc:
                    self._failed(update, backend, None,
                                 f"Read timeout expired ({type(exc).__name__})")
                    break
                self.posts.append(Post(update["update_id"], backend, status))
                if 200 <= status < 300:
                    self.delivered.add(update["update_id"])
                    return
                self._failed(update, backend, status,
                             f"Wrong response from the webhook: {status}")
                break
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff_s)

    def _failed(self, update: dict[str, Any], backend: str, status: int | None,
                message: str) -> None:
        if status is None:
            self.posts.append(Post(update["update_id"], backend, None))
        self.last_error_message = message
        self.last_error_date = int(time.time())

    def info(self, allowed_updates: list[str]) -> dict[str, Any]:
        """getWebhookInfo's answer."""
        found: dict[str, Any] = {"url": self.url, "has_custom_certificate": False,
                                 "pending_update_count": self.pending_update_count}
        if self.url:
            found["max_connections"] = 40
            found["allowed_updates"] = allowed_updates
        if self.last_error_date:
            found["last_error_date"] = self.last_error_date
            found["last_error_message"] = self.last_error_message
        return found

    async def stop(self) -> None:
        """deleteWebhook, or the fake's end: undelivered updates stay for getUpdates."""
        self.url, self.secret = "", None
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        self._queues.clear()

    async def close(self) -> None:
        await self.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None
