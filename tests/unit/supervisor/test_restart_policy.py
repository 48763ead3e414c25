"""The restart decision: immediate after a healthy run, doubling while crashing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.supervisor import EXIT_RECYCLE, RestartPolicy, describe_exit

POLICY = RestartPolicy(
    backoff_base=timedelta(seconds=1),
    backoff_max=timedelta(seconds=10),
    stable_uptime=timedelta(seconds=60),
    recycle_min_uptime=timedelta(seconds=5),
)
SHORT = timedelta(seconds=2)


def test_a_crash_streak_restarts_at_once_then_doubles_up_to_the_cap() -> None:
    streak = 0
    delays = []
    for _ in range(7):
        decision = POLICY.after_exit(returncode=1, uptime=SHORT, streak=streak)
        assert decision.crashed
        streak = decision.streak
        delays.append(decision.delay.total_seconds())

    assert delays == [0, 1, 2, 4, 8, 10, 10]
    assert streak == 7


def test_a_long_healthy_run_forgives_the_streak() -> None:
    decision = POLICY.after_exit(returncode=-9, uptime=timedelta(minutes=5), streak=6)

    assert (decision.streak, decision.delay, decision.crashed) == (1, timedelta(0), True)


def test_a_recycle_request_is_not_a_crash_and_resets_the_streak() -> None:
    decision = POLICY.after_exit(returncode=EXIT_RECYCLE, uptime=timedelta(seconds=9), streak=3)

    assert (decision.streak, decision.delay, decision.crashed) == (0, timedelta(0), False)


def test_a_recycle_right_after_start_counts_as_a_crash() -> None:
    decision = POLICY.after_exit(returncode=EXIT_RECYCLE, uptime=timedelta(seconds=1), streak=2)

    assert decision.crashed
    assert (decision.streak, decision.delay) == (3, timedelta(seconds=2))


def test_a_child_that_could_not_start_backs_off_like_a_crash() -> None:
    decision = POLICY.after_exit(returncode=None, uptime=timedelta(0), streak=1)

    assert (decision.streak, decision.delay, decision.crashed) == (2, timedelta(seconds=1), True)


def test_very_long_streaks_stay_at_the_cap() -> None:
    assert POLICY.backoff(10_000) == timedelta(seconds=10)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"backoff_base": timedelta(0)}, "backoff_base"),
        ({"backoff_base": timedelta(seconds=5), "backoff_max": SHORT}, "backoff_max"),
        ({"stable_uptime": timedelta(seconds=-1)}, "stable_uptime"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, timedelta], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        RestartPolicy(**settings)

    assert error.value.field == field


@pytest.mark.parametrize(
    ("returncode", "text"),
    [
        (0, "exit code 0 (ok)"),
        (3, "exit code 3"),
        (75, "exit code 75 (recycle)"),
        (-9, "killed by SIGKILL"),
        (-15, "killed by SIGTERM"),
        (None, "could not start"),
    ],
)
def test_exits_are_described_for_the_log(returncode: int | None, text: str) -> None:
    assert describe_exit(returncode) == text
