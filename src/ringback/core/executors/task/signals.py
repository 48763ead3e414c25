"""What a task raises to steer its job: ``Retry`` (not yet) and ``Fail`` (never).

Any other exception is treated as a transient failure and retried by the job's
policy, so a task only needs these when it knows better.
"""

from __future__ import annotations

from datetime import timedelta


class TaskSignal(Exception):
    """Base of the exceptions a task raises on purpose."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class Retry(TaskSignal):
    """Not ready yet; try again, after ``delay`` if given ("ask again in 30 min").

    The policy still bounds the delay (it never retries past its deadline or
    attempt limit).
    """

    def __init__(self, message: str = "", *, delay: timedelta | None = None) -> None:
        if delay is not None and delay < timedelta(0):
            raise ValueError(f"Retry delay cannot be negative: {delay!r}")
        super().__init__(message)
        self.delay = delay


class Fail(TaskSignal):
    """Failed for good: the job is dead, no further attempts."""
