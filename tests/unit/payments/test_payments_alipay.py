from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ringback.core.clock import FakeClock
from ringback.domain.payments.channels.alipay import AlipayVerifier
from ringback.domain.payments.channels.base import ChannelNotification, ChannelRejected
from ringback.domain.payments.channels.form import decode_form
from ringback.domain.payments.money import Money
from ringback.domain.payments.simulator.alipay_sim import (
    AlipaySimulator,
    form_request,
    with_field,
    with_sign_type,
    without_sign,
)
from ringback.domain.payments.simulator.request import SimulatedRequest
from ringback.domain.payments.status import PaymentStatus

AMOUNT = Money(8888, "CNY")


def verify(
    verifier: AlipayVerifier, request: SimulatedRequest, clock: FakeClock
) -> ChannelNotification:
    return verifier.verify(request.headers, request.body, clock.now())


def rejection(verifier: AlipayVerifier, request: SimulatedRequest, clock: FakeClock) -> str:
    with pytest.raises(ChannelRejected) as caught:
        verify(verifier, request, clock)
    return caught.value.reason_code


@pytest.mark.parametrize(
    ("charset", "encoded_subject"),
    [("utf-8", b"%E9%92%BB"), ("gbk", b"%D7%EA")],  # 钻 in UTF-8 and in GBK
)
def test_accepts_a_genuine_notification(
    alipay: AlipaySimulator, clock: FakeClock, charset: str, encoded_subject: bytes
) -> None:
    request = alipay.notify_request("ORD-1001", AMOUNT, notify_id="n-77", charset=charset)
    assert encoded_subject in request.body
    note = verify(alipay.verifier(), request, clock)
    assert note.channel == "alipay"
    assert note.app_id == alipay.app_id
    assert note.order_no == "ORD-1001"
    assert note.amount == AMOUNT
    assert note.status is PaymentStatus.PAID
    # gmt_payment is Beijing time; 16:29:40 +08:00 is 08:29:40 UTC.
    assert note.paid_at == datetime(2026, 3, 14, 8, 29, 40, tzinfo=UTC)
    assert note.dedup_key == "alipay:n-77"
    assert note.raw == request.body
    assert note.channel_txn_no.startswith("20260314")


def test_gbk_text_is_decoded_and_signed_as_gbk(alipay: AlipaySimulator) -> None:
    request = alipay.notify_request("ORD-1", AMOUNT, charset="gbk")
    fields, codec = decode_form(request.body)
    assert codec == "gbk"
    assert fields["subject"] == "钻石礼包 x60"
    # Decoding the same bytes as UTF-8 would be wrong, not merely different.
    with pytest.raises(ChannelRejected) as caught:
        decode_form(request.body.replace(b"charset=gbk", b"charset=utf-8"))
    assert caught.value.reason_code == "bad_encoding"


def test_a_resent_notification_has_the_same_dedup_key(
    alipay: AlipaySimulator, clock: FakeClock
) -> None:
    first = alipay.notify_request("ORD-1", AMOUNT, notify_id="abc")
    again = alipay.notify_request("ORD-1", AMOUNT, notify_id="abc")
    other = alipay.notify_request("ORD-1", AMOUNT, notify_id="def")
    verifier = alipay.verifier()
    assert verify(verifier, first, clock).dedup_key == verify(verifier, again, clock).dedup_key
    assert verify(verifier, other, clock).dedup_key != verify(verifier, first, clock).dedup_key


@pytest.mark.parametrize(
    ("trade_status", "refund_fee", "status"),
    [
        ("TRADE_FINISHED", None, PaymentStatus.PAID),
        ("TRADE_CLOSED", None, PaymentStatus.CLOSED),
        ("WAIT_BUYER_PAY", None, PaymentStatus.PENDING),
        ("TRADE_CLOSED", Money(8888, "CNY"), PaymentStatus.REFUNDED),
    ],
)
def test_trade_status_mapping(
    alipay: AlipaySimulator,
    clock: FakeClock,
    trade_status: str,
    refund_fee: Money | None,
    status: PaymentStatus,
) -> None:
    request = alipay.notify_request(
        "ORD-1", AMOUNT, trade_status=trade_status, refund_fee=refund_fee
    )
    note = verify(alipay.verifier(), request, clock)
    assert note.status is status
    if trade_status == "WAIT_BUYER_PAY":
        assert note.paid_at is None


