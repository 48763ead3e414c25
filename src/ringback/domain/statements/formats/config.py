"""Reading a format's config mapping with errors that name the offending field.

Every format is configured from plain JSON-like data; a typo must fail loudly with the
field's dotted path (``format.totals.count_column``), never be ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ringback.core.errors import InvalidInput

_MISSING = object()


class ConfigReader:
    def __init__(self, config: Mapping[str, object], prefix: str = "format") -> None:
        if not isinstance(config, Mapping):
            raise InvalidInput(f"{prefix} must be an object", field=prefix)
        self._config = config
        self._prefix = prefix
        self._read: set[str] = set()

    def field(self, key: str) -> str:
        return f"{self._prefix}.{key}"

    def has(self, key: str) -> bool:
        return key in self._config

    def raw(self, key: str, default: object = _MISSING) -> object:
        self._read.add(key)
        if key in self._config:
            return self._config[key]
        if default is _MISSING:
            raise InvalidInput(f"{self.field(key)} is required", field=self.field(key))
        return default

    def string(self, key: str, default: str | None = None, *, allow_empty: bool = False) -> str:
        value = self.raw(key, _MISSING if default is None else default)
        if not isinstance(value, str) or (not value and not allow_empty):
            raise self.invalid(key, "must be a non-empty string", value)
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.string(key, default)
        if value not in options:
            raise self.invalid(key, f"must be one of {', '.join(options)}", value)
        return value

    def integer(self, key: str, default: int | None = None, *, minimum: int = 0) -> int:
        value = self.raw(key, _MISSING if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.invalid(key, f"must be an integer ≥ {minimum}", value)
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.invalid(key, "must be true or false", value)
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if (
            not isinstance(value, list | tuple)
            or not value
            or not all(isinstance(item, str) and item for item in value)
        ):
            raise self.invalid(key, "must be a non-empty list of non-empty strings", value)
        return tuple(value)

    def string_map(self, key: str) -> dict[str, str] | None:
        value = self.raw(key, None)
        if value is None:
            return None
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
        ):
            raise self.invalid(key, "must map strings to non-empty strings", value)
        return dict(value)

    def zone(self, key: str, default: str) -> ZoneInfo:
        name = self.string(key, default)
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.invalid(
                key, "must be an IANA time zone such as Asia/Shanghai", name
            ) from exc

    def sub(self, key: str) -> ConfigReader | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.invalid(key, "must be an object or null", value)
        return ConfigReader(value, self.field(key))

    def invalid(self, key: str, problem: str, value: object) -> InvalidInput:
        return InvalidInput(f"{self.field(key)} {problem}, got {value!r}", field=self.field(key))

    def finish(self) -> None:
        """Refuse keys nobody read: they are typos or options this format does not have."""
        for key in self._config:
            if key not in self._read:
                raise InvalidInput(
                    f"{self.field(key)} is not a known option", field=self.field(key)
                )
