"""Operator actions and the one-transaction guarantee, through the API."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from ringback.core.jobs import JobState
from ringback.domain.payments.audit import NS_NOTIFICATION

from .payments_env import AMOUNT, T0, PaymentsEnv, eventually, use_quick_merchant


async def job_of(env: PaymentsEnv, key: str) -> JobState:
    job = await env.svc.store.get_job_by_key(key)
    assert job is not None
    return job.state


async def paid_and_delivered(env: PaymentsEnv, order_no: str) -> str:
    """Register, pay through Alipay, wait for the merchant's ack; the notification id."""
    await env.register(order_no)
    assert (await env.send("alipay", env.alipay.notify_request(order_no, AMOUNT))).text == "success"
    order = (await env.payments.order_status("game-1", order_no)).order
    key = order.notices[0].notification_id
    await eventually(lambda: job_of(env, key), lambda s: s is JobState.SUCCEEDED)
    return key


async def test_order_status_shows_channel_and_merchant_notifications(env, merchant):
    key = await paid_and_delivered(env, "ORD-D")
    detail = (await env.api.get("/v1/payments/orders/game-1/ORD-D")).json()
    assert detail["order"]["notifications"][0]["notification_id"] == key
    [job] = detail["merchant_notifications"][0]["jobs"]
    assert job["job"]["labels"] == {"app": "game-1", "order": "ORD-D", "status": "paid"}
    assert job["job"]["queue"] == "payments"
    assert job["job"]["payload"]["signing_secret"] == "***"  # shown masked, like any secret
    assert [a["outcome"] for a in job["attempts"]] == ["success"]
    unknown = await env.api.get("/v1/payments/orders/game-1/NOPE")
    assert unknown.status_code == 404


async def test_resend_after_success_is_a_fresh_job_with_the_same_body(env, merchant):
    key = await paid_and_delivered(env, "ORD-E")

    answer = await env.api.post("/v1/payments/orders/game-1/ORD-E/resend")

    assert answer.status_code == 200, answer.text
    assert answer.json()["job"]["key"] == f"{key}_r1"
    await eventually(lambda: job_of(env, f"{key}_r1"), lambda s: s is JobState.SUCCEEDED)
    first, second = merchant.simulator.received
    assert first.body == second.body
    assert first.notification_id == second.notification_id == key
    detail = await env.payments.order_status("game-1", "ORD-E")
    assert [d.job.key for d in detail.notices[0].jobs] == [key, f"{key}_r1"]


async def test_resend_of_a_dead_notification_starts_a_new_series(env, merchant):
    use_quick_merchant(env, merchant)
    merchant.simulator.unavailable_first = 1  # the app's schedule has one attempt
    await env.register("ORD-Q", app_id="quick")
    assert (await env.send("generic", env.generic_request("quick", "ORD-Q"))).status_code == 204
    key = (await env.payments.order_status("quick", "ORD-Q")).order.notices[0].job_key
    await eventually(lambda: job_of(env, key), lambda s: s is JobState.DEAD)

    answer = await env.api.post("/v1/payments/orders/quick/ORD-Q/resend")

    assert answer.json()["job"]["series"] == 2
    await eventually(lambda: job_of(env, key), lambda s: s is JobState.SUCCEEDED)
    assert [r.answer_status for r in merchant.simulator.received] == [503, 200]


async def test_resend_dead_restarts_only_those_that_died_since(env, merchant):
    use_quick_merchant(env, merchant)
    merchant.simulator.unavailable_first = 3
    keys = []
    for number, order_no in enumerate(("Q-1", "Q-2", "Q-3")):
        env.clock.set(T0 + timedelta(hours=number))
        await env.register(order_no, app_id="quick")
        await env.send("generic", env.generic_request("quick", order_no))
        key = (await env.payments.order_status("quick", order_no)).order.notices[0].job_key
        await eventually(lambda k=key: job_of(env, k), lambda s: s is JobState.DEAD)
        keys.append(key)

    since = (T0 + timedelta(minutes=30)).isoformat()
    answer = await env.api.post("/v1/payments/apps/quick/resend-dead", json={"since": since})

    assert answer.json() == {"resent": 2}
    for key in keys[1:]:
        await eventually(lambda k=key: job_of(env, k), lambda s: s is JobState.SUCCEEDED)
    assert await job_of(env, keys[0]) is JobState.DEAD
    naive = await env.api.post(
        "/v1/payments/apps/quick/resend-dead", json={"since": "2026-03-14T08:00:00"}
    )
    assert naive.status_code == 422
    assert (
        await env.api.post("/v1/payments/apps/nope/resend-dead", json={"since": since})
    ).status_code == 404


async def test_nothing_to_resend_before_a_status_change(env):
    await env.register("ORD-P")
    answer = await env.api.post("/v1/payments/orders/game-1/ORD-P/resend")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "conflict"


async def test_order_and_job_are_written_together_or_not_at_all(env, merchant):
    await env.register("ORD-T")
    db = env.folder / "ringback.db"
    with sqlite3.connect(db) as admin:
        admin.execute(
            "CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
    request = env.alipay.notify_request("ORD-T", AMOUNT)

    answer = await env.send("alipay", request)

    assert answer.text == "fail"  # not stored, so Alipay is told to send it again
    order = (await env.payments.order_status("game-1", "ORD-T")).order
    assert (order.status.value, order.version, order.channel_notifications) == ("pending", 1, ())
    assert await env.svc.store.count_records(NS_NOTIFICATION) == 0
    assert await env.payment_jobs() == []

    with sqlite3.connect(db) as admin:
        admin.execute("DROP TRIGGER refuse_jobs")
    assert (await env.send("alipay", request)).text == "success"
    order = (await env.payments.order_status("game-1", "ORD-T")).order
    assert order.status.value == "paid"
    assert len(await env.payment_jobs()) == 1
