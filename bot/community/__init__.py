"""What a community's moderators decide: limits, read and changed by those allowed."""

from .moderation import LimitKind, Moderation, ScopeLimits, Standing, UsageReport

__all__ = [
    "LimitKind",
    "Moderation",
    "ScopeLimits",
    "Standing",
    "UsageReport",
]
