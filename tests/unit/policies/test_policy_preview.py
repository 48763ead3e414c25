from datetime import timedelta

import pytest
from policy_sim import START

from ringback.core.policies import (
    ALIPAY,
    ExponentialPolicy,
    FixedPolicy,
    SchedulePolicy,
    describe_schedule,
)


def test_lists_every_planned_attempt_of_a_schedule() -> None:
    times = describe_schedule(ALIPAY, START, 20)
    assert len(times) == 8
    assert times[-1] - START == timedelta(hours=24, minutes=22)


def test_stops_at_n() -> None:
    policy = FixedPolicy(interval=timedelta(minutes=30))
    assert describe_schedule(policy, START, 3) == [
        START,
        START + timedelta(minutes=30),
        START + timedelta(hours=1),
    ]
    assert describe_schedule(policy, START, 0) == []


def test_respects_the_deadline() -> None:
    policy = FixedPolicy(interval=timedelta(minutes=30), deadline=START + timedelta(hours=1))
    assert len(describe_schedule(policy, START, 100)) == 3


def test_first_attempt_may_be_delayed() -> None:
    policy = SchedulePolicy((timedelta(minutes=5), timedelta(minutes=1)))
    assert describe_schedule(policy, START, 5) == [
        START + timedelta(minutes=5),
        START + timedelta(minutes=6),
    ]


def test_jittered_preview_depends_on_the_salt_only() -> None:
    policy = ExponentialPolicy(base=timedelta(seconds=10), jitter=0.5, max_attempts=6)
    assert describe_schedule(policy, START, 10, salt=7) == describe_schedule(
        policy, START, 10, salt=7
    )
    assert describe_schedule(policy, START, 10, salt=7) != describe_schedule(
        policy, START, 10, salt=8
    )


def test_refuses_negative_n() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        describe_schedule(ALIPAY, START, -1)
