import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.errors import InvalidInput
from ringback.core.policies import (
    DEFAULT_POLICY_SPEC,
    ExponentialPolicy,
    FixedPolicy,
    Policy,
    SchedulePolicy,
    parse_policy,
)

durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
positive = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=30))
deadlines = st.none() | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
max_attempts = st.none() | st.integers(min_value=1, max_value=10_000)
max_elapsed = st.none() | positive

schedules = st.lists(durations, min_size=1, max_size=30).map(lambda d: SchedulePolicy(tuple(d)))
fixeds = st.builds(
    FixedPolicy,
    interval=positive,
    max_attempts=max_attempts,
    deadline=deadlines,
    max_elapsed=max_elapsed,
)


@st.composite
def exponentials(draw: st.DrawFn) -> ExponentialPolicy:
    base = draw(positive)
    return ExponentialPolicy(
        base=base,
        factor=draw(st.floats(min_value=1.0, max_value=100.0)),
        cap=base + draw(durations),
        jitter=draw(st.floats(min_value=0.0, max_value=1.0)),
        max_attempts=draw(max_attempts),
        deadline=draw(deadlines),
        max_elapsed=draw(max_elapsed),
    )


policies = schedules | fixeds | exponentials()


@settings(deadline=None)  # whole series per example; timing is not under test
@given(policies)
def test_spec_round_trips_through_json(policy: Policy) -> None:
    spec = json.loads(json.dumps(policy.to_spec()))
    assert parse_policy(spec) == policy
    assert parse_policy(spec).to_spec() == spec


def test_documented_examples_parse() -> None:
    assert parse_policy({"type": "schedule", "delays": ["0s", "2m", "PT10M"]}) == SchedulePolicy(
        (timedelta(0), timedelta(minutes=2), timedelta(minutes=10))
    )
    fixed = parse_policy(
        {
            "type": "fixed",
            "interval": "30m",
            "max_attempts": 20,
            "deadline": "2026-11-25T12:00:00+08:00",
            "max_elapsed": "12h",
        }
    )
    assert fixed == FixedPolicy(
        interval=timedelta(minutes=30),
        max_attempts=20,
        deadline=datetime(2026, 11, 25, 4, 0, tzinfo=UTC),
        max_elapsed=timedelta(hours=12),
    )
    exponential = parse_policy(
        {
            "type": "exponential",
            "base": "1s",
            "factor": 2,
            "cap": "1h",
            "jitter": 0.2,
            "max_attempts": 10,
        }
    )
    assert exponential == ExponentialPolicy(
        base=timedelta(seconds=1), factor=2.0, cap=timedelta(hours=1), jitter=0.2, max_attempts=10
    )


def test_exponential_defaults_fill_missing_keys() -> None:
    policy = parse_policy({"type": "exponential", "max_attempts": 3})
    assert policy.to_spec() == {
        "type": "exponential",
        "base": "1s",
        "factor": 2.0,
        "cap": "1h",
        "jitter": 0.0,
        "max_attempts": 3,
    }


def test_zero_base_is_refused_not_replaced_by_the_default() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_policy({"type": "exponential", "base": "0s"})
    assert caught.value.field == "policy.base"


def test_default_policy_is_bounded_exponential() -> None:
    policy = parse_policy(DEFAULT_POLICY_SPEC)
    assert isinstance(policy, ExponentialPolicy)
    assert policy.max_attempts == 12
    assert policy.to_spec() == DEFAULT_POLICY_SPEC


BAD_SPECS: list[tuple[Any, str, str]] = [
    ("alipay", "policy", "must be an object"),
    ({}, "policy.type", "is missing"),
    ({"type": "sometimes"}, "policy.type", "'sometimes' is unknown"),
    ({"type": 3}, "policy.type", "unknown"),
    ({"preset": "paypal"}, "policy.preset", "unknown preset 'paypal'"),
    ({"preset": "alipay", "type": "fixed"}, "policy.type", "unknown key"),
    ({"type": "schedule"}, "policy.delays", "list of durations"),
    ({"type": "schedule", "delays": "0s,2m"}, "policy.delays", "list of durations"),
    ({"type": "schedule", "delays": []}, "policy.delays", "at least one"),
    ({"type": "schedule", "delays": ["0s", "2m", "soon"]}, "policy.delays[2]", "'soon'"),
    ({"type": "schedule", "delays": ["0s", 120]}, "policy.delays[1]", "duration string"),
    ({"type": "schedule", "delays": ["0s", "-2m"]}, "policy.delays[1]", "negative"),
    ({"type": "schedule", "delays": ["0s"], "jitter": 0.1}, "policy.jitter", "unknown key"),
    ({"type": "fixed"}, "policy.interval", "required"),
    ({"type": "fixed", "interval": "0s"}, "policy.interval", "longer than 0s"),
    ({"type": "fixed", "interval": "30"}, "policy.interval", "no unit"),
    ({"type": "fixed", "interval": "1m", "max_attempts": "3"}, "policy.max_attempts", "whole"),
    ({"type": "fixed", "interval": "1m", "max_attempts": 2.5}, "policy.max_attempts", "whole"),
    ({"type": "fixed", "interval": "1m", "max_attempts": 0}, "policy.max_attempts", "1 or more"),
    ({"type": "fixed", "interval": "1m", "deadline": "noon"}, "policy.deadline", "ISO 8601"),
    ({"type": "fixed", "interval": "1m", "deadline": 1700000000}, "policy.deadline", "ISO"),
    (
        {"type": "fixed", "interval": "1m", "deadline": "2026-11-25T12:00:00"},
        "policy.deadline",
        "no time zone",
    ),
    ({"type": "fixed", "interval": "1m", "max_elapsed": "0s"}, "policy.max_elapsed", "0s"),
    ({"type": "exponential", "factor": "2"}, "policy.factor", "must be a number"),
    ({"type": "exponential", "factor": True}, "policy.factor", "must be a number"),
    ({"type": "exponential", "factor": 0.5}, "policy.factor", "at least 1"),
    ({"type": "exponential", "jitter": 2}, "policy.jitter", "between 0 and 1"),
    ({"type": "exponential", "base": "1m", "cap": "1s"}, "policy.cap", "shorter than base"),
    ({"type": "exponential", "cap": "forever"}, "policy.cap", "'forever'"),
]


@pytest.mark.parametrize(("spec", "field", "fragment"), BAD_SPECS)
def test_malformed_specs_name_the_field(spec: Any, field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_policy(spec)
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_field_prefix_can_be_chosen_by_the_caller() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_policy({"type": "schedule", "delays": ["x"]}, field="jobs[3].policy")
    assert caught.value.field == "jobs[3].policy.delays[0]"


def test_null_optional_keys_mean_absent() -> None:
    policy = parse_policy(
        {"type": "fixed", "interval": "1m", "max_attempts": None, "deadline": None}
    )
    assert policy == FixedPolicy(interval=timedelta(minutes=1))
