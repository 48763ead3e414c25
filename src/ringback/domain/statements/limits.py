"""Limits that keep a hostile statement file from exhausting memory or CPU.

The figures a zip header declares are only an early hint: every limit is enforced on the
bytes actually produced while inflating, chunk by chunk, so a file that lies about its sizes
is stopped as soon as it crosses a limit rather than after it has been expanded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from ringback.core.errors import InvalidInput

from .errors import StatementDecodeError

MIB = 1024 * 1024

# How much compressed input is handed to the inflater at once, and the most output one
# step may produce; both bound the memory a single step can take.
CHUNK_BYTES = 1 * MIB


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_compressed_bytes: int = 50 * MIB  # the decoded (base64-free) payload
    max_uncompressed_bytes: int = 500 * MIB  # the inflated member or stream
    max_ratio: int = 200  # inflated bytes per payload byte
    max_members: int = 16  # entries in a zip's central directory

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput(
                    f"{item.name} must be a positive integer, got {value!r}",
                    field=f"limits.{item.name}",
                )

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> DecodeLimits:
        """Build limits from a config mapping; unknown keys are refused by name."""
        known = {item.name for item in fields(cls)}
        for key in config:
            if key not in known:
                raise InvalidInput(f"unknown decode limit {key!r}", field=f"limits.{key}")
        values: dict[str, int] = {}
        for key, value in config.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(
                    f"{key} must be a positive integer, got {value!r}", field=f"limits.{key}"
                )
            values[key] = value
        return cls(**values)


class OutputBudget:
    """Counts inflated bytes against the size and ratio limits as they are produced."""

    def __init__(self, limits: DecodeLimits, payload_bytes: int) -> None:
        self._limits = limits
        self._payload_bytes = max(payload_bytes, 1)
        # The ratio is measured against the payload we really hold, never a header field.
        self._ratio_cap = limits.max_ratio * self._payload_bytes
        self.produced_bytes = 0

    def room(self) -> int:
        """The most bytes the next step may produce while staying one byte past a limit."""
        cap = min(self._limits.max_uncompressed_bytes, self._ratio_cap)
        return max(cap - self.produced_bytes, 0) + 1

    def take(self, produced: int) -> None:
        self.produced_bytes += produced
        if self.produced_bytes > self._limits.max_uncompressed_bytes:
            raise StatementDecodeError(
                f"inflates past the limit of {self._limits.max_uncompressed_bytes} bytes "
                "(zip bomb or oversized file); nothing was read"
            )
        if self.produced_bytes > self._ratio_cap:
            raise StatementDecodeError(
                f"compression ratio exceeds {self._limits.max_ratio}:1 "
                f"({self._payload_bytes} payload bytes inflate to more than "
                f"{self.produced_bytes} bytes; zip bomb?); nothing was read"
            )

    def check_declared(self, declared_bytes: int) -> None:
        """Refuse early when the header itself admits to being too big (a cheap first line)."""
        if declared_bytes > self._limits.max_uncompressed_bytes:
            raise StatementDecodeError(
                f"declares {declared_bytes} uncompressed bytes, over the limit of "
                f"{self._limits.max_uncompressed_bytes}"
            )
