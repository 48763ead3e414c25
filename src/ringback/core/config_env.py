"""Settings from ``RINGBACK_*`` environment variables, as a table shaped like the TOML file.

``RINGBACK_<SECTION>_<KEY>`` sets ``[section] key`` (``RINGBACK_SERVER_PORT=9000``);
a few short aliases exist for the values deployments set most. Variables that name no
section (``RINGBACK_CONFIG``, ``RINGBACK_URL`` …) belong to other tools and are left
alone; a known section with an unknown key is a typo and an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ringback.core.errors import ConfigError

PREFIX = "RINGBACK_"

# Aliases win over the generic spelling of the same setting.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "RINGBACK_DATABASE_URL": ("store", "url"),
    "RINGBACK_TOKEN": ("server", "token"),
    "RINGBACK_SIGNING_SECRET": ("http", "signing_secret"),
    "RINGBACK_DATA_DIR": ("data_dir",),
}

# Free-form or nested tables that a flat variable cannot express.
FILE_ONLY_SECTIONS = frozenset({"commands", "payments", "statements", "periodic"})


@dataclass(frozen=True)
class SectionKeys:
    """What the environment may set: section -> key -> whether the value is a list."""

    sections: Mapping[str, Mapping[str, bool]]


@dataclass
class EnvOverlay:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # "server.port" -> variable name

    def put(self, path: tuple[str, ...], value: Any, variable: str) -> None:
        table = self.values
        for part in path[:-1]:
            table = table.setdefault(part, {})
        table[path[-1]] = value
        self.sources[".".join(path)] = variable


def read_env(env: Mapping[str, str], keys: SectionKeys) -> EnvOverlay:
    """Collect the settings the environment gives; raise ``ConfigError`` for typos."""
    overlay = EnvOverlay()
    for variable in sorted(env):
        if not variable.startswith(PREFIX) or variable in ALIASES:
            continue
        found = _generic_path(variable, keys)
        if found is not None:
            section, key = found
            is_list = keys.sections[section][key]
            value = (
                _list_value(env[variable], variable, f"{section}.{key}")
                if is_list
                else env[variable]
            )
            overlay.put((section, key), value, variable)
    for variable, path in ALIASES.items():
        if variable in env:
            overlay.put(path, env[variable], variable)
    return overlay


def _generic_path(variable: str, keys: SectionKeys) -> tuple[str, str] | None:
    rest = variable[len(PREFIX) :].lower()
    for section in sorted(set(keys.sections) | FILE_ONLY_SECTIONS, key=len, reverse=True):
        if not rest.startswith(section + "_"):
            continue
        if section in FILE_ONLY_SECTIONS:
            raise ConfigError(
                f"{variable}: [{section}] cannot be set from the environment; use the config file",
                field=section,
            )
        key = rest[len(section) + 1 :]
        if key not in keys.sections[section]:
            known = ", ".join(sorted(keys.sections[section]))
            raise ConfigError(
                f"{variable}: [{section}] has no setting {key!r} (known: {known})",
                field=f"{section}.{key}",
            )
        return section, key
    return None


def _list_value(raw: str, variable: str, key: str) -> list[Any]:
    """Lists are comma-separated (``a,b``) or JSON (``["a","b"]``); empty means []."""
    text = raw.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{variable}: not a JSON list ({error.msg})", field=key) from None
        if not isinstance(parsed, list):
            raise ConfigError(f"{variable}: not a JSON list", field=key)
        return parsed
    return [item.strip() for item in text.split(",") if item.strip()]
