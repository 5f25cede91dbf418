"""Run the adapters' mutation campaign beside the core's.

mutmut reads one ``[tool.mutmut]`` table, from the pyproject.toml where it runs, and a change
to its test selection throws away every result so far. The core's campaign runs in the tree
(``mutants/``); the adapters' needs the wire tests instead, so it runs in a copy of the tracked
files, ``.mutation-adapters/``, whose pyproject.toml carries mutation/adapters.toml's table.
The copy is refreshed on each run and its ``mutants/`` kept, so a run resumes where the last
one stopped (mutmut checks again only the functions that changed).

    python mutation/campaign.py [mutmut arguments, e.g. --max-children 2]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPY = ROOT / ".mutation-adapters"


def refresh() -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        source, target = ROOT / name, COPY / name
        if source.is_file() and (not target.exists() or
                                 target.read_bytes() != source.read_bytes()):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    table = (ROOT / "mutation" / "adapters.toml").read_text()
    project = (ROOT / "pyproject.toml").read_text()
    core = re.search(r"^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", project, re.S | re.M)
    if core is None:
        sys.exit("pyproject.toml has no [tool.mutmut] table")
    ours = table[table.index("[tool.mutmut]"):].rstrip("\n") + "\n\n"
    spliced = project[:core.start()] + ours + project[core.end():]
    (COPY / "pyproject.toml").write_text(spliced)


def main() -> int:
    refresh()
    mutmut = Path(sys.executable).with_name("mutmut")
    ran = subprocess.run([str(mutmut), "run", *sys.argv[1:]], cwd=COPY)
    subprocess.run([str(mutmut), "results"], cwd=COPY)
    return ran.returncode


if __name__ == "__main__":
    sys.exit(main())
