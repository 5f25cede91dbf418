"""Run a mutation campaign, and end the mutants whose tests hang.

mutmut limits each mutant by CPU time only (RLIMIT_CPU), so a mutant that makes a test wait
forever (a writer that never wakes its callers, a lock never released) uses no CPU and is never
stopped: it holds one of the campaign's workers for good. This wrapper runs the command it is
given and, every few seconds, sends the CPU-limit signal (SIGXCPU, which mutmut counts as a
timeout: the tests did not pass) to every mutant that used the CPU less than ``--share`` of
the last ``--after`` seconds (a mutant's tests, CPU-bound in the core and waiting on the wire
in the adapters, use well over a tenth of it; a hung one, next to none).

    python mutation/watchdog.py [--after 240] [--share 0.02] COMMAND...
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def mutants() -> dict[int, tuple[float, float]]:
    """Each mutant's pid -> (seconds since it started, CPU seconds used)."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "cmdline").read_bytes().startswith(b"mutmut: "):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        found[int(entry.name)] = (uptime - int(fields[19]) / TICKS, cpu)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=float, default=240.0)
    parser.add_argument("--share", type=float, default=0.02)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    campaign = subprocess.Popen(args.command)
    seen: dict[int, list[tuple[float, float]]] = {}  # pid -> (age, CPU) at each look
    while campaign.poll() is None:
        now = mutants()
        seen = {pid: [*seen.get(pid, []), now[pid]] for pid in now}
        for pid, looks in seen.items():
            age, cpu = looks[-1]
            before = [c for a, c in looks if a <= age - args.after]
            if not before or cpu - before[-1] >= args.share * args.after:
                continue
            print(f"watchdog: mutant {pid} hung ({age:.0f} s, {cpu - before[-1]:.1f} s of "
                  f"CPU in the last {args.after:.0f} s); ended as a timeout", file=sys.stderr)
            try:
                os.kill(pid, signal.SIGXCPU)
            except ProcessLookupError:
                pass
        time.sleep(5)
    return campaign.returncode


if __name__ == "__main__":
    sys.exit(main())
