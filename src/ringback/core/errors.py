"""One exception root for everything ringback raises on purpose.

Interfaces map these to answers: ``InvalidInput`` is HTTP 422 / CLI exit 2,
``NotFound`` is 404, ``Conflict`` is 409. Each carries a stable ``code`` and,
where one field is at fault, its name.
"""

from __future__ import annotations


class RingbackError(Exception):
    """Root of ringback's own exceptions."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInput(RingbackError):
    """Input that cannot be accepted; nothing was changed."""

    code = "invalid_input"


class NotFound(RingbackError):
    code = "not_found"


class Conflict(RingbackError):
    """The request contradicts the current state (e.g. cancelling a finished job)."""

    code = "conflict"


class ConfigError(RingbackError):
    """The configuration is malformed or names something that is not there."""

    code = "config_error"


class StoreError(RingbackError):
    """The store failed in a way the caller cannot fix by changing its input."""

    code = "store_error"
