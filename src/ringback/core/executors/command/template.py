"""Argument templates: ``["fetch-statement", "--date={date}", "{account}"]``.

A placeholder is ``{name}``; ``{{`` and ``}}`` stand for literal braces. A value
fills its placeholder inside one argv element and is never split or read by a
shell, so ``; rm -rf /`` stays one harmless argument.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ringback.core.errors import ConfigError, InvalidInput

Value = str | int | float
MAX_VALUE_CHARS = 4096
_PLACEHOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# One argv element as literal text and placeholder names, in order.
Piece = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class ArgvTemplate:
    elements: tuple[tuple[Piece, ...], ...]
    placeholders: frozenset[str]

    @classmethod
    def parse(cls, argv: Sequence[str], *, field: str = "argv") -> ArgvTemplate:
        if not argv or not all(isinstance(arg, str) for arg in argv):
            raise ConfigError("a command needs a non-empty list of strings", field=field)
        elements = tuple(_parse_element(arg, field) for arg in argv)
        if any(name is not None for _, name in elements[0]):
            # The program itself must be fixed by the operator, never chosen by a job.
            raise ConfigError("the program (first element) cannot have placeholders", field=field)
        names = frozenset(name for element in elements for _, name in element if name)
        return cls(elements=elements, placeholders=names)

    def render(self, values: Mapping[str, object]) -> list[str]:
        """The argv with ``values`` filled in; InvalidInput (field ``values.<name>``)
        for a missing, extra or unusable value."""
        missing = sorted(self.placeholders - values.keys())
        if missing:
            raise InvalidInput(
                f"missing value for {', '.join(missing)}", field=f"values.{missing[0]}"
            )
        extra = sorted(values.keys() - self.placeholders)
        if extra:
            raise InvalidInput(
                f"the command has no placeholder {', '.join(extra)}", field=f"values.{extra[0]}"
            )
        texts = {name: _as_text(name, value) for name, value in values.items()}
        argv = []
        for element in self.elements:
            whole = len(element) == 1 and element[0][0] == "" and element[0][1] is not None
            parts = []
            for literal, name in element:
                parts.append(literal)
                if name is not None:
                    if whole and texts[name].startswith("-"):
                        # A whole-element value starting with '-' would be read as an option.
                        raise InvalidInput(
                            f"value for {name} cannot start with '-'", field=f"values.{name}"
                        )
                    parts.append(texts[name])
            argv.append("".join(parts))
        return argv


def _parse_element(arg: str, field: str) -> tuple[Piece, ...]:
    try:
        parsed = list(string.Formatter().parse(arg))
    except ValueError as exc:
        raise ConfigError(
            f"bad placeholder in {arg!r}: {exc} (write {{{{ for a brace)", field=field
        ) from None
    pieces: list[Piece] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (spec or conversion or not _PLACEHOLDER.fullmatch(name)):
            raise ConfigError(
                f"bad placeholder in {arg!r}: use plain {{name}} (letters, digits, '_')",
                field=field,
            )
        pieces.append((literal, name))
    return tuple(pieces) or (("", None),)


def _as_text(name: str, value: object) -> str:
    field = f"values.{name}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"value for {name} must be a string or a number", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"value for {name} must be a finite number", field=field)
    text = str(value)
    if "\0" in text:
        raise InvalidInput(f"value for {name} cannot contain a NUL byte", field=field)
    if len(text) > MAX_VALUE_CHARS:
        raise InvalidInput(
            f"value for {name} is longer than {MAX_VALUE_CHARS} characters", field=field
        )
    return text
