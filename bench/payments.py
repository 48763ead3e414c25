"""Payment notifications: Alipay notifications accepted per second through the HTTP API
(`ringback serve`, SQLite, RSA2 checked with a real 2048-bit key), and the time from a
channel notification to the merchant's receipt under that load (p50/p99).

In the same run, the raw baseline: an aiohttp endpoint in its own process that only
parses and verifies the same signed forms (no storage, no merchant notification), hit
by the same client at the same concurrency.

Every notification pays a distinct registered order, so each one commits a channel
notification, an order update and a merchant notification job in one transaction;
the merchant (an aiohttp server in this process) answers ``success`` at once.

    .venv/bin/python -m bench.payments --count 2000 --concurrency 32 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.service import machine, serving
from bench.sink import free_port
from ringback.core.config import Settings
from ringback.domain.payments.channels import AlipayVerifier
from ringback.domain.payments.keys import load_public_key
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.simulator.alipay_sim import AlipaySimulator
from ringback.domain.payments.simulator.request import SimulatedRequest

APP_ID = "2021000000000001"
AMOUNT = Money(8888, "CNY")
CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
[store]
url = "sqlite:///ringback.db"
[dispatcher]
concurrency = 200
per_target_limit = 200
[http]
allow_private = true
[workers]
count = {workers}
grace = "5s"
[log]
level = "warning"
[payments]
[[payments.apps]]
app_id = "bench-shop"
notify_url = "http://127.0.0.1:{merchant_port}/notify"
signing_secret = "{secret}"
allowed_channels = ["alipay"]
[payments.alipay]
app_id = "{alipay_app_id}"
public_key_file = "alipay-public.pem"
"""


class Merchant:
    """Answers ``success`` and notes when each order's notification arrived."""

    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        self.all_in = asyncio.Event()
        self.expected = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.setdefault(body["order_no"], time.monotonic())
        if len(self.received) >= self.expected:
            self.all_in.set()
        return web.Response(text="success")


async def post_all(
    url: str, requests: Sequence[tuple[str, SimulatedRequest]], concurrency: int
) -> tuple[float, dict[str, float], int]:
    """POST every request; (elapsed seconds, send time per order, refusals)."""
    sent: dict[str, float] = {}
    refused = 0
    queue = list(reversed(requests))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            nonlocal refused
            while queue:
                order_no, request = queue.pop()
                sent[order_no] = time.monotonic()
                async with session.post(url, data=request.body, headers=request.headers) as got:
                    if (await got.text()) != "success":
                        refused += 1

        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return time.monotonic() - started, sent, refused


async def register_all(settings: Settings, orders: Sequence[str], concurrency: int) -> float:
    headers = {"Authorization": f"Bearer {settings.server.token}"}
    url = f"http://127.0.0.1:{settings.server.port}/v1/payments/orders"
    queue = list(orders)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def client() -> None:
            while queue:
                body = {
                    "app_id": "bench-shop",
                    "order_no": queue.pop(),
                    "amount_minor": AMOUNT.amount_minor,
                    "currency": AMOUNT.currency,
                }
                async with session.post(url, json=body) as answer:
                    if answer.status != 201:
                        raise RuntimeError(f"register: {answer.status} {await answer.text()}")

        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return time.monotonic() - started


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(count: int, concurrency: int, workers: int) -> None:
    alipay = AlipaySimulator(app_id=APP_ID)
    orders = [f"B{index:07d}" for index in range(count)]
    signed = [(order, alipay.notify_request(order, AMOUNT)) for order in orders]
    merchant = Merchant()
    merchant.expected = count
    app = web.Application()
    app.router.add_post("/notify", merchant.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    merchant_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", merchant_port).start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "alipay-public.pem").write_bytes(alipay.public_key_pem())
        config = folder / "ringback.toml"
        config.write_text(
            CONFIG.format(
                port=free_port(),
                workers=workers,
                merchant_port=merchant_port,
                secret=SigningSecret.generate().reveal(),
                alipay_app_id=APP_ID,
            )
        )
        with serving(config) as running:
            settings = running.settings
            registered_s = await register_all(settings, orders, concurrency)
            notify_url = f"http://127.0.0.1:{settings.server.port}/channels/alipay/notify"
            elapsed_s, sent, refused = await post_all(notify_url, signed, concurrency)
            await asyncio.wait_for(merchant.all_in.wait(), timeout=120 + count / 50)
            delivered_s = max(merchant.received.values()) - min(sent.values())
        baseline_s = await baseline(folder / "alipay-public.pem", signed, concurrency)
    await runner.cleanup()
    latencies_ms = [(merchant.received[o] - sent[o]) * 1000 for o in orders]
    report(
        count=count,
        concurrency=concurrency,
        workers=workers,
        registered_s=registered_s,
        elapsed_s=elapsed_s,
        refused=refused,
        delivered_s=delivered_s,
        baseline_s=baseline_s,
        latencies_ms=latencies_ms,
    )


async def baseline(
    key_file: Path, signed: Sequence[tuple[str, SimulatedRequest]], concurrency: int
) -> float:
    port = free_port()
    argv = [sys.executable, "-m", "bench.payments", "--serve-baseline", str(port), str(key_file)]
    server = await asyncio.create_subprocess_exec(*argv)
    try:
        await wait_listening(port)
        elapsed_s, _, refused = await post_all(
            f"http://127.0.0.1:{port}/notify", signed, concurrency
        )
        if refused:
            raise RuntimeError(f"the baseline refused {refused} genuine notifications")
        return elapsed_s
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 10)


async def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError("the baseline server did not start")


def serve_baseline(port: int, key_file: Path) -> None:
    """Verify the signature and answer ``success``: the least any endpoint must do."""
    verifier = AlipayVerifier(app_id=APP_ID, alipay_public_key=load_public_key(key_file))

    async def notify(request: web.Request) -> web.Response:
        body = await request.read()
        verifier.verify(request.headers, body, datetime.now(UTC))
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/notify", notify)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def report(
    *,
    count: int,
    concurrency: int,
    workers: int,
    registered_s: float,
    elapsed_s: float,
    refused: int,
    delivered_s: float,
    baseline_s: float,
    latencies_ms: list[float],
) -> None:
    accepted = count / elapsed_s
    raw = count / baseline_s
    print(f"machine: {machine()}")
    print(f"{count} Alipay notifications, concurrency {concurrency}, {workers} worker(s), SQLite")
    print(f"  orders registered:          {count / registered_s:8.0f} /s")
    print(f"  notifications accepted:     {accepted:8.0f} /s  ({refused} refused)")
    print(f"  baseline (verify only):     {raw:8.0f} /s  (ratio {accepted / raw:.2f})")
    print(f"  merchant receipts:          {count / delivered_s:8.0f} /s")
    p50, p99 = percentile(latencies_ms, 0.50), percentile(latencies_ms, 0.99)
    mean = statistics.fmean(latencies_ms)
    print(f"  notification → merchant:    p50 {p50:.0f} ms, p99 {p99:.0f} ms, mean {mean:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--serve-baseline", nargs=2, metavar=("PORT", "KEY_FILE"))
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(int(args.serve_baseline[0]), Path(args.serve_baseline[1]))
        return
    asyncio.run(run(args.count, args.concurrency, args.workers))


if __name__ == "__main__":
    main()
