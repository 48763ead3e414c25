"""The sample merchant server, on a real loopback socket, driven by a real HTTP client."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ringback.domain.payments.merchant.app import MerchantApp, NotificationFormat
from ringback.domain.payments.merchant.notification import (
    MerchantNotification,
    OrderEvent,
    build_notification,
)
from ringback.domain.payments.merchant.webhook_signature import standard_webhook_headers
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.simulator.merchant_sim import MerchantServer, MerchantSimulator
from ringback.domain.payments.status import PaymentStatus

EVENT = OrderEvent(
    app_id="game-1",
    order_no="ORD-1",
    channel="wechatpay",
    channel_txn_no="4200000001",
    amount=Money(600, "CNY"),
    status=PaymentStatus.PAID,
    paid_at=datetime(2026, 3, 14, 8, 29, 40, tzinfo=UTC),
)


def merchant_app(
    secret: SigningSecret,
    fmt: NotificationFormat = NotificationFormat.JSON,
    key: RSAPrivateKey | None = None,
) -> MerchantApp:
    return MerchantApp(
        app_id="game-1",
        notify_url="http://127.0.0.1/notify",
        signing_secret=secret,
        notification_format=fmt,
        rsa2_private_key=key,
    )


async def deliver(url: str, sent: MerchantNotification, secret: SigningSecret) -> tuple[int, bytes]:
    # The standardwebhooks library checks against the wall clock, so sign with it.
    headers = standard_webhook_headers(secret, sent.notification_id, sent.body, datetime.now(UTC))
    headers["Content-Type"] = sent.content_type
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=sent.body, headers=headers) as answer,
    ):
        return answer.status, await answer.read()


async def test_unavailable_then_wrong_body_then_success() -> None:
    secret = SigningSecret.generate()
    simulator = MerchantSimulator(signing_secret=secret, unavailable_first=2, wrong_body_next=1)
    sent = build_notification(merchant_app(secret), EVENT, now=datetime.now(UTC))
    async with MerchantServer(simulator) as server:
        answers = [await deliver(server.url, sent, secret) for _ in range(5)]
    assert answers == [
        (503, b"service unavailable"),
        (503, b"service unavailable"),
        (200, b"ok"),
        (200, b"success"),
        (200, b"success"),
    ]
    assert [r.webhook_signature_ok for r in simulator.received] == [True] * 5
    assert simulator.acknowledged_ids == [sent.notification_id] * 2
    first = simulator.received[0]
    assert first.path == "/notify"
    assert first.headers["webhook-id"] == sent.notification_id
    assert first.fields is not None and first.fields["amount"] == "6.00"


async def test_bad_signature_gets_401_and_does_not_advance_the_script() -> None:
    secret = SigningSecret.generate()
    simulator = MerchantSimulator(signing_secret=secret, unavailable_first=1)
    sent = build_notification(merchant_app(secret), EVENT, now=datetime.now(UTC))
    async with MerchantServer(simulator) as server:
        forged = await deliver(server.url, sent, SigningSecret.generate())
        genuine = await deliver(server.url, sent, secret)
    assert forged == (401, b"bad signature")
    assert genuine[0] == 503
    assert [r.webhook_signature_ok for r in simulator.received] == [False, True]


async def test_rsa2_signed_form_is_verified(
    merchant_key: RSAPrivateKey, other_key: RSAPrivateKey
) -> None:
    secret = SigningSecret.generate()
    simulator = MerchantSimulator(rsa2_public_key=merchant_key.public_key())
    genuine = build_notification(
        merchant_app(secret, NotificationFormat.ALIPAY_FORM, merchant_key),
        EVENT,
        now=datetime.now(UTC),
    )
    forged = build_notification(
        merchant_app(secret, NotificationFormat.ALIPAY_FORM, other_key),
        EVENT,
        now=datetime.now(UTC),
    )
    async with MerchantServer(simulator) as server:
        assert await deliver(server.url, genuine, secret) == (200, b"success")
        assert await deliver(server.url, forged, secret) == (401, b"bad signature")
    assert [r.rsa2_ok for r in simulator.received] == [True, False]
    assert [r.webhook_signature_ok for r in simulator.received] == [None, None]


async def test_connection_refused_while_stopped_then_served_on_the_same_port() -> None:
    secret = SigningSecret.generate()
    simulator = MerchantSimulator(signing_secret=secret)
    sent = build_notification(merchant_app(secret), EVENT, now=datetime.now(UTC))
    server = MerchantServer(simulator)
    await server.start()
    url = server.url
    await server.stop()
    with pytest.raises(aiohttp.ClientConnectorError):
        await deliver(url, sent, secret)
    await server.start()
    try:
        assert server.url == url
        assert await deliver(url, sent, secret) == (200, b"success")
    finally:
        await server.stop()
    assert len(simulator.received) == 1
