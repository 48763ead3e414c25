"""Notifications that must not be trusted, or do not fit the order: refused with the
channel's "try again" answer, audited with the reason and the raw body, and nothing
else changes — no order update, no channel notification record, no merchant job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from ringback.domain.payments.audit import NS_NOTIFICATION, NS_REJECTED
from ringback.domain.payments.money import Money
from ringback.domain.payments.simulator.alipay_sim import AlipaySimulator, with_field
from ringback.domain.payments.simulator.request import SimulatedRequest

from .payments_env import AMOUNT, T0, Keys, PaymentsEnv

Make = Callable[[PaymentsEnv, Keys], tuple[str, SimulatedRequest]]


def tampered_amount(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    genuine = env.alipay.notify_request("ORD-R", AMOUNT)
    return "alipay", with_field(genuine, "total_amount", "0.01")


def wrong_signature(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    impostor = AlipaySimulator(private_key=keys.stranger, clock=env.clock)
    return "alipay", impostor.notify_request("ORD-R", AMOUNT)


def truncated_form(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    # The signature is the form's last field: cut short, the form has none.
    return "alipay", env.alipay.notify_request("ORD-R", AMOUNT).truncated(0.6)


def truncated_json(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    return "wechatpay", env.wechat.notification("ORD-R", AMOUNT).truncated(0.6)


def stale_timestamp(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    sent_at = T0 - timedelta(minutes=6)
    return "wechatpay", env.wechat.notification("ORD-R", AMOUNT, sent_at=sent_at)


def tampered_ciphertext(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    genuine = env.wechat.notification("ORD-R", AMOUNT)
    return "wechatpay", env.wechat.with_tampered_ciphertext(genuine)


def genuine_but_wrong_amount(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    return "alipay", env.alipay.notify_request("ORD-R", Money(888, "CNY"))


def genuine_but_unregistered(env: PaymentsEnv, keys: Keys) -> tuple[str, SimulatedRequest]:
    return "alipay", env.alipay.notify_request("ORD-NOBODY", AMOUNT)


CASES = [
    pytest.param(tampered_amount, "bad_signature", id="tampered-amount"),
    pytest.param(wrong_signature, "bad_signature", id="wrong-signature"),
    pytest.param(truncated_form, "missing_sign", id="truncated-form"),
    pytest.param(truncated_json, "bad_signature", id="truncated-json"),
    pytest.param(stale_timestamp, "stale_timestamp", id="stale-timestamp"),
    pytest.param(tampered_ciphertext, "decrypt_failed", id="tampered-ciphertext"),
    pytest.param(genuine_but_wrong_amount, "amount_mismatch", id="wrong-amount"),
    pytest.param(genuine_but_unregistered, "unknown_order", id="unregistered"),
]


def assert_refused(channel: str, answer: httpx.Response) -> None:
    if channel == "alipay":
        assert (answer.status_code, answer.text) == (200, "fail")
    else:
        assert answer.status_code == 400
        assert answer.json()["code"] == "FAIL"


@pytest.mark.parametrize(("make", "reason"), CASES)
async def test_refused_audited_and_nothing_else_changes(env, keys, merchant, make, reason):
    await env.register("ORD-R")
    before = await env.payments.order_status("game-1", "ORD-R")
    channel, request = make(env, keys)

    answer = await env.send(channel, request)

    assert_refused(channel, answer)
    after = await env.payments.order_status("game-1", "ORD-R")
    assert after.order == before.order  # same status, same version
    assert after.order.version == 1
    assert await env.payment_jobs() == []
    assert await env.svc.store.count_records(NS_NOTIFICATION) == 0
    listed = (await env.api.get("/v1/payments/rejected", params={"raw": "true"})).json()
    [entry] = listed["items"]
    assert (entry["channel"], entry["reason_code"], entry["seen_count"]) == (channel, reason, 1)
    assert entry["raw_text"].encode() == request.body
    assert entry["message"]
    assert merchant.simulator.received == []


async def test_a_mismatch_lists_what_differs(env, keys):
    await env.register("ORD-R")
    channel, request = genuine_but_wrong_amount(env, keys)
    await env.send(channel, request)

    [entry] = (await env.payments.list_rejected()).records
    [mismatch] = entry.data["mismatches"]
    assert mismatch["field"] == "amount"
    assert (mismatch["expected"], mismatch["actual"]) == ("88.88", "8.88")
    assert "less" in mismatch["reason"]
    assert (entry.data["app_id"], entry.data["order_no"]) == ("game-1", "ORD-R")


async def test_the_same_refused_request_again_is_one_entry_seen_twice(env, keys):
    await env.register("ORD-R")
    channel, request = wrong_signature(env, keys)
    for _ in range(2):
        assert_refused(channel, await env.send(channel, request))
    assert await env.svc.store.count_records(NS_REJECTED) == 1
    [entry] = (await env.payments.list_rejected(channel="alipay")).records
    assert entry.data["seen_count"] == 2
    assert (await env.payments.list_rejected(channel="wechatpay")).records == []


async def test_a_refused_notification_is_accepted_once_the_order_is_registered(env, merchant):
    # The channel's resend is the retry: paid before the merchant registered the order.
    request = env.alipay.notify_request("ORD-LATE", AMOUNT)
    assert (await env.send("alipay", request)).text == "fail"
    await env.register("ORD-LATE")
    assert (await env.send("alipay", request)).text == "success"
    assert (await env.payments.order_status("game-1", "ORD-LATE")).order.status.value == "paid"


async def test_channel_routes_need_no_token_but_payments_routes_do(env):
    assert (await env.public.get("/v1/payments/orders")).status_code == 401
    answer = await env.public.post("/channels/alipay/notify", content=b"junk=1")
    assert answer.status_code == 200 and answer.text == "fail"
    assert (await env.public.post("/channels/unionpay/notify", content=b"x")).status_code == 404
