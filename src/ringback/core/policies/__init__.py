"""Retry policies: pure functions of (attempt, times) -> next time or give up.

A policy is built from a JSON spec (what jobs carry and the API accepts) with
``parse_policy`` and asked with ``Policy.first_run`` and ``Policy.decide``.
"""

from ringback.core.policies.base import Decision, GiveUp, Policy, RetryAt
from ringback.core.policies.exponential import ExponentialPolicy
from ringback.core.policies.fixed import FixedPolicy
from ringback.core.policies.presets import ALIPAY, PRESETS, WECHATPAY
from ringback.core.policies.preview import describe_schedule
from ringback.core.policies.schedule import SchedulePolicy
from ringback.core.policies.spec import DEFAULT_POLICY_SPEC, parse_policy

__all__ = [
    "ALIPAY",
    "DEFAULT_POLICY_SPEC",
    "PRESETS",
    "WECHATPAY",
    "Decision",
    "ExponentialPolicy",
    "FixedPolicy",
    "GiveUp",
    "Policy",
    "RetryAt",
    "SchedulePolicy",
    "describe_schedule",
    "parse_policy",
]
