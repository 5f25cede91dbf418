"""The edit flow: admission, the runner, recovery and takeover after a crash, what a job
holds and is charged (books), conversation turns, progress and decoding, behind EditService."""

from .admission import Busy, Cooldown, Ticket
from .books import Books
from .cancels import Verdict
from .flow import Accepted, EditPort, Order
from .ports import Blob, Opening, Redelivery, ResumeHandler, prepare_images
from .recent import RecentImage, RecentImages
from .serialize import request_from_json, request_to_json
from .service import EditService
from .turns import TurnStore

__all__ = [
    "Accepted",
    "Blob",
    "Books",
    "Busy",
    "Cooldown",
    "EditPort",
    "EditService",
    "Opening",
    "Order",
    "RecentImage",
    "RecentImages",
    "Redelivery",
    "ResumeHandler",
    "Ticket",
    "TurnStore",
    "Verdict",
    "prepare_images",
    "request_from_json",
    "request_to_json",
]
