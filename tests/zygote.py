"""``python -m bot`` for the process tests, forked from a process that already imported it.

Each ``python -m bot`` a test starts paid about a second of CPU to import the bot (SQLAlchemy,
python-telegram-bot, aiohttp, pydantic) before doing anything: over the suite, minutes. Here
one process per xdist worker (the zygote, started at the first use) imports the bot once and,
for each start asked of it, forks: the child takes the test's environment, folder, arguments
and stdout/stderr, and runs ``bot`` as ``python -m bot`` would (``runpy``, as ``__main__``),
then exits as the interpreter would (threads joined, atexit handlers, streams flushed). The
child is a process of its own: signals, SIGKILL, its exit code and its output are the test's,
as with ``asyncio.create_subprocess_exec``. The zygote imports and nothing else (no thread, no
event loop), so a fork never copies a lock held elsewhere.

What a fresh interpreter does that a fork does not: read its environment at start (the
zygote's Python flags and hash seed are every child's) and import the bot anew (a module that
read the environment when imported would keep the zygote's: ``bot/`` reads it at run time).
The entry point itself keeps fresh processes: ``test_first_run.py``, the browser test, the
peak-memory test and every benchmark. ``EDITBOT_TEST_ZYGOTE=off`` starts every process fresh.

    python -m tests.zygote SOCKET   (started by ``bot_process``; ends when its stdin closes)
"""

from __future__ import annotations

import array
import asyncio
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
ENABLED = os.environ.get("EDITBOT_TEST_ZYGOTE", "on") != "off"
PIPE, STDOUT, DEVNULL = (asyncio.subprocess.PIPE, asyncio.subprocess.STDOUT,
                         asyncio.subprocess.DEVNULL)
Target = int | IO[Any] | None


# --- the zygote ---------------------------------------------------------------------------

# what ``python -m bot`` imports, but not editbot.__main__ itself: runpy runs it as __main__
PRELOADED = ("adapters.discord", "adapters.localchat", "adapters.server", "adapters.telegram",
             "bot.bootstrap", "bot.ledger.migrations", "editbot.local", "editbot.serve")


def _preload() -> None:
    for name in PRELOADED:
        importlib.import_module(name)


def _child(request: dict[str, Any], fds: list[int]) -> None:
    """In the fork: become ``python -m bot ARGS`` and exit as the interpreter would."""
    import atexit
    import io
    import runpy
    import traceback

    for fd, target in zip(fds, (0, 1, 2), strict=True):
        os.dup2(fd, target)
    for fd in set(fds):
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                 encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                  encoding="utf-8", write_through=unbuffered)
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                  encoding="utf-8", errors="backslashreplace",
                                  line_buffering=True)
    sys.argv = [str(ROOT / "bot" / "__main__.py"), *request["args"]]
    code: Any = 0
    try:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # as the interpreter's exit does
        atexit._run_exitfuncs()
    finally:
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed pipe: the reader is gone
                pass
        os._exit(code)


def serve(path: str) -> None:
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, socket.socket] = {}
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([listener, wake_r, sys.stdin], [], [])  # (PEP 475)
        if sys.stdin in ready and not sys.stdin.buffer.read1(1):  # the worker is gone
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)
            return
        if wake_r in ready:
            os.read(wake_r, 4096)
            while children:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                conn = children.pop(pid, None)
                if conn is not None:
                    try:
                        conn.send(str(os.waitstatus_to_exitcode(status)).encode())
                    except OSError:
                        pass
                    conn.close()
        if listener in ready:
            conn, _ = listener.accept()
            message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                for child in children.values():
                    child.close()
                signal.set_wakeup_fd(-1)
                os.close(wake_r)
                os.close(wake_w)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _child(json.loads(message), fds)
            for fd in fds:
                os.close(fd)
            children[pid] = conn
            conn.send(str(pid).encode())


# --- the tests' side ----------------------------------------------------------------------

class _Zygote:
    process: subprocess.Popen[bytes] | None = None
    path = ""

    @classmethod
    def socket_path(cls) -> str:
        if cls.process is None or cls.process.poll() is not None:
            cls.path = str(Path(tempfile.mkdtemp(prefix="editbot-zygote-")) / "socket")
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            cls.process = subprocess.Popen(
                [sys.executable, "-m", "tests.zygote", cls.path], cwd=ROOT, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            assert cls.process.stdout is not None
            line = cls.process.stdout.readline()
            if line.strip() != b"ready":
                raise RuntimeError("the zygote did not start")
        return cls.path


class Child:
    """What ``asyncio.create_subprocess_exec`` returns, for a child of the zygote."""

    def __init__(self, pid: int, conn: socket.socket, stdout: asyncio.StreamReader | None,
                 stderr: asyncio.StreamReader | None) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdout, self.stderr = stdout, stderr
        self._exited = asyncio.ensure_future(self._exit(conn))

    async def _exit(self, conn: socket.socket) -> int:
        try:
            answer = await asyncio.get_running_loop().sock_recv(conn, 64)
        finally:
            conn.close()
        self.returncode = int(answer) if answer else -signal.SIGKILL
        return self.returncode

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def communicate(self, input: bytes | None = None) -> tuple[bytes, bytes]:
        async def read(stream: asyncio.StreamReader | None) -> bytes:
            return b"" if stream is None else await stream.read()
        out, err = await asyncio.gather(read(self.stdout), read(self.stderr))
        await self.wait()
        return out, err


async def _reader(fd: int) -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2 ** 16, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop),
                                 os.fdopen(fd, "rb", 0))
    return reader


async def bot_process(*args: str, env: dict[str, str], cwd: Path | str,
                      stdout: Target = None, stderr: Target = None) -> Any:
    """``asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, ...)``, forked
    from the zygote (or started fresh with EDITBOT_TEST_ZYGOTE=off)."""
    if not ENABLED:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    null = os.open(os.devnull, os.O_RDWR)
    mine: list[int] = []  # read ends kept by the test
    theirs = [null]  # fds handed over, closed here once sent

    def target(wanted: Target, out: int | None) -> tuple[int, int | None]:
        if wanted == PIPE:
            read, write = os.pipe()
            mine.append(read)
            theirs.append(write)
            return write, read
        if wanted == STDOUT and out is not None:
            return out, None
        if wanted is None or wanted == DEVNULL:
            return null, None
        fd = wanted if isinstance(wanted, int) else wanted.fileno()
        return fd, None

    out_fd, out_read = target(stdout, None)
    err_fd, err_read = target(stderr, out_fd)
    loop = asyncio.get_running_loop()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.setblocking(False)
    try:
        await loop.sock_connect(conn, _Zygote.socket_path())
        request = json.dumps({"args": list(args), "env": env, "cwd": str(cwd)}).encode()
        socket.send_fds(conn, [request], array.array("i", [null, out_fd, err_fd]))
        answer = await loop.sock_recv(conn, 64)
    except BaseException:
        conn.close()
        for fd in mine:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    out = None if out_read is None else await _reader(out_read)
    err = None if err_read is None else await _reader(err_read)
    return Child(int(answer), conn, out, err)


if __name__ == "__main__":
    serve(sys.argv[1])
