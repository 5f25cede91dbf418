"""Why a database could not be used at start, in the operator's words: PostgreSQL's faults name
PostgreSQL and which part of the URL to check (host, port, user and password, database), a
SQLite fault names the file; never the password."""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import ConfigError, causes
from .writer import is_postgres

# PostgreSQL's SQLSTATEs at connection time (asyncpg's ``sqlstate``)
_AUTH = {"28P01", "28000"}  # invalid_password, invalid_authorization_specification
_NO_DATABASE = "3D000"  # invalid_catalog_name
_STARTING = {"57P03"}  # cannot_connect_now: starting up or shutting down


def database_problem(url: str, exc: BaseException, setting: str = "DATABASE_URL"
                     ) -> ConfigError:
    """The ConfigError naming ``setting`` for a database that failed to open or migrate."""
    if is_postgres(url):
        return ConfigError.about(f"{setting}: {postgres_reason(url, exc)}", setting)
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
    else:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__)
    return ConfigError.about(
        f"{setting} cannot be used ({reason}): it must name a writable SQLite file", setting)


def postgres_reason(url: str, exc: BaseException) -> str:
    try:
        parts = make_url(url)
        host, port = parts.host or "localhost", parts.port or 5432
        user, database = parts.username or "(none)", parts.database or "(none)"
        if "@" in host:
            raise ArgumentError("an @ left in the host")
    except ArgumentError:
        return ("is not a PostgreSQL URL that can be read: postgresql://user:password@host/"
                "database, with any / @ : % ? # in the password written %2F %40 %3A %25 %3F "
                "%23")
    where = f"PostgreSQL at {host}:{port}"
    for cause in causes(exc):
        state = str(getattr(cause, "sqlstate", "") or "")
        if state in _AUTH:
            return (f"{where} refused user {user} (authentication failed): check the user "
                    "name and password (in the URL written %2F for /, %40 for @, %3A for :, "
                    "%25 for %), or PGPASSWORD")
        if state == _NO_DATABASE:
            return (f"{where} has no database {database}: create it (createdb {database}) or "
                    "correct the name at the end of the URL")
        if state in _STARTING:
            return f"{where} is starting up or shutting down: try again in a moment"
        if isinstance(cause, socket.gaierror):
            return (f"{where}: the host name {host} cannot be resolved (DNS): check the host "
                    "and the network")
        if isinstance(cause, ConnectionRefusedError) or "Connect call failed" in str(cause):
            return (f"{where} refused the connection: is PostgreSQL running and listening "
                    f"on port {port}?")
        if isinstance(cause, TimeoutError):
            return (f"{where} did not answer in time (timeout): check the host, the port and "
                    "any firewall between")
    return f"{where} could not be used ({type(exc).__name__})"
