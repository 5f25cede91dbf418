"""One of several processes reserving at once (tests/test_ledger.py): ``python -m
tests.ledger_worker URL ATTEMPTS START_AT`` prints how many reservations it got."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.errors import QuotaExceeded
from bot.ledger import QuotaLedger


async def main(url: str, attempts: int, start_at: float) -> int:
    ledger = QuotaLedger.open(url, default_limit=10, timezone=ZoneInfo("UTC"),
                              clock=lambda: datetime.now(UTC))
    await ledger.status(actor="telegram:1", scope="telegram:group:-5")  # connected and warm
    await asyncio.sleep(max(start_at - time.time(), 0))

    async def attempt() -> bool:
        try:
            await ledger.reserve(platform="telegram", actor="telegram:1",
                                 scope="telegram:group:-5", credits=1, request={})
            return True
        except QuotaExceeded:
            return False

    got = sum(await asyncio.gather(*(attempt() for _ in range(attempts))))
    await ledger.close()
    return got


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
