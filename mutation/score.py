"""The mutation score of both campaigns (the core's in mutants/, the adapters' in
.mutation-adapters/mutants/), per module and in all, from mutmut's own records.

Killed counts what a test caught (a failure, a timeout, or the type checker); the score is
killed over checked. "Not checked" are the mutants a stopped run did not reach.

    python mutation/score.py
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGNS = (ROOT, ROOT / ".mutation-adapters")
KILLED = {"killed", "timeout", "caught by type check"}


def modules(campaign: Path) -> list[str]:
    config = tomllib.loads((campaign / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def tally(campaign: Path, module: str) -> Counter[str]:
    meta = campaign / "mutants" / f"{module}.meta"
    counts: Counter[str] = Counter()
    if meta.exists():
        for code in json.loads(meta.read_text())["exit_code_by_key"].values():
            status = status_by_exit_code.get(code, "suspicious")
            counts["killed" if status in KILLED else status] += 1
    return counts


def main() -> int:
    total: Counter[str] = Counter()
    print(f"{'module':40} {'checked':>8} {'killed':>7} {'survived':>9} {'no tests':>9} "
          f"{'unchecked':>10} {'score':>7}")
    for campaign in CAMPAIGNS:
        if not (campaign / "pyproject.toml").exists():
            continue
        for module in modules(campaign):
            counts = tally(campaign, module)
            total.update(counts)
            print(line(module, counts))
    print(line("all", total))
    return 0


def line(name: str, counts: Counter[str]) -> str:
    checked = sum(n for status, n in counts.items() if status != "not checked")
    score = f"{100 * counts['killed'] / checked:.1f}%" if checked else "-"
    return (f"{name:40} {checked:>8} {counts['killed']:>7} {counts['survived']:>9} "
            f"{counts['no tests']:>9} {counts['not checked']:>10} {score:>7}")


if __name__ == "__main__":
    sys.exit(main())
