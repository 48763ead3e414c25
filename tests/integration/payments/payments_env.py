"""The payments feature end to end: a configuration file with real keys, the whole
service in one loop (``EmbeddedService``: a real SQLite file, uvicorn on port 0, the
dispatcher) under a fake clock, simulators sending real HTTP requests, and a merchant
server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ringback.core.clock import FakeClock
from ringback.core.config import load_settings
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import Job
from ringback.core.store.contract import JobFilter
from ringback.domain.payments.channels.generic import generic_signature_header
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.service import PaymentsService
from ringback.domain.payments.simulator.alipay_sim import AlipaySimulator
from ringback.domain.payments.simulator.merchant_sim import MerchantServer
from ringback.domain.payments.simulator.request import SimulatedRequest
from ringback.domain.payments.simulator.wechatpay_sim import WechatPaySimulator
from ringback.interfaces.runtime.embedded import EmbeddedService

T0 = datetime(2026, 3, 14, 8, 30, tzinfo=UTC)
TOKEN = "payments-test-token-0123456789"
AMOUNT = Money(8888, "CNY")
T = TypeVar("T")


@dataclass(frozen=True)
class Keys:
    """Real RSA keys, made once per test session."""

    alipay: RSAPrivateKey
    wechat: RSAPrivateKey
    merchant_rsa2: RSAPrivateKey
    stranger: RSAPrivateKey  # signs nothing anyone trusts


@dataclass
class PaymentsEnv:
    svc: EmbeddedService
    clock: FakeClock
    api: httpx.AsyncClient  # authorised, on the service's base URL
    public: httpx.AsyncClient  # no token: what a payment channel has
    alipay: AlipaySimulator
    wechat: WechatPaySimulator
    generic_secret: SigningSecret
    app_secrets: dict[str, SigningSecret]
    config_path: Path
    folder: Path

    @property
    def payments(self) -> PaymentsService:
        service = self.svc.payments.service
        assert service is not None
        return service

    async def register(self, order_no: str, app_id: str = "game-1", **extra: Any) -> httpx.Response:
        body = {
            "app_id": app_id,
            "order_no": order_no,
            "amount_minor": AMOUNT.amount_minor,
            "currency": AMOUNT.currency,
            **extra,
        }
        return await self.api.post("/v1/payments/orders", json=body)

    async def send(self, channel: str, request: SimulatedRequest) -> httpx.Response:
        """POST a simulated channel request, exactly its bytes and headers."""
        return await self.public.post(
            f"/channels/{channel}/notify", content=request.body, headers=request.headers
        )

    def generic_request(
        self, app_id: str, order_no: str, *, amount_minor: int = 8888, status: str = "paid"
    ) -> SimulatedRequest:
        """A notification from the generic sender, HMAC-signed at the service's time."""
        body = json.dumps(
            {
                "app_id": app_id,
                "order_no": order_no,
                "channel_txn_no": f"TXN-{order_no}",
                "amount_minor": amount_minor,
                "currency": "CNY",
                "status": status,
                "notification_id": f"{app_id}-{order_no}-{status}",
            }
        ).encode()
        signature = generic_signature_header(self.generic_secret, body, self.clock.now())
        return SimulatedRequest({"X-Ringback-Signature": signature}, body)

    async def payment_jobs(self, app_id: str = "game-1") -> list[Job]:
        page = await self.svc.store.list_jobs(
            JobFilter(queue="payments", label=("app", app_id)), limit=100
        )
        return page.jobs


