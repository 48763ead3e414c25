"""Show settings without giving secrets away.

Known secrets (the API token, the signing secret) keep only their first 4 characters
(``whsec_`` secrets keep the prefix plus 4), enough to tell two apart. Passwords in
URLs, command environment values, and keys of the free-form ``[payments]`` and
``[statements]`` tables whose names look secret are masked the same way.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ringback.core.durations import format_duration

MASK = "…"
SHOWN_CHARS = 4
SIGNING_PREFIX = "whsec_"
_SECRET_NAME = re.compile(r"secret|password|passwd|token|private|credential|key", re.IGNORECASE)


def mask(secret: str) -> str:
    """``abcd…`` for a secret; empty stays empty so "not set" remains visible."""
    if not secret:
        return ""
    prefix = SIGNING_PREFIX if secret.startswith(SIGNING_PREFIX) else ""
    body = secret[len(prefix) :]
    # A short secret would be mostly given away by 4 characters: show none of it.
    shown = body[:SHOWN_CHARS] if len(body) >= 3 * SHOWN_CHARS else ""
    return prefix + shown + MASK


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:{mask(parts.password)}@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def mask_secret_names(value: Any) -> Any:
    """Walk a free-form table, masking strings stored under secret-looking names."""
    if isinstance(value, dict):
        return {
            key: mask(item)
            if isinstance(item, str) and _SECRET_NAME.search(str(key))
            else mask_secret_names(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secret_names(item) for item in value]
    return value


def plain(value: Any) -> Any:
    """Durations as ``30s`` and paths as text, so the dump reads like the TOML file."""
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def redact(dump: dict[str, Any]) -> dict[str, Any]:
    """A settings dump (``model_dump()``) with every secret masked."""
    shown: dict[str, Any] = plain(dump)
    shown["server"]["token"] = mask(shown["server"]["token"])
    shown["http"]["signing_secret"] = mask(shown["http"]["signing_secret"])
    shown["store"]["url"] = mask_url_password(shown["store"]["url"])
    shown["alerts"]["callback_url"] = mask_url_password(shown["alerts"]["callback_url"])
    for command in shown["commands"].values():
        command["env"] = {name: mask(value) for name, value in command["env"].items()}
    shown["payments"] = mask_secret_names(shown["payments"])
    shown["statements"] = mask_secret_names(shown["statements"])
    return shown
