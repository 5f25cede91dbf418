"""The process's memory: fewer malloc arenas for the worker threads, and the heap built at
start frozen out of the garbage collector's sight.

glibc gives a thread that allocates while others do its own malloc arena (up to eight per core),
and memory freed in one arena is not reused by another: each worker thread (the ledger's
writer and reader, the pool that decodes and encodes images) kept the peak of its own. Two
arenas hold a crowd's peak RSS lower (bench/crowd.py: 200 photos at once, about 5 MB) at no cost
in CPU, the GIL keeping the threads from contending for them. ``MALLOC_ARENA_MAX`` set by the
operator is left as it is; another C library (musl) has no such arenas and is left alone.

The objects built at start (modules, the schema, the migrations') live as long as the process;
a full collection walked them all each time (some 150,000 objects, a tenth of a second, several
times in a crowd). Once the start is done its garbage is collected and the rest is frozen
(``gc.freeze``): the collector no longer visits it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys

M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2


def fewer_arenas() -> None:
    """Cap glibc's malloc arenas before the worker threads start."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(M_ARENA_MAX, ARENAS)


def freeze_start() -> None:
    """Collect the start's garbage, then keep what is left out of every later collection."""
    gc.collect()
    gc.freeze()
