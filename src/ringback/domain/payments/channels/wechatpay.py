"""WeChat Pay API v3 payment notifications (支付通知), verified and decrypted.

Three checks stand between a request and trust:
1. ``Wechatpay-Signature``: SHA256withRSA (PKCS#1 v1.5) by the WeChat Pay platform key
   named in ``Wechatpay-Serial`` over ``"{timestamp}\\n{nonce}\\n{body}\\n"``;
2. ``Wechatpay-Timestamp`` within five minutes of ``now``, so a captured request cannot
   be replayed later;
3. the ``resource`` decrypts under AEAD_AES_256_GCM with the merchant's APIv3 key; the
   GCM tag fails on any change to the ciphertext, nonce or associated data.
Only then is the decrypted transaction read.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringback.core.errors import ConfigError, InvalidInput
from ringback.domain.payments.channels.base import (
    ChannelAnswer,
    ChannelNotification,
    ChannelRejected,
    get_header,
    require_text,
)
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import Secret
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.timestamps import parse_rfc3339

CHANNEL = "wechatpay"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
AEAD_ALGORITHM = "AEAD_AES_256_GCM"
API_V3_KEY_BYTES = 32
GCM_TAG_BYTES = 16
DEFAULT_TOLERANCE = timedelta(minutes=5)
MAX_BODY_BYTES = 64 * 1024

HEADER_SERIAL = "Wechatpay-Serial"
HEADER_SIGNATURE = "Wechatpay-Signature"
HEADER_TIMESTAMP = "Wechatpay-Timestamp"
HEADER_NONCE = "Wechatpay-Nonce"
HEADER_SIGNATURE_TYPE = "Wechatpay-Signature-Type"

_TRADE_STATES: dict[str, PaymentStatus] = {
    "SUCCESS": PaymentStatus.PAID,
    "REFUND": PaymentStatus.REFUNDED,  # 转入退款: the paid order went into refund
    "CLOSED": PaymentStatus.CLOSED,
    "REVOKED": PaymentStatus.CLOSED,  # 已撤销 (payment-code orders)
    "PAYERROR": PaymentStatus.CLOSED,  # the payment failed: no money moved
    "NOTPAY": PaymentStatus.PENDING,
    "USERPAYING": PaymentStatus.PENDING,
}


def wechatpay_success_answer() -> ChannelAnswer:
    """HTTP 204 with no body: WeChat Pay stops resending."""
    return ChannelAnswer(204, None, b"")


def wechatpay_fail_answer(message: str, *, status_code: int = 500) -> ChannelAnswer:
    """A 4xx/5xx with ``{"code": "FAIL", "message": …}``: WeChat Pay resends later."""
    body = json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False)
    return ChannelAnswer(status_code, "application/json", body.encode("utf-8"))


def signing_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The bytes WeChat Pay signs: timestamp, nonce and body, each ending in a newline."""
    return timestamp.encode("ascii") + b"\n" + nonce.encode("utf-8") + b"\n" + body + b"\n"


