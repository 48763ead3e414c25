"""Injected time.

Everything that decides or waits on time (policies, dispatcher, schedulers) takes a
``Clock`` so that a 25-hour schedule can be tested in milliseconds with ``FakeClock``.
All datetimes in ringback are timezone-aware UTC.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    async def sleep_until(self, when: datetime, wake: asyncio.Event | None = None) -> None:
        """Return at ``when`` or as soon as ``wake`` is set, whichever is first."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime, wake: asyncio.Event | None = None) -> None:
        # Loop because a timer may fire a hair early; ringback never starts a job early.
        while (delay_s := (when - self.now()).total_seconds()) > 0:
            if wake is None:
                await asyncio.sleep(delay_s)
                continue
            if wake.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=delay_s)
            if wake.is_set():
                return


class FakeClock:
    """A clock that moves only when told to, for tests.

    ``sleep_until`` parks the caller until ``advance``/``set`` moves the time past the
    wake-up point (or ``wake`` is set), so a test drives hours of schedule instantly.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._changed = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = when
        self._changed.set()
        self._changed = asyncio.Event()

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)

    async def sleep_until(self, when: datetime, wake: asyncio.Event | None = None) -> None:
        while self._now < when:
            if wake is not None and wake.is_set():
                return
            changed = self._changed
            waiters = [asyncio.ensure_future(changed.wait())]
            if wake is not None:
                waiters.append(asyncio.ensure_future(wake.wait()))
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()


def utc(when: datetime) -> datetime:
    """Normalise an aware datetime to UTC; refuse naive ones (they are ambiguous)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: ringback needs timezone-aware times")
    return when.astimezone(UTC)
