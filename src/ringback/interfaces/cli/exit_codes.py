"""The CLI's exit codes, in one place so scripts can rely on them."""

from __future__ import annotations

import enum

from ringback.core.errors import (
    ConfigError,
    Conflict,
    InvalidInput,
    NotFound,
    RingbackError,
    StoreError,
)


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # anything not covered below
    USAGE = 2  # bad input or configuration: one line on stderr, nothing changed
    NOT_FOUND = 3
    CONFLICT = 4  # the job's state does not allow the action
    UNAVAILABLE = 5  # the store (or the server) cannot be reached


OK = ExitCode.OK
FAILURE = ExitCode.FAILURE
USAGE = ExitCode.USAGE
NOT_FOUND = ExitCode.NOT_FOUND
CONFLICT = ExitCode.CONFLICT
UNAVAILABLE = ExitCode.UNAVAILABLE


def exit_code_for(error: RingbackError) -> ExitCode:
    if isinstance(error, InvalidInput | ConfigError):
        return USAGE
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, Conflict):
        return CONFLICT
    if isinstance(error, StoreError):
        return UNAVAILABLE
    return FAILURE
