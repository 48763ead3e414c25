"""Drive a policy through a series of failing attempts, as the dispatcher would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from ringback.core.policies import GiveUp, Policy, RetryAt

START = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@dataclass
class Step:
    started_at: datetime
    ended_at: datetime
    retry_after: timedelta | None
    decision: RetryAt | GiveUp


@dataclass
class Series:
    steps: list[Step] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return len(self.steps)

    @property
    def gave_up(self) -> GiveUp | None:
        last = self.steps[-1].decision if self.steps else None
        return last if isinstance(last, GiveUp) else None


def run_series(
    policy: Policy,
    *,
    start: datetime = START,
    durations: Sequence[timedelta] = (),
    retry_afters: Sequence[timedelta | None] = (),
    salt: int = 0,
    limit: int = 200,
) -> Series:
    """Every attempt fails; attempt i takes ``durations[i]`` (0 when the list runs out)."""
    series = Series()
    when = policy.first_run(start)
    while series.attempts < limit:
        index = series.attempts
        ended = when + (durations[index] if index < len(durations) else timedelta(0))
        retry_after = retry_afters[index] if index < len(retry_afters) else None
        decision = policy.decide(
            attempts=index + 1,
            series_started_at=start,
            now=ended,
            retry_after=retry_after,
            salt=salt,
        )
        series.steps.append(Step(when, ended, retry_after, decision))
        if isinstance(decision, GiveUp):
            break
        when = decision.when
    return series


short_durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2))
attempt_durations = st.lists(short_durations, max_size=40)
retry_after_lists = st.lists(st.none() | short_durations, max_size=40)
