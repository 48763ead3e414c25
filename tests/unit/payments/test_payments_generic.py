from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ringback.core.clock import FakeClock
from ringback.core.errors import ConfigError
from ringback.domain.payments.channels.base import ChannelRejected
from ringback.domain.payments.channels.generic import (
    SIGNATURE_HEADER,
    GenericVerifier,
    generic_signature_header,
)
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.status import PaymentStatus

SECRET = SigningSecret.generate()


def payload(**changes: object) -> bytes:
    fields: dict[str, object] = {
        "app_id": "unionpay-app-1",
        "order_no": "ORD-3001",
        "channel_txn_no": "UP202603140001",
        "amount_minor": 12000,
        "currency": "CNY",
        "status": "paid",
        "notification_id": "evt-9",
        "paid_at": "2026-03-14T16:29:00+08:00",
    }
    fields.update(changes)
    return json.dumps({k: v for k, v in fields.items() if v is not None}).encode()


def verifier() -> GenericVerifier:
    return GenericVerifier(secret=SECRET, app_ids=["unionpay-app-1"], channel="unionpay")


def signed(body: bytes, at: datetime, secret: SigningSecret = SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADER: generic_signature_header(secret, body, at)}


def rejection(headers: dict[str, str], body: bytes, now: datetime) -> str:
    with pytest.raises(ChannelRejected) as caught:
        verifier().verify(headers, body, now)
    return caught.value.reason_code


def test_accepts_a_signed_notification(clock: FakeClock) -> None:
    body = payload()
    note = verifier().verify(signed(body, clock.now()), body, clock.now())
    assert note.channel == "unionpay"
    assert note.amount == Money(12000, "CNY")
    assert note.status is PaymentStatus.PAID
    assert note.paid_at == datetime(2026, 3, 14, 8, 29, tzinfo=UTC)
    assert note.dedup_key == "unionpay:evt-9"


def test_any_matching_v1_is_enough_during_rotation(clock: FakeClock) -> None:
    body = payload()
    old = SigningSecret.generate()
    header = generic_signature_header(SECRET, body, clock.now())
    stale_mac = generic_signature_header(old, body, clock.now()).split("v1=")[1]
    rotated = {SIGNATURE_HEADER: f"{header},v1={stale_mac}"}
    assert verifier().verify(rotated, body, clock.now()).order_no == "ORD-3001"


def test_changed_body_wrong_secret_and_missing_header_are_refused(clock: FakeClock) -> None:
    body = payload()
    headers = signed(body, clock.now())
    assert rejection(headers, payload(amount_minor=1), clock.now()) == "bad_signature"
    other = signed(body, clock.now(), SigningSecret.generate())
    assert rejection(other, body, clock.now()) == "bad_signature"
    assert rejection({}, body, clock.now()) == "missing_sign"
    assert rejection({SIGNATURE_HEADER: "v1=00"}, body, clock.now()) == "bad_timestamp"
    assert rejection(headers, body[: len(body) // 2], clock.now()) == "bad_signature"


def test_stale_signature_is_refused(clock: FakeClock) -> None:
    body = payload()
    headers = signed(body, clock.now() - timedelta(minutes=5, seconds=1))
    assert rejection(headers, body, clock.now()) == "stale_timestamp"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"app_id": "someone-else"}, "wrong_app"),
        ({"amount_minor": 120.0}, "bad_amount"),
        ({"amount_minor": "12000"}, "bad_amount"),
        ({"amount_minor": True}, "bad_amount"),
        ({"amount_minor": -5}, "bad_amount"),
        ({"currency": "XYZ"}, "bad_amount"),
        ({"status": "success"}, "unknown_status"),
        ({"paid_at": "2026-03-14 16:29:00"}, "bad_time"),
        ({"notification_id": None}, "missing_field"),
        ({"amount": "120.00"}, "unknown_field"),
    ],
)
def test_signed_but_invalid_fields_are_refused(
    clock: FakeClock, changes: dict[str, object], reason: str
) -> None:
    body = payload(**changes)
    assert rejection(signed(body, clock.now()), body, clock.now()) == reason


def test_configuration_is_checked() -> None:
    with pytest.raises(ConfigError):
        GenericVerifier(secret=SECRET, app_ids=[], channel="x")
    with pytest.raises(ConfigError) as caught:
        GenericVerifier(secret=SECRET, app_ids=["a"], channel="Bad Name")
    assert caught.value.field == "channel"
    assert SECRET.reveal() not in repr(verifier())