class WechatPayVerifier:
    """Verifies v3 notifications for one merchant (mchid) and application (appid)."""

    def __init__(
        self,
        *,
        appid: str,
        mchid: str,
        platform_keys: Mapping[str, RSAPublicKey],
        api_v3_key: Secret,
        tolerance: timedelta = DEFAULT_TOLERANCE,
    ) -> None:
        if not appid:
            raise InvalidInput("WeChat Pay appid is required", field="appid")
        if not mchid:
            raise InvalidInput("WeChat Pay mchid is required", field="mchid")
        if not platform_keys:
            raise ConfigError("at least one platform key is required", field="platform_keys")
        key = api_v3_key.reveal().encode("utf-8")
        if len(key) != API_V3_KEY_BYTES:
            raise ConfigError(
                f"the APIv3 key must be {API_V3_KEY_BYTES} bytes, got {len(key)}",
                field="api_v3_key",
            )
        self._appid = appid
        self._mchid = mchid
        self._platform_keys = dict(platform_keys)
        self._aead = AESGCM(key)
        self._tolerance = tolerance

    @property
    def channel(self) -> str:
        return CHANNEL

    def __repr__(self) -> str:
        serials = sorted(self._platform_keys)
        return f"WechatPayVerifier(appid={self._appid!r}, mchid={self._mchid!r}, serials={serials})"

    def accept_answer(self) -> ChannelAnswer:
        return wechatpay_success_answer()

    def reject_answer(self, rejected: ChannelRejected) -> ChannelAnswer:
        return wechatpay_fail_answer(rejected.message, status_code=400)

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> ChannelNotification:
        if len(body) > MAX_BODY_BYTES:
            raise ChannelRejected("body_too_large", f"body exceeds {MAX_BODY_BYTES} bytes")
        self._check_signature(headers, body, now)
        envelope = _json_object(body, "body")
        event_id = require_text(envelope, "id")
        resource = envelope.get("resource")
        if not isinstance(resource, dict):
            raise ChannelRejected("malformed_body", "resource is missing", field="resource")
        original_type = resource.get("original_type")
        if original_type != "transaction":
            raise ChannelRejected(
                "unsupported_event",
                f"only payment (transaction) notifications are handled, not {original_type!r}",
                field="resource.original_type",
            )
        transaction = _json_object(self._decrypt(resource), "resource")
        return self._notification(transaction, event_id, body)

    def _check_signature(self, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
        signature_type = get_header(headers, HEADER_SIGNATURE_TYPE)
        if signature_type is not None and signature_type != SIGNATURE_TYPE:
            raise ChannelRejected(
                "unsupported_sign_type",
                f"{HEADER_SIGNATURE_TYPE} {signature_type[:40]!r} is not {SIGNATURE_TYPE}",
                field=HEADER_SIGNATURE_TYPE,
            )
        signature_b64 = get_header(headers, HEADER_SIGNATURE)
        if not signature_b64:
            raise ChannelRejected(
                "missing_sign", f"{HEADER_SIGNATURE} is missing", field=HEADER_SIGNATURE
            )
        serial = _header(headers, HEADER_SERIAL)
        timestamp = _header(headers, HEADER_TIMESTAMP)
        nonce = _header(headers, HEADER_NONCE)
        public_key = self._platform_keys.get(serial)
        if public_key is None:
            raise ChannelRejected(
                "unknown_serial",
                f"no platform key is configured for serial {serial[:64]!r}",
                field=HEADER_SERIAL,
            )
        self._check_timestamp(timestamp, now)
        try:
            signature = base64.b64decode(signature_b64, validate=True)
            public_key.verify(
                signature,
                signing_message(timestamp, nonce, body),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (binascii.Error, ValueError, InvalidSignature):
            raise ChannelRejected(
                "bad_signature",
                f"{HEADER_SIGNATURE} does not match the platform key {serial[:64]!r}",
                field=HEADER_SIGNATURE,
            ) from None

    def _check_timestamp(self, timestamp: str, now: datetime) -> None:
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 10:
            raise ChannelRejected(
                "bad_timestamp", f"{HEADER_TIMESTAMP} is not Unix seconds", field=HEADER_TIMESTAMP
            )
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
        if abs(now - sent_at) > self._tolerance:
            raise ChannelRejected(
                "stale_timestamp",
                f"{HEADER_TIMESTAMP} is {int(abs((now - sent_at).total_seconds()))} s away "
                f"from now (more than {int(self._tolerance.total_seconds())} s)",
                field=HEADER_TIMESTAMP,
            )

    def _decrypt(self, resource: Mapping[str, Any]) -> bytes:
        if resource.get("algorithm") != AEAD_ALGORITHM:
            raise ChannelRejected(
                "unsupported_algorithm",
                f"resource.algorithm must be {AEAD_ALGORITHM}",
                field="resource.algorithm",
            )
        nonce = require_text(resource, "nonce", field_prefix="resource.")
        ciphertext_b64 = require_text(
            resource, "ciphertext", max_len=MAX_BODY_BYTES, field_prefix="resource."
        )
        associated = resource.get("associated_data", "")
        if not isinstance(associated, str):
            raise ChannelRejected(
                "malformed_body",
                "resource.associated_data must be a string",
                field="resource.associated_data",
            )
        try:
            ciphertext = base64.b64decode(ciphertext_b64, validate=True)
            if len(ciphertext) <= GCM_TAG_BYTES:
                raise ValueError("shorter than the GCM tag")
            return self._aead.decrypt(
                nonce.encode("utf-8"), ciphertext, associated.encode("utf-8") or None
            )
        except (binascii.Error, ValueError, InvalidTag):
            raise ChannelRejected(
                "decrypt_failed",
                "resource does not decrypt with the APIv3 key (tampered, or the wrong key)",
                field="resource.ciphertext",
            ) from None

    def _notification(
        self, transaction: Mapping[str, Any], event_id: str, body: bytes
    ) -> ChannelNotification:
        appid = require_text(transaction, "appid")
        if appid != self._appid:
            raise ChannelRejected(
                "wrong_app", f"appid {appid!r} is not the configured WeChat app", field="appid"
            )
        mchid = require_text(transaction, "mchid")
        if mchid != self._mchid:
            raise ChannelRejected(
                "wrong_merchant", f"mchid {mchid!r} is not the configured merchant", field="mchid"
            )
        trade_state = require_text(transaction, "trade_state", max_len=32)
        status = _TRADE_STATES.get(trade_state)
        if status is None:
            raise ChannelRejected(
                "unknown_status", f"unknown trade_state {trade_state!r}", field="trade_state"
            )
        return ChannelNotification(
            channel=CHANNEL,
            app_id=appid,
            order_no=require_text(transaction, "out_trade_no", max_len=64),
            channel_txn_no=require_text(transaction, "transaction_id", max_len=64),
            amount=_amount(transaction.get("amount")),
            status=status,
            paid_at=_success_time(transaction.get("success_time")),
            raw=body,
            dedup_key=f"{CHANNEL}:{event_id}",
        )


def _header(headers: Mapping[str, str], name: str) -> str:
    value = get_header(headers, name)
    if not value:
        raise ChannelRejected("missing_header", f"{name} is missing", field=name)
    return value


def _json_object(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ChannelRejected("malformed_body", f"{where} is not UTF-8 JSON", field=where) from None
    if not isinstance(value, dict):
        raise ChannelRejected("malformed_body", f"{where} is not a JSON object", field=where)
    return value


def _amount(amount: object) -> Money:
    if not isinstance(amount, dict):
        raise ChannelRejected("bad_amount", "amount is missing", field="amount")
    total = amount.get("total")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise ChannelRejected(
            "bad_amount", "amount.total must be a whole number of fen", field="amount.total"
        )
    currency = amount.get("currency", "CNY")
    try:
        return Money(total, currency)
    except InvalidInput as exc:
        raise ChannelRejected("bad_amount", exc.message, field="amount.currency") from None


def _success_time(text: object) -> datetime | None:
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise ChannelRejected("bad_time", "success_time must be a string", field="success_time")
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise ChannelRejected("bad_time", f"success_time: {exc}", field="success_time") from None
