import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_sim import START, attempt_durations, retry_after_lists, run_series

from ringback.core.errors import InvalidInput
from ringback.core.policies import ExponentialPolicy, GiveUp, RetryAt
from ringback.core.policies.exponential import jitter_fraction

bases = st.timedeltas(min_value=timedelta(milliseconds=1), max_value=timedelta(minutes=10))
factors = st.floats(min_value=1.0, max_value=10.0)
jitters = st.floats(min_value=0.0, max_value=1.0)
salts = st.integers(min_value=-(2**63), max_value=2**63)


def test_doubles_from_base_up_to_the_cap_without_jitter() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=1), factor=2, cap=timedelta(seconds=30))
    waits = [policy.delay(n).total_seconds() for n in range(1, 9)]
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


def test_factor_one_is_a_constant_wait() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=3), factor=1, cap=timedelta(minutes=1))
    assert {policy.delay(n) for n in range(1, 50)} == {timedelta(seconds=3)}


def test_huge_attempt_numbers_stay_at_the_cap() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=1), factor=10, cap=timedelta(days=3))
    assert policy.delay(10**6) == timedelta(days=3)


def test_retry_counts_from_the_end_of_the_failed_attempt() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=5), factor=3, cap=timedelta(hours=1))
    ended = START + timedelta(seconds=9)
    decision = policy.decide(attempts=3, series_started_at=START, now=ended)
    assert decision == RetryAt(ended + timedelta(seconds=45))


def test_retry_after_may_exceed_the_cap() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=1), cap=timedelta(minutes=1))
    decision = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(hours=2)
    )
    assert decision == RetryAt(START + timedelta(hours=2))


def test_retry_after_may_not_pass_the_deadline() -> None:
    policy = ExponentialPolicy(
        base=timedelta(seconds=1), cap=timedelta(minutes=1), deadline=START + timedelta(hours=1)
    )
    decision = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(hours=2)
    )
    assert isinstance(decision, GiveUp)
    assert decision.reason.startswith("deadline 2026-11-24T17:00:00Z passed")


def test_retry_after_may_not_pass_max_elapsed() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=1), max_elapsed=timedelta(minutes=30))
    decision = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(minutes=31)
    )
    assert isinstance(decision, GiveUp)
    assert "max_elapsed 30m exceeded" in decision.reason


def test_max_attempts_stops_the_series() -> None:
    series = run_series(ExponentialPolicy(base=timedelta(seconds=1), max_attempts=5))
    assert series.attempts == 5
    assert series.gave_up == GiveUp("max_attempts reached after 5 attempts")


def test_jitter_spreads_jobs_that_failed_together() -> None:
    policy = ExponentialPolicy(base=timedelta(minutes=1), jitter=0.5)
    waits = {policy.delay(1, salt) for salt in range(200)}
    assert len(waits) > 150
    assert min(waits) < timedelta(seconds=40)
    assert max(waits) > timedelta(seconds=50)


def test_jitter_fraction_is_in_the_unit_interval() -> None:
    fractions = [jitter_fraction(salt, attempt) for salt in range(50) for attempt in range(1, 20)]
    assert all(0.0 <= f < 1.0 for f in fractions)
    assert 0.4 < sum(fractions) / len(fractions) < 0.6


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base": timedelta(0)}, "base"),
        ({"base": timedelta(minutes=2), "cap": timedelta(minutes=1)}, "cap"),
        ({"factor": 0.5}, "factor"),
        ({"factor": math.inf}, "factor"),
        ({"factor": True}, "factor"),
        ({"jitter": -0.1}, "jitter"),
        ({"jitter": 1.5}, "jitter"),
        ({"jitter": math.nan}, "jitter"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"max_elapsed": timedelta(seconds=-1)}, "max_elapsed"),
        ({"deadline": datetime(2026, 1, 1)}, "deadline"),
    ],
)
def test_refuses_bad_values(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ExponentialPolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@given(bases, factors, jitters, st.integers(min_value=1, max_value=200), salts)
def test_jittered_wait_stays_within_its_band_and_the_cap(
    base: timedelta, factor: float, jitter: float, attempts: int, salt: int
) -> None:
    cap = base * 100
    policy = ExponentialPolicy(base=base, factor=factor, cap=cap, jitter=jitter)
    full = ExponentialPolicy(base=base, factor=factor, cap=cap).delay(attempts)
    wait = policy.delay(attempts, salt)
    assert full <= cap
    assert timedelta(0) <= wait <= full
    assert wait >= full * (1 - jitter) - timedelta(microseconds=1)


@given(bases, factors, st.integers(min_value=1, max_value=60))
def test_without_jitter_waits_never_shrink(base: timedelta, factor: float, attempts: int) -> None:
    policy = ExponentialPolicy(base=base, factor=factor, cap=base * 1000)
    assert policy.delay(attempts) <= policy.delay(attempts + 1)


@given(bases, factors, jitters, st.integers(min_value=1, max_value=100), salts)
def test_same_question_same_answer(
    base: timedelta, factor: float, jitter: float, attempts: int, salt: int
) -> None:
    now = START + timedelta(minutes=attempts)
    first = ExponentialPolicy(base=base, factor=factor, jitter=jitter, cap=base * 50)
    again = ExponentialPolicy(base=base, factor=factor, jitter=jitter, cap=base * 50)
    ask = {"attempts": attempts, "series_started_at": START, "now": now, "salt": salt}
    assert first.decide(**ask) == again.decide(**ask)  # type: ignore[arg-type]


@settings(deadline=None)  # whole series per example; timing is not under test
@given(
    bases,
    factors,
    jitters,
    st.integers(min_value=1, max_value=25),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1)),
    attempt_durations,
    retry_after_lists,
    salts,
)
def test_series_respects_every_bound(
    base: timedelta,
    factor: float,
    jitter: float,
    max_attempts: int,
    until: timedelta,
    durations: list[timedelta],
    retry_afters: list[timedelta | None],
    salt: int,
) -> None:
    deadline = START + until
    policy = ExponentialPolicy(
        base=base,
        factor=factor,
        cap=base * 20,
        jitter=jitter,
        max_attempts=max_attempts,
        deadline=deadline,
    )
    series = run_series(policy, durations=durations, retry_afters=retry_afters, salt=salt)
    assert 1 <= series.attempts <= max_attempts
    assert series.gave_up is not None
    for number, (step, following) in enumerate(
        zip(series.steps, series.steps[1:], strict=False), start=1
    ):
        assert following.started_at <= deadline
        assert following.started_at >= step.ended_at + policy.delay(number, salt)
        if step.retry_after is not None:
            assert following.started_at >= step.ended_at + step.retry_after


def test_deadline_is_normalised_to_utc() -> None:
    local = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    assert ExponentialPolicy(deadline=local).deadline == datetime(2026, 1, 1, tzinfo=UTC)
