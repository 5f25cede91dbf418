"""Benchmarks cannot rot: each script in bench/ runs once at a tiny size (``--quick``) and ends
with its JSON line. Its figures are not asserted (bench/ measures; tests do not time)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pgserver
from tests.replicas import paid_twice

ROOT = Path(__file__).resolve().parents[1]
NOT_BENCHMARKS = {"harness.py", "reference_bot.py", "profiling.py"}  # what the benchmarks use
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if p.name not in NOT_BENCHMARKS)


def test_every_benchmark_is_checked() -> None:
    assert {"ledger.py", "startup.py", "overhead.py", "crowd.py", "memory_4k.py",
            "crash_drill.py", "flood.py"} <= set(SCRIPTS)
    assert "check.py" in SCRIPTS and RUN_BY_CHECK <= set(SCRIPTS)


# check.py --quick runs overhead.py and crowd.py --quick and reads their JSON lines (it exits
# non-zero when one fails or ends without one): their own quick runs would repeat it.
RUN_BY_CHECK = {"overhead.py", "crowd.py"}
RUNS = ([[script] for script in SCRIPTS if script not in RUN_BY_CHECK]
        + [["crash_drill.py", "--replicas", "2", "--pg"]])
# these take `--url`: a new database on this worker's server instead of a server of their own
ON_THE_SHARED_SERVER = {"shared_queue.py", "crash_drill.py --replicas 2 --pg"}


@pytest.mark.parametrize("run", RUNS, ids=" ".join)
def test_a_quick_run_ends_with_its_json_line(run: list[str], tmp_path: Path) -> None:
    if "--pg" in run and not pgserver.wanted():
        pytest.skip("EDITBOT_TEST_PG=off")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    script, *options = run
    if " ".join(run) in ON_THE_SHARED_SERVER and pgserver.wanted():
        options += ["--url", asyncio.run(pgserver.shared().database())]
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *options, "--quick"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    figures = json.loads(last)
    assert isinstance(figures, dict) and figures, last


def test_the_crash_drill_counts_a_kill_just_before_the_answer_as_the_window() -> None:
    """The fake notices a killed bot only when its loop gets to it: an answer it counts a few
    ms after the kill was never read, and paying for it again is the window no design avoids.
    A second payment with no kill around the first answer stays unexplained."""
    paid = [("killed just before", 10.00), ("killed just before", 12.0),
            ("killed just after", 20.00), ("killed just after", 22.0),
            ("retried, no kill", 30.00), ("retried, no kill", 31.7),
            ("once", 40.0)]
    kills = [9.95, 20.3, 33.0]
    figures = paid_twice(paid, kills)
    assert figures["paid_twice_upstream"] == 3
    assert figures["paid_twice_unexplained"] == 1  # "retried, no kill": its next kill is 3 s on
    assert figures["paid_twice_next_kill_s"] == [-0.05, 0.3, 3.0]
