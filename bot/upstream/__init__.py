"""The upstream: the Gemini client and its wire format, and the line of jobs waiting for
the model (in this process, or shared by replicas in PostgreSQL)."""

from .gemini import GeminiClient
from .scheduler import FairQueue, Place, PositionFn, UpstreamQueue
from .shared_queue import SharedQueue

__all__ = [
    "FairQueue",
    "GeminiClient",
    "Place",
    "PositionFn",
    "SharedQueue",
    "UpstreamQueue",
]
