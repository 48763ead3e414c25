"""Published notification schedules of payment channels, as ready-made policies.

Alipay documents its asynchronous notification as: at once, then after 2m, 10m, 10m,
1h, 2h, 6h and 15h until the merchant answers ``success`` (8 attempts, 24h22m in all).

WeChat Pay documents its notification frequency as the gaps *between* notifications:
15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h. The first notification goes
out at once, so the schedule here is those 15 gaps with a leading 0s: 16 attempts
spanning 24h4m. Reading the list as "the first attempt after 15s" would delay every
payment result by 15 seconds, which is not what the channel does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

from ringback.core.durations import parse_duration
from ringback.core.policies.schedule import SchedulePolicy


def _schedule(*delays: str) -> SchedulePolicy:
    return SchedulePolicy(tuple(parse_duration(delay) for delay in delays))


ALIPAY = _schedule("0s", "2m", "10m", "10m", "1h", "2h", "6h", "15h")

WECHATPAY = _schedule(
    "0s",
    *("15s", "15s", "30s", "3m", "10m", "20m", "30m", "30m", "30m", "60m"),
    *("3h", "3h", "3h", "6h", "6h"),
)

PRESETS: Mapping[str, SchedulePolicy] = MappingProxyType({"alipay": ALIPAY, "wechatpay": WECHATPAY})


def total_span(policy: SchedulePolicy) -> timedelta:
    """How long the schedule runs if every attempt fails at once."""
    return sum(policy.delays, timedelta())
