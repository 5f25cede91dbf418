"""What operators see: metrics, the figures of /stats, the budget and its alerts, logs; and the
process's memory (heap.py).

Each name is imported on first use: ``python -m bot`` sets up its logs before it knows the
settings hold, and a configuration it cannot start with is told without importing the ledger
and prometheus_client behind the rest (about a third of a second of CPU per start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .budget import AdminAlerts, Budget
    from .heap import fewer_arenas, freeze_start
    from .logs import RedactingFilter, configure_logging, loop_exception_handler
    from .metrics import Metrics, outcome_label
    from .stats import Period, Sales, Stats, StatsReport

_WHERE = {
    "AdminAlerts": "budget",
    "Budget": "budget",
    "Metrics": "metrics",
    "Period": "stats",
    "RedactingFilter": "logs",
    "Sales": "stats",
    "Stats": "stats",
    "StatsReport": "stats",
    "configure_logging": "logs",
    "fewer_arenas": "heap",
    "freeze_start": "heap",
    "loop_exception_handler": "logs",
    "outcome_label": "metrics",
}
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once: the next use does not come here
    return value
