"""The pure rules: order status changes, registration, intake decisions, the merchant
notification job, audit bodies and listing cursors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ringback.core.errors import Conflict, InvalidInput
from ringback.core.jobs import JobKind
from ringback.core.store.contract import Record
from ringback.domain.payments.audit import original_body, raw_body, rejection_record, seen_again
from ringback.domain.payments.channels import ChannelNotification
from ringback.domain.payments.intake import Accepted, Refused, decide
from ringback.domain.payments.merchant import notification_id, parse_merchant_app
from ringback.domain.payments.merchant_job import notification_request
from ringback.domain.payments.money import Money
from ringback.domain.payments.orders import (
    Order,
    apply_notification,
    changes_status,
    new_order,
    order_from_data,
    order_to_data,
    same_registration,
)
from ringback.domain.payments.repository import decode_cursor, encode_cursor
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.status import PaymentStatus as S

NOW = datetime(2026, 3, 14, 8, 30, 15, 123456, tzinfo=UTC)
CNY = Money(8888, "CNY")
APP = parse_merchant_app(
    {
        "app_id": "game-1",
        "notify_url": "https://game.example/notify",
        "signing_secret": SigningSecret.generate().reveal(),
    }
)
OPEN_APP = parse_merchant_app(
    {
        "app_id": "open",
        "notify_url": "https://open.example/notify",
        "signing_secret": SigningSecret.generate().reveal(),
        "allow_unregistered_orders": True,
    }
)


def note(status: S = S.PAID, amount: Money = CNY, key: str = "alipay:n1", order_no: str = "O-1"):
    return ChannelNotification(
        channel="alipay",
        app_id="2021",
        order_no=order_no,
        channel_txn_no="T-1",
        amount=amount,
        status=status,
        paid_at=NOW - timedelta(seconds=5),
        raw=b"raw=1",
        dedup_key=key,
    )


def order(**changes: object) -> Order:
    made = new_order(app_id="game-1", order_no="O-1", amount=CNY, now=NOW)
    return replace(made, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "reported", "news"),
    [
        (S.PENDING, S.PAID, True),
        (S.PENDING, S.CLOSED, True),
        (S.PENDING, S.PENDING, False),
        (S.PAID, S.PAID, False),
        (S.PAID, S.REFUNDED, True),
        (S.PAID, S.PENDING, False),
        (S.CLOSED, S.PAID, True),
        (S.REFUNDED, S.PAID, False),
        (S.REFUNDED, S.CLOSED, False),
    ],
)
def test_which_reports_are_news_for_the_merchant(current, reported, news):
    assert changes_status(current, reported) is news


def test_a_status_change_adds_one_notice_with_the_stable_id():
    paid = apply_notification(order(), note(), now=NOW)
    assert paid.status is S.PAID
    [notice] = paid.notices
    assert notice.notification_id == notification_id("game-1", "O-1", S.PAID)
    assert notice.job_keys == (notice.notification_id,)
    assert paid.payment is not None and paid.payment.channel_txn_no == "T-1"
    again = apply_notification(paid, note(key="alipay:n2"), now=NOW)
    assert again.notices == paid.notices
    assert again.channel_notifications == ("alipay:n1", "alipay:n2")


def test_stored_orders_read_back_exactly():
    paid = apply_notification(order(attach="x", notify_url="https://a.example/n"), note(), now=NOW)
    data = json.loads(json.dumps(order_to_data(paid)))
    assert order_from_data(data, version=paid.version) == paid


def test_registering_again():
    first = order()
    assert same_registration(first, order()) is None
    with pytest.raises(Conflict) as caught:
        same_registration(first, order(amount=Money(1, "CNY")))
    assert caught.value.field == "amount_minor"
    with pytest.raises(Conflict):
        same_registration(first, order(attach="other"))
    learned = order(registered=False)
    adopted = same_registration(learned, order(attach="a"))
    assert adopted is not None and adopted.registered and adopted.attach == "a"


@pytest.mark.parametrize("order_no", ["", "a b", "a/b", "x" * 65, "-lead"])
def test_order_numbers_are_checked(order_no):
    with pytest.raises(InvalidInput) as caught:
        new_order(app_id="game-1", order_no=order_no, amount=CNY, now=NOW)
    assert caught.value.field == "order_no"


def test_decide_refuses_what_does_not_fit():
    refused = decide(APP, order(), note(amount=Money(100, "CNY")), now=NOW)
    assert isinstance(refused, Refused) and refused.reason_code == "amount_mismatch"
    unknown = decide(APP, None, note(), now=NOW)
    assert isinstance(unknown, Refused) and unknown.reason_code == "unknown_order"
    accepted = decide(APP, order(), note(), now=NOW)
    assert isinstance(accepted, Accepted) and accepted.new_notice is not None


def test_decide_learns_an_order_only_where_the_app_allows():
    learned = decide(OPEN_APP, None, note(), now=NOW)
    assert isinstance(learned, Accepted)
    assert learned.before is None and not learned.after.registered
    assert learned.after.app_id == "open" and learned.after.amount == CNY
    # Later notifications must agree with what the channel said first.
    again = decide(OPEN_APP, learned.after, note(S.REFUNDED, Money(1, "CNY"), "k2"), now=NOW)
    assert isinstance(again, Refused) and again.reason_code == "amount_mismatch"


def test_the_notification_job_carries_the_body_the_secret_name_and_the_rules():
    paid = apply_notification(order(attach="server=3"), note(), now=NOW)
    request = notification_request(APP, paid, S.PAID, now=NOW)
    assert request.kind is JobKind.HTTP
    assert request.key == notification_id("game-1", "O-1", S.PAID)
    assert request.queue == "payments"
    assert request.labels == {"app": "game-1", "order": "O-1", "status": "paid"}
    assert request.policy == {"preset": "alipay"}
    payload = request.payload
    assert payload["url"] == "https://game.example/notify"
    assert payload["signing_secret"] == "payments:game-1"
    assert APP.signing_secret.reveal() not in json.dumps(payload)
    assert payload["success"]["body_equals"] == "success"
    body = json.loads(payload["body"])
    assert (body["amount_minor"], body["attach"], body["status"]) == (8888, "server=3", "paid")
    overridden = notification_request(
        APP, replace(paid, notify_url="https://o.example/x"), S.PAID, now=NOW
    )
    assert overridden.payload["url"] == "https://o.example/x"


def test_audit_keeps_text_or_base64_and_counts_repeats():
    assert original_body(raw_body(b"a=1&b=2")) == b"a=1&b=2"
    gbk = "订单".encode("gbk")
    kept = raw_body(gbk)
    assert "raw_b64" in kept and original_body(kept) == gbk
    huge = raw_body(b"x" * 70_000)
    assert huge["raw_truncated"] and huge["raw_bytes"] == 70_000
    first = rejection_record(
        "alipay",
        {"Cookie": "s=1", "Content-Type": "x"},
        b"b",
        reason_code="bad_signature",
        message="m",
        field="sign",
        received_at=NOW,
    )
    assert first.data["headers"] == {"content-type": "x"}
    twice = seen_again(replace(first, version=1), at=NOW + timedelta(hours=1))
    assert twice.data["seen_count"] == 2 and twice.key == first.key


def test_cursors_round_trip_and_refuse_garbage():
    record = Record(namespace="n", key="game-1:O-1", data={}, ref_time=NOW)
    assert decode_cursor(encode_cursor(record)) == (NOW, "game-1:O-1")
    assert decode_cursor(None) is None
    for bad in ("%%%", "bm90IGpzb24", encode_cursor(record)[:-3]):
        with pytest.raises(InvalidInput) as caught:
            decode_cursor(bad)
        assert caught.value.field == "cursor"