def pem_private(key: RSAPrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def pem_public(key: RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def write_config(
    folder: Path,
    keys: Keys,
    *,
    merchant_url: str,
    wechat: WechatPaySimulator,
    quick_url: str | None = None,
    store_url: str = "sqlite:///ringback.db",
) -> tuple[Path, dict[str, SigningSecret], SigningSecret]:
    """ringback.toml and its key files in ``folder``; returns (path, each app's
    signing secret, the generic sender's secret)."""
    secrets = {app: SigningSecret.generate() for app in ("game-1", "open-shop", "quick")}
    generic_secret = SigningSecret.generate()
    (folder / "game-1.whsec").write_text(secrets["game-1"].reveal() + "\n")
    (folder / "generic.whsec").write_text(generic_secret.reveal() + "\n")
    (folder / "game-1-rsa2.pem").write_bytes(pem_private(keys.merchant_rsa2))
    (folder / "alipay-public.pem").write_bytes(pem_public(keys.alipay))
    (folder / "wechat-platform.pem").write_bytes(pem_public(keys.wechat))
    (folder / "wechat-apiv3.key").write_text(wechat.api_v3_key.reveal())
    quick = quick_url or merchant_url
    text = f"""
data_dir = "{folder}"

[server]
host = "127.0.0.1"
port = 0
token = "{TOKEN}"

[store]
url = "{store_url}"

[http]
allow_private = true
timeout = "5s"
signing_secret = "{generate_secret()}"

[payments]

[[payments.apps]]
app_id = "game-1"
notify_url = "{merchant_url}"
signing_secret_file = "game-1.whsec"
rsa2_private_key_file = "game-1-rsa2.pem"
allowed_channels = ["alipay", "wechatpay"]

[[payments.apps]]
app_id = "open-shop"
notify_url = "{merchant_url}"
signing_secret = "{secrets["open-shop"].reveal()}"
allowed_channels = ["generic"]
allow_unregistered_orders = true
success = {{ status = "2xx" }}

[[payments.apps]]
app_id = "quick"
notify_url = "{quick}"
signing_secret = "{secrets["quick"].reveal()}"
allowed_channels = ["generic"]
schedule = {{ type = "schedule", delays = ["0s"] }}

[payments.alipay]
app_id = "2021000000000001"
public_key_file = "alipay-public.pem"
apps = ["game-1"]

[payments.wechatpay]
appid = "{wechat.appid}"
mchid = "{wechat.mchid}"
api_v3_key_file = "wechat-apiv3.key"
platform_public_keys = {{ "{wechat.serial}" = "wechat-platform.pem" }}
apps = ["game-1"]

[payments.generic]
secret_file = "generic.whsec"
"""
    path = folder / "ringback.toml"
    path.write_text(text, encoding="utf-8")
    return path, secrets, generic_secret


@contextlib.asynccontextmanager
async def running_payments(
    folder: Path,
    keys: Keys,
    *,
    merchant_url: str,
    quick_url: str | None = None,
    store_url: str = "sqlite:///ringback.db",
) -> AsyncIterator[PaymentsEnv]:
    clock = FakeClock(T0)
    wechat = WechatPaySimulator(private_key=keys.wechat, clock=clock)
    alipay = AlipaySimulator(private_key=keys.alipay, clock=clock)
    path, app_secrets, generic_secret = write_config(
        folder,
        keys,
        merchant_url=merchant_url,
        wechat=wechat,
        quick_url=quick_url,
        store_url=store_url,
    )
    settings = load_settings(path, env={})
    async with EmbeddedService(settings, clock=clock) as svc:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            httpx.AsyncClient(base_url=svc.url, headers=headers, timeout=10) as api,
            httpx.AsyncClient(base_url=svc.url, timeout=10) as public,
        ):
            yield PaymentsEnv(
                svc,
                clock,
                api,
                public,
                alipay,
                wechat,
                generic_secret,
                app_secrets,
                path,
                folder,
            )


async def eventually(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], timeout_s: float = 5.0
) -> T:
    """Poll ``probe`` (in real time) until ``check`` holds; the last value otherwise fails."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = await probe()
        if check(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition never held; last value: {value!r}")
        await asyncio.sleep(0.005)


def use_quick_merchant(env: PaymentsEnv, merchant: MerchantServer) -> None:
    """The merchant checks the "quick" app's secret (that app signs no RSA2)."""
    merchant.simulator.signing_secret = env.app_secrets["quick"]
    merchant.simulator.rsa2_public_key = None
