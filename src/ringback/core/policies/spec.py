"""Build policies from their JSON specs, as jobs carry them and the API accepts them.

Four shapes are accepted::

    {"preset": "alipay"}
    {"type": "schedule", "delays": ["0s", "2m", "10m"]}
    {"type": "fixed", "interval": "30m", "max_attempts": 20,
     "deadline": "2026-11-25T12:00:00+08:00", "max_elapsed": "12h"}
    {"type": "exponential", "base": "1s", "factor": 2, "cap": "1h", "jitter": 0.2,
     "max_attempts": 10}

Every mistake is an ``InvalidInput`` whose ``field`` points into the spec, e.g.
``policy.delays[2]``. ``Policy.to_spec`` gives the canonical form (presets expanded
into their schedule, so a stored job keeps its schedule even if a preset changes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ringback.core.durations import parse_duration
from ringback.core.errors import InvalidInput
from ringback.core.jobs import JsonObject
from ringback.core.policies.base import Policy
from ringback.core.policies.exponential import ExponentialPolicy
from ringback.core.policies.fixed import FixedPolicy
from ringback.core.policies.presets import PRESETS
from ringback.core.policies.schedule import SchedulePolicy

DEFAULT_POLICY_SPEC: JsonObject = {
    "type": "exponential",
    "base": "1s",
    "factor": 2.0,
    "cap": "1h",
    "jitter": 0.1,
    "max_attempts": 12,
}
"""For jobs submitted without a policy: 12 attempts, waits of 1s, 2s, 4s … 1024s
(about 34 minutes in all), each shortened by up to 10% to spread bursts."""

_BOUND_KEYS = ("max_attempts", "deadline", "max_elapsed")


def parse_policy(spec: Mapping[str, Any], *, field: str = "policy") -> Policy:
    """Turn a policy spec into a ``Policy``; raise ``InvalidInput`` for any mistake."""
    raw: object = spec
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            f'a policy must be an object such as {{"preset": "alipay"}} (got {raw!r})',
            field=field,
        )
    if "preset" in spec:
        return _preset(spec, field)
    kind = spec.get("type")
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None:
        known = ", ".join(sorted(_BUILDERS))
        what = "is missing" if kind is None else f"{kind!r} is unknown"
        raise InvalidInput(
            f"policy type {what}; use one of {known}, or a preset ({', '.join(PRESETS)})",
            field=f"{field}.type",
        )
    try:
        return builder(spec, field)
    except InvalidInput as error:
        # The classes name their own fields ("delays[2]"); point into the spec instead.
        if error.field is not None and not error.field.startswith(f"{field}."):
            raise InvalidInput(error.message, field=f"{field}.{error.field}") from None
        raise


def _preset(spec: Mapping[str, Any], field: str) -> Policy:
    _only_keys(spec, {"preset"}, field)
    name = spec["preset"]
    policy = PRESETS.get(name) if isinstance(name, str) else None
    if policy is None:
        raise InvalidInput(
            f"unknown preset {name!r}; use one of {', '.join(PRESETS)}", field=f"{field}.preset"
        )
    return policy


def _schedule(spec: Mapping[str, Any], field: str) -> Policy:
    _only_keys(spec, {"type", "delays"}, field)
    delays = spec.get("delays")
    if not isinstance(delays, list | tuple):
        raise InvalidInput(
            f"delays must be a list of durations such as ['0s', '2m'] (got {delays!r})",
            field=f"{field}.delays",
        )
    return SchedulePolicy(
        tuple(parse_duration(d, field=f"{field}.delays[{i}]") for i, d in enumerate(delays))
    )


def _fixed(spec: Mapping[str, Any], field: str) -> Policy:
    _only_keys(spec, {"type", "interval", *_BOUND_KEYS}, field)
    if spec.get("interval") is None:
        raise InvalidInput("interval is required, e.g. '30m'", field=f"{field}.interval")
    return FixedPolicy(
        interval=_duration(spec, "interval", field),
        max_attempts=_optional_int(spec, "max_attempts", field),
        deadline=_optional_datetime(spec, "deadline", field),
        max_elapsed=_optional_duration(spec, "max_elapsed", field),
    )


def _exponential(spec: Mapping[str, Any], field: str) -> Policy:
    _only_keys(spec, {"type", "base", "factor", "cap", "jitter", *_BOUND_KEYS}, field)
    defaults = ExponentialPolicy()
    base = _optional_duration(spec, "base", field)
    cap = _optional_duration(spec, "cap", field)
    return ExponentialPolicy(
        base=defaults.base if base is None else base,
        factor=_number(spec, "factor", field, defaults.factor),
        cap=defaults.cap if cap is None else cap,
        jitter=_number(spec, "jitter", field, defaults.jitter),
        max_attempts=_optional_int(spec, "max_attempts", field),
        deadline=_optional_datetime(spec, "deadline", field),
        max_elapsed=_optional_duration(spec, "max_elapsed", field),
    )


_BUILDERS: dict[str, Callable[[Mapping[str, Any], str], Policy]] = {
    "schedule": _schedule,
    "fixed": _fixed,
    "exponential": _exponential,
}


def _only_keys(spec: Mapping[str, Any], allowed: set[str], field: str) -> None:
    for key in spec:
        if key not in allowed:
            raise InvalidInput(
                f"unknown key {key!r}; allowed here: {', '.join(sorted(allowed))}",
                field=f"{field}.{key}",
            )


def _duration(spec: Mapping[str, Any], key: str, field: str) -> timedelta:
    return parse_duration(spec[key], field=f"{field}.{key}")


def _optional_duration(spec: Mapping[str, Any], key: str, field: str) -> timedelta | None:
    return None if spec.get(key) is None else _duration(spec, key, field)


def _optional_int(spec: Mapping[str, Any], key: str, field: str) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key} must be a whole number (got {value!r})", field=f"{field}.{key}")
    return value


def _number(spec: Mapping[str, Any], key: str, field: str, default: float) -> float:
    value = spec.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{key} must be a number (got {value!r})", field=f"{field}.{key}")
    return float(value)


def _optional_datetime(spec: Mapping[str, Any], key: str, field: str) -> datetime | None:
    value = spec.get(key)
    if value is None:
        return None
    example = "e.g. '2026-11-25T12:00:00+08:00'"
    if not isinstance(value, str):
        raise InvalidInput(
            f"{key} must be an ISO 8601 time string, {example} (got {value!r})",
            field=f"{field}.{key}",
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"cannot read {key} {value!r} as an ISO 8601 time, {example}", field=f"{field}.{key}"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            f"{key} {value!r} has no time zone; add one, {example}", field=f"{field}.{key}"
        )
    return parsed
