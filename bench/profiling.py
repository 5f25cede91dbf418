"""Where a benchmarked bot spends its CPU: py-spy samples the bot's process (every thread: the
event loop, the ledger's writer, the pool that encodes images) while the timed part runs, and
``top`` turns the samples into the costliest functions, each in ms of CPU per edit.

py-spy is a developer's tool (``pip install py-spy``), not a dependency of the bot; it needs
the right to trace the process (root, or ptrace allowed). Idle threads are not sampled, so a
function's share of the samples is its share of the process's CPU time; ``ms_per_edit`` is that
share of the CPU time the bench measured (/proc), divided by the edits. py-spy may take a
thread waiting in a lock for a busy one; PROFILE_GIL=1 samples only the thread holding the GIL
(Python's own work, without the C code that lets the GIL go, such as SQLite's).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
RATE = 250


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


class Sampler:
    """``py-spy record`` attached to one process, writing collapsed stacks to ``out``."""

    def __init__(self, pid: int, out: Path) -> None:
        self.pid, self.out = pid, out
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            py_spy(), "record", "--pid", str(self.pid), "--rate", str(RATE), "--format", "raw",
            "--threads", "--nonblocking", *(["--gil"] if os.environ.get("PROFILE_GIL") else []),
            "-o", str(self.out),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await asyncio.sleep(0.5)  # attached before the timed part begins

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        await asyncio.wait_for(self.process.wait(), 60)


def short(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> ``file.py:func``, the path from the project or
    site-packages on."""
    match = FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match["file"]
    for root in ("site-packages/", "/bot/", "/adapters/", "/editbot/", "/lib/python3"):
        if root in path:
            path = path.split(root, 1)[1]
            path = (root.strip("/") + "/" + path) if root in ("/bot/", "/adapters/") else path
            break
    return f"{path}:{match['func']}"


def ours(name: str) -> bool:
    return name.startswith(("bot/", "adapters/")) and not name.startswith("bot/__main__")


def read(out: Path) -> tuple[Counter[str], Counter[str], int]:
    """Per function its own samples, and the samples of its calls into code not the project's
    (each sample goes to the deepest of the project's functions on its stack); all samples."""
    deepest: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";") if f.strip() and not f.startswith(
            ("thread ", "process "))]
        total += n
        mine = [name for name in frames if ours(name)]
        deepest[mine[-1] if mine else "(outside the project's calls)"] += n
        if frames:
            own[frames[-1]] += n
    return deepest, own, total


def top(out: Path, cpu_ms_per_edit: float, count: int = 10) -> str:
    """Two tables, in ms of CPU per edit and share of the samples: the functions whose own
    code costs most, and the project's functions whose own code and calls into libraries (not
    into other project functions) cost most."""
    deepest, own, total = read(out)
    if not total:
        return "no samples (was py-spy allowed to trace the bot?)"

    def rows(counter: Counter[str]) -> list[str]:
        chosen = counter.most_common(count)
        return [f"| {n / total * cpu_ms_per_edit:6.2f} | {n / total:5.1%} | `{name}` |"
                for name, n in chosen]

    head = "| ms/edit | share | function |\n|---:|---:|---|"
    return "\n".join([f"{total} samples, {cpu_ms_per_edit:.1f} ms CPU per edit",
                      "", "own code (self):", head, *rows(own),
                      "", "the project's functions (with the libraries they call):", head,
                      *rows(deepest)])
