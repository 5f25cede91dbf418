"""The ledger: the bot's one database (SQLite or PostgreSQL). Limits and the atomic
reservation, jobs and their kept results, leases, finishes the database refused, the single
writer, the tables and their migrations, and the copy between databases."""

from .copying import copy_ledger
from .pending import LEDGER_FAULTS
from .store import LimitKind, QuotaLedger, ScopeLimits, UsageReport, reserve_statement
from .tables import audit, jobs, limits, metadata, results, turns

__all__ = [
    "LEDGER_FAULTS",
    "LimitKind",
    "QuotaLedger",
    "ScopeLimits",
    "UsageReport",
    "audit",
    "copy_ledger",
    "jobs",
    "limits",
    "metadata",
    "reserve_statement",
    "results",
    "turns",
]
