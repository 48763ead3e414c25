"""Channel notifications through the real HTTP endpoints, to a real merchant server.

Every request is made by a simulator that signs (and for WeChat Pay encrypts) exactly as
the channel does; the merchant verifies what it receives with the official Standard
Webhooks library and with ringback's RSA2 public key.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from ringback.domain.payments.audit import NS_NOTIFICATION, NS_REJECTED
from ringback.domain.payments.channels.form import decode_form
from ringback.domain.payments.channels.generic import generic_signature_header
from ringback.domain.payments.simulator.merchant_sim import MerchantServer, ReceivedNotification
from ringback.domain.payments.simulator.request import SimulatedRequest

from .payments_env import AMOUNT, PaymentsEnv, eventually


async def received_by(merchant: MerchantServer, count: int) -> list[ReceivedNotification]:
    async def probe() -> list[ReceivedNotification]:
        return list(merchant.simulator.received)

    return await eventually(probe, lambda got: len(got) >= count)


async def order_detail(env: PaymentsEnv, app: str, order_no: str) -> dict[str, Any]:
    answer = await env.api.get(f"/v1/payments/orders/{app}/{order_no}")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def job_state(env: PaymentsEnv, app: str, order_no: str) -> str:
    detail = await order_detail(env, app, order_no)
    return detail["merchant_notifications"][0]["jobs"][0]["job"]["state"]


async def test_alipay_payment_reaches_the_merchant_signed_both_ways(env, merchant):
    assert (await env.register("ORD-1", attach="server=3")).status_code == 201
    request = env.alipay.notify_request("ORD-1", AMOUNT)

    answer = await env.send("alipay", request)

    assert (answer.status_code, answer.text) == (200, "success")
    # "success" came after the commit: the order, the notification and the job are there.
    detail = await order_detail(env, "game-1", "ORD-1")
    assert detail["order"]["status"] == "paid"
    assert detail["order"]["payment"]["channel"] == "alipay"
    [stored] = detail["channel_notifications"]
    assert stored["raw_text"].encode() == request.body
    assert stored["amount_minor"] == 8888 and stored["status_changed"] is True
    [notice] = detail["merchant_notifications"]
    assert notice["jobs"][0]["job"]["key"] == notice["notification_id"]

    [got] = await received_by(merchant, 1)
    assert got.webhook_signature_ok is True and got.rsa2_ok is True
    assert got.answer_body == b"success"
    assert got.headers["webhook-id"] == notice["notification_id"]
    fields = got.fields or {}
    trade_no = decode_form(request.body)[0]["trade_no"]
    assert fields["notification_id"] == notice["notification_id"]
    assert (fields["amount_minor"], fields["amount"], fields["currency"]) == (8888, "88.88", "CNY")
    assert (fields["status"], fields["channel"], fields["channel_txn_no"]) == (
        "paid",
        "alipay",
        trade_no,
    )
    assert (fields["order_no"], fields["attach"], fields["sign_type"]) == (
        "ORD-1",
        "server=3",
        "RSA2",
    )
    await eventually(lambda: job_state(env, "game-1", "ORD-1"), lambda s: s == "succeeded")


async def test_wechatpay_payment_is_decrypted_stored_and_notified(env, merchant):
    await env.register("ORD-W")
    answer = await env.send("wechatpay", env.wechat.notification("ORD-W", AMOUNT))

    assert answer.status_code == 204
    detail = await order_detail(env, "game-1", "ORD-W")
    assert detail["order"]["status"] == "paid"
    assert detail["order"]["payment"]["channel"] == "wechatpay"
    [got] = await received_by(merchant, 1)
    assert got.webhook_signature_ok and got.rsa2_ok
    assert (got.fields or {})["channel"] == "wechatpay"


async def test_generic_sender_creates_an_unregistered_order_where_the_app_allows(env, merchant):
    merchant.simulator.signing_secret = env.app_secrets["open-shop"]
    merchant.simulator.rsa2_public_key = None
    body = json.dumps(
        {
            "app_id": "open-shop",
            "order_no": "G-1",
            "channel_txn_no": "TXN-9",
            "amount_minor": 1200,
            "currency": "CNY",
            "status": "paid",
            "notification_id": "n-1",
        }
    ).encode()
    signature = generic_signature_header(env.generic_secret, body, env.clock.now())
    request = SimulatedRequest({"X-Ringback-Signature": signature}, body)

    answer = await env.send("generic", request)

    assert answer.status_code == 204
    order = (await order_detail(env, "open-shop", "G-1"))["order"]
    assert (order["status"], order["registered"], order["amount_minor"]) == ("paid", False, 1200)
    [got] = await received_by(merchant, 1)
    assert got.webhook_signature_ok is True
    assert (got.fields or {})["notification_id"].startswith("ntf_")


async def test_a_resent_notification_changes_nothing_and_notifies_nobody_twice(env, merchant):
    await env.register("ORD-2")
    alipay_request = env.alipay.notify_request("ORD-2", AMOUNT)
    assert (await env.send("alipay", alipay_request)).text == "success"
    await received_by(merchant, 1)
    await eventually(lambda: job_state(env, "game-1", "ORD-2"), lambda s: s == "succeeded")
    before = await order_detail(env, "game-1", "ORD-2")

    # Alipay resends the very same form; WeChat-style resends carry fresh headers.
    assert (await env.send("alipay", alipay_request)).text == "success"

    after = await order_detail(env, "game-1", "ORD-2")
    assert after == before
    assert len(await env.payment_jobs()) == 1
    assert await env.svc.store.count_records(NS_NOTIFICATION) == 1
    assert len(merchant.simulator.received) == 1


async def test_a_wechat_resend_signed_anew_is_recognised_by_its_event_id(env, merchant):
    await env.register("ORD-3")
    first = env.wechat.notification("ORD-3", AMOUNT, event_id="EV-3")
    assert (await env.send("wechatpay", first)).status_code == 204
    env.clock.advance(timedelta(minutes=3))
    again = env.wechat.signed(first.body)  # new timestamp, nonce and signature

    assert (await env.send("wechatpay", again)).status_code == 204

    assert len(await env.payment_jobs()) == 1
    assert await env.svc.store.count_records(NS_NOTIFICATION) == 1


async def test_a_second_notification_of_the_same_status_is_kept_but_not_notified(env, merchant):
    await env.register("ORD-4")
    success = env.alipay.notify_request("ORD-4", AMOUNT, trade_status="TRADE_SUCCESS")
    finished = env.alipay.notify_request("ORD-4", AMOUNT, trade_status="TRADE_FINISHED")
    assert (await env.send("alipay", success)).text == "success"
    assert (await env.send("alipay", finished)).text == "success"

    detail = await order_detail(env, "game-1", "ORD-4")
    assert [n["status_changed"] for n in detail["channel_notifications"]] == [True, False]
    assert len(detail["merchant_notifications"]) == 1
    assert len(await env.payment_jobs()) == 1


async def test_a_refund_after_payment_is_a_second_merchant_notification(env, merchant):
    await env.register("ORD-5")
    paid = env.alipay.notify_request("ORD-5", AMOUNT)
    refunded = env.alipay.notify_request(
        "ORD-5", AMOUNT, trade_status="TRADE_CLOSED", refund_fee=AMOUNT
    )
    assert (await env.send("alipay", paid)).text == "success"
    assert (await env.send("alipay", refunded)).text == "success"

    detail = await order_detail(env, "game-1", "ORD-5")
    assert detail["order"]["status"] == "refunded"
    statuses = [n["status"] for n in detail["merchant_notifications"]]
    assert statuses == ["paid", "refunded"]
    got = await received_by(merchant, 2)
    assert {(g.fields or {})["status"] for g in got} == {"paid", "refunded"}
    assert len({g.notification_id for g in got}) == 2
    assert await env.svc.store.count_records(NS_REJECTED) == 0
