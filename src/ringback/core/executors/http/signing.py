"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A receiver proves a callback came from us by recomputing
``base64(HMAC-SHA256(key, f"{msg_id}.{timestamp}.{body}"))`` with the shared secret and
comparing it to the ``webhook-signature`` header. The secret is written ``whsec_<base64>``;
the HMAC key is the decoded base64 part. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
GENERATED_KEY_BYTES = 24
MIN_KEY_BYTES = 16  # shorter keys make the HMAC guessable; refuse them up front


MAX_MESSAGE_ID_CHARS = 255


def message_id(job_id: int, key: str | None) -> str:
    """The ``webhook-id`` of a job: the same on every attempt and every retry series, so
    a receiver can drop duplicates.

    The job's idempotency key when it has one that fits a header (1-255 visible ASCII
    characters, which is what a business reference such as an order number looks like),
    else ``job_<id>``.
    """
    if key and len(key) <= MAX_MESSAGE_ID_CHARS and all("!" <= c <= "~" for c in key):
        return key
    return f"job_{job_id}"


def decode_secret(secret: str) -> bytes:
    """The HMAC key inside a ``whsec_…`` secret. Raises ValueError when malformed.

    The message never echoes the secret itself.
    """
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a signing secret starts with {SECRET_PREFIX!r}")
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        # Tolerate missing padding: some tools strip it when they copy secrets around.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the signing secret is not valid base64 after 'whsec_'") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the signing secret must hold at least {MIN_KEY_BYTES} bytes")
    return key


def generate_secret() -> str:
    """A fresh random secret, ``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(GENERATED_KEY_BYTES)).decode()


def signature_with_key(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for a pre-decoded key (the hot path)."""
    signed = b"%s.%d.%s" % (msg_id.encode(), timestamp, body)
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64 HMAC-SHA256>``."""
    raw = body.encode() if isinstance(body, str) else body
    return signature_with_key(decode_secret(secret), msg_id, timestamp, raw)


def verify(
    secret: str,
    msg_id: str,
    timestamp: int,
    body: bytes | str,
    signature_header: str,
) -> bool:
    """True when any ``v1`` signature in the (space-separated) header matches.

    This checks the signature only; a receiver should also refuse timestamps far from
    its own clock (the Standard Webhooks libraries use five minutes) to stop replays.
    """
    expected = sign(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature_header.split())


class Signer:
    """Signs with one secret whose key is decoded once, not per request."""

    __slots__ = ("_key",)

    def __init__(self, secret: str) -> None:
        self._key = decode_secret(secret)

    def __repr__(self) -> str:
        return "Signer(<secret hidden>)"

    def sign(self, msg_id: str, timestamp: int, body: bytes) -> str:
        return signature_with_key(self._key, msg_id, timestamp, body)
