"""What every channel verifier takes and gives back.

A verifier is pure: the raw request (headers, body bytes) and the current time go in;
a ``ChannelNotification`` comes out, or ``ChannelRejected`` is raised. It stores
nothing and calls nobody, so the HTTP endpoint decides what to persist and answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ringback.core.errors import InvalidInput
from ringback.domain.payments.money import Money
from ringback.domain.payments.status import PaymentStatus


class ChannelRejected(InvalidInput):
    """A notification that must not be trusted or could not be understood.

    ``reason_code`` is a stable machine word for the audit log and metrics
    (``bad_signature``, ``stale_timestamp``, ``wrong_app`` …); ``message`` says what
    was wrong for a human and never contains key material.
    """

    def __init__(self, reason_code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.reason_code = reason_code

    def as_dict(self) -> dict[str, str | None]:
        return {**super().as_dict(), "reason_code": self.reason_code}


@dataclass(frozen=True, slots=True)
class ChannelNotification:
    """A verified payment notification, in ringback's terms."""

    channel: str  # "alipay", "wechatpay", or the generic channel's configured name
    app_id: str  # the channel-side application (Alipay app_id, WeChat appid)
    order_no: str  # the merchant's order number (out_trade_no)
    channel_txn_no: str  # the channel's transaction number (trade_no, transaction_id)
    amount: Money
    status: PaymentStatus
    paid_at: datetime | None  # aware UTC; None unless the channel reports a payment time
    raw: bytes = field(repr=False)  # the body exactly as received, for the audit log
    dedup_key: str  # "<channel>:<the channel's notification id>", same on every resend


@dataclass(frozen=True, slots=True)
class ChannelAnswer:
    """The HTTP answer a channel expects (it retries until it sees the accepting one)."""

    status_code: int
    content_type: str | None
    body: bytes


class ChannelVerifier(Protocol):
    """The shape every channel module offers to the notification endpoint."""

    @property
    def channel(self) -> str: ...

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> ChannelNotification:
        """Verify and parse one notification; raise ChannelRejected if untrusted."""
        ...

    def accept_answer(self) -> ChannelAnswer:
        """The answer that tells the channel to stop resending."""
        ...

    def reject_answer(self, rejected: ChannelRejected) -> ChannelAnswer:
        """The answer for a rejected notification (the channel will resend)."""
        ...


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (HTTP header names are case-insensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def require_text(
    fields: Mapping[str, object], name: str, *, max_len: int = 128, field_prefix: str = ""
) -> str:
    """A required non-empty string field, or ChannelRejected naming it."""
    value = fields.get(name)
    if value is None or value == "":
        raise ChannelRejected(
            "missing_field", f"{field_prefix}{name} is missing", field=field_prefix + name
        )
    if not isinstance(value, str):
        raise ChannelRejected(
            "bad_field", f"{field_prefix}{name} must be a string", field=field_prefix + name
        )
    if len(value) > max_len:
        raise ChannelRejected(
            "bad_field",
            f"{field_prefix}{name} is longer than {max_len} characters",
            field=field_prefix + name,
        )
    return value
