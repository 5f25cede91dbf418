"""A loopback port to hand to a process before it starts (a replica, a PostgreSQL server, the
local chat), safe with the suite spread over xdist workers.

A port probed free and then closed can be taken by someone else before the process binds it.
Two kinds of someone: a bind to port 0 or an outgoing connection, which the kernel places in
its ephemeral range (32768-60999 on Linux); and another worker picking the same port the same
way. So the ports handed out here lie below the ephemeral range, in a block of their own per
xdist worker (``PYTEST_XDIST_WORKER``); a process outside pytest (a benchmark script) draws from
a block by its process id. A process hands out each port of its block once before any again.
"""

from __future__ import annotations

import itertools
import os
import random
import socket

BASE, BLOCK, BLOCKS = 20_000, 400, 30  # 20000-31999: under the ephemeral range


def _block() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        return int(worker[2:]) % (BLOCKS // 2)
    return BLOCKS // 2 + os.getpid() % (BLOCKS // 2)  # the controller, a script: by pid


_next = itertools.count(random.randrange(BLOCK))  # two scripts in one block start apart


def free_port() -> int:
    """A port of this process's block that nothing listens on now."""
    start = BASE + _block() * BLOCK
    for _ in range(BLOCK):
        port = start + next(_next) % BLOCK
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}-{start + BLOCK - 1}")
