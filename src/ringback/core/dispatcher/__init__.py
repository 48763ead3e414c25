"""The dispatcher: claims due jobs under a lease, runs them with bounded
concurrency, records every attempt, and sleeps exactly until the next due job."""

from ringback.core.dispatcher.decide import decide_outcome
from ringback.core.dispatcher.dispatcher import Dispatcher
from ringback.core.dispatcher.observer import DispatchObserver, FollowUpSource, LoggingObserver
from ringback.core.dispatcher.options import DispatcherOptions

__all__ = [
    "DispatchObserver",
    "Dispatcher",
    "DispatcherOptions",
    "FollowUpSource",
    "LoggingObserver",
    "decide_outcome",
]
