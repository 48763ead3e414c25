from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_sim import START, run_series

from ringback.core.policies import ALIPAY, PRESETS, WECHATPAY, GiveUp, parse_policy
from ringback.core.policies.presets import total_span


def test_alipay_makes_8_attempts_within_25_hours() -> None:
    series = run_series(ALIPAY)
    offsets = [step.started_at - START for step in series.steps]
    assert offsets == [
        timedelta(0),
        timedelta(minutes=2),
        timedelta(minutes=12),
        timedelta(minutes=22),
        timedelta(hours=1, minutes=22),
        timedelta(hours=3, minutes=22),
        timedelta(hours=9, minutes=22),
        timedelta(hours=24, minutes=22),
    ]
    assert series.gave_up == GiveUp("schedule exhausted after 8 attempts")
    assert total_span(ALIPAY) == timedelta(hours=24, minutes=22) < timedelta(hours=25)


def test_wechatpay_notifies_at_once_then_after_each_published_gap() -> None:
    series = run_series(WECHATPAY)
    gaps_s = [
        (b.started_at - a.started_at).total_seconds()
        for a, b in zip(series.steps, series.steps[1:], strict=False)
    ]
    minute, hour = 60, 3600
    published_s = [15, 15, 30, 3 * minute, 10 * minute, 20 * minute, 30 * minute, 30 * minute]
    published_s += [30 * minute, 60 * minute, 3 * hour, 3 * hour, 3 * hour, 6 * hour, 6 * hour]
    assert series.steps[0].started_at == START
    assert gaps_s == published_s
    assert series.attempts == 16
    assert total_span(WECHATPAY) == timedelta(hours=24, minutes=4)


@settings(deadline=None)  # whole series per example; timing is not under test
@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=1)), max_size=8))
def test_slow_attempts_push_alipay_later_but_never_add_attempts(
    durations: list[timedelta],
) -> None:
    series = run_series(ALIPAY, durations=durations)
    assert series.attempts == 8
    spent = sum((s.ended_at - s.started_at for s in series.steps[:-1]), timedelta())
    assert series.steps[-1].started_at - START == total_span(ALIPAY) + spent


def test_presets_parse_by_name() -> None:
    assert parse_policy({"preset": "alipay"}) == ALIPAY
    assert parse_policy({"preset": "wechatpay"}) == WECHATPAY
    assert set(PRESETS) == {"alipay", "wechatpay"}


def test_preset_spec_expands_to_its_schedule() -> None:
    assert ALIPAY.to_spec() == {
        "type": "schedule",
        "delays": ["0s", "2m", "10m", "10m", "1h", "2h", "6h", "15h"],
    }
