"""Registering and listing orders through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .payments_env import AMOUNT, T0


async def test_registering_again_is_idempotent_and_a_new_amount_conflicts(env):
    first = await env.register("ORD-1", attach="a")
    again = await env.register("ORD-1", attach="a")
    other = await env.api.post(
        "/v1/payments/orders",
        json={"app_id": "game-1", "order_no": "ORD-1", "amount_minor": 1, "currency": "CNY"},
    )

    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert again.json()["order"] == first.json()["order"]
    assert other.status_code == 409
    assert other.json()["error"]["field"] == "amount_minor"
    order = first.json()["order"]
    assert (order["amount"], order["amount_minor"], order["status"]) == ("88.88", 8888, "pending")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"app_id": "nobody"}, "body.app_id"),
        ({"order_no": "has space"}, "body.order_no"),
        ({"order_no": "a/b"}, "body.order_no"),
        ({"amount_minor": 88.88}, "body.amount_minor"),
        ({"amount_minor": "8888"}, "body.amount_minor"),
        ({"amount_minor": 0}, "body.amount_minor"),
        ({"currency": "XXX"}, "body.currency"),
        ({"channel": "generic"}, "body.channel"),
        ({"notify_url": "ftp://shop.example/n"}, "body.notify_url"),
        ({"attach": "x" * 257}, "body.attach"),
        ({"colour": "blue"}, "body.colour"),
    ],
)
async def test_bad_orders_are_refused_naming_the_field(env, changes, field):
    body = {"app_id": "game-1", "order_no": "ORD-X", "amount_minor": 8888, "currency": "CNY"}
    answer = await env.api.post("/v1/payments/orders", json={**body, **changes})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert (await env.payments.list_orders()).orders == []


async def test_listing_pages_newest_first_and_filters(env):
    for number in range(5):
        env.clock.set(T0 + timedelta(minutes=number))
        await env.register(f"L-{number}")
    await env.send("alipay", env.alipay.notify_request("L-1", AMOUNT))

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await env.api.get("/v1/payments/orders", params=params)).json()
        seen += [o["order_no"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["L-4", "L-3", "L-2", "L-1", "L-0"]

    paid = (await env.api.get("/v1/payments/orders", params={"status": "paid"})).json()
    assert [o["order_no"] for o in paid["orders"]] == ["L-1"]
    window = {
        "created_from": (T0 + timedelta(minutes=1)).isoformat(),
        "created_to": (T0 + timedelta(minutes=3)).isoformat(),
        "app": "game-1",
    }
    ranged = (await env.api.get("/v1/payments/orders", params=window)).json()
    assert [o["order_no"] for o in ranged["orders"]] == ["L-2", "L-1"]
    assert (await env.api.get("/v1/payments/orders", params={"app": "x"})).status_code == 404
    bad = await env.api.get("/v1/payments/orders", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "query.cursor"


async def test_apps_are_listed_with_secrets_hidden(env):
    apps = (await env.api.get("/v1/payments/apps")).json()["apps"]
    assert [a["app_id"] for a in apps] == ["game-1", "open-shop", "quick"]
    for app in apps:
        secret = env.app_secrets[app["app_id"]].reveal()
        assert secret not in str(apps)
        assert app["signing_secret"] == f"whsec_…{secret[-4:]}"
