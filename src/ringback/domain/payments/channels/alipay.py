"""Alipay asynchronous notifications (异步通知), verified with RSA2.

Alipay POSTs a form to the notify_url until the answer body is exactly ``success``.
Trust comes from the ``sign`` field: SHA256withRSA by Alipay's private key over the
other fields (see ``ringback.domain.payments.rsa2``), checked here against the Alipay
public key the operator configured — never against a key the request brings along.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ringback.core.errors import InvalidInput
from ringback.domain.payments.channels.base import (
    ChannelAnswer,
    ChannelNotification,
    ChannelRejected,
    get_header,
    require_text,
)
from ringback.domain.payments.channels.form import decode_form
from ringback.domain.payments.money import Money, parse_major
from ringback.domain.payments.rsa2 import SIGN_FIELD, SIGN_TYPE_FIELD, SIGN_TYPE_RSA2, rsa2_verify
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.timestamps import parse_alipay_time

CHANNEL = "alipay"
ANSWER_SUCCESS = b"success"
ANSWER_FAIL = b"fail"

# Alipay settles domestic trades in yuan; total_amount is always CNY text.
_CURRENCY = "CNY"

_TRADE_STATUSES: dict[str, PaymentStatus] = {
    "TRADE_SUCCESS": PaymentStatus.PAID,  # paid, still refundable
    "TRADE_FINISHED": PaymentStatus.PAID,  # paid, refund window over
    "TRADE_CLOSED": PaymentStatus.CLOSED,  # unpaid and timed out, or refunded in full
    "WAIT_BUYER_PAY": PaymentStatus.PENDING,
}


def alipay_answer(accepted: bool) -> ChannelAnswer:
    """``success`` stops Alipay resending; anything else (``fail``) makes it retry."""
    body = ANSWER_SUCCESS if accepted else ANSWER_FAIL
    return ChannelAnswer(200, "text/plain; charset=utf-8", body)


class AlipayVerifier:
    """Verifies notifications for one Alipay application."""

    def __init__(
        self, *, app_id: str, alipay_public_key: RSAPublicKey, seller_id: str | None = None
    ) -> None:
        if not app_id:
            raise InvalidInput("Alipay app_id is required", field="app_id")
        self._app_id = app_id
        self._public_key = alipay_public_key
        self._seller_id = seller_id

    @property
    def channel(self) -> str:
        return CHANNEL

    def __repr__(self) -> str:
        return f"AlipayVerifier(app_id={self._app_id!r})"

    def accept_answer(self) -> ChannelAnswer:
        return alipay_answer(True)

    def reject_answer(self, rejected: ChannelRejected) -> ChannelAnswer:
        return alipay_answer(False)

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> ChannelNotification:
        # ``now`` is unused: Alipay signs no timestamp, replays are caught by dedup_key.
        fields, codec = decode_form(body, content_type=get_header(headers, "Content-Type"))
        self._check_signature(fields, codec)
        app_id = require_text(fields, "app_id")
        if app_id != self._app_id:
            raise ChannelRejected(
                "wrong_app", f"app_id {app_id!r} is not the configured Alipay app", field="app_id"
            )
        if self._seller_id is not None and fields.get("seller_id") != self._seller_id:
            raise ChannelRejected(
                "wrong_merchant", "seller_id is not the configured seller", field="seller_id"
            )
        amount = _amount(fields, "total_amount")
        return ChannelNotification(
            channel=CHANNEL,
            app_id=app_id,
            order_no=require_text(fields, "out_trade_no", max_len=64),
            channel_txn_no=require_text(fields, "trade_no", max_len=64),
            amount=amount,
            status=_status(fields),
            paid_at=_optional_time(fields, "gmt_payment"),
            raw=body,
            dedup_key=f"{CHANNEL}:{require_text(fields, 'notify_id')}",
        )

    def _check_signature(self, fields: Mapping[str, str], codec: str) -> None:
        signature = fields.get(SIGN_FIELD)
        if not signature:
            raise ChannelRejected("missing_sign", "the sign field is missing", field=SIGN_FIELD)
        sign_type = fields.get(SIGN_TYPE_FIELD)
        if sign_type != SIGN_TYPE_RSA2:
            raise ChannelRejected(
                "unsupported_sign_type",
                f"sign_type {str(sign_type)[:10]!r} is not RSA2 (RSA/SHA1 is not accepted)",
                field=SIGN_TYPE_FIELD,
            )
        if not rsa2_verify(fields, signature, self._public_key, charset=codec):
            raise ChannelRejected(
                "bad_signature",
                "the RSA2 signature does not match the Alipay public key",
                field=SIGN_FIELD,
            )


def _amount(fields: Mapping[str, str], name: str) -> Money:
    try:
        return parse_major(require_text(fields, name, max_len=24), _CURRENCY, field=name)
    except ChannelRejected:
        raise
    except InvalidInput as exc:
        raise ChannelRejected("bad_amount", exc.message, field=name) from None


def _status(fields: Mapping[str, str]) -> PaymentStatus:
    trade_status = require_text(fields, "trade_status", max_len=32)
    status = _TRADE_STATUSES.get(trade_status)
    if status is None:
        raise ChannelRejected(
            "unknown_status", f"unknown trade_status {trade_status!r}", field="trade_status"
        )
    # A full refund closes the trade too; the refund_fee tells the two apart.
    refunded = bool(fields.get("refund_fee")) and _amount(fields, "refund_fee").amount_minor > 0
    if status is PaymentStatus.CLOSED and refunded:
        return PaymentStatus.REFUNDED
    return status


def _optional_time(fields: Mapping[str, str], name: str) -> datetime | None:
    text = fields.get(name)
    if not text:
        return None
    try:
        return parse_alipay_time(text)
    except ValueError as exc:
        raise ChannelRejected("bad_time", f"{name}: {exc}", field=name) from None
