"""The upstream line shared by replicas (bot/upstream/shared_queue.py)
beside the in-process FairQueue:
three SharedQueue replicas on one PostgreSQL (a throwaway server from Debian's binaries, default
durability; or ``--url``) serve JOBS calls from as many people, CAPACITY at once, each call
holding its slot for CALL_MS. Reports the calls served per second and the handover: from a
call's end until the next call starts, on whichever replica holds it.

    python bench/shared_queue.py [--jobs 400] [--capacity 4] [--call-ms 20] [--url URL]

Prints the figures, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.ledger import QuotaLedger
from bot.upstream import FairQueue, SharedQueue, UpstreamQueue
from tests.pgserver import PgServer, binaries


async def serve(queues: list[UpstreamQueue], jobs: int, capacity: int, call_s: float
                ) -> dict[str, float]:
    starts: list[float] = []
    ends: list[float] = []
    running = peak = 0

    async def job(k: int) -> None:
        nonlocal running, peak
        async with queues[k % len(queues)].slot(f"person{k}"):
            starts.append(time.perf_counter())
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(call_s)
            running -= 1
            ends.append(time.perf_counter())

    began = time.perf_counter()
    await asyncio.gather(*(job(k) for k in range(jobs)))
    took = time.perf_counter() - began
    handovers = sorted(s - e for s, e in zip(sorted(starts)[capacity:], sorted(ends),
                                            strict=False))
    return {"calls_per_s": jobs / took, "ideal_per_s": capacity / call_s, "peak": peak,
            "handover_p50_ms": 1000 * statistics.median(handovers),
            "handover_p95_ms": 1000 * handovers[int(len(handovers) * 0.95)]}


async def main(args: argparse.Namespace) -> dict[str, object]:
    server = None
    url = args.url
    if not url and binaries() is None:
        print("PostgreSQL is not installed (Debian: apt-get install postgresql): nothing to run")
        return {"skipped": "no PostgreSQL"}
    if not url:
        server = PgServer(durable=True).start()
        url = await server.database()
    ledger = QuotaLedger.open(url, default_limit=1, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    await ledger.migrate()
    await ledger.close()
    call_s = args.call_ms / 1000
    try:
        local = await serve([FairQueue(args.capacity)], args.jobs, args.capacity, call_s)
        replicas = [SharedQueue(args.capacity, url=url, replica=f"bench{i}") for i in range(3)]
        for queue in replicas:
            await queue.start()
        shared = await serve(list(replicas), args.jobs, args.capacity, call_s)
        for queue in replicas:
            await queue.close()
    finally:
        if server is not None:
            server.stop()
    for name, figures in (("FairQueue, one process", local), ("SharedQueue, 3 replicas", shared)):
        print(f"{name}: {figures['calls_per_s']:.0f} calls/s of an ideal "
              f"{figures['ideal_per_s']:.0f}, at most {figures['peak']:.0f} at once, handover "
              f"p50 {figures['handover_p50_ms']:.1f} ms, p95 {figures['handover_p95_ms']:.1f} ms")
    return {"fair_queue": local, "shared_queue": shared, "jobs": args.jobs,
            "capacity": args.capacity, "call_ms": args.call_ms}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--call-ms", type=float, default=20.0)
    parser.add_argument("--url", default="", help="an empty PostgreSQL database of your own")
    parser.add_argument("--quick", action="store_true", help="a tiny run (tests/test_bench.py)")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.jobs = 24
    print(json.dumps(asyncio.run(main(arguments))))
