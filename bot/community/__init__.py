"""What a community's moderators decide: limits, read and changed by those allowed; and what
people buy: purchases credited once, refunds."""

from .moderation import LimitKind, Moderation, ScopeLimits, Standing, UsageReport
from .payments import Payments, Sale

__all__ = [
    "LimitKind",
    "Moderation",
    "Payments",
    "Sale",
    "ScopeLimits",
    "Standing",
    "UsageReport",
]
