"""The dashboard's Payments page shows the real orders, notifications and rejections."""

from __future__ import annotations

from ringback.domain.payments.simulator.alipay_sim import with_field

from .payments_env import AMOUNT


async def test_payments_page_lists_orders_notifications_and_rejections(env):
    await env.register("DASH-1")
    await env.send("alipay", env.alipay.notify_request("DASH-1", AMOUNT))
    genuine = env.alipay.notify_request("DASH-2", AMOUNT)
    await env.send("alipay", with_field(genuine, "total_amount", "0.01"))

    orders = (await env.api.get("/dashboard/payments")).text
    assert "not configured" not in orders
    assert "DASH-1" in orders  # the order, paid, with its merchant notification id
    assert "ntf_" in orders
    notices = (await env.api.get("/dashboard/payments", params={"tab": "notifications"})).text
    assert "DASH-1" in notices
    rejected = (await env.api.get("/dashboard/payments", params={"tab": "rejected"})).text
    assert "bad_signature" in rejected
