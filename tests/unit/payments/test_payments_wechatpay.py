from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ringback.core.clock import FakeClock
from ringback.core.errors import ConfigError
from ringback.domain.payments.channels.base import ChannelNotification, ChannelRejected
from ringback.domain.payments.channels.wechatpay import WechatPayVerifier
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import Secret
from ringback.domain.payments.simulator.request import SimulatedRequest
from ringback.domain.payments.simulator.wechatpay_sim import WechatPaySimulator
from ringback.domain.payments.status import PaymentStatus

AMOUNT = Money(8888, "CNY")


def verify(
    verifier: WechatPayVerifier, request: SimulatedRequest, now: datetime
) -> ChannelNotification:
    return verifier.verify(request.headers, request.body, now)


def rejection(verifier: WechatPayVerifier, request: SimulatedRequest, now: datetime) -> str:
    with pytest.raises(ChannelRejected) as caught:
        verify(verifier, request, now)
    return caught.value.reason_code


def test_accepts_a_genuine_notification(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    request = wechat.notification("ORD-2001", AMOUNT, event_id="EV-1")
    note = verify(wechat.verifier(), request, clock.now())
    assert note.channel == "wechatpay"
    assert note.app_id == wechat.appid
    assert note.order_no == "ORD-2001"
    assert note.channel_txn_no.startswith("4200")
    assert note.amount == AMOUNT
    assert note.status is PaymentStatus.PAID
    assert note.paid_at == clock.now() - timedelta(seconds=5)
    assert note.dedup_key == "wechatpay:EV-1"
    # The body on the wire is encrypted: the order number is not in it.
    assert b"ORD-2001" not in request.body


def test_header_names_are_case_insensitive(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    request = wechat.notification("ORD-1", AMOUNT)
    lowered = SimulatedRequest({k.lower(): v for k, v in request.headers.items()}, request.body)
    assert verify(wechat.verifier(), lowered, clock.now()).order_no == "ORD-1"


@pytest.mark.parametrize(
    ("trade_state", "status"),
    [
        ("CLOSED", PaymentStatus.CLOSED),
        ("REFUND", PaymentStatus.REFUNDED),
        ("NOTPAY", PaymentStatus.PENDING),
        ("PAYERROR", PaymentStatus.CLOSED),
    ],
)
def test_trade_state_mapping(
    wechat: WechatPaySimulator, clock: FakeClock, trade_state: str, status: PaymentStatus
) -> None:
    request = wechat.notification("ORD-1", AMOUNT, trade_state=trade_state)
    note = verify(wechat.verifier(), request, clock.now())
    assert note.status is status
    assert note.paid_at is None


@pytest.mark.parametrize("skew", [timedelta(minutes=5, seconds=1), timedelta(minutes=-6)])
def test_stale_or_future_timestamp_is_refused(
    wechat: WechatPaySimulator, clock: FakeClock, skew: timedelta
) -> None:
    request = wechat.notification("ORD-1", AMOUNT, sent_at=clock.now() - skew)
    assert rejection(wechat.verifier(), request, clock.now()) == "stale_timestamp"


def test_timestamp_within_five_minutes_is_accepted(
    wechat: WechatPaySimulator, clock: FakeClock
) -> None:
    request = wechat.notification("ORD-1", AMOUNT)
    clock.advance(timedelta(minutes=4, seconds=59))
    assert verify(wechat.verifier(), request, clock.now()).order_no == "ORD-1"


def test_unknown_serial_is_refused(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    request = wechat.notification("ORD-1", AMOUNT).with_headers(Wechatpay_Serial="5157F09EFDC0")
    assert rejection(wechat.verifier(), request, clock.now()) == "unknown_serial"


def test_signature_by_another_platform_key_is_refused(
    wechat: WechatPaySimulator, other_key: RSAPrivateKey, clock: FakeClock
) -> None:
    impostor = WechatPaySimulator(
        private_key=other_key,
        serial=wechat.serial,  # claims the genuine serial
        api_v3_key=wechat.api_v3_key.reveal(),
        clock=clock,
    )
    request = impostor.notification("ORD-1", AMOUNT)
    assert rejection(wechat.verifier(), request, clock.now()) == "bad_signature"


def test_changed_body_fails_the_signature(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    request = wechat.notification("ORD-1", AMOUNT)
    envelope = json.loads(request.body)
    envelope["id"] = "EV-forged"
    changed = request.with_body(json.dumps(envelope).encode())
    assert rejection(wechat.verifier(), changed, clock.now()) == "bad_signature"


def test_missing_signature_is_refused(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    request = wechat.notification("ORD-1", AMOUNT).without_header("Wechatpay-Signature")
    assert rejection(wechat.verifier(), request, clock.now()) == "missing_sign"
    no_nonce = wechat.notification("ORD-1", AMOUNT).without_header("Wechatpay-Nonce")
    assert rejection(wechat.verifier(), no_nonce, clock.now()) == "missing_header"


def test_tampered_ciphertext_fails_the_gcm_tag(
    wechat: WechatPaySimulator, clock: FakeClock
) -> None:
    tampered = wechat.with_tampered_ciphertext(wechat.notification("ORD-1", AMOUNT))
    assert rejection(wechat.verifier(), tampered, clock.now()) == "decrypt_failed"


def test_wrong_api_v3_key_cannot_decrypt(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    verifier = WechatPayVerifier(
        appid=wechat.appid,
        mchid=wechat.mchid,
        platform_keys=wechat.platform_public_keys,
        api_v3_key=Secret("0" * 32),
    )
    request = wechat.notification("ORD-1", AMOUNT)
    assert rejection(verifier, request, clock.now()) == "decrypt_failed"


def test_truncated_body_is_refused(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    request = wechat.notification("ORD-1", AMOUNT)
    assert rejection(wechat.verifier(), request.truncated(0.9), clock.now()) == "bad_signature"


def test_wrong_app_and_merchant_are_refused(wechat: WechatPaySimulator, clock: FakeClock) -> None:
    transaction = wechat.transaction("ORD-1", AMOUNT)
    other_app = wechat.notification_for({**transaction, "appid": "wx0000000000000000"})
    other_mch = wechat.notification_for({**transaction, "mchid": "1999999999"})
    assert rejection(wechat.verifier(), other_app, clock.now()) == "wrong_app"
    assert rejection(wechat.verifier(), other_mch, clock.now()) == "wrong_merchant"


def test_signed_but_malformed_transactions_are_refused(
    wechat: WechatPaySimulator, clock: FakeClock
) -> None:
    transaction = wechat.transaction("ORD-1", AMOUNT)
    cases: dict[str, dict[str, object]] = {
        "bad_amount": {"amount": {"total": 88.88, "currency": "CNY"}},
        "unknown_status": {"trade_state": "PAID"},
        "bad_time": {"success_time": "2026-03-14 16:29:40"},
        "missing_field": {"out_trade_no": ""},
    }
    for reason, change in cases.items():
        request = wechat.notification_for({**transaction, **change})
        assert rejection(wechat.verifier(), request, clock.now()) == reason
    negative = wechat.notification_for({**transaction, "amount": {"total": -1}})
    assert rejection(wechat.verifier(), negative, clock.now()) == "bad_amount"


def test_refund_resources_are_not_mistaken_for_payments(
    wechat: WechatPaySimulator, clock: FakeClock
) -> None:
    request = wechat.notification("ORD-1", AMOUNT)
    envelope = json.loads(request.body)
    envelope["resource"]["original_type"] = "refund"
    resigned = wechat.signed(json.dumps(envelope).encode())
    assert rejection(wechat.verifier(), resigned, clock.now()) == "unsupported_event"


def test_configuration_is_checked(wechat: WechatPaySimulator) -> None:
    with pytest.raises(ConfigError) as caught:
        WechatPayVerifier(
            appid="wx1",
            mchid="1",
            platform_keys=wechat.platform_public_keys,
            api_v3_key=Secret("too-short-key-of-24-chars"),
        )
    assert caught.value.field == "api_v3_key"
    assert "too-short" not in caught.value.message
    with pytest.raises(ConfigError):
        WechatPayVerifier(appid="wx1", mchid="1", platform_keys={}, api_v3_key=Secret("k" * 32))


def test_answers(wechat: WechatPaySimulator) -> None:
    verifier = wechat.verifier()
    ok = verifier.accept_answer()
    assert (ok.status_code, ok.body) == (204, b"")
    refused = verifier.reject_answer(ChannelRejected("bad_signature", "签名错误"))
    assert refused.status_code == 400
    assert json.loads(refused.body) == {"code": "FAIL", "message": "签名错误"}
    assert wechat.api_v3_key.reveal() not in repr(verifier)