def test_changed_amount_fails_the_signature(alipay: AlipaySimulator, clock: FakeClock) -> None:
    genuine = alipay.notify_request("ORD-1", AMOUNT)
    tampered = with_field(genuine, "total_amount", "0.01")
    assert rejection(alipay.verifier(), tampered, clock) == "bad_signature"


def test_signature_by_another_key_is_refused(
    alipay: AlipaySimulator, other_key: RSAPrivateKey, clock: FakeClock
) -> None:
    impostor = AlipaySimulator(app_id=alipay.app_id, private_key=other_key, clock=clock)
    request = impostor.notify_request("ORD-1", AMOUNT)
    assert rejection(alipay.verifier(), request, clock) == "bad_signature"


def test_missing_sign_and_weak_sign_type_are_refused(
    alipay: AlipaySimulator, clock: FakeClock
) -> None:
    genuine = alipay.notify_request("ORD-1", AMOUNT)
    assert rejection(alipay.verifier(), without_sign(genuine), clock) == "missing_sign"
    sha1 = with_sign_type(genuine, "RSA")
    assert rejection(alipay.verifier(), sha1, clock) == "unsupported_sign_type"


def test_truncated_body_is_refused(alipay: AlipaySimulator, clock: FakeClock) -> None:
    genuine = alipay.notify_request("ORD-1", AMOUNT)
    for fraction in (0.3, 0.6, 0.95, 0.999):
        truncated = genuine.truncated(fraction)
        assert rejection(alipay.verifier(), truncated, clock) in {
            "bad_signature",
            "missing_sign",
            "malformed_body",
        }


def test_wrong_app_id_is_refused_even_when_signed(
    alipay_key: RSAPrivateKey, alipay: AlipaySimulator, clock: FakeClock
) -> None:
    other_app = AlipaySimulator(app_id="2021999999999999", private_key=alipay_key, clock=clock)
    request = other_app.notify_request("ORD-1", AMOUNT)
    with pytest.raises(ChannelRejected) as caught:
        verify(alipay.verifier(), request, clock)
    assert caught.value.reason_code == "wrong_app"
    assert caught.value.field == "app_id"


def test_signed_but_malformed_fields_are_refused(alipay: AlipaySimulator, clock: FakeClock) -> None:
    fields = alipay.notify_fields("ORD-1", AMOUNT)
    cases = {
        "bad_amount": {"total_amount": "88.888"},
        "unknown_status": {"trade_status": "TRADE_PENDING"},
        "bad_time": {"gmt_payment": "2026/03/14 16:29:40"},
        "missing_field": {"out_trade_no": ""},
    }
    for reason, change in cases.items():
        signed = alipay.sign({**fields, **change})
        assert rejection(alipay.verifier(), form_request(signed), clock) == reason


def test_malformed_bodies_are_refused(alipay: AlipaySimulator, clock: FakeClock) -> None:
    genuine = alipay.notify_request("ORD-1", AMOUNT)
    verifier = alipay.verifier()
    assert rejection(verifier, genuine.with_body(b""), clock) == "malformed_body"
    assert rejection(verifier, genuine.with_body(b"not a form"), clock) == "malformed_body"
    doubled = genuine.with_body(genuine.body + b"&total_amount=0.01")
    assert rejection(verifier, doubled, clock) == "duplicate_field"
    latin = genuine.with_body(genuine.body.replace(b"charset=utf-8", b"charset=latin-1"))
    assert rejection(verifier, latin, clock) == "bad_charset"


def test_seller_id_is_checked_when_configured(alipay: AlipaySimulator, clock: FakeClock) -> None:
    request = alipay.notify_request("ORD-1", AMOUNT)
    right = AlipayVerifier(
        app_id=alipay.app_id, alipay_public_key=alipay.public_key, seller_id=alipay.seller_id
    )
    wrong = AlipayVerifier(
        app_id=alipay.app_id, alipay_public_key=alipay.public_key, seller_id="2088000000000999"
    )
    assert verify(right, request, clock).order_no == "ORD-1"
    assert rejection(wrong, request, clock) == "wrong_merchant"


def test_answers(alipay: AlipaySimulator) -> None:
    verifier = alipay.verifier()
    assert verifier.accept_answer().body == b"success"
    refused = verifier.reject_answer(ChannelRejected("bad_signature", "no"))
    assert refused.body == b"fail"
    assert refused.status_code == 200
    assert "public_key" not in repr(verifier)
