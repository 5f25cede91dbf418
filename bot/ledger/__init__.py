"""The ledger: the bot's one database (SQLite or PostgreSQL). Limits and the atomic
reservation (with the operator's spend budget), jobs and their kept results, leases, finishes
the database refused, the single writer, the tables and their migrations, and the copy between
databases."""

from .cancelling import CANCELLED_NOTE, Calling, call_off, called_off, job_from, model_times
from .community import CommunityRows
from .copying import copy_ledger
from .credits import Refunded
from .kept import drop_older, read_at, share, write_at
from .pending import LEDGER_FAULTS
from .prepared import Prepared
from .problems import database_problem
from .store import (
    LimitKind,
    QuotaLedger,
    ScopeLimits,
    Spending,
    SpendLimits,
    UsageReport,
    reserve_statement,
)
from .tables import (
    audit,
    budget_alerts,
    community_settings,
    jobs,
    limits,
    metadata,
    purchases,
    recent_images,
    results,
    turns,
)

__all__ = [
    "CANCELLED_NOTE",
    "LEDGER_FAULTS",
    "Calling",
    "CommunityRows",
    "LimitKind",
    "Prepared",
    "QuotaLedger",
    "Refunded",
    "ScopeLimits",
    "SpendLimits",
    "Spending",
    "UsageReport",
    "audit",
    "budget_alerts",
    "call_off",
    "called_off",
    "community_settings",
    "copy_ledger",
    "database_problem",
    "drop_older",
    "job_from",
    "jobs",
    "limits",
    "metadata",
    "model_times",
    "purchases",
    "read_at",
    "recent_images",
    "reserve_statement",
    "results",
    "share",
    "turns",
    "write_at",
]
