"""Benchmarks cannot rot: each script in bench/ runs once at a tiny size (``--quick``) and ends
with its JSON line. Its figures are not asserted (bench/ measures; tests do not time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pgserver

ROOT = Path(__file__).resolve().parents[1]
NOT_BENCHMARKS = {"harness.py", "reference_bot.py"}  # what the benchmarks use
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if p.name not in NOT_BENCHMARKS)


def test_every_benchmark_is_checked() -> None:
    assert {"ledger.py", "startup.py", "overhead.py", "crowd.py", "memory_4k.py",
            "crash_drill.py", "flood.py"} <= set(SCRIPTS)


RUNS = [[script] for script in SCRIPTS] + [["crash_drill.py", "--replicas", "3", "--pg"]]


@pytest.mark.parametrize("run", RUNS, ids=" ".join)
def test_a_quick_run_ends_with_its_json_line(run: list[str], tmp_path: Path) -> None:
    if "--pg" in run and not pgserver.wanted():
        pytest.skip("EDITBOT_TEST_PG=off")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    script, *options = run
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *options, "--quick"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    figures = json.loads(last)
    assert isinstance(figures, dict) and figures, last
