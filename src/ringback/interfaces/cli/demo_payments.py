"""``ringback demo payments``: an order paid through a simulated Alipay, end to end.

Next to the service ``make run`` started (its API, its workers, its store), the demo

1. registers an order for the demo merchant app through the API;
2. plays Alipay: a notification form signed with real RSA2 by the simulated Alipay's
   key, POSTed to ``/channels/alipay/notify`` — then the same one again, as Alipay
   resends, to show that nothing happens twice;
3. plays the merchant: a server on the app's notify URL that is down for the first
   try (connection refused), then answers 503, then the wrong body ``ok``, then
   ``success``, checking the Standard Webhooks and RSA2 signatures each time;
4. prints every attempt as the service makes it, and where to look afterwards.

The keys come from the demo key folder the service was configured with
(``[payments] demo_keys``), generated there on first use.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from rich.console import Console

from ringback.core.config import Settings
from ringback.core.errors import ConfigError
from ringback.domain.payments.config import PaymentsConfig
from ringback.domain.payments.demo_keys import DemoKeys
from ringback.domain.payments.money import Money, format_major
from ringback.domain.payments.simulator.alipay_sim import AlipaySimulator
from ringback.domain.payments.simulator.merchant_sim import MerchantServer, MerchantSimulator
from ringback.interfaces.cli.exit_codes import UNAVAILABLE

DEMO_APP = "demo-shop"
DEMO_AMOUNT = Money(8888, "CNY")
WAIT_LIMIT_S = 300.0  # the demo schedule ends in ~20 s; generous for a slow machine
POLL_EVERY_S = 0.25


@dataclass(frozen=True, slots=True)
class DemoSetup:
    api_url: str
    token: str
    alipay_app_id: str
    notify_url: str
    keys: DemoKeys


def demo_setup(settings: Settings, config: PaymentsConfig | None) -> DemoSetup:
    """What the demo needs from the configuration, or a ConfigError saying what to add."""
    hint = "run the demo with the configuration `make run` uses: --config examples/ringback.toml"
    if config is None or DEMO_APP not in config.apps:
        raise ConfigError(f"no [[payments.apps]] named {DEMO_APP!r}; {hint}", field="payments")
    if config.demo_keys is None:
        raise ConfigError(f"[payments] demo_keys is not set; {hint}", field="payments.demo_keys")
    alipay = config.channels.get("alipay")
    if alipay is None:
        raise ConfigError(f"[payments.alipay] is not configured; {hint}", field="payments.alipay")
    host = settings.server.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    api_url = settings.server.public_url or f"http://{host}:{settings.server.port}"
    return DemoSetup(
        api_url=api_url.rstrip("/"),
        token=settings.server.token,
        alipay_app_id=alipay.channel_app_id,
        notify_url=config.apps[DEMO_APP].notify_url,
        keys=config.demo_keys,
    )


async def run_demo(setup: DemoSetup, console: Console) -> int:
    headers = {"Authorization": f"Bearer {setup.token}"}
    async with httpx.AsyncClient(base_url=setup.api_url, headers=headers, timeout=10) as api:
        try:
            await api.get("/healthz")
        except httpx.TransportError:
            console.print(
                f"[red]no ringback service answers at {setup.api_url}[/]: start it first "
                "(make run), then run the demo again"
            )
            return UNAVAILABLE
        order_no = f"DEMO-{int(time.time() * 1000)}"
        return await _pay_and_watch(api, setup, order_no, console)


async def _pay_and_watch(
    api: httpx.AsyncClient, setup: DemoSetup, order_no: str, console: Console
) -> int:
    amount = f"¥{format_major(DEMO_AMOUNT)}"
    console.print(f"[bold]1. The shop registers order {order_no} ({amount}) with ringback[/]")
    answer = await api.post(
        "/v1/payments/orders",
        json={
            "app_id": DEMO_APP,
            "order_no": order_no,
            "amount_minor": DEMO_AMOUNT.amount_minor,
            "currency": DEMO_AMOUNT.currency,
            "attach": "player=42",
        },
    )
    answer.raise_for_status()
    console.print(f"   POST /v1/payments/orders → {answer.status_code}")

    alipay = AlipaySimulator(
        app_id=setup.alipay_app_id, private_key=setup.keys.alipay_private_key()
    )
    request = alipay.notify_request(order_no, DEMO_AMOUNT)
    console.print("[bold]2. Alipay notifies ringback that the buyer paid (RSA2-signed form)[/]")
    for label in ("", " again (Alipay resends until it sees success)"):
        sent = await api.post(
            "/channels/alipay/notify", content=request.body, headers=request.headers
        )
        console.print(f"   POST /channels/alipay/notify{label} → {sent.text!r}")

    merchant = MerchantSimulator(
        signing_secret=setup.keys.merchant_secret(),
        rsa2_public_key=setup.keys.merchant_rsa2_public_key(),
        unavailable_first=1,
        wrong_body_next=1,
    )
    server = MerchantServer(merchant)
    server.port = urlsplit(setup.notify_url).port
    console.print(
        f"[bold]3. ringback notifies the shop at {setup.notify_url}[/] — the shop is down "
        "at first, then busy (503), then answers 'ok' instead of 'success', then recovers"
    )
    try:
        job = await _watch(api, order_no, server, console)
    finally:
        await server.stop()
    _explain(setup, order_no, job, merchant, console)
    return 0 if job is not None and job["state"] == "succeeded" else 1


async def _watch(
    api: httpx.AsyncClient, order_no: str, server: MerchantServer, console: Console
) -> dict[str, Any] | None:
    """Print each attempt as it is recorded; start the merchant after the first."""
    shown = 0
    job: dict[str, Any] | None = None
    started = time.monotonic()
    while time.monotonic() - started < WAIT_LIMIT_S:
        detail = (await api.get(f"/v1/payments/orders/{DEMO_APP}/{order_no}")).json()
        notices = detail.get("merchant_notifications", [])
        if notices and notices[0]["jobs"]:
            job_detail = notices[0]["jobs"][0]
            job = job_detail["job"]
            for attempt in job_detail["attempts"][shown:]:
                shown += 1
                what = attempt["error"] or f"answered {attempt['response_excerpt']!r}"
                console.print(
                    f"   attempt {attempt['number']} at {attempt['started_at'][11:19]}Z: "
                    f"{attempt['outcome']} — {what}"
                )
                if shown == 1:
                    await server.start()  # the shop comes back after the first try
            if job["state"] in ("succeeded", "dead"):
                return job
        await asyncio.sleep(POLL_EVERY_S)
    console.print("[red]   the notification did not finish in time; is a worker running?[/]")
    return job


def _explain(
    setup: DemoSetup,
    order_no: str,
    job: dict[str, Any] | None,
    merchant: MerchantSimulator,
    console: Console,
) -> None:
    console.print("[bold]4. What the shop received[/]")
    for received in merchant.received:
        checks = (
            f"webhook signature {'ok' if received.webhook_signature_ok else 'BAD'}, "
            f"RSA2 sign {'ok' if received.rsa2_ok else 'BAD'}"
        )
        console.print(
            f"   notification {received.notification_id}: {checks} → answered "
            f"{received.answer_status} {received.answer_body.decode()!r}"
        )
    console.print("[bold]Where to look[/]")
    if job is not None:
        console.print(
            f"   ringback jobs show {job['id']}   (every attempt of the notification job)"
        )
    console.print(f"   ringback payments orders show {DEMO_APP} {order_no}")
    console.print(
        f"   curl -H 'Authorization: Bearer <token in var/token>' "
        f"{setup.api_url}/v1/payments/orders/{DEMO_APP}/{order_no}"
    )
    console.print(f"   {setup.api_url}/docs   (the API, with every payments route)")
