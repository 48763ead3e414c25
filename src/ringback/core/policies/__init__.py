"""Retry policies: pure functions of (attempt, times) -> next time or give up.

A policy is built from a JSON spec (what jobs carry and the API accepts) with
``parse_policy`` and asked with ``Policy.first_run`` and ``Policy.decide``.
"""

from ringback.core.policies.base import Decision, GiveUp, Policy, RetryAt

__all__ = ["Decision", "GiveUp", "Policy", "RetryAt"]
