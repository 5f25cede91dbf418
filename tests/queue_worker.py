"""One replica's share of the upstream (tests/test_shared_queue.py): ``python -m
tests.queue_worker DB_URL GEMINI_URL KEY NAME JOBS LEASE [hang]`` runs JOBS edits, each from a
person of its own, through a SharedQueue of capacity 2 on DB_URL, printing ``granted NAME-i``
and ``done NAME-i`` as they happen. ``hang``: hold the slot of its first job and never end (the
test SIGKILLs it)."""

from __future__ import annotations

import asyncio
import sys

from bot.upstream import GeminiClient, SharedQueue


async def main(db: str, base_url: str, key: str, name: str, jobs: int, lease: float,
               hang: bool) -> None:
    queue = SharedQueue(2, url=db, replica=name, lease=lease, poll=0.2)
    await queue.start()
    gemini = GeminiClient(base_url=base_url, api_key=key, auth="x-goog-api-key",
                          model="gemini-2.5-flash-image",
                          timeout_s=30, max_attempts=1)

    async def job(i: int) -> None:
        async with queue.slot(f"{name}-{i}"):
            print(f"granted {name}-{i}", flush=True)
            if hang:
                await asyncio.Event().wait()
            await gemini.generate(f"job {name}-{i}", ())
        print(f"done {name}-{i}", flush=True)

    await asyncio.gather(*(job(i) for i in range(jobs)))
    await gemini.aclose()
    await queue.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0], args[1], args[2], args[3], int(args[4]), float(args[5]),
                     args[6:] == ["hang"]))
