from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from policy_sim import START, attempt_durations, retry_after_lists, run_series

from ringback.core.errors import InvalidInput
from ringback.core.policies import FixedPolicy, GiveUp, RetryAt

CST = timezone(timedelta(hours=8))
intervals = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(hours=3))


def test_polls_every_30_minutes_until_noon() -> None:
    start = datetime(2026, 11, 25, 8, 0, tzinfo=CST)
    policy = FixedPolicy(
        interval=timedelta(minutes=30), deadline=datetime(2026, 11, 25, 12, 0, tzinfo=CST)
    )
    series = run_series(policy, start=start)
    times = [step.started_at.astimezone(CST).strftime("%H:%M") for step in series.steps]
    assert times == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
    ]
    assert series.gave_up is not None
    assert series.gave_up.reason.startswith("deadline 2026-11-25T04:00:00Z passed")


def test_first_attempt_runs_at_once() -> None:
    assert FixedPolicy(interval=timedelta(minutes=5)).first_run(START) == START


def test_retry_lands_one_interval_after_the_failed_attempt_ended() -> None:
    policy = FixedPolicy(interval=timedelta(minutes=5))
    ended = START + timedelta(seconds=42)
    decision = policy.decide(attempts=3, series_started_at=START, now=ended)
    assert decision == RetryAt(ended + timedelta(minutes=5))


def test_max_attempts_stops_the_series() -> None:
    series = run_series(FixedPolicy(interval=timedelta(minutes=1), max_attempts=4))
    assert series.attempts == 4
    assert series.gave_up == GiveUp("max_attempts reached after 4 attempts")


def test_max_elapsed_counts_from_the_start_of_the_series() -> None:
    policy = FixedPolicy(interval=timedelta(minutes=10), max_elapsed=timedelta(minutes=25))
    series = run_series(policy)
    assert [s.started_at - START for s in series.steps] == [
        timedelta(0),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert series.gave_up is not None
    assert "max_elapsed 25m exceeded" in series.gave_up.reason


def test_retry_after_beyond_the_deadline_gives_up() -> None:
    policy = FixedPolicy(interval=timedelta(minutes=1), deadline=START + timedelta(hours=1))
    decision = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(hours=2)
    )
    assert isinstance(decision, GiveUp)
    assert "deadline" in decision.reason


def test_retry_after_within_the_deadline_is_honoured() -> None:
    policy = FixedPolicy(interval=timedelta(minutes=1), deadline=START + timedelta(hours=1))
    decision = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(minutes=20)
    )
    assert decision == RetryAt(START + timedelta(minutes=20))


def test_deadline_is_kept_in_utc() -> None:
    policy = FixedPolicy(
        interval=timedelta(minutes=1), deadline=datetime(2026, 1, 1, 8, 0, tzinfo=CST)
    )
    assert policy.deadline == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert policy.deadline is not None and policy.deadline.tzinfo is UTC


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"interval": timedelta(0)}, "interval"),
        ({"interval": timedelta(seconds=-5)}, "interval"),
        ({"interval": timedelta(minutes=1), "max_attempts": 0}, "max_attempts"),
        ({"interval": timedelta(minutes=1), "max_attempts": True}, "max_attempts"),
        ({"interval": timedelta(minutes=1), "max_elapsed": timedelta(0)}, "max_elapsed"),
        ({"interval": timedelta(minutes=1), "deadline": datetime(2026, 1, 1)}, "deadline"),
    ],
)
def test_refuses_bad_values(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        FixedPolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@settings(deadline=None)  # whole series per example; timing is not under test
@given(
    intervals,
    st.integers(min_value=1, max_value=30),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1)),
    attempt_durations,
    retry_after_lists,
)
def test_bounds_are_never_crossed(
    interval: timedelta,
    max_attempts: int,
    until: timedelta,
    durations: list[timedelta],
    retry_afters: list[timedelta | None],
) -> None:
    deadline = START + until
    policy = FixedPolicy(interval=interval, max_attempts=max_attempts, deadline=deadline)
    series = run_series(policy, durations=durations, retry_afters=retry_afters)
    assert series.attempts <= max_attempts
    assert series.gave_up is not None
    for step in series.steps[1:]:
        assert step.started_at <= deadline
    for step, following in zip(series.steps, series.steps[1:], strict=False):
        assert following.started_at >= step.ended_at + interval
        if step.retry_after is not None:
            assert following.started_at >= step.ended_at + step.retry_after


@settings(deadline=None)  # whole series per example; timing is not under test
@given(
    st.timedeltas(min_value=timedelta(minutes=10), max_value=timedelta(hours=3)),
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=2)),
)
def test_max_elapsed_is_never_crossed(interval: timedelta, max_elapsed: timedelta) -> None:
    series = run_series(FixedPolicy(interval=interval, max_elapsed=max_elapsed), limit=1000)
    assert series.gave_up is not None
    assert all(step.started_at <= START + max_elapsed for step in series.steps)
    # ... and it does not give up early: one more interval would have crossed the bound.
    assert series.steps[-1].ended_at + interval > START + max_elapsed


@given(intervals, st.integers(min_value=1, max_value=500), st.timedeltas(max_value=timedelta(0)))
def test_unbounded_policy_keeps_retrying(
    interval: timedelta, attempts: int, offset: timedelta
) -> None:
    assume(offset > -timedelta(days=365))
    now = START + offset
    decision = FixedPolicy(interval=interval).decide(
        attempts=attempts, series_started_at=START, now=now
    )
    assert decision == RetryAt(now + interval)
