from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_sim import START, attempt_durations, retry_after_lists, run_series

from ringback.core.errors import InvalidInput
from ringback.core.policies import GiveUp, RetryAt, SchedulePolicy

delays_strategy = st.lists(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1)), min_size=1, max_size=20
).map(tuple)


def test_first_attempt_waits_the_first_delay() -> None:
    policy = SchedulePolicy((timedelta(seconds=5), timedelta(minutes=1)))
    assert policy.first_run(START) == START + timedelta(seconds=5)


def test_retries_count_from_the_end_of_the_failed_attempt() -> None:
    policy = SchedulePolicy((timedelta(0), timedelta(minutes=2), timedelta(minutes=10)))
    ended = START + timedelta(seconds=7)
    assert policy.decide(attempts=1, series_started_at=START, now=ended) == RetryAt(
        ended + timedelta(minutes=2)
    )
    assert policy.decide(attempts=2, series_started_at=START, now=ended) == RetryAt(
        ended + timedelta(minutes=10)
    )
    assert policy.decide(attempts=3, series_started_at=START, now=ended) == GiveUp(
        "schedule exhausted after 3 attempts"
    )


def test_retry_after_pushes_later_but_never_earlier() -> None:
    policy = SchedulePolicy((timedelta(0), timedelta(minutes=10)))
    later = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(hours=1)
    )
    sooner = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(seconds=1)
    )
    assert later == RetryAt(START + timedelta(hours=1))
    assert sooner == RetryAt(START + timedelta(minutes=10))


def test_retry_after_cannot_add_an_attempt() -> None:
    policy = SchedulePolicy((timedelta(0),))
    decision = policy.decide(
        attempts=1, series_started_at=START, now=START, retry_after=timedelta(seconds=1)
    )
    assert isinstance(decision, GiveUp)


def test_decide_before_any_attempt_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="attempts >= 1"):
        SchedulePolicy((timedelta(0),)).decide(attempts=0, series_started_at=START, now=START)


@pytest.mark.parametrize(
    ("delays", "field"),
    [((), "delays"), ((timedelta(0), timedelta(seconds=-1)), "delays[1]")],
)
def test_refuses_empty_or_negative_delays(delays: tuple[timedelta, ...], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        SchedulePolicy(delays)
    assert caught.value.field == field


def test_refuses_absurdly_long_schedules() -> None:
    with pytest.raises(InvalidInput, match="too many"):
        SchedulePolicy((timedelta(0),) * 1001)


def test_a_list_is_kept_as_a_tuple_so_equality_holds() -> None:
    as_list = SchedulePolicy([timedelta(0), timedelta(1)])  # type: ignore[arg-type]
    assert as_list == SchedulePolicy((timedelta(0), timedelta(1)))
    assert hash(as_list) == hash(SchedulePolicy((timedelta(0), timedelta(1))))


@settings(deadline=None)  # whole series per example; timing is not under test
@given(delays_strategy, attempt_durations, retry_after_lists)
def test_makes_exactly_as_many_attempts_as_delays(
    delays: tuple[timedelta, ...], durations: list[timedelta], retry_afters: list[timedelta | None]
) -> None:
    policy = SchedulePolicy(delays)
    series = run_series(policy, durations=durations, retry_afters=retry_afters)
    assert series.attempts == len(delays)
    assert series.gave_up == GiveUp(f"schedule exhausted after {len(delays)} attempts")


@settings(deadline=None)  # whole series per example; timing is not under test
@given(delays_strategy, attempt_durations, retry_after_lists)
def test_no_attempt_earlier_than_the_schedule_or_the_receiver_says(
    delays: tuple[timedelta, ...], durations: list[timedelta], retry_afters: list[timedelta | None]
) -> None:
    series = run_series(SchedulePolicy(delays), durations=durations, retry_afters=retry_afters)
    assert series.steps[0].started_at == START + delays[0]
    for number, (step, following) in enumerate(zip(series.steps, series.steps[1:], strict=False)):
        own = step.ended_at + delays[number + 1]
        asked = step.ended_at + (step.retry_after or timedelta(0))
        assert following.started_at == max(own, asked)


@given(delays_strategy, st.integers(min_value=1, max_value=30), st.integers())
def test_salt_does_not_change_a_schedule(
    delays: tuple[timedelta, ...], attempts: int, salt: int
) -> None:
    policy = SchedulePolicy(delays)
    assert policy.decide(attempts=attempts, series_started_at=START, now=START) == policy.decide(
        attempts=attempts, series_started_at=START, now=START, salt=salt
    )
