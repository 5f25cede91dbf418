"""What a community's moderators decide: limits and settings, read and changed by those
allowed, and the log of its edits; and what people buy: purchases credited once, refunds."""

from .log import CommunityLog, LogNote
from .moderation import LimitKind, Moderation, ScopeLimits, Standing, UsageReport
from .payments import Payments, Sale
from .settings import (
    SAFETY_LEVELS,
    CommunitySettings,
    Edit,
    Rules,
    allow_sizes,
    block,
    log_to,
    next_safety,
    safety,
    slow,
    split_words,
    toggle,
    toggle_size,
    unblock,
)

__all__ = [
    "SAFETY_LEVELS",
    "CommunityLog",
    "CommunitySettings",
    "Edit",
    "LimitKind",
    "LogNote",
    "Moderation",
    "Payments",
    "Rules",
    "Sale",
    "ScopeLimits",
    "Standing",
    "UsageReport",
    "allow_sizes",
    "block",
    "log_to",
    "next_safety",
    "safety",
    "slow",
    "split_words",
    "toggle",
    "toggle_size",
    "unblock",
]
