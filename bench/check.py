"""``make bench-check``: the overhead and crowd benchmarks at a reduced size, each figure held
to its target; fails (exit 1) when one passes its target by more than ``MARGIN`` (a shared
machine's noise), or when a user is not delivered or a 429 is received. Not part of
``make test``: timings on a shared machine are not tests. Run it when the edit path changes.

    python bench/check.py [--edits 20] [--users 200] [--quick]

The overhead runs one round instead of three; the crowd keeps its 200 users, since its CPU per
edit includes the bot's fixed costs (polling, the heartbeat) spread over the crowd: 100 users
gave 20 ms where 200 gave 17-19.

``--quick`` runs both at a tiny size to check the script works; it never fails on a figure.
Ends with one JSON line: the figures, and {"failed": [the figures past their target]}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
MARGIN = 0.15
# figure -> (target, whether it is held with the margin: counts are held exactly)
TARGETS: dict[str, tuple[float, bool]] = {
    "vs_ref_1k": (1.1, True), "vs_ref_4k": (1.1, True),
    "cpu_ms_per_edit": (12.0, True), "cpu_ms_per_edit_default": (15.0, True),
    "vs_ref": (1.1, True), "peak_rss_mb": (150.0, True), "flood_429s": (0, False),
}


def run(script: str, *options: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(BENCH / script), *options],
                          capture_output=True, text=True, check=False)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        sys.exit(f"{script} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=20, help="overhead.py: per size and bot")
    parser.add_argument("--users", type=int, default=200, help="crowd.py: the crowd")
    parser.add_argument("--quick", action="store_true",
                        help="both at a tiny size, to check the script works (never fails)")
    args = parser.parse_args()
    size = ["--quick"] if args.quick else []
    figures = run("overhead.py", "--rounds", "1", "--edits", str(args.edits), *size)
    users = 4 if args.quick else args.users
    figures.update(run("crowd.py", "--users", str(users), *size))
    failed = []
    print(f"\n| figure | measured | target | held to (+{MARGIN:.0%}) | |\n|---|---:|---:|---:|---|")
    for name, (target, margin) in TARGETS.items():
        limit = target * (1 + MARGIN) if margin else target
        value = figures[name]
        ok = value <= limit
        print(f"| {name} | {value} | {target} | {limit:.2f} | {'ok' if ok else 'OVER'} |")
        if not ok:
            failed.append(name)
    delivered = figures["delivered_users"]
    print(f"| delivered_users | {delivered} | {users} | {users} | "
          f"{'ok' if delivered == users else 'SHORT'} |")
    if delivered != users:
        failed.append("delivered_users")
    print(json.dumps({**figures, "failed": failed}), flush=True)
    if failed and not args.quick:
        sys.exit(1)


if __name__ == "__main__":
    main()
