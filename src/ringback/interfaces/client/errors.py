"""The one exception the client raises for anything the server (or the network) refused."""

from __future__ import annotations

from ringback.core.errors import RingbackError

# Not HTTP statuses: the request never got an answer.
STATUS_UNREACHABLE = 0


class ApiError(RingbackError):
    """An error answer from the ringback API, or no answer at all (``status`` 0).

    ``code`` and ``field`` are the server's (``invalid_input``, ``body.payload.url``),
    so callers can branch on them without parsing messages.
    """

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status = status
        self.code = code

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        status = "no answer" if self.status == STATUS_UNREACHABLE else f"HTTP {self.status}"
        return f"{status} {self.code}{where}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"ApiError(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, field={self.field!r})"
        )
