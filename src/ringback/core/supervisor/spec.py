"""What the master runs: one named child process, described as plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ringback.core.errors import InvalidInput

# Names become file names (``<state_dir>/<name>.json``), so keep them plain.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
RESERVED_NAMES = frozenset({"master"})  # ``master.json`` is the master's own state


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """One supervised child.

    ``env`` is laid over the master's own environment (None: inherit as is).
    ``title`` is the process title the child sets for itself via
    ``apply_process_title()`` (a parent cannot retitle another process).
    """

    name: str  # e.g. "worker-2"; unique among the master's children
    argv: list[str]  # e.g. [sys.executable, "-m", "ringback", "worker", "--index", "2"]
    env: Mapping[str, str] | None = field(default=None, compare=True)
    title: str = ""  # e.g. "ringback: worker 2"

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name) or self.name in RESERVED_NAMES:
            raise InvalidInput(
                f"child name {self.name!r} must be 1-64 letters, digits, '_', '.' or '-' "
                "(not starting with a symbol) and not 'master'",
                field="name",
            )
        if not self.argv or not all(isinstance(arg, str) for arg in self.argv):
            raise InvalidInput("argv must be a non-empty list of strings", field="argv")
        if any("\0" in arg for arg in self.argv):
            raise InvalidInput("argv elements cannot contain NUL bytes", field="argv")


def check_unique_names(specs: Sequence[ChildSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise InvalidInput(f"two children are named {spec.name!r}", field="name")
        seen.add(spec.name)
