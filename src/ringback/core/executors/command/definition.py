"""A command the operator defined in the configuration; jobs can only name it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ringback.core.errors import ConfigError
from ringback.core.executors.command.template import ArgvTemplate

_COMMAND_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class CommandDef:
    name: str  # what jobs name: {"command": "fetch_statement", ...}
    argv_template: list[str]  # e.g. ["/opt/bank/fetch", "--date={date}"]
    timeout: timedelta  # the whole run, output included
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)  # over the small inherited set
    template: ArgvTemplate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _COMMAND_NAME.fullmatch(self.name):
            raise ConfigError(
                f"command name {self.name!r} must be 1-100 letters, digits, '_', '.', ':' or '-'",
                field="name",
            )
        where = f"commands.{self.name}"
        object.__setattr__(
            self, "template", ArgvTemplate.parse(self.argv_template, field=f"{where}.argv")
        )
        if self.timeout <= timedelta(0):
            raise ConfigError("a command's timeout must be positive", field=f"{where}.timeout")
        for key, value in self.env.items():
            if not _ENV_NAME.fullmatch(key) or not isinstance(value, str) or "\0" in value:
                raise ConfigError(f"bad environment variable {key!r}", field=f"{where}.env")

    @property
    def placeholders(self) -> frozenset[str]:
        return self.template.placeholders
