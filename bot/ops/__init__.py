"""What operators see: metrics, the figures of /stats, the budget and its alerts, logs; and the
process's memory (heap.py)."""

from .budget import AdminAlerts, Budget
from .heap import fewer_arenas, freeze_start
from .logs import RedactingFilter, configure_logging, loop_exception_handler
from .metrics import Metrics, outcome_label
from .stats import Period, Sales, Stats, StatsReport

__all__ = [
    "AdminAlerts",
    "Budget",
    "Metrics",
    "Period",
    "RedactingFilter",
    "Sales",
    "Stats",
    "StatsReport",
    "configure_logging",
    "fewer_arenas",
    "freeze_start",
    "loop_exception_handler",
    "outcome_label",
]
