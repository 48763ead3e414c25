"""Errors raised while turning a bank's answer into statement lines.

Both are ``InvalidInput``: the file (not ringback) is at fault, nothing was stored, and the
interfaces answer them like any other bad input.
"""

from __future__ import annotations

from ringback.core.errors import InvalidInput

# A bad line is quoted back to the operator; a hostile file must not flood the log with it.
_QUOTE_LIMIT_CHARS = 200


class StatementDecodeError(InvalidInput):
    """The payload is not a statement we can safely unpack (bad base64, zip, limits, text)."""

    code = "statement_undecodable"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class StatementParseError(InvalidInput):
    """The text does not follow the configured format, or its own totals do not add up."""

    code = "statement_unparsable"

    def __init__(
        self, message: str, *, line_no: int | None = None, line: str | None = None
    ) -> None:
        self.line_no = line_no
        self.line = line
        if line_no is not None:
            message = f"line {line_no}: {message}"
        if line is not None:
            message = f"{message}: {quote_line(line)}"
        super().__init__(message, field="file")


def quote_line(line: str) -> str:
    """The line as shown in an error: repr'd (tabs and odd bytes visible) and bounded."""
    if len(line) > _QUOTE_LIMIT_CHARS:
        return repr(line[:_QUOTE_LIMIT_CHARS]) + f"… ({len(line)} chars)"
    return repr(line)
