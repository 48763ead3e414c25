"""Notifications from other channels or internal systems, as signed JSON.

A sender POSTs a JSON object and the header
``X-Ringback-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, f"{t}.{body}")>``.
The key is the decoded part of a Standard Webhooks style secret (``whsec_<base64>``).
Several ``v1=`` entries may be sent while a secret is being rotated; one match is
enough. The timestamp must be within five minutes of ``now``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ringback.core.errors import ConfigError, InvalidInput
from ringback.domain.payments.channels.base import (
    ChannelAnswer,
    ChannelNotification,
    ChannelRejected,
    get_header,
    require_text,
)
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.timestamps import parse_rfc3339

SIGNATURE_HEADER = "X-Ringback-Signature"
DEFAULT_TOLERANCE = timedelta(minutes=5)
MAX_BODY_BYTES = 64 * 1024

_REQUIRED = (
    "app_id",
    "order_no",
    "channel_txn_no",
    "amount_minor",
    "currency",
    "status",
    "notification_id",
)
_OPTIONAL = ("paid_at",)
_CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


def _mac(secret: SigningSecret, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.key_bytes(), message, hashlib.sha256).hexdigest()


def generic_signature_header(secret: SigningSecret, body: bytes, at: datetime) -> str:
    """The ``X-Ringback-Signature`` value a sender puts on ``body`` sent at ``at``."""
    timestamp = str(int(at.timestamp()))
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def generic_success_answer() -> ChannelAnswer:
    return ChannelAnswer(204, None, b"")


def generic_fail_answer(code: str, message: str, *, status_code: int = 400) -> ChannelAnswer:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False)
    return ChannelAnswer(status_code, "application/json", body.encode("utf-8"))


class GenericVerifier:
    """Verifies signed JSON notifications from one sender for the listed app ids."""

    def __init__(
        self,
        *,
        secret: SigningSecret,
        app_ids: Collection[str],
        channel: str = "generic",
        tolerance: timedelta = DEFAULT_TOLERANCE,
    ) -> None:
        if _CHANNEL_NAME.fullmatch(channel) is None:
            raise ConfigError(
                "channel name must be lower-case letters, digits, '-' or '_' (max 32)",
                field="channel",
            )
        if not app_ids:
            raise ConfigError("at least one app id is required", field="app_ids")
        self._secret = secret
        self._app_ids = frozenset(app_ids)
        self._channel = channel
        self._tolerance = tolerance

    @property
    def channel(self) -> str:
        return self._channel

    def __repr__(self) -> str:
        return f"GenericVerifier(channel={self._channel!r}, app_ids={sorted(self._app_ids)})"

    def accept_answer(self) -> ChannelAnswer:
        return generic_success_answer()

    def reject_answer(self, rejected: ChannelRejected) -> ChannelAnswer:
        return generic_fail_answer(rejected.reason_code, rejected.message)

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> ChannelNotification:
        if len(body) > MAX_BODY_BYTES:
            raise ChannelRejected("body_too_large", f"body exceeds {MAX_BODY_BYTES} bytes")
        self._check_signature(get_header(headers, SIGNATURE_HEADER), body, now)
        fields = _json_object(body)
        app_id = require_text(fields, "app_id", max_len=64)
        if app_id not in self._app_ids:
            raise ChannelRejected(
                "wrong_app", f"app_id {app_id!r} is not served by this sender", field="app_id"
            )
        return ChannelNotification(
            channel=self._channel,
            app_id=app_id,
            order_no=require_text(fields, "order_no", max_len=64),
            channel_txn_no=require_text(fields, "channel_txn_no", max_len=64),
            amount=_amount(fields),
            status=_status(fields),
            paid_at=_paid_at(fields.get("paid_at")),
            raw=body,
            dedup_key=f"{self._channel}:{require_text(fields, 'notification_id')}",
        )

    def _check_signature(self, header: str | None, body: bytes, now: datetime) -> None:
        if not header:
            raise ChannelRejected(
                "missing_sign", f"{SIGNATURE_HEADER} is missing", field=SIGNATURE_HEADER
            )
        timestamp: str | None = None
        candidates: list[str] = []
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            if name == "t":
                timestamp = value
            elif name == "v1":
                candidates.append(value)
        if (
            timestamp is None
            or not timestamp.isascii()
            or not timestamp.isdigit()
            or len(timestamp) > 10
        ):
            raise ChannelRejected(
                "bad_timestamp",
                f"{SIGNATURE_HEADER} has no t=<unix seconds>",
                field=SIGNATURE_HEADER,
            )
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
        if abs(now - sent_at) > self._tolerance:
            raise ChannelRejected(
                "stale_timestamp",
                f"signature time is more than {int(self._tolerance.total_seconds())} s from now",
                field=SIGNATURE_HEADER,
            )
        expected = _mac(self._secret, timestamp, body)
        # Compare every candidate, so timing does not reveal which one nearly matched.
        matched = False
        for candidate in candidates:
            if _HEX_SHA256.fullmatch(candidate) and hmac.compare_digest(candidate, expected):
                matched = True
        if not matched:
            raise ChannelRejected(
                "bad_signature",
                f"{SIGNATURE_HEADER} does not match the body",
                field=SIGNATURE_HEADER,
            )


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ChannelRejected("malformed_body", "body is not UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise ChannelRejected("malformed_body", "body is not a JSON object")
    unknown = sorted(set(value) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        # Refused rather than ignored: a misspelt field would otherwise vanish silently.
        raise ChannelRejected(
            "unknown_field", f"unknown field {unknown[0][:40]!r}", field=unknown[0][:40]
        )
    return value


def _amount(fields: Mapping[str, Any]) -> Money:
    amount_minor = fields.get("amount_minor")
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor < 0:
        raise ChannelRejected(
            "bad_amount",
            "amount_minor must be a non-negative integer in minor units",
            field="amount_minor",
        )
    try:
        return Money(amount_minor, require_text(fields, "currency", max_len=3))
    except ChannelRejected:
        raise
    except InvalidInput as exc:
        raise ChannelRejected("bad_amount", exc.message, field=exc.field) from None


def _status(fields: Mapping[str, Any]) -> PaymentStatus:
    text = require_text(fields, "status", max_len=16)
    try:
        return PaymentStatus(text)
    except ValueError:
        allowed = ", ".join(s.value for s in PaymentStatus)
        raise ChannelRejected(
            "unknown_status", f"status {text!r} is not one of {allowed}", field="status"
        ) from None


def _paid_at(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ChannelRejected("bad_time", "paid_at must be an RFC 3339 string", field="paid_at")
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise ChannelRejected("bad_time", f"paid_at: {exc}", field="paid_at") from None
