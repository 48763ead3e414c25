from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ringback.core.clock import FakeClock
from ringback.core.errors import InvalidInput
from ringback.domain.payments.channels.form import decode_form
from ringback.domain.payments.merchant.app import MerchantApp, NotificationFormat
from ringback.domain.payments.merchant.notification import (
    CONTENT_TYPE_FORM,
    CONTENT_TYPE_JSON,
    OrderEvent,
    build_notification,
    notification_id,
    parse_notification_body,
    verify_rsa2,
)
from ringback.domain.payments.merchant.webhook_signature import standard_webhook_headers
from ringback.domain.payments.money import Money
from ringback.domain.payments.rsa2 import rsa2_verify
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.status import PaymentStatus

EVENT = OrderEvent(
    app_id="game-1",
    order_no="ORD-1",
    channel="alipay",
    channel_txn_no="2026031422001",
    amount=Money(8888, "CNY"),
    status=PaymentStatus.PAID,
    paid_at=datetime(2026, 3, 14, 8, 29, 40, tzinfo=UTC),
    attach="server=3&role=勇者",
)


def app(
    fmt: NotificationFormat = NotificationFormat.JSON, key: RSAPrivateKey | None = None
) -> MerchantApp:
    return MerchantApp(
        app_id="game-1",
        notify_url="https://game.example/notify",
        signing_secret=SigningSecret.generate(),
        notification_format=fmt,
        rsa2_private_key=key,
    )


def test_json_notification(clock: FakeClock) -> None:
    sent = build_notification(app(), EVENT, now=clock.now())
    assert sent.content_type == CONTENT_TYPE_JSON
    assert json.loads(sent.body) == {
        "notification_id": sent.notification_id,
        "notify_time": "2026-03-14T08:30:00Z",
        "app_id": "game-1",
        "order_no": "ORD-1",
        "channel": "alipay",
        "channel_txn_no": "2026031422001",
        "amount_minor": 8888,
        "amount": "88.88",
        "currency": "CNY",
        "status": "paid",
        "paid_at": "2026-03-14T08:29:40Z",
        "attach": "server=3&role=勇者",
    }


def test_form_notification_carries_the_same_fields(clock: FakeClock) -> None:
    sent = build_notification(app(NotificationFormat.ALIPAY_FORM), EVENT, now=clock.now())
    assert sent.content_type == CONTENT_TYPE_FORM
    fields = dict(parse_qsl(sent.body.decode("ascii"), strict_parsing=True))
    assert fields["amount"] == "88.88"
    assert fields["amount_minor"] == "8888"
    assert fields["attach"] == "server=3&role=勇者"
    assert parse_notification_body(sent.body, sent.content_type) == fields


def test_notification_id_is_stable_per_order_and_status(clock: FakeClock) -> None:
    first = build_notification(app(), EVENT, now=clock.now())
    later = build_notification(app(), EVENT, now=datetime(2026, 3, 15, tzinfo=UTC))
    assert first.notification_id == later.notification_id
    assert first.notification_id.startswith("ntf_") and len(first.notification_id) == 36
    refunded = notification_id("game-1", "ORD-1", PaymentStatus.REFUNDED)
    other_order = notification_id("game-1", "ORD-2", PaymentStatus.PAID)
    other_app = notification_id("game-2", "ORD-1", PaymentStatus.PAID)
    assert len({first.notification_id, refunded, other_order, other_app}) == 4


@pytest.mark.parametrize("fmt", list(NotificationFormat))
def test_rsa2_signature_round_trip(
    clock: FakeClock,
    merchant_key: RSAPrivateKey,
    other_key: RSAPrivateKey,
    fmt: NotificationFormat,
) -> None:
    sent = build_notification(app(fmt, merchant_key), EVENT, now=clock.now())
    fields = parse_notification_body(sent.body, sent.content_type)
    assert fields["sign_type"] == "RSA2"
    assert verify_rsa2(fields, merchant_key.public_key())
    assert not verify_rsa2(fields, other_key.public_key())
    assert not verify_rsa2({**fields, "amount": "0.01"}, merchant_key.public_key())
    assert not verify_rsa2({**fields, "sign_type": "RSA"}, merchant_key.public_key())
    unsigned = {k: v for k, v in fields.items() if k != "sign"}
    assert not verify_rsa2(unsigned, merchant_key.public_key())


def test_rsa2_is_the_alipay_rule(clock: FakeClock, merchant_key: RSAPrivateKey) -> None:
    """A merchant that already verifies Alipay's form notifications verifies ours with the
    same steps: decode the form in its charset, check ``sign`` over the sorted fields."""
    sent = build_notification(
        app(NotificationFormat.ALIPAY_FORM, merchant_key), EVENT, now=clock.now()
    )
    fields, codec = decode_form(sent.body, content_type=sent.content_type)
    assert rsa2_verify(fields, fields["sign"], merchant_key.public_key(), charset=codec)


def test_event_for_another_app_is_refused(clock: FakeClock) -> None:
    other = MerchantApp(
        app_id="game-2", notify_url="https://x.example/n", signing_secret=SigningSecret.generate()
    )
    with pytest.raises(InvalidInput) as caught:
        build_notification(other, EVENT, now=clock.now())
    assert caught.value.field == "app_id"


def test_standard_webhook_headers_verify_with_the_official_library() -> None:
    secret = SigningSecret.generate()
    body = b'{"notification_id":"ntf_1","amount":"88.88"}'
    headers = standard_webhook_headers(secret, "ntf_1", body, datetime.now(UTC))
    assert Webhook(secret.reveal()).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret.reveal()).verify(body.replace(b"88.88", b"0.01"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SigningSecret.generate().reveal()).verify(body, headers)
    old = standard_webhook_headers(secret, "ntf_1", body, datetime(2026, 1, 1, tzinfo=UTC))
    assert old["webhook-timestamp"] == "1767225600"
