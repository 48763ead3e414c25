from __future__ import annotations

from ringback.domain.payments.channels.base import ChannelNotification
from ringback.domain.payments.checks import Mismatch, RegisteredOrder, find_mismatches
from ringback.domain.payments.merchant.app import MerchantApp
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.status import PaymentStatus

APP = MerchantApp(
    app_id="game-1",
    notify_url="https://game.example/notify",
    signing_secret=SigningSecret.generate(),
)


def notification(**changes: object) -> ChannelNotification:
    fields: dict[str, object] = {
        "channel": "alipay",
        "app_id": "2021000000000001",
        "order_no": "ORD-1",
        "channel_txn_no": "T1",
        "amount": Money(8888, "CNY"),
        "status": PaymentStatus.PAID,
        "paid_at": None,
        "raw": b"",
        "dedup_key": "alipay:n1",
    }
    fields.update(changes)
    return ChannelNotification(**fields)  # type: ignore[arg-type]


ORDER = RegisteredOrder(
    merchant_app_id="game-1",
    order_no="ORD-1",
    amount=Money(8888, "CNY"),
    channel="alipay",
    channel_app_id="2021000000000001",
)


def fields_of(mismatches: list[Mismatch]) -> list[str]:
    return [m.field for m in mismatches]


def test_matching_notification_has_no_mismatches() -> None:
    assert find_mismatches(notification(), ORDER, APP) == []


def test_amount_and_currency_mismatches_say_why() -> None:
    [less] = find_mismatches(notification(amount=Money(1, "CNY")), ORDER, APP)
    assert less.as_dict() == {
        "field": "amount",
        "expected": "88.88",
        "actual": "0.01",
        "reason": "the channel reports less than the order amount",
    }
    [more] = find_mismatches(notification(amount=Money(9000, "CNY")), ORDER, APP)
    assert "more" in more.reason
    [currency] = find_mismatches(notification(amount=Money(8888, "HKD")), ORDER, APP)
    assert (currency.field, currency.expected, currency.actual) == ("currency", "CNY", "HKD")


def test_every_difference_is_listed() -> None:
    note = notification(channel="wechatpay", app_id="wx1", order_no="ORD-2", amount=Money(1, "CNY"))
    other_app_order = RegisteredOrder(
        merchant_app_id="game-2",
        order_no="ORD-1",
        amount=Money(8888, "CNY"),
        channel="alipay",
        channel_app_id="2021000000000001",
    )
    assert fields_of(find_mismatches(note, other_app_order, APP)) == [
        "app_id",
        "order_no",
        "channel",
        "channel_app_id",
        "amount",
    ]


def test_channel_must_be_allowed_for_the_app() -> None:
    [mismatch] = find_mismatches(notification(channel="unionpay"), None, _app(True))
    assert mismatch.field == "channel"
    assert "unionpay" in mismatch.reason


def test_unregistered_orders_only_when_the_app_allows_them() -> None:
    [missing] = find_mismatches(notification(), None, APP)
    assert missing.field == "order_no"
    assert find_mismatches(notification(), None, _app(True)) == []


def _app(allow_unregistered: bool) -> MerchantApp:
    return MerchantApp(
        app_id="game-1",
        notify_url="https://game.example/notify",
        signing_secret=SigningSecret.generate(),
        allow_unregistered_orders=allow_unregistered,
    )
