"""A throwaway PostgreSQL server for the tests and benchmarks: Debian's ``postgresql`` binaries
(initdb, pg_ctl) in a temporary directory, on a free loopback port, as an unprivileged user (the
``postgres`` account when run as root). ``.ci/run`` installs the package when it is missing.

Set ``EDITBOT_TEST_PG=off`` to skip the PostgreSQL cases; otherwise a missing server fails them.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from tests.ports import free_port

SUPERUSER = "postgres"


def wanted() -> bool:
    return os.environ.get("EDITBOT_TEST_PG", "on").strip().lower() not in ("off", "0", "no")


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PgServer:
    def __init__(self, *, durable: bool = False, password: str | None = None) -> None:
        self.durable = durable  # tests turn fsync off; benchmarks keep the defaults
        self.password = password  # set: the superuser needs it (scram-sha-256), else trust
        self.port = 0
        self.folder: Path | None = None
        self._databases = 0
        self._lock = threading.Lock()

    def _as_owner(self, *argv: str) -> list[str]:
        if os.geteuid() != 0:
            return list(argv)
        return ["runuser", "-u", SUPERUSER, "--", *argv]

    def start(self) -> PgServer:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql; "
                               "or set EDITBOT_TEST_PG=off to skip its tests)")
        self.folder = Path(tempfile.mkdtemp(prefix="editbot-pg-"))
        if os.geteuid() == 0:
            account = pwd.getpwnam(SUPERUSER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        data = self.folder / "data"
        auth = ["-A", "trust"]
        if self.password is not None:
            secret = self.folder / "password"
            secret.write_text(self.password + "\n")
            if os.geteuid() == 0:
                os.chown(secret, account.pw_uid, account.pw_gid)
            auth = ["-A", "scram-sha-256", f"--pwfile={secret}"]
        subprocess.run(self._as_owner(str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                                      *auth, "-E", "UTF8", "--no-sync"),
                       check=True, capture_output=True)
        self.port = free_port()
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                   "-c max_connections=200")
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(self._as_owner(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                                      "-l", str(self.folder / "log"), "-w", "start"),
                       check=True, capture_output=True)
        self._bin = bin_dir
        atexit.register(self.stop)
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    async def database(self) -> str:
        """A new, empty database on this server; its URL."""
        import asyncpg

        with self._lock:
            self._databases += 1
            name = f"editbot_{os.getpid()}_{self._databases}"
        conn = await asyncpg.connect(self.url().replace("postgresql://", "postgres://"))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url(name)

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run(self._as_owner(str(self._bin / "pg_ctl"), "-D", str(self.folder / "data"),
                                      "-m", "immediate", "-w", "stop"), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


_shared: PgServer | None = None


def shared() -> PgServer:
    """The test session's server, started on first use; skips when EDITBOT_TEST_PG=off."""
    global _shared
    if not wanted():
        pytest.skip("EDITBOT_TEST_PG=off")
    if _shared is None:
        _shared = PgServer().start()
    return _shared
