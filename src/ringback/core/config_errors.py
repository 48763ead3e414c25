"""Turn pydantic's validation errors into one clear ``ConfigError`` line.

The message names the setting as the user wrote it (``dispatcher.per_target_limit``)
and, when the value came from the environment, the variable. Secret values are never
echoed back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ringback.core.errors import ConfigError

SECRET_KEYS = frozenset({"token", "signing_secret"})


def config_error(
    error: ValidationError,
    *,
    sources: Mapping[str, str],
    origin: str | None,
    section: str | None = None,
) -> ConfigError:
    """The first problem as a ``ConfigError``; the count of any others is appended.

    ``sources`` maps a dotted key to where its value came from (an environment variable
    or a file); ``origin`` is the config file for everything else. ``section`` prefixes
    keys when only one section's model was validated.
    """
    problems = error.errors(include_url=False)
    first = problems[0]
    local_key = dotted(first["loc"])
    key = f"{section}.{local_key}" if section else local_key
    where = sources.get(local_key) or sources.get(key) or origin
    message = f"{key}: {describe(first, secret=_is_secret(first['loc']))}"
    if where:
        message += f" (in {where})"
    if len(problems) > 1:
        message += f"; and {len(problems) - 1} more problem(s)"
    return ConfigError(message, field=key)


def dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def describe(problem: ErrorDetails, *, secret: bool = False) -> str:
    kind = problem["type"]
    ctx: dict[str, Any] = dict(problem.get("ctx") or {})
    got = "" if secret else f" (got {problem['input']!r})"
    if kind == "extra_forbidden":
        return "unknown setting; check the spelling"
    if kind == "missing":
        return "is required"
    if kind == "value_error":
        return str(ctx.get("error", problem["msg"]))
    bounds = {
        "greater_than_equal": ("≥", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("≤", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        sign, name = bounds[kind]
        return f"must be {sign} {ctx[name]}{got}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}{got}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s){got}"
    text = str(problem["msg"])
    return text[:1].lower() + text[1:] + got


def _is_secret(loc: tuple[int | str, ...]) -> bool:
    names = {str(part) for part in loc}
    return bool(names & SECRET_KEYS) or "env" in names or "url" in names
