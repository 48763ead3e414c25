"""Secrets that never show themselves in logs, reprs or error messages.

``Secret`` wraps any secret text (an API key). ``SigningSecret`` is the Standard
Webhooks form ``whsec_<base64>``: the HMAC key is the decoded bytes, so the same
secret works with every Standard Webhooks library a merchant may already use.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets

from ringback.core.errors import InvalidInput

SIGNING_SECRET_PREFIX = "whsec_"
MIN_SIGNING_KEY_BYTES = 24
MAX_SIGNING_KEY_BYTES = 64
_HINT_CHARS = 4
# Below this length even four characters are too large a share of the secret.
_MIN_LEN_FOR_HINT = 16


class Secret:
    """Secret text. ``str``/``repr`` show only a hint such as ``…a1B2``."""

    __slots__ = ("_value",)

    def __init__(self, value: str, *, field: str = "secret") -> None:
        if not isinstance(value, str) or not value:
            raise InvalidInput("secret must be non-empty text", field=field)
        self._value = value

    def reveal(self) -> str:
        """The secret itself: only for computing signatures, never for display."""
        return self._value

    def hint(self) -> str:
        if len(self._value) < _MIN_LEN_FOR_HINT:
            return "…"
        return f"…{self._value[-_HINT_CHARS:]}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self.hint()}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


class SigningSecret(Secret):
    """A Standard Webhooks signing secret, ``whsec_`` followed by 24–64 bytes in base64."""

    __slots__ = ("_key",)

    def __init__(self, value: str, *, field: str = "signing_secret") -> None:
        super().__init__(value, field=field)
        if not value.startswith(SIGNING_SECRET_PREFIX):
            raise InvalidInput(
                f"signing secret must start with {SIGNING_SECRET_PREFIX!r}", field=field
            )
        encoded = value[len(SIGNING_SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                f"signing secret after {SIGNING_SECRET_PREFIX!r} must be base64", field=field
            ) from None
        if not MIN_SIGNING_KEY_BYTES <= len(key) <= MAX_SIGNING_KEY_BYTES:
            raise InvalidInput(
                f"signing secret must decode to {MIN_SIGNING_KEY_BYTES}–"
                f"{MAX_SIGNING_KEY_BYTES} bytes, got {len(key)}",
                field=field,
            )
        self._key = key

    @classmethod
    def generate(cls, n_bytes: int = 32) -> SigningSecret:
        """A fresh random secret, for new merchant apps and tests."""
        encoded = base64.b64encode(secrets.token_bytes(n_bytes)).decode("ascii")
        return cls(SIGNING_SECRET_PREFIX + encoded)

    def key_bytes(self) -> bytes:
        """The HMAC key (the decoded base64 part)."""
        return self._key

    def hint(self) -> str:
        return f"{SIGNING_SECRET_PREFIX}…{self.reveal()[-_HINT_CHARS:]}"
