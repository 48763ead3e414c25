"""Policy specs as callers give them.

A spec is a JSON object (``{"type": "schedule", ...}``, ``{"preset": "alipay"}``)
or, as a shorthand for people typing commands, the bare name of a preset
(``"alipay"``). Both go through ``parse_policy``, so errors name the field inside
the spec (``policy.delays[2]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ringback.core.errors import InvalidInput
from ringback.core.policies import Policy, parse_policy

PolicySpec = Mapping[str, Any] | str


def parse_policy_spec(spec: PolicySpec, *, field_prefix: str) -> Policy:
    if isinstance(spec, str):
        return parse_policy({"preset": spec.strip()}, field=field_prefix)
    if not isinstance(spec, Mapping):
        raise InvalidInput("policy must be a preset name or a JSON object", field=field_prefix)
    return parse_policy(dict(spec), field=field_prefix)
