"""Reading one table of the ``[payments]`` configuration, with errors that name the key.

The ``[payments]`` section reaches the domain as a plain mapping (the core does not know
its shape). Every refusal here is a ``ConfigError`` whose field is the dotted key, e.g.
``payments.wechatpay.api_v3_key_file``, so the operator sees at start what to fix.
Relative file names resolve against one base folder (the service's data folder).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ringback.core.errors import ConfigError


class ConfigTable:
    """One mapping and its dotted name; typed getters that raise ``ConfigError``."""

    def __init__(self, data: object, name: str, base_dir: Path) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{name} must be a table", field=name)
        self.data: Mapping[str, Any] = data
        self.name = name
        self.base_dir = base_dir

    def field(self, key: str) -> str:
        return f"{self.name}.{key}"

    def fail(self, key: str, message: str) -> ConfigError:
        where = self.field(key) if key else self.name
        return ConfigError(f"{where}: {message}", field=where)

    def only(self, known: Iterable[str]) -> None:
        """Refuse keys that are not ``known``: a typo must not be silently ignored."""
        allowed = frozenset(known)
        for key in self.data:
            if key not in allowed:
                raise self.fail(str(key), f"unknown setting (known: {', '.join(sorted(allowed))})")

    def table(self, key: str) -> ConfigTable | None:
        value = self.data.get(key)
        return None if value is None else ConfigTable(value, self.field(key), self.base_dir)

    def text(self, key: str) -> str:
        value = self.optional_text(key)
        if value is None:
            raise self.fail(key, "is required")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be non-empty text")
        return value

    def text_list(self, key: str) -> list[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
            raise self.fail(key, "must be a non-empty list of names")
        for item in value:
            if not isinstance(item, str) or not item:
                raise self.fail(key, f"{str(item)[:40]!r} is not a name")
        return list(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def path(self, key: str) -> Path | None:
        """A file name, relative ones against the base folder."""
        text = self.optional_text(key)
        if text is None:
            return None
        path = Path(text)
        return path if path.is_absolute() else self.base_dir / path

    def secret(self, key: str) -> str:
        """A required secret, inline or in a file (see ``optional_secret``)."""
        value = self.optional_secret(key)
        if value is None:
            raise self.fail(key, f"is required (or {key}_file)")
        return value

    def optional_secret(self, key: str) -> str | None:
        """A secret given inline (``key``) or in a file (``key_file``), not both.

        A file keeps the secret out of the configuration; its surrounding whitespace
        (a trailing newline from an editor) is ignored. Messages never quote the secret.
        """
        file_key = f"{key}_file"
        inline = self.data.get(key)
        path = self.path(file_key)
        if inline is not None and path is not None:
            raise self.fail(file_key, f"give either {key} or {file_key}, not both")
        if inline is not None:
            if not isinstance(inline, str) or not inline.strip():
                raise self.fail(key, "must be non-empty text")
            return inline.strip()
        if path is None:
            return None
        return read_secret_file(path, self.field(file_key))


def read_secret_file(path: Path, field: str) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"{field}: file {path} does not exist", field=field) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{field}: cannot read {path}: {exc}", field=field) from None
    if not text:
        raise ConfigError(f"{field}: file {path} is empty", field=field)
    return text
